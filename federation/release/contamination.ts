/**
 * Stage 9 (after the splits), eval contamination: a training item that shares a run of
 * `config.splits.contaminationWords` words with an evaluation item (its question, reference answer
 * or grading notes) would leak the benchmark into training, so it is left out of the release
 * (stage `contamination`, rule `eval_overlap`, the detail naming the eval item).
 *
 * Words are runs of letters, marks and digits (an inner apostrophe kept, as in ng'ombe), lower-cased
 * from the normalised prose, so punctuation and case do not hide a quotation. The eval n-grams are
 * few and held in memory; the training items are streamed from the work table.
 */
import type { ReleaseConfig } from './config.ts';
import type { GlobalStage } from './global.ts';
import { fmix32, hash32 } from './near.ts';
import type { WorkTable } from './work.ts';

const WORD = /[\p{L}\p{M}\p{N}]+(?:['’ʼ][\p{L}\p{M}\p{N}]+)*/gu;

/** The words of a text: NFC, lower-cased, apostrophes unified, punctuation dropped. */
export function words(text: string): string[] {
  return (text.normalize('NFC').toLowerCase().match(WORD) ?? []).map((w) => w.replace(/[’ʼ]/g, "'"));
}

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

export interface ContaminationIndex {
  /** n-gram hash → n-gram text → the earliest eval item id with it. */
  grams: Map<number, Map<string, string>>;
  n: number;
}

/** The eval items' n-grams (kept eval items, in seq order: the earliest eval item is named). */
export function evalIndex(work: WorkTable, n: number): ContaminationIndex {
  const grams = new Map<number, Map<string, string>>();
  for (const row of work.kept('seq, id, text', "kind = 'eval'")) {
    const ws = words(row.text);
    const hs = wordHashes(ws);
    for (let i = 0; i + n <= ws.length; i++) {
      const h = gramHash(hs, i, n);
      const text = ws.slice(i, i + n).join(' ');
      const bucket = grams.get(h) ?? grams.set(h, new Map()).get(h)!;
      if (!bucket.has(text)) bucket.set(text, row.id);
    }
  }
  return { grams, n };
}

/** The first eval n-gram a text contains, if any: which eval item and which words. */
export function overlap(index: ContaminationIndex, text: string): { evalId: string; gram: string } | undefined {
  const { grams, n } = index;
  if (grams.size === 0) return undefined;
  const ws = words(text);
  if (ws.length < n) return undefined;
  const hs = wordHashes(ws);
  for (let i = 0; i + n <= ws.length; i++) {
    const bucket = grams.get(gramHash(hs, i, n));
    if (bucket === undefined) continue;
    const gram = ws.slice(i, i + n).join(' ');
    const evalId = bucket.get(gram);
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
    if (index.grams.size > 0) {
      for (const row of work.kept('seq, text', "split = 'train' AND kind <> 'eval'")) {
        const hit = overlap(index, row.text);
        if (hit !== undefined) found.push({ seq: row.seq, detail: `shares ${n} words with eval item ${hit.evalId}: "${hit.gram}"` });
      }
    }
    work.exclude('contamination', 'eval_overlap', found);
    return { eval_ngrams: [...index.grams.values()].reduce((a, m) => a + m.size, 0) };
  },
};
