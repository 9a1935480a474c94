/**
 * Validators for free text typed by people. Contributed text is untrusted: it must be well-formed
 * Unicode (no lone surrogates), carry no control characters other than tab and newline (a CR is
 * taken as a line end), no bidirectional embeddings, overrides or isolates, and fit its length
 * bound. Accepted text is normalised to NFC and trimmed, so that the same words typed on two
 * phones produce the same bytes (and the same content hash on the server). See docs/checks.md.
 */
import { z } from 'zod';

// C0 controls except TAB (09), LF (0A), CR (0D); DEL; C1 controls; and the explicit bidirectional
// formatting characters — embeddings and overrides (U+202A–202E) and isolates (U+2066–2069) — which
// make text display in another order than it is read ("Trojan Source"). The implicit marks (LRM,
// RLM, ALM), which right-to-left keyboards type and which reorder nothing, are text.
const FORBIDDEN_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

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

/**
 * Machine-written text made acceptable as contributed text: control and bidirectional formatting
 * characters a model may emit (which `text()` refuses) are dropped, lone surrogates become U+FFFD,
 * and it is normalised.
 */
export function cleanGeneratedText(s: string): string {
  return normaliseText(s.toWellFormed().replace(new RegExp(FORBIDDEN_CONTROLS.source, 'gu'), ''));
}

export function normaliseText(s: string): string {
  const nfc = s.normalize('NFC');
  return (nfc.includes('\r') ? nfc.replace(/\r\n?/g, '\n') : nfc).trim();
}

/** The schemas `text()` made: free text people typed, as opposed to ids, tags and codes. */
const TEXT_FIELDS = new WeakSet<z.ZodType>();

/**
 * Whether a schema is a `text()` field (optional or not): what the release pipeline normalises and
 * redacts personal data in, found from the kinds' own schemas (federation/release/fields.ts).
 */
export function isTextField(schema: z.ZodType): boolean {
  return TEXT_FIELDS.has(schema);
}

/**
 * A required (min 1) or optional (min 0) text field of at most `max` code points.
 * Custom issues carry `params.code`, which becomes the item's stable error code.
 * One transform does the checks and the normalisation in a single pass over the value: this
 * validator runs for every field of every item the node ingests.
 */
export function text(max: number, opts: { min?: number } = {}) {
  const min = opts.min ?? 1;
  const schema = z
    .string()
    .transform((raw, ctx) => {
      if (textProblem(raw)) {
        ctx.addIssue({
          code: 'custom',
          message: 'Text must be valid Unicode without control characters',
          params: { code: 'invalid_text' },
        });
        return z.NEVER;
      }
      const s = normaliseText(raw);
      // Limits are in code points. UTF-16 length is an upper bound of the code point count, so
      // the count is only taken when the cheap bound cannot decide.
      if (s.length === 0 ? min > 0 : min > 1 && codePointLength(s) < min) {
        ctx.addIssue({ code: 'custom', message: 'Required', params: { code: 'empty' } });
        return z.NEVER;
      }
      if (s.length > max && codePointLength(s) > max) {
        ctx.addIssue({ code: 'custom', message: `At most ${max} characters`, params: { code: 'too_long', limit: max } });
        return z.NEVER;
      }
      return s;
    })
    .meta({ maxLength: max, minLength: min });
  TEXT_FIELDS.add(schema);
  return schema;
}
