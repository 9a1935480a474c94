/**
 * Stage 9 (after the splits), eval contamination: a training item that shares a run of
 * `config.splits.contaminationWords` words with an evaluation item (its question, reference answer
 * or grading notes) would leak the benchmark into training, so it is left out of the release
 * (stage `contamination`, rule `eval_overlap`, the detail naming the eval item).
 *
 * Words are runs of letters, marks and digits (an inner apostrophe kept, as in ng'ombe), lower-cased
 * from the normalised prose, so punctuation and case do not hide a quotation. The eval n-grams go to
 * a side table with only their hashes in memory (evalIndex); the training items are streamed from
 * the work table.
 */
import type { ReleaseConfig } from './config.ts';
import type { GlobalStage } from './global.ts';
import { fmix32, hash32 } from './near.ts';
import type { WorkTable } from './work.ts';

const WORD = /[\p{L}\p{M}\p{N}]+(?:['’ʼ][\p{L}\p{M}\p{N}]+)*/gu;

/** The words of a text: NFC, lower-cased, apostrophes unified, punctuation dropped. */
export function words(text: string): string[] {
  const found = text.normalize('NFC').toLowerCase().match(WORD) ?? [];
  return APOSTROPHES.test(text) ? found.map((w) => w.replace(/[’ʼ]/g, "'")) : found;
}
const APOSTROPHES = /[’ʼ]/;

/** A 32-bit hash of the n words starting at `start`, from the words' own hashes. */
function gramHash(hashes: Uint32Array, start: number, n: number): number {
  let h = 0x811c9dc5 ^ n;
  for (let i = start; i < start + n; i++) h = fmix32(Math.imul(h, 0x01000193) ^ hashes[i]!);
  return h;
}

function wordHashes(ws: readonly string[]): Uint32Array {
  const out = new Uint32Array(ws.length);
  for (let i = 0; i < ws.length; i++) out[i] = hash32(ws[i]!, 0x0c0ffee);
  return out;
}

/**
 * The eval items' n-grams. Their texts (each with the earliest eval item holding it) are in a
 * side table of the work table (`eval_grams`), so memory does not grow with the eval set; in
 * memory there is only the sorted list of their 32-bit hashes, which a text's n-grams are looked
 * up in first (a hit there is confirmed by its text in the side table).
 */
export interface ContaminationIndex {
  /** Distinct n-gram hashes, ascending. */
  hashes: Uint32Array;
  /** Distinct n-grams (texts). */
  count: number;
  n: number;
  /** The earliest eval item holding the n-gram `gram` (of hash `hash`), if any. */
  lookup(hash: number, gram: string): string | undefined;
}

/** The eval items' n-grams (kept eval items, in seq order: the earliest eval item is named). */
export function evalIndex(work: WorkTable, n: number): ContaminationIndex {
  const db = work.db;
  // Appended in seq order, indexed once at the end (far cheaper than a B-tree insert per n-gram).
  db.exec('DROP TABLE IF EXISTS eval_grams; CREATE TABLE eval_grams (hash INTEGER NOT NULL, gram TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO eval_grams (hash, gram, seq, id) VALUES (?, ?, ?, ?)');
  let page: [number, string, number, string][] = [];
  const flush = () => {
    db.transaction(() => {
      for (const p of page) insert.run(p);
    })();
    page = [];
  };
  for (const row of work.kept('seq, id, text', "kind = 'eval'")) {
    const ws = words(row.text);
    const hs = wordHashes(ws);
    for (let i = 0; i + n <= ws.length; i++) page.push([gramHash(hs, i, n), ws.slice(i, i + n).join(' '), row.seq, row.id]);
    if (page.length >= 10_000) flush();
  }
  flush();
  db.exec('CREATE INDEX eval_grams_hash ON eval_grams (hash, gram, seq)');
  const count = db.prepare('SELECT count(*) FROM (SELECT DISTINCT hash, gram FROM eval_grams)').pluck().get() as number;
  const hashes = new Uint32Array(db.prepare('SELECT DISTINCT hash FROM eval_grams ORDER BY hash').pluck().all() as number[]);
  const find = db.prepare('SELECT id FROM eval_grams WHERE hash = ? AND gram = ? ORDER BY seq LIMIT 1').pluck();
  return { hashes, count, n, lookup: (hash, gram) => find.get(hash, gram) as string | undefined };
}

/** Whether the sorted `hashes` hold `h`. */
function holds(hashes: Uint32Array, h: number): boolean {
  let lo = 0;
  let hi = hashes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = hashes[mid]!;
    if (v === h) return true;
    if (v < h) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The first eval n-gram a text contains, if any: which eval item and which words. */
export function overlap(index: ContaminationIndex, text: string): { evalId: string; gram: string } | undefined {
  const { hashes, n } = index;
  if (hashes.length === 0) return undefined;
  const ws = words(text);
  if (ws.length < n) return undefined;
  const hs = wordHashes(ws);
  for (let i = 0; i + n <= ws.length; i++) {
    const h = gramHash(hs, i, n);
    if (!holds(hashes, h)) continue;
    const gram = ws.slice(i, i + n).join(' ');
    const evalId = index.lookup(h, gram);
    if (evalId !== undefined) return { evalId, gram };
  }
  return undefined;
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
    work.db.exec('DROP TABLE eval_grams');
    return { eval_ngrams: index.count };
  },
};
