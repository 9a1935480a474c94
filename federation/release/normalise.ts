/**
 * Stage 2, validate and normalise: every string of an item's content is put in Unicode NFC,
 * stripped of control characters (tab and newline kept) and of bidirectional overrides and
 * isolates (which can make text display differently from what it says), its whitespace tidied
 * (runs of spaces collapsed, lines trimmed, at most one blank line, no leading or trailing space),
 * and checked against the length bounds. Identifiers, tags and timestamps are left alone.
 */
import type { Contribution } from '../protocol/index.ts';

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

/** Keys whose string values are not prose (identifiers, tags, codes, timestamps). */
const NOT_PROSE = new Set([
  'id', 'seed', 'model', 'revision', 'dtype', 'device', 'type', 'language', 'sourceLanguage', 'targetLanguage',
  'target', 'action', 'reason', 'reasons', 'preferred', 'scope', 'register', 'domain', 'ruleType', 'jurisdiction',
  'rating', 'shown', 'choice',
]);
/** Objects that describe where a text came from (a seed, a model and its settings), not prose. */
const NOT_PROSE_OBJECTS = new Set(['source', 'settings']);

export interface Normalised {
  contribution: Contribution;
  /** The prose fields, in a stable order, joined by newlines (what the later stages read). */
  text: string;
  /** Whether any string changed (when none did, the item is the one given, its keys in another order). */
  changed: boolean;
  /** A prose field outside the bounds, if any: its path and length. */
  outOfBounds?: { field: string; length: number; bound: 'min' | 'max' };
}

export function normaliseContribution(item: Contribution, bounds: { minChars: number; maxChars: number }): Normalised {
  const prose: string[] = [];
  let outOfBounds: Normalised['outOfBounds'];
  let changed = false;
  const walk = (value: unknown, key: string, path: string): unknown => {
    if (typeof value === 'string') {
      if (NOT_PROSE.has(key)) return value;
      const text = normaliseText(value);
      if (text !== value) changed = true;
      const length = codePoints(text);
      if (outOfBounds === undefined && value.length > 0 && length < bounds.minChars) outOfBounds = { field: path, length, bound: 'min' };
      if (outOfBounds === undefined && length > bounds.maxChars) outOfBounds = { field: path, length, bound: 'max' };
      if (text !== '') prose.push(text);
      return text;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, key, `${path}[${i}]`));
    if (typeof value === 'object' && value !== null) {
      if (NOT_PROSE_OBJECTS.has(key)) return value;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value).sort()) out[k] = walk((value as Record<string, unknown>)[k], k, path === '' ? k : `${path}.${k}`);
      return out;
    }
    return value;
  };
  const data = walk(item.data, 'data', 'data');
  const contribution = { ...item, data } as Contribution;
  return { contribution, text: prose.join('\n'), changed, ...(outOfBounds ? { outOfBounds } : {}) };
}
