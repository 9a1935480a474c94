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

/** Attributes summarised per contributor: the work-table column (as `row` below names it), name, what it means. */
export const DEMOGRAPHIC_DIMENSIONS: readonly { column: 'language' | 'campaign' | 'node'; dimension: string; description: string }[] = [
  { column: 'language', dimension: 'language', description: 'the language tag of the items they contributed' },
  { column: 'campaign', dimension: 'campaign', description: 'the campaign they contributed through: a library drive, a class, a region' },
  { column: 'node', dimension: 'node', description: 'the library or school node their items came through' },
];

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
const among = (groups: Map<string, Set<string>>, group: string, contributor: string) => {
  const set = groups.get(group);
  if (set === undefined) groups.set(group, new Set([contributor]));
  else set.add(contributor);
};

function keptAndLeftOut(kept: Map<string, number>, leftOut: Map<string, number>, order: 'key' | 'count'): KeptAndLeftOut[] {
  return [...new Set([...kept.keys(), ...leftOut.keys()])]
    .map((key) => ({ key, kept: kept.get(key) ?? 0, leftOut: leftOut.get(key) ?? 0 }))
    .sort((a, b) => (order === 'count' ? b.kept + b.leftOut - (a.kept + a.leftOut) : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * One scan of the table's small columns (it holds every item, so each scan reads all of it;
 * the figures used to be ten queries, ten scans).
 */
export function releaseStats(work: WorkTable): ReleaseStats {
  const by = { month: [new Map<string, number>(), new Map<string, number>()], language: [new Map<string, number>(), new Map<string, number>()], node: [new Map<string, number>(), new Map<string, number>()] };
  const clusterSizes = new Map<string, number>();
  const contributorsBy = { language: new Map<string, Set<string>>(), campaign: new Map<string, Set<string>>(), node: new Map<string, Set<string>>() };
  const found: Record<string, number> = {};
  let redacted = 0;
  let dropped = 0;
  let from: string | undefined;
  let to: string | undefined;
  let latest: string | undefined;
  const rows = work.db
    .prepare(`SELECT created_at, language, coalesce(origin, '${DIRECT}'), campaign, contributor, stage IS NULL, rule, cluster, notes FROM items ORDER BY seq`)
    .raw()
    .iterate() as IterableIterator<[string, string, string, string, string, number, string | null, string | null, string | null]>;
  for (const [createdAt, language, node, campaign, contributor, isKept, rule, cluster, notes] of rows) {
    const k = isKept === 1 ? 0 : 1;
    count(by.month[k]!, createdAt.slice(0, 7));
    count(by.language[k]!, language);
    count(by.node[k]!, node);
    const day = createdAt.slice(0, 10);
    if (latest === undefined || day > latest) latest = day;
    if (isKept === 1) {
      if (from === undefined || day < from) from = day;
      if (to === undefined || day > to) to = day;
      among(contributorsBy.language, language, contributor);
      among(contributorsBy.campaign, campaign, contributor);
      among(contributorsBy.node, node, contributor);
    }
    if (cluster !== null) count(clusterSizes, cluster);
    // As SQL's LIKE '%"personalData"%' (ASCII case ignored) picked them.
    if (notes !== null && PERSONAL_DATA.test(notes)) {
      const parsed = JSON.parse(notes) as { personalData?: Record<string, number> };
      if (parsed.personalData === undefined) continue;
      for (const [type, n] of Object.entries(parsed.personalData)) found[type] = (found[type] ?? 0) + n;
      if (rule === 'personal_data') dropped++;
      else redacted++;
    }
  }

  // Each cluster is its kept item plus the items pointing to it.
  const clusters = new Map<number, number>();
  for (const n of clusterSizes.values()) clusters.set(n + 1, (clusters.get(n + 1) ?? 0) + 1);

  return {
    months: keptAndLeftOut(by.month[0]!, by.month[1]!, 'key'),
    languages: keptAndLeftOut(by.language[0]!, by.language[1]!, 'count'),
    nodes: keptAndLeftOut(by.node[0]!, by.node[1]!, 'count'),
    clusters: [...clusters].sort(([a], [b]) => a - b).map(([size, n]) => ({ size, clusters: n })),
    personalData: Object.keys(found).sort().map((type) => ({ type, found: found[type]! })),
    personalDataItems: { redacted, dropped },
    timeframe: from !== undefined && to !== undefined ? { from, to } : undefined,
    snapshotDate: latest,
    demographics: DEMOGRAPHIC_DIMENSIONS.map(({ column, dimension, description }) =>
      bucketDimension(dimension, description, new Map([...contributorsBy[column]].map(([g, set]) => [g, set.size]))),
    ),
  };
}

const PERSONAL_DATA = /"personaldata"/i;
