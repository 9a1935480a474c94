/**
 * The worker's on-device checks, as RPC methods: `detectLanguage` (is this text in the item's
 * language?) and `scanPersonalData` (what personal data is in each field?). Parameters are
 * validated like every worker call; both are pure computations, so they run beside a model load
 * without waiting for it.
 */
import { z } from 'zod';
import { LanguageTag } from '../federation/protocol/index.ts';
import { DETECTOR, detectLanguage as detect, type LanguageGuess } from './language.ts';
import { DEFAULT_NATIONAL_IDS, scanText, type NationalIdPattern, type Span } from './pii.ts';
import type { Method } from './rpc.ts';

/** More than any form holds (the longest field is a few thousand characters). */
const MAX_TEXT = 50_000;
const MAX_FIELDS = 32;

const compiles = (p: { pattern: string; flags?: string | undefined }) => {
  try {
    new RegExp(p.pattern, `g${p.flags ?? ''}u`);
    return true;
  } catch {
    return false;
  }
};

const NationalIdParams = z
  .object({
    name: z.string().min(1).max(80),
    pattern: z.string().min(1).max(500),
    flags: z.string().regex(/^[ims]*$/).optional(),
    check: z.literal('luhn').optional(),
  })
  .strict()
  .refine(compiles, { message: 'The pattern is not a valid regular expression' });

const DetectParams = z.object({ text: z.string().max(MAX_TEXT), language: LanguageTag }).strict();

export const detectLanguage: Method<typeof DetectParams, LanguageGuess & { detector: string }> = {
  params: DetectParams,
  run: ({ text, language }) => Promise.resolve({ ...detect(text, language), detector: DETECTOR }),
};

const ScanParams = z
  .object({
    fields: z.record(z.string().max(64), z.string().max(MAX_TEXT)).refine((f) => Object.keys(f).length <= MAX_FIELDS, {
      message: `At most ${MAX_FIELDS} fields`,
    }),
    /** The deployment's national id formats; the defaults when absent. */
    nationalIds: z.array(NationalIdParams).max(20).optional(),
  })
  .strict();

export const scanPersonalData: Method<typeof ScanParams, { fields: Record<string, Span[]> }> = {
  params: ScanParams,
  run: ({ fields, nationalIds }) => {
    const config = { nationalIds: (nationalIds as NationalIdPattern[] | undefined) ?? DEFAULT_NATIONAL_IDS };
    const out: Record<string, Span[]> = {};
    for (const [name, text] of Object.entries(fields)) {
      const spans = scanText(text, config);
      if (spans.length > 0) out[name] = spans;
    }
    return Promise.resolve({ fields: out });
  },
};
