/**
 * Contributions: what a citizen gives. Every kind shares an envelope (id, campaign, language,
 * contributor, device sequence, time, consent) and has its own `data`. Contributions are
 * immutable: the same id always means the same content (the server answers `conflict` otherwise).
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { LanguageTag } from './language.ts';
import { text } from './text.ts';

/** Licences a campaign may give contributions under (SPDX ids of open data/content licences). */
export const LICENCES = [
  'CC0-1.0',
  'CC-BY-4.0',
  'CC-BY-SA-4.0',
  'ODC-By-1.0',
  'ODbL-1.0',
  'PDDL-1.0',
  'CDLA-Permissive-2.0',
  'CDLA-Sharing-1.0',
] as const;
export const DEFAULT_LICENCE = 'CC0-1.0';

/** The consent text version shown on the first-run screen; bump it when the text changes. */
export const CONSENT_VERSION = '2026-11-1';

export const DEFAULT_CAMPAIGN = 'general';

export const REGISTERS = ['formal', 'neutral', 'informal', 'slang', 'vulgar', 'archaic'] as const;
export type Register = (typeof REGISTERS)[number];

const CampaignSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/)
  .max(LIMITS.campaignSlug)
  .meta({ description: 'Campaign slug; "general" is the open campaign every node has' });

export const Consent = z
  .object({
    version: z.string().regex(/^[A-Za-z0-9.-]{1,32}$/),
    licence: z.enum(LICENCES),
  })
  .strict()
  .meta({ id: 'Consent', description: 'What the contributor agreed to when this was saved' });

const envelope = {
  id: z
    .uuidv7()
    .refine((s) => s === s.toLowerCase(), { message: 'Must be lower case', params: { code: 'invalid_id' } })
    .meta({ description: 'Client-made UUIDv7, lower case; the idempotency key' }),
  campaign: CampaignSlug,
  language: LanguageTag,
  contributor: z
    .uuid()
    .refine((s) => s === s.toLowerCase(), { message: 'Must be lower case', params: { code: 'invalid_id' } })
    .meta({ description: 'Pseudonymous contributor id made on the device' }),
  deviceSeq: z.int().min(1).max(Number.MAX_SAFE_INTEGER).meta({
    description: 'Per-device sequence number, 1, 2, 3… in the order things were saved',
  }),
  createdAt: z.iso.datetime({ offset: true }).meta({ description: 'When it was saved, device clock' }),
  consent: Consent,
};

export const IdiomData = z
  .object({
    expression: text(LIMITS.idiom.expression),
    meaning: text(LIMITS.idiom.meaning),
    example: text(LIMITS.idiom.example),
    region: text(LIMITS.idiom.region).optional(),
    register: z.enum(REGISTERS).optional(),
  })
  .strict()
  .meta({ id: 'IdiomData' });
export type IdiomData = z.output<typeof IdiomData>;

export const Idiom = z
  .object({ ...envelope, kind: z.literal('idiom'), data: IdiomData })
  .strict()
  .meta({ id: 'Idiom', description: 'An expression, what it means and how it is used' });

/** Every kind of contribution, discriminated by `kind`. */
export const Contribution = z.discriminatedUnion('kind', [Idiom]).meta({ id: 'Contribution' });
export type Contribution = z.output<typeof Contribution>;
export type ContributionInput = z.input<typeof Contribution>;
export type ContributionKind = Contribution['kind'];
export const CONTRIBUTION_KINDS = ['idiom'] as const satisfies readonly ContributionKind[];
