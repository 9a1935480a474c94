/**
 * BCP 47 language tags. Validation uses the platform's own parser (Intl.getCanonicalLocales), the
 * same in browsers and Node, and requires the canonical spelling ("en-GB", not "EN-gb"), so that a
 * language has exactly one spelling in the store and in datasets.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';

// Intl's parser is slow next to the rest of item validation, and a node sees the same few
// tags over and over: remember the answers for a bounded number of tags.
const CANONICAL_MEMO_LIMIT = 512;
const canonicalMemo = new Map<string, string | null>();

/** The canonical form of a tag, or null when the tag is not well-formed BCP 47. */
export function canonicalLanguageTag(tag: string): string | null {
  if (tag.length === 0 || tag.length > LIMITS.languageTag) return null;
  const known = canonicalMemo.get(tag);
  if (known !== undefined) return known;
  let canonical: string | null;
  try {
    canonical = Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    canonical = null;
  }
  if (canonicalMemo.size >= CANONICAL_MEMO_LIMIT) canonicalMemo.clear();
  canonicalMemo.set(tag, canonical);
  return canonical;
}

/**
 * The languages the app's language picker lists (web/src/components/LanguagePicker.svelte); any
 * other BCP 47 tag can be typed under "Other". Spelled as people know them: the app stores the
 * canonical tag (`tl` is stored as `fil`), and the on-device and release language checks must
 * accept each of them (worker/language.test.ts).
 */
export const SUGGESTED_LANGUAGES = [
  'am', 'ar', 'bn', 'de', 'en', 'es', 'fa', 'fr', 'ha', 'he', 'hi', 'id', 'ig', 'it', 'ja', 'ko', 'ms', 'nl',
  'pl', 'pt', 'ru', 'so', 'sw', 'ta', 'th', 'tl', 'tr', 'uk', 'ur', 'vi', 'wo', 'xh', 'yo', 'zh', 'zu',
] as const;

/** The primary language subtag (ISO 639), as dataset cards want it: "sw" for "sw-KE". */
export function primaryLanguage(tag: string): string {
  return tag.split('-')[0]!.toLowerCase();
}

export const LanguageTag = z
  .string()
  .superRefine((s, ctx) => {
    if (canonicalLanguageTag(s) !== s) {
      ctx.addIssue({
        code: 'custom',
        message: 'Must be a canonical BCP 47 language tag, e.g. "sw" or "pt-BR"',
        params: { code: 'invalid_language' },
      });
    }
  })
  .meta({ description: 'Canonical BCP 47 language tag', examples: ['sw', 'pt-BR', 'ar-EG'] });
