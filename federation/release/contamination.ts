/**
 * Stage 9 (after the splits), eval contamination: a training item that shares a run of
 * `config.splits.contaminationWords` words with an evaluation item (its question, reference answer
 * or grading notes) would leak the benchmark into training, so it is left out of the release
 * (stage `contamination`, rule `eval_overlap`, the detail naming the eval item).
 *
 * Words are runs of letters, marks and digits (an inner apostrophe kept, as in ng'ombe), lower-cased
 * from the normalised prose, so punctuation and case do not hide a quotation. The eval n-grams are
 * held as hashes in typed arrays and confirmed against the eval item's words (evalIndex); the
 * training items are streamed from the work table.
 */
import type { ReleaseConfig } from './config.ts';
import type { GlobalStage } from './global.ts';
import { fmix32, hash32 } from './near.ts';
import type { WorkTable } from './work.ts';

const WORD = /[\p{L}\p{M}\p{N}]+(?:['’ʼ][\p{L}\p{M}\p{N}]+)*/gu;

/**
 * The words of a text: NFC, lower-cased, apostrophes unified, punctuation dropped — the matches of
 * WORD. Found by a scan over a table of the BMP's word characters rather than by the regular
 * expression, whose Unicode classes cost about 9 µs a text (most of the stage's time at 1,000,000
 * items); the same words (tested against the expression on random text).
 */
export function words(text: string): string[] {
  const s = text.normalize('NFC').toLowerCase();
  const found: string[] = [];
  const units = wordUnits();
  const length = s.length;
  let begin = -1; // start of the word being read, or -1 between words
  for (let i = 0; i < length; ) {
    const c = s.charCodeAt(i);
    // Width of the word character at i (1, or 2 outside the BMP), or 0.
    const w = c < 0xd800 || c > 0xdbff ? units[c]! : astralWord(s, i);
    if (w !== 0) {
      if (begin < 0) begin = i;
      i += w;
      continue;
    }
    if (begin >= 0) {
      // An apostrophe between word characters stays inside the word.
      if ((c === 0x27 || c === 0x2019 || c === 0x2bc) && i + 1 < length) {
        const d = s.charCodeAt(i + 1);
        if ((d < 0xd800 || d > 0xdbff ? units[d]! : astralWord(s, i + 1)) !== 0) {
          i++;
          continue;
        }
      }
      found.push(s.slice(begin, i));
      begin = -1;
    }
    i++;
  }
  if (begin >= 0) found.push(s.slice(begin));
  return APOSTROPHES.test(s) ? found.map((w) => w.replace(/[’ʼ]/g, "'")) : found;
}

/** 2 when a letter, mark or number outside the BMP starts at i (a surrogate pair), else 0. */
function astralWord(s: string, i: number): number {
  const d = s.charCodeAt(i + 1);
  if (!(d >= 0xdc00 && d <= 0xdfff)) return 0;
  return ASTRAL_WORD.test(s.slice(i, i + 2)) ? 2 : 0;
}
const ASTRAL_WORD = /^[\p{L}\p{M}\p{N}]$/u;

/** 1 for each BMP code unit that is a letter, mark or number (the class of WORD), else 0. */
let WORD_UNITS: Uint8Array | undefined;
function wordUnits(): Uint8Array {
  if (WORD_UNITS === undefined) {
    WORD_UNITS = new Uint8Array(0x10000);
    const one = /^[\p{L}\p{M}\p{N}]$/u;
    for (let c = 0; c < 0x10000; c++) if ((c < 0xd800 || c > 0xdfff) && one.test(String.fromCharCode(c))) WORD_UNITS[c] = 1;
  }
  return WORD_UNITS;
}

/** The words of a text as WORD finds them (the definition `words` is tested against). */
export function wordsByExpression(text: string): string[] {
  const found = text.normalize('NFC').toLowerCase().match(WORD) ?? [];
  return APOSTROPHES.test(text) ? found.map((w) => w.replace(/[’ʼ]/g, "'")) : found;
}
const APOSTROPHES = /[’ʼ]/;

/** Two independent 32-bit hashes of each word (seeds of hash32). */
const SEED_1 = 0x0c0ffee;
const SEED_2 = 0x5eed5;
/** Odd multipliers of the two rolling n-gram hashes. */
const BASE_1 = 0x01000193;
const BASE_2 = 0x5bd1e995;

function wordHashes(ws: readonly string[], seed: number): Uint32Array {
  const out = new Uint32Array(ws.length);
  for (let i = 0; i < ws.length; i++) out[i] = hash32(ws[i]!, seed);
  return out;
}

/** base^(n-1) mod 2^32: what the word leaving a rolling window weighed in it. */
function lead(base: number, n: number): number {
  let p = 1;
  for (let i = 1; i < n; i++) p = Math.imul(p, base);
  return p;
}

/** The polynomial hash of the n word hashes from `start` (what `eachGram` rolls from one n-gram to the next). */
function windowHash(hs: Uint32Array, start: number, n: number, base: number): number {
  let h = 0;
  for (let j = 0; j < n; j++) h = (Math.imul(h, base) + hs[start + j]!) | 0;
  return h;
}

/**
 * Calls `each(start, h1, h2)` for every n-gram of the words: two 32-bit hashes of the n word
 * hashes as a polynomial (rolled from one n-gram to the next: constant work a word whatever `n`),
 * each finished with fmix32.
 */
function eachGram(hs1: Uint32Array, hs2: Uint32Array, n: number, each: (start: number, h1: number, h2: number) => boolean | void): void {
  if (hs1.length < n) return;
  const lead1 = lead(BASE_1, n);
  const lead2 = lead(BASE_2, n);
  let a = windowHash(hs1, 0, n, BASE_1);
  let b = windowHash(hs2, 0, n, BASE_2);
  for (let i = 0; ; i++) {
    if (each(i, fmix32(a ^ n), fmix32(b ^ n)) === true) return;
    if (i + n >= hs1.length) return;
    a = (Math.imul(a - Math.imul(hs1[i]!, lead1), BASE_1) + hs1[i + n]!) | 0;
    b = (Math.imul(b - Math.imul(hs2[i]!, lead2), BASE_2) + hs2[i + n]!) | 0;
  }
}

/** A Uint32Array that grows as values are appended. */
class Column {
  values = new Uint32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.values.length) {
      const grown = new Uint32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = v;
  }
}

/** Indices 0..keys.length-1 ordered by key, equal keys kept in index order (LSD radix, 16 bits a pass). */
function stableOrder(keys: Uint32Array): Uint32Array {
  let order = new Uint32Array(keys.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  let spare = new Uint32Array(keys.length);
  for (const shift of [0, 16]) {
    const counts = new Uint32Array(65537);
    for (let i = 0; i < keys.length; i++) counts[((keys[i]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 1; d < counts.length; d++) counts[d]! += counts[d - 1]!;
    for (let i = 0; i < order.length; i++) {
      const index = order[i]!;
      spare[counts[(keys[index]! >>> shift) & 0xffff]!++] = index;
    }
    [order, spare] = [spare, order];
  }
  return order;
}

/** Bits of the lookup filter: one per value of a hash's top FILTER_BITS bits (2^26 bits, 8 MiB). */
const FILTER_BITS = 26;

/**
 * The eval items' n-grams, in memory as typed arrays only: for each n-gram its two hashes, the
 * work-table seq of the eval item and its position there, ordered by the first hash (and, for
 * equal hashes, in seq order). A text's n-gram is looked up by its hashes (a bit filter first,
 * then a binary search) and confirmed word by word against the eval item's own words, read again
 * from the work table: no n-gram is kept as text. About 16 bytes an n-gram: some 35 MiB for the
 * 2.2 million of a 1,000,000-item corpus.
 */
export interface ContaminationIndex {
  /** Distinct n-grams (by their two hashes together: 64 bits). */
  count: number;
  n: number;
  /** Whether an n-gram with first hash `h1` may be held (false: certainly not; the bit filter alone). */
  mayHold(h1: number): boolean;
  /** The earliest eval item holding the n-gram at `start` of `ws` (hashes `h1`, `h2`), if any. */
  lookup(ws: readonly string[], start: number, h1: number, h2: number): string | undefined;
}

/** The eval items' n-grams (kept eval items, in seq order: the earliest eval item is named). */
export function evalIndex(work: WorkTable, n: number): ContaminationIndex {
  const h1s = new Column();
  const h2s = new Column();
  const seqs = new Column();
  const starts = new Column();
  for (const row of work.kept('seq, text', "kind = 'eval'")) {
    const ws = words(row.text);
    eachGram(wordHashes(ws, SEED_1), wordHashes(ws, SEED_2), n, (start, h1, h2) => {
      h1s.push(h1);
      h2s.push(h2);
      seqs.push(row.seq);
      starts.push(start);
    });
  }
  const size = h1s.length;
  const order = stableOrder(h1s.values.subarray(0, size));
  const pick = (column: Column) => {
    const out = new Uint32Array(size);
    for (let i = 0; i < size; i++) out[i] = column.values[order[i]!]!;
    return out;
  };
  const hash1 = pick(h1s);
  const hash2 = pick(h2s);
  const seq = pick(seqs);
  const start = pick(starts);

  const filter = new Uint8Array(1 << (FILTER_BITS - 3));
  let count = 0;
  for (let i = 0; i < size; ) {
    let j = i;
    while (j < size && hash1[j] === hash1[i]) j++;
    count += j - i === 1 ? 1 : new Set(hash2.subarray(i, j)).size;
    const bit = hash1[i]! >>> (32 - FILTER_BITS);
    filter[bit >>> 3]! |= 1 << (bit & 7);
    i = j;
  }

  // An eval item's words, read again to confirm a hit (hits cluster: the last few are kept).
  const read = work.db.prepare('SELECT id, text FROM full_items WHERE seq = ?');
  const recent = new Map<number, { id: string; words: string[] }>();
  const evalItem = (s: number) => {
    let found = recent.get(s);
    if (found === undefined) {
      const row = read.get(s) as { id: string; text: string };
      found = { id: row.id, words: words(row.text) };
      if (recent.size >= 64) recent.delete(recent.keys().next().value!);
      recent.set(s, found);
    }
    return found;
  };

  const mayHold = (h1: number) => {
    const bit = h1 >>> (32 - FILTER_BITS);
    return (filter[bit >>> 3]! & (1 << (bit & 7))) !== 0;
  };
  return {
    count,
    n,
    mayHold,
    lookup(ws, at, h1, h2) {
      if (!mayHold(h1)) return undefined;
      let lo = 0;
      let hi = size;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (hash1[mid]! < h1) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < size && hash1[k] === h1; k++) {
        if (hash2[k] !== h2) continue;
        const item = evalItem(seq[k]!);
        const from = start[k]!;
        let same = true;
        for (let w = 0; w < n && same; w++) same = item.words[from + w] === ws[at + w];
        if (same) return item.id;
      }
      return undefined;
    },
  };
}

/**
 * The first eval n-gram a text contains, if any: which eval item and which words. The first hash
 * is rolled over the text and checked against the index's bit filter; the second hash is made
 * only for an n-gram that passes it (seldom: most texts never hash their words twice), equal to
 * the rolled one (`eachGram`: the same polynomial, modulo 2³²).
 */
export function overlap(index: ContaminationIndex, text: string): { evalId: string; gram: string } | undefined {
  const { n } = index;
  if (index.count === 0) return undefined;
  const ws = words(text);
  if (ws.length < n) return undefined;
  const hs1 = wordHashes(ws, SEED_1);
  let hs2: Uint32Array | undefined;
  const lead1 = lead(BASE_1, n);
  let a = windowHash(hs1, 0, n, BASE_1);
  for (let start = 0; ; start++) {
    const h1 = fmix32(a ^ n);
    if (index.mayHold(h1)) {
      hs2 ??= wordHashes(ws, SEED_2);
      const evalId = index.lookup(ws, start, h1, fmix32(windowHash(hs2, start, n, BASE_2) ^ n));
      if (evalId !== undefined) return { evalId, gram: ws.slice(start, start + n).join(' ') };
    }
    if (start + n >= hs1.length) return undefined;
    a = (Math.imul(a - Math.imul(hs1[start]!, lead1), BASE_1) + hs1[start + n]!) | 0;
  }
}

export const contamination: GlobalStage = {
  name: 'contamination',
  description: 'Training items sharing a run of words with an evaluation item (question, reference answer or grading notes) are left out, so the benchmark does not leak into training.',
  run(work: WorkTable, config: ReleaseConfig) {
    const n = config.splits.contaminationWords;
    const index = evalIndex(work, n);
    const found: { seq: number; detail: string }[] = [];
    if (index.count > 0) {
      for (const row of work.kept('seq, text', "split = 'train' AND kind <> 'eval'")) {
        const hit = overlap(index, row.text);
        if (hit !== undefined) found.push({ seq: row.seq, detail: `shares ${n} words with eval item ${hit.evalId}: "${hit.gram}"` });
      }
    }
    work.exclude('contamination', 'eval_overlap', found);
    return { eval_ngrams: index.count };
  },
};
