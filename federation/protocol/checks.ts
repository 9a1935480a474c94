/**
 * What the device checked before an item entered its outbox: the language it looks like (a small
 * language-identification model on the device) and the personal data it found and redacted.
 * Carried with the item so the release pipeline can weigh it; never the personal data itself,
 * only its kinds and counts.
 */
import { z } from 'zod';

export const PERSONAL_DATA_TYPES = ['email', 'phone', 'card', 'iban', 'url', 'handle', 'national_id'] as const;
export type PersonalDataType = (typeof PERSONAL_DATA_TYPES)[number];

/** The placeholder that replaces a redacted span, e.g. `[EMAIL]`. */
export const REDACTION_PLACEHOLDER: Record<PersonalDataType, string> = {
  email: '[EMAIL]',
  phone: '[PHONE]',
  card: '[CARD]',
  iban: '[IBAN]',
  url: '[URL]',
  handle: '[HANDLE]',
  national_id: '[ID]',
};

const TypeCount = z.object({ type: z.enum(PERSONAL_DATA_TYPES), count: z.int().min(1).max(10_000) }).strict();

export const Checks = z
  .object({
    language: z
      .object({
        /** ISO 639 code the model detected for the item's free text, or null when too short to tell. */
        detected: z.string().regex(/^[a-z]{2,3}$/).nullable(),
        /** The model's confidence, 0–1. */
        score: z.number().min(0).max(1),
        /** Whether the detected language matches the item's `language`. */
        matches: z.boolean(),
        /** The contributor confirmed the language when it did not match. */
        confirmed: z.boolean(),
        /** Which detector, e.g. "eld@1.0.0". */
        detector: z.string().min(1).max(60),
      })
      .strict()
      .optional(),
    personalData: z
      .object({
        /** Personal data still in the text when saved (the contributor chose to keep it). */
        kept: z.array(TypeCount).max(PERSONAL_DATA_TYPES.length),
        /** Personal data replaced by placeholders before saving. */
        redacted: z.array(TypeCount).max(PERSONAL_DATA_TYPES.length),
      })
      .strict()
      .optional(),
  })
  .strict()
  .meta({ id: 'Checks', description: 'On-device checks run before the item was saved' });
export type Checks = z.output<typeof Checks>;
