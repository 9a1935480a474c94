/**
 * What a release may say about the people in it, Common Voice style: contributor counts per group
 * of any attribute the store holds, in coarse buckets, with every group smaller than
 * `MIN_GROUP` contributors left out (only the number of such groups is said, never their names or
 * sizes), so that no small group can be singled out.
 *
 * Vernacular collects no personal demographics: the consent a contribution carries is only the
 * consent text's version and the licence (`protocol/contribution.ts`; unknown consent fields are
 * refused), and the age confirmation ("old enough to consent, or a guardian agrees") stays on the
 * device. The attributes there are — the language contributed in, the campaign, the node it came
 * through — are what this summarises; any attribute added later (a region, an age band given by
 * choice) goes through the same function.
 */

/** Groups with fewer contributors than this are suppressed. */
export const MIN_GROUP = 5;

/** Coarse buckets of contributor counts (the lowest starts at MIN_GROUP). */
export const BUCKETS: readonly { min: number; label: string }[] = [
  { min: 1000, label: '1000 or more' },
  { min: 500, label: '500–999' },
  { min: 100, label: '100–499' },
  { min: 50, label: '50–99' },
  { min: 10, label: '10–49' },
  { min: MIN_GROUP, label: `${MIN_GROUP}–9` },
];

export function bucketOf(contributors: number): string | undefined {
  return BUCKETS.find((b) => contributors >= b.min)?.label;
}

export interface DemographicGroup {
  group: string;
  /** A coarse bucket ("10–49"), never the exact count. */
  contributors: string;
}

export interface DemographicDimension {
  /** The attribute, e.g. "language". */
  dimension: string;
  description: string;
  shown: DemographicGroup[];
  /** How many groups had fewer than MIN_GROUP contributors and are not shown. */
  suppressedGroups: number;
}

/**
 * Buckets one attribute: `counts` maps each group to its number of distinct contributors. Groups
 * under `minGroup` are dropped; the rest are sorted by size (then name) and given a bucket.
 */
export function bucketDimension(dimension: string, description: string, counts: ReadonlyMap<string, number> | Record<string, number>, minGroup = MIN_GROUP): DemographicDimension {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  const kept = entries.filter(([, n]) => n >= minGroup).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return {
    dimension,
    description,
    shown: kept.map(([group, n]) => ({ group, contributors: bucketOf(n) ?? `${minGroup} or more` })),
    suppressedGroups: entries.length - kept.length,
  };
}

/** One line of text per dimension, for the RAI metadata and the card. */
export function describeDimension(d: DemographicDimension): string {
  const shown = d.shown.map((g) => `${g.group}: ${g.contributors}`).join('; ');
  const hidden = d.suppressedGroups > 0 ? `${d.suppressedGroups} group${d.suppressedGroups === 1 ? '' : 's'} with fewer than ${MIN_GROUP} contributors not shown` : '';
  return `Contributors by ${d.dimension} (${d.description}): ${[shown, hidden].filter(Boolean).join('; ') || 'no group large enough to show'}.`;
}
