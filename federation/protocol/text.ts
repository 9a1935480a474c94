/**
 * Validators for free text typed by people. Contributed text is untrusted: it must be well-formed
 * Unicode (no lone surrogates), carry no control characters other than tab and newline, and fit
 * its length bound. Accepted text is normalised to NFC and trimmed, so that the same words typed
 * on two phones produce the same bytes (and the same content hash on the server).
 */
import { z } from 'zod';

// C0 controls except TAB (09), LF (0A), CR (0D); DEL; C1 controls. Bidi overrides are handled by
// the release pipeline, which knows the script of each language.
const FORBIDDEN_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Why a string is not acceptable as contributed text, or null when it is. */
export function textProblem(s: string): 'invalid_text' | null {
  if (!s.isWellFormed()) return 'invalid_text';
  if (FORBIDDEN_CONTROLS.test(s)) return 'invalid_text';
  return null;
}

export function normaliseText(s: string): string {
  return s.normalize('NFC').replace(/\r\n?/g, '\n').trim();
}

/**
 * A required (min 1) or optional (min 0) text field of at most `max` code points.
 * Custom issues carry `params.code`, which becomes the item's stable error code.
 */
export function text(max: number, opts: { min?: number } = {}) {
  const min = opts.min ?? 1;
  return z
    .string()
    .superRefine((s, ctx) => {
      if (textProblem(s)) {
        ctx.addIssue({
          code: 'custom',
          message: 'Text must be valid Unicode without control characters',
          params: { code: 'invalid_text' },
        });
      }
    })
    .transform(normaliseText)
    .superRefine((s, ctx) => {
      const n = codePointLength(s);
      if (n < min) {
        ctx.addIssue({ code: 'custom', message: 'Required', params: { code: 'empty' } });
      } else if (n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `At most ${max} characters`,
          params: { code: 'too_long', limit: max },
        });
      }
    })
    .meta({ maxLength: max, minLength: min });
}
