/**
 * Reviewer reliability measured on gold items (store/gold.ts: test questions with a known answer
 * that review queues mix in), and each item's consensus derived again without the votes of the
 * reviewers who fail them.
 *
 * A vote on a gold item agrees with its answer when it is `up` on a `good` item, or `down` or
 * `flag` on a `bad` one. A reviewer with at least `minGold` gold votes of whom at least
 * `goldDisagreement` disagree is unreliable: their votes are not counted. Every item they voted on
 * gets its status again, by its campaign's rule and reviewer policy, from the others' votes that
 * count under that policy (store/standing.ts: eligible keys, served items) — votes that never
 * counted stay out (a moderator's decision still stands: hide still hides). So an item rejected (or hidden by flags) only by unreliable
 * votes comes back and goes through the later stages like any other, and one accepted only thanks
 * to them is left out (stage `consensus`, rule `unreliable_votes`, the reviewers named).
 *
 * `goldRegrade` reads the snapshot (reviews, gold items, item states, campaigns) once, before the
 * items are judged; what it returns is plain data, keyed by item id, so stage 4 can consult it per
 * item (stages.ts) and stage 8 can apply it to the work table (`applyRegrade`) for items stage 4
 * did not see it for. Gold items themselves are never contributions: no stage ever sees them.
 */
import { sql } from 'kysely';
import { DEFAULT_CAMPAIGN, type ItemStatus, reviewerPolicyOf } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { deriveStatus, isContentKind, moderatorOf } from '../store/semantics.ts';
import { COUNTED, GENERAL_JUDGE, type Judge } from '../store/standing.ts';
import type { ReleaseConfig } from './config.ts';

/** An item an unreliable reviewer voted on: its status and tally from the other votes. */
export interface RegradedItem {
  /** The status the snapshot holds (all votes counted). */
  was: ItemStatus;
  status: ItemStatus;
  up: number;
  down: number;
  flags: number;
  /** The unreliable reviewers whose votes were not counted, sorted. */
  dropped: string[];
}

export interface GoldRegrade {
  /** Unreliable reviewers, and why (sorted by reviewer). */
  unreliable: Record<string, string>;
  /** Items whose status changes without the unreliable votes, by id. */
  items: Record<string, RegradedItem>;
  /** Gold items held, votes on them, reviewers with enough gold votes to be judged. */
  goldItems: number;
  goldVotes: number;
  measured: number;
}

export const NO_REGRADE: GoldRegrade = { unreliable: {}, items: {}, goldItems: 0, goldVotes: 0, measured: 0 };

type Abuse = ReleaseConfig['abuse'];

/** Reviewers measured on gold votes: those who disagree too often, and the figures. */
export async function measureReviewers(store: Store, abuse: Abuse): Promise<Pick<GoldRegrade, 'unreliable' | 'goldItems' | 'goldVotes' | 'measured'>> {
  const rows = await store.db
    .selectFrom('reviews as r')
    .innerJoin('gold_items as g', 'g.id', 'r.target')
    .select(['r.reviewer', (eb) => eb.fn.countAll<number>().as('votes')])
    .select((eb) =>
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb('g.expected', '=', 'good'), eb('r.action', '<>', 'up')]))
            .then(1)
            .when(eb.and([eb('g.expected', '=', 'bad'), eb('r.action', '=', 'up')]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('against'),
    )
    .groupBy('r.reviewer')
    .orderBy('r.reviewer')
    .execute();
  const gold = await store.db.selectFrom('gold_items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const unreliable: Record<string, string> = {};
  let goldVotes = 0;
  let measured = 0;
  for (const r of rows) {
    const votes = Number(r.votes);
    const against = Number(r.against);
    goldVotes += votes;
    if (votes < abuse.minGold) continue;
    measured++;
    if (against / votes >= abuse.goldDisagreement) unreliable[r.reviewer] = `${against} of ${votes} gold votes against the known answer`;
  }
  return { unreliable, goldItems: Number(gold?.n ?? 0), goldVotes, measured };
}

/** What gold says of every reviewer and of every item an unreliable reviewer voted on. */
export async function goldRegrade(store: Store, config: ReleaseConfig): Promise<GoldRegrade> {
  const measured = await measureReviewers(store, config.abuse);
  const reviewers = Object.keys(measured.unreliable);
  const items: Record<string, RegradedItem> = {};
  if (reviewers.length === 0) return { ...measured, items };
  const judges = new Map<string, Judge>([[DEFAULT_CAMPAIGN, GENERAL_JUDGE]]);
  for (const c of await store.campaigns()) judges.set(c.slug, { consensus: c.consensus, policy: reviewerPolicyOf(c) });
  const unreliable = new Set(reviewers);
  const targets = new Set<string>();
  for (let i = 0; i < reviewers.length; i += 200) {
    const rows = await store.db.selectFrom('reviews').select('target').where('reviewer', 'in', reviewers.slice(i, i + 200)).execute();
    for (const r of rows) targets.add(r.target);
  }
  const ids = [...targets].sort();
  for (let i = 0; i < ids.length; i += 500) {
    const page = ids.slice(i, i + 500);
    const held = await store.db
      .selectFrom('contributions as c')
      .leftJoin('item_state as s', 's.id', 'c.id')
      .select(['c.id', 'c.kind', 'c.campaign', 's.status', 's.moderator'])
      .where('c.id', 'in', page)
      .execute();
    // Only the votes that count under each item's campaign policy (store/standing.ts).
    const { rows: votes } = await sql<{ target: string; reviewer: string; action: string }>`
      SELECT r.target, r.reviewer, r.action FROM reviews r
      JOIN contributions c ON c.id = r.target
      JOIN reviewer_standing s ON s.campaign = c.campaign AND s.reviewer = r.reviewer AND s.scope = r.scope
      WHERE r.target IN (${sql.join(page)}) AND ${sql.raw(COUNTED)}
      ORDER BY r.reviewer`.execute(store.db);
    const byTarget = new Map<string, typeof votes>();
    for (const v of votes) byTarget.set(v.target, [...(byTarget.get(v.target) ?? []), v]);
    for (const item of held) {
      if (!isContentKind(item.kind)) continue;
      const t = { up: 0, down: 0, flags: 0 };
      const dropped: string[] = [];
      for (const v of byTarget.get(item.id) ?? []) {
        if (unreliable.has(v.reviewer)) dropped.push(v.reviewer);
        else if (v.action === 'up') t.up++;
        else if (v.action === 'down') t.down++;
        else t.flags++;
      }
      if (dropped.length === 0) continue;
      const was = (item.status ?? 'pending') as ItemStatus;
      const judge = judges.get(item.campaign) ?? GENERAL_JUDGE;
      const status = deriveStatus(was, { ...t, moderator: moderatorOf(item.moderator) }, judge.consensus, judge.policy.margin);
      if (status !== was) items[item.id] = { was, status, ...t, dropped };
    }
  }
  return { ...measured, items };
}

/**
 * The same regrade with every reviewer named by `name` (their release pseudonym: pseudonyms.ts),
 * so that what the release writes of them — rule details, notes — never carries their ids.
 */
export function renameReviewers(regrade: GoldRegrade, name: (reviewer: string) => string): GoldRegrade {
  const unreliable = Object.fromEntries(Object.entries(regrade.unreliable).map(([r, why]) => [name(r), why] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const items = Object.fromEntries(Object.entries(regrade.items).map(([id, item]) => [id, { ...item, dropped: item.dropped.map(name).sort() }]));
  return { ...regrade, unreliable, items };
}

/** Whether stage 4 lets an item of this status through. */
export function passesConsensus(status: ItemStatus, config: ReleaseConfig): boolean {
  return status === 'accepted' || (status === 'pending' && config.includePending);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The reason recorded for an item gold regraded: what it became, whose votes were left out, what is left. */
export function regradeDetail(r: RegradedItem): string {
  const named = r.dropped.length <= 5 ? r.dropped.join(', ') : `${r.dropped.slice(0, 5).join(', ')} and ${r.dropped.length - 5} more`;
  return `${r.status} (was ${r.was}) without the votes of ${plural(r.dropped.length, 'unreliable reviewer')} (${named}); left: ${r.up} up, ${r.down} down, ${plural(r.flags, 'flag')}`;
}

/** Stage counts as the manifest keeps them (pipeline.ts `StageCount`, the fields read here). */
interface StageFiguresOf {
  stage: string;
  excluded: Record<string, number>;
  figures?: Record<string, number>;
}

/** How gold was used, in one paragraph for the dataset card and the quality report. */
export function goldSummary(stages: readonly StageFiguresOf[], config: ReleaseConfig): string {
  const f = stages.find((s) => s.stage === 'abuse')?.figures ?? {};
  const left = stages.find((s) => s.stage === 'consensus')?.excluded.unreliable_votes ?? 0;
  const goldItems = f.gold_items ?? 0;
  if (goldItems === 0) {
    return 'Reviewer reliability: no gold items (test questions with a known answer seeded in review queues) were held, so every reviewer\'s votes counted.';
  }
  const pct = `${Math.round(100 * config.abuse.goldDisagreement)}%`;
  return (
    `Reviewer reliability: reviewers were measured on ${goldItems} gold items — test questions with a known answer, mixed into review queues and never part of the data — through ${f.gold_votes ?? 0} votes (agreeing: up on a good item, down or flag on a bad one). ` +
    `${f.reviewers_measured_on_gold ?? 0} reviewers had at least ${config.abuse.minGold} gold votes to be judged; the votes of the ${f.unreliable_reviewers ?? 0} of them who disagreed with the known answer ${pct} of the time or more were not counted. ` +
    `Every item they voted on was judged again by its campaign's rule from the other votes: ${f.restored_by_gold ?? 0} left out by their votes came back (and went through the later stages), ${left} accepted only thanks to them were left out (rule unreliable_votes, the reviewers named in rejected.jsonl).`
  );
}
