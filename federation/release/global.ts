/**
 * The stages that need the whole corpus (7–9), as passes over the work table.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/index.ts';
import type { GoldRegrade } from './reliability.ts';
import type { ReleaseConfig } from './config.ts';
import type { WorkTable } from './work.ts';
import { abuseStage } from './abuse.ts';
import { nearDuplicates } from './near.ts';
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
    const dupes = work.db
      .prepare(
        `SELECT i.seq AS seq, f.id AS first FROM items i JOIN (
           SELECT hash, min(seq) AS seq FROM items WHERE stage IS NULL GROUP BY hash HAVING count(*) > 1
         ) d ON d.hash = i.hash JOIN items f ON f.seq = d.seq
         WHERE i.stage IS NULL AND i.seq <> d.seq ORDER BY i.seq`,
      )
      .all() as { seq: number; first: string }[];
    const setCluster = work.db.prepare('UPDATE items SET cluster = ? WHERE seq = ?');
    work.db.transaction(() => {
      for (const d of dupes) setCluster.run(d.first, d.seq);
    })();
    work.exclude('duplicates', 'exact_duplicate', dupes.map((d) => ({ seq: d.seq, detail: `same text as ${d.first}` })));
  },
};

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
