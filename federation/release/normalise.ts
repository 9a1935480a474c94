/**
 * Stage 2, validate and normalise: every free-text field of an item (fields.ts: the kinds' `text()`
 * fields) is put in Unicode NFC, stripped of control characters (tab and newline kept) and of
 * bidirectional overrides and isolates (which can make text display differently from what it
 * says), its whitespace tidied (runs of spaces collapsed, lines trimmed, at most one blank line, no
 * leading or trailing space), and checked against the length bounds. Ids, tags, model names and
 * settings are left alone.
 */
import type { ContentKind, Contribution } from '../protocol/index.ts';
import { copyData, eachString, KIND_FIELDS } from './fields.ts';

// C0/C1 controls except \t and \n; bidi embeddings/overrides (U+202A–202E) and isolates (U+2066–2069); BOM.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Anything the steps below would change in an NFC text: a carriage return, an unsafe character,
 * a tab or no-break space, two spaces, whitespace at the start or end of the text or of a line,
 * three newlines. Most texts have none, and are then returned as they are (one scan, not six).
 */
const UNTIDY = /[\r\t\u00a0\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]| {2}|^\s|\s$|[^\S\n]\n|\n[^\S\n]|\n{3}/;

export function normaliseText(text: string): string {
  const nfc = text.normalize('NFC');
  if (!UNTIDY.test(nfc)) return nfc;
  return nfc
    .replace(/\r\n?/g, '\n')
    .replace(UNSAFE, '')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The number of code points (a lone surrogate counts as one), as `[...text].length` without the array. */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) i++;
    }
  }
  return n;
}

export interface Normalised {
  contribution: Contribution;
  /** The free-text fields, in a stable order (fields.ts), joined by newlines (what the later stages read). */
  text: string;
  /** Whether any string changed (when none did, the item is the one given). */
  changed: boolean;
  /** A prose field outside the bounds, if any: its path and length. */
  outOfBounds?: { field: string; length: number; bound: 'min' | 'max' };
}

export function normaliseContribution(item: Contribution, bounds: { minChars: number; maxChars: number }): Normalised {
  const fields = KIND_FIELDS[item.kind as ContentKind]?.text ?? [];
  const prose: string[] = [];
  // Each free-text value as normalised, in visiting order; the data is copied only if one changed.
  const normalised: string[] = [];
  let outOfBounds: Normalised['outOfBounds'];
  let changed = false;
  for (const path of fields) {
    eachString(item.data, path, (value) => {
      const text = normaliseText(value);
      if (text !== value) changed = true;
      const length = codePoints(text);
      if (outOfBounds === undefined && value.length > 0 && length < bounds.minChars) outOfBounds = { field: `data.${path.join('.')}`, length, bound: 'min' };
      if (outOfBounds === undefined && length > bounds.maxChars) outOfBounds = { field: `data.${path.join('.')}`, length, bound: 'max' };
      if (text !== '') prose.push(text);
      normalised.push(text);
    });
  }
  if (!changed) return { contribution: item, text: prose.join('\n'), changed, ...(outOfBounds ? { outOfBounds } : {}) };
  const data = copyData(item.data);
  let i = 0;
  for (const path of fields) eachString(data, path, (_, set) => set(normalised[i++]!));
  return { contribution: { ...item, data } as Contribution, text: prose.join('\n'), changed, ...(outOfBounds ? { outOfBounds } : {}) };
}
