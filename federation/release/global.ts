/**
 * The stages that need the whole corpus (7–9), as passes over the work table.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/index.ts';
import type { GoldRegrade } from './reliability.ts';
import type { ReleaseConfig } from './config.ts';
import type { WorkTable } from './work.ts';
import { abuseStage } from './abuse.ts';
import { fmix32, nearDuplicates } from './near.ts';
import { contamination } from './contamination.ts';

/** What a global stage may read besides the work table: the snapshot store (e.g. its reviews). */
export interface StageContext {
  store?: Store;
  /** Gold regrading (reliability.ts), computed once before stage 4 and applied there. */
  gold?: GoldRegrade;
}

export interface GlobalStage {
  name: string;
  description: string;
  run(work: WorkTable, config: ReleaseConfig, context?: StageContext): void | StageFigures | Promise<void | StageFigures>;
}

/** Figures a stage reports besides its exclusions (e.g. clusters found), for report.json and the card. */
export type StageFigures = Record<string, number>;

/** Stage 7 (exact part): items whose normalised prose is identical; the earliest is kept. */
export const exactDuplicates: GlobalStage = {
  name: 'duplicates',
  description: 'Exact duplicates (the same prose once lower-cased and whitespace-collapsed): the earliest is kept, the others point to it as their cluster.',
  run(work) {
    const idOf = work.db.prepare('SELECT id FROM items WHERE seq = ?').pluck();
    const ids = new Map<number, string>();
    const dupes = exactDuplicateSeqs(work).map(({ seq, first }) => {
      let id = ids.get(first);
      if (id === undefined) ids.set(first, (id = idOf.get(first) as string));
      return { seq, first: id };
    });
    const setCluster = work.db.prepare('UPDATE items SET cluster = ? WHERE seq = ?');
    work.db.transaction(() => {
      for (const d of dupes) setCluster.run(d.first, d.seq);
    })();
    work.exclude('duplicates', 'exact_duplicate', dupes.map((d) => ({ seq: d.seq, detail: `same text as ${d.first}` })));
  },
};

/**
 * The kept items whose hash an earlier kept item has, each with that earliest item's seq, in seq
 * order: one pass over the items in seq order with an open-addressing table on the hash's first
 * 52 bits (16 bytes a slot: 32 MiB at a million items). A GROUP BY over the hashes sorted them all
 * in a temporary B-tree (7 s at 1M). Two different hashes sharing their first 52 bits (about one
 * chance in ten thousand at 1M) are told apart by their full hashes (the first's read back for every match).
 */
export function exactDuplicateSeqs(work: WorkTable): { seq: number; first: number }[] {
  const db = work.db;
  const kept = db.prepare('SELECT count(*) FROM items WHERE stage IS NULL').pluck().get() as number;
  let slots = 16;
  while (slots < kept * 2) slots *= 2;
  const mask = slots - 1;
  const his = new Int32Array(slots);
  const los = new Int32Array(slots);
  const firsts = new Float64Array(slots).fill(-1);
  const hashOf = db.prepare('SELECT hash FROM items WHERE seq = ?').pluck();
  // Full hashes whose 52-bit key another hash took first: their own first seq.
  const others = new Map<string, number>();
  const page = db.prepare('SELECT seq, hash FROM items WHERE stage IS NULL AND seq > ? ORDER BY seq LIMIT 20000').raw();
  const out: { seq: number; first: number }[] = [];
  for (let after = -1; ; ) {
    const rows = page.all(after) as [number, string][];
    if (rows.length === 0) break;
    after = rows[rows.length - 1]![0];
    for (const [seq, hash] of rows) {
      const hi = Number.parseInt(hash.slice(0, 5), 16);
      const lo = Number.parseInt(hash.slice(5, 13), 16) | 0;
      let at = fmix32(Math.imul(hi, 0x9e3779b1) ^ lo) & mask;
      while (firsts[at] !== -1 && (his[at] !== hi || los[at] !== lo)) at = (at + 1) & mask;
      if (firsts[at] === -1) {
        his[at] = hi;
        los[at] = lo;
        firsts[at] = seq;
        continue;
      }
      const first = firsts[at]!;
      if (hashOf.get(first) === hash) {
        out.push({ seq, first });
        continue;
      }
      const other = others.get(hash);
      if (other === undefined) others.set(hash, seq);
      else out.push({ seq, first: other });
    }
  }
  return out;
}

/** A number in [0, 1) from a string: the first 52 bits of its SHA-256. */
export function unitHash(text: string): number {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  return (digest.readUInt32BE(0) * 2 ** 20 + (digest.readUInt32BE(4) >>> 12)) / 2 ** 52;
}

/** Stage 9 (splits): by a hash of the contributor, so nobody's items are in two splits. */
export const splits: GlobalStage = {
  name: 'splits',
  description: 'Train, validation and test assigned by a hash of the contributor (no contributor in two splits); evaluation items only in test.',
  run(work, config) {
    const { validation, test, seed } = config.splits;
    // One pass over the table (an UPDATE per contributor scanned it once per contributor).
    const memo = new Map<string, string>();
    work.db.function('release_split', { deterministic: true }, (contributor: unknown) => {
      const c = String(contributor);
      let split = memo.get(c);
      if (split === undefined) {
        const u = unitHash(`${seed}\u0000${c}`);
        split = u < test ? 'test' : u < test + validation ? 'validation' : 'train';
        memo.set(c, split);
      }
      return split;
    });
    work.db.transaction(() => {
      work.db.prepare('UPDATE items SET split = release_split(contributor) WHERE stage IS NULL').run();
      // Evaluation items are test data only, whoever wrote them.
      work.db.prepare("UPDATE items SET split = 'test' WHERE kind = 'eval' AND stage IS NULL").run();
    })();
  },
};

/** Stage 7: exact duplicates, then (unless the config turns it off) near duplicates, as one stage. */
export function duplicates(config: ReleaseConfig): GlobalStage {
  const { near, threshold, shingle, permutations } = config.duplicates;
  return {
    name: 'duplicates',
    description: near
      ? `${exactDuplicates.description} Near duplicates: MinHash (${permutations} hash functions) over ${shingle}-character shingles with LSH banding, pairs verified at Jaccard ≥ ${threshold}, within one kind and language; the earliest of each cluster is kept.`
      : exactDuplicates.description,
    async run(work, cfg): Promise<StageFigures> {
      await exactDuplicates.run(work, cfg);
      const exact = work.db.prepare("SELECT count(DISTINCT cluster) FROM items WHERE stage = 'duplicates' AND rule = 'exact_duplicate'").pluck().get() as number;
      if (!near) return { exact_clusters: exact };
      const result = nearDuplicates(work, cfg);
      return { exact_clusters: exact, near_clusters: result.clusters };
    },
  };
}

/** Stages 7–9, in order: duplicates → abuse → splits → contamination. */
export function globalStages(config: ReleaseConfig): GlobalStage[] {
  return [duplicates(config), abuseStage, splits, contamination];
}
