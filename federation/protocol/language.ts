/**
 * BCP 47 language tags. Validation uses the platform's own parser (Intl.getCanonicalLocales), the
 * same in browsers and Node, and requires the canonical spelling ("en-GB", not "EN-gb"), so that a
 * language has exactly one spelling in the store and in datasets.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';

/** The canonical form of a tag, or null when the tag is not well-formed BCP 47. */
export function canonicalLanguageTag(tag: string): string | null {
  if (tag.length === 0 || tag.length > LIMITS.languageTag) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical ?? null;
  } catch {
    return null;
  }
}

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
