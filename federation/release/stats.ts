/**
 * The figures the quality report and the Croissant/RAI metadata need beyond the manifest, read
 * from the work table once every stage has run: items per month, language and node (kept and left
 * out), duplicate clusters, what the personal-data pass found, and contributors per group (bucketed,
 * small groups suppressed). Aggregates in SQL, so memory stays flat however large the release.
 */
import type { WorkTable } from './work.ts';
import { bucketDimension, type DemographicDimension } from './demographics.ts';

export interface KeptAndLeftOut {
  key: string;
  kept: number;
  leftOut: number;
}

export interface ReleaseStats {
  /** By month of created_at (YYYY-MM, as the device wrote it), in order. */
  months: KeptAndLeftOut[];
  languages: KeptAndLeftOut[];
  /** By the node an item came through ("hub" for items sent to the hub directly). */
  nodes: KeptAndLeftOut[];
  /** Duplicate clusters (the kept item plus those pointing to it) by size. */
  clusters: { size: number; clusters: number }[];
  /** Personal data found, by type: in items kept (redacted) and items dropped. */
  personalData: { type: string; found: number }[];
  /** Items the personal-data pass redacted (kept) or dropped. */
  personalDataItems: { redacted: number; dropped: number };
  /** created_at of the first and last kept item (dates, YYYY-MM-DD), if any. */
  timeframe: { from: string; to: string } | undefined;
  /** Latest date (YYYY-MM-DD) of any item in the snapshot: the snapshot's own date, not the build's. */
  snapshotDate: string | undefined;
  demographics: DemographicDimension[];
}

/** The node label of an item that reached the hub without a node in between. */
export const DIRECT = 'hub';

/** Attributes summarised per contributor: work-table column, name, what it means. */
export const DEMOGRAPHIC_DIMENSIONS: readonly { column: string; dimension: string; description: string }[] = [
  { column: 'language', dimension: 'language', description: 'the language tag of the items they contributed' },
  { column: 'campaign', dimension: 'campaign', description: 'the campaign they contributed through: a library drive, a class, a region' },
  { column: `coalesce(origin, '${DIRECT}')`, dimension: 'node', description: 'the library or school node their items came through' },
];

function keptAndLeftOut(work: WorkTable, expression: string, order: 'key' | 'count'): KeptAndLeftOut[] {
  const rows = work.db
    .prepare(`SELECT ${expression} AS key, sum(stage IS NULL) AS kept, sum(stage IS NOT NULL) AS leftOut FROM items GROUP BY 1`)
    .all() as KeptAndLeftOut[];
  return rows
    .map((r) => ({ key: String(r.key), kept: Number(r.kept), leftOut: Number(r.leftOut) }))
    .sort((a, b) => (order === 'count' ? b.kept + b.leftOut - (a.kept + a.leftOut) : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function releaseStats(work: WorkTable): ReleaseStats {
  const db = work.db;
  const clusters = db
    .prepare('SELECT size, count(*) AS clusters FROM (SELECT cluster, count(*) + 1 AS size FROM items WHERE cluster IS NOT NULL GROUP BY cluster) GROUP BY size ORDER BY size')
    .all() as { size: number; clusters: number }[];

  const found: Record<string, number> = {};
  let redacted = 0;
  let dropped = 0;
  for (const row of db.prepare(`SELECT notes, stage, rule FROM items WHERE notes LIKE '%"personalData"%' ORDER BY seq`).iterate() as IterableIterator<{ notes: string; stage: string | null; rule: string | null }>) {
    const notes = JSON.parse(row.notes) as { personalData?: Record<string, number> };
    if (notes.personalData === undefined) continue;
    for (const [type, n] of Object.entries(notes.personalData)) found[type] = (found[type] ?? 0) + n;
    if (row.rule === 'personal_data') dropped++;
    else redacted++;
  }

  const range = db.prepare('SELECT min(substr(created_at, 1, 10)) AS "from", max(substr(created_at, 1, 10)) AS "to" FROM items WHERE stage IS NULL').get() as { from: string | null; to: string | null };
  const latest = db.prepare('SELECT max(substr(created_at, 1, 10)) FROM items').pluck().get() as string | null;

  const demographics = DEMOGRAPHIC_DIMENSIONS.map(({ column, dimension, description }) => {
    const rows = db.prepare(`SELECT ${column} AS g, count(DISTINCT contributor) AS n FROM items WHERE stage IS NULL GROUP BY 1`).all() as { g: string; n: number }[];
    return bucketDimension(dimension, description, new Map(rows.map((r) => [String(r.g), r.n])));
  });

  return {
    months: keptAndLeftOut(work, 'substr(created_at, 1, 7)', 'key'),
    languages: keptAndLeftOut(work, 'language', 'count'),
    nodes: keptAndLeftOut(work, `coalesce(origin, '${DIRECT}')`, 'count'),
    clusters: clusters.map((c) => ({ size: Number(c.size), clusters: Number(c.clusters) })),
    personalData: Object.keys(found).sort().map((type) => ({ type, found: found[type]! })),
    personalDataItems: { redacted, dropped },
    timeframe: range.from !== null && range.to !== null ? { from: range.from, to: range.to } : undefined,
    snapshotDate: latest ?? undefined,
    demographics,
  };
}
