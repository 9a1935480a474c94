/**
 * Reviewer standing and the tallies made of it, shared by every SQL backend through Kysely (the
 * SQLite ingest runs the same SQL as prepared statements: ingest.sqlite.ts). The rules are pure
 * (protocol/reviewers.ts); this is where they meet the tables of migration 0011.
 *
 * Guarantees:
 * - An item's status is a function of what is held — its reviews (with where each was cast and
 *   whether the queue served it), the standing rows, the campaign's rule and policy, a moderator's
 *   decision — never of the order things arrived in: every change of standing re-derives the items
 *   the key voted on (`rederiveReviewer`), every change of rule or policy the whole campaign.
 * - A vote counts (COUNTED) when its key is eligible in the item's campaign in the scope it was
 *   cast in ('' here; on a hub, the node it came from, judged by that node's vouched standing),
 *   and the queue served the item to the key or the key holds a credential there.
 * - Standing is never circular: it is made of credentials and gold votes only, never of statuses,
 *   so re-deriving never changes standing again (no cascade, no oscillation).
 * Callers hold the items lock (locks.ts) in a transaction.
 */
import { type Kysely, sql } from 'kysely';
import {
  type ConsensusRule,
  DEFAULT_CAMPAIGN,
  DEFAULT_CONSENSUS,
  DEFAULT_REVIEWER_POLICY,
  isEligible,
  type ItemStatus,
  type ReviewerPolicy,
  type StandingFacts,
} from '../protocol/index.ts';
import type { Database } from './schema.ts';
import { type CampaignFacts, campaignFacts, deriveStatus, GENERAL_FACTS, moderatorOf } from './semantics.ts';

/** The scope of votes cast on this server. */
export const LOCAL_SCOPE = '';

/** The scope a stored record's vote belongs to: '' here, else the node it was relayed from. */
export const scopeOf = (origin: string | null): string => origin ?? LOCAL_SCOPE;

/** Whether a review row `r` joined to its key's standing `s` counts. */
export const COUNTED = 's.eligible = 1 AND (r.served = 1 OR s.credential = 1)';

/** Every vote and the counted ones, of `reviews r LEFT JOIN reviewer_standing s` (see TALLY_FROM). */
export const TALLY_COLUMNS =
  "COALESCE(SUM(CASE WHEN r.action = 'up' THEN 1 ELSE 0 END), 0) AS all_up, " +
  "COALESCE(SUM(CASE WHEN r.action = 'down' THEN 1 ELSE 0 END), 0) AS all_down, " +
  "COALESCE(SUM(CASE WHEN r.action = 'flag' THEN 1 ELSE 0 END), 0) AS all_flags, " +
  `COALESCE(SUM(CASE WHEN r.action = 'up' AND ${COUNTED} THEN 1 ELSE 0 END), 0) AS up, ` +
  `COALESCE(SUM(CASE WHEN r.action = 'down' AND ${COUNTED} THEN 1 ELSE 0 END), 0) AS down, ` +
  `COALESCE(SUM(CASE WHEN r.action = 'flag' AND ${COUNTED} THEN 1 ELSE 0 END), 0) AS flags`;

/** Gold votes of one key in one scope and campaign, on gold the queue served it (see GOLD_FROM). */
export const GOLD_COLUMNS =
  "COUNT(*) AS votes, COALESCE(SUM(CASE WHEN (g.expected = 'good' AND r.action = 'up') OR (g.expected <> 'good' AND r.action <> 'up') THEN 1 ELSE 0 END), 0) AS agreed";

export interface Tallies {
  up: number;
  down: number;
  flags: number;
  all_up: number;
  all_down: number;
  all_flags: number;
}

/** What judges a campaign's items: its consensus rule and reviewer policy. */
export interface Judge {
  consensus: ConsensusRule;
  policy: ReviewerPolicy;
}

export const GENERAL_JUDGE: Judge = { consensus: DEFAULT_CONSENSUS, policy: DEFAULT_REVIEWER_POLICY };

export async function campaignFactsOf(db: Kysely<Database>, campaign: string): Promise<CampaignFacts | undefined> {
  if (campaign === DEFAULT_CAMPAIGN) return GENERAL_FACTS;
  const row = await db.selectFrom('campaigns').select('data').where('slug', '=', campaign).executeTakeFirst();
  return row === undefined ? undefined : campaignFacts(row.data);
}

/** The campaign's judge (the default one for a campaign not held: its standing waits for it). */
export async function judgeOf(db: Kysely<Database>, campaign: string): Promise<Judge> {
  return (await campaignFactsOf(db, campaign)) ?? GENERAL_JUDGE;
}

/** Every vote on `target`, and those that count in `campaign`. */
export async function tallyOf(db: Kysely<Database>, target: string, campaign: string): Promise<Tallies> {
  const { rows } = await sql<Tallies>`SELECT ${sql.raw(TALLY_COLUMNS)} FROM reviews r
    LEFT JOIN reviewer_standing s ON s.campaign = ${campaign} AND s.reviewer = r.reviewer AND s.scope = r.scope
    WHERE r.target = ${target}`.execute(db);
  const t = rows[0]!;
  return {
    up: Number(t.up), down: Number(t.down), flags: Number(t.flags),
    all_up: Number(t.all_up), all_down: Number(t.all_down), all_flags: Number(t.all_flags),
  };
}

/**
 * Counts `target`'s votes again and derives its status (its `item_state` row made if missing,
 * as the root of its own chain). Withdrawn and superseded stay; a moderator's decision stands.
 */
export async function retally(db: Kysely<Database>, target: string, campaign: string, judge: Judge): Promise<void> {
  await sql`INSERT INTO item_state (id, root, revision_of, status) VALUES (${target}, ${target}, NULL, 'pending')
    ON CONFLICT (id) DO NOTHING`.execute(db);
  const t = await tallyOf(db, target, campaign);
  const state = await db.selectFrom('item_state').select(['status', 'moderator']).where('id', '=', target).executeTakeFirstOrThrow();
  const status = deriveStatus(state.status as ItemStatus, { up: t.up, down: t.down, flags: t.flags, moderator: moderatorOf(state.moderator) }, judge.consensus, judge.policy.margin);
  await db.updateTable('item_state').set({ ...t, status }).where('id', '=', target).execute();
}

interface StandingRow {
  credential: number;
  gold_votes: number;
  gold_agreed: number;
  eligible: number;
}

/**
 * Writes a key's standing facts in a scope (what is not given is kept) and decides its
 * eligibility under `policy`; true when the eligibility changed (the caller then re-derives).
 * A local row that changed gets the next version, so a node pushes it to its hub.
 */
export async function setStanding(
  db: Kysely<Database>,
  key: { campaign: string; reviewer: string; scope: string },
  change: Partial<StandingFacts>,
  policy: ReviewerPolicy,
): Promise<boolean> {
  const held = (await db
    .selectFrom('reviewer_standing')
    .select(['credential', 'gold_votes', 'gold_agreed', 'eligible'])
    .where('campaign', '=', key.campaign)
    .where('reviewer', '=', key.reviewer)
    .where('scope', '=', key.scope)
    .executeTakeFirst()) as StandingRow | undefined;
  const facts: StandingFacts = {
    credential: change.credential ?? held?.credential === 1,
    goldVotes: change.goldVotes ?? held?.gold_votes ?? 0,
    goldAgreed: change.goldAgreed ?? held?.gold_agreed ?? 0,
  };
  const row = { credential: facts.credential ? 1 : 0, gold_votes: facts.goldVotes, gold_agreed: facts.goldAgreed, eligible: isEligible(facts, policy) ? 1 : 0 };
  const wasEligible = held?.eligible === 1;
  if (held !== undefined && held.credential === row.credential && held.gold_votes === row.gold_votes && held.gold_agreed === row.gold_agreed && held.eligible === row.eligible) {
    return false;
  }
  const version = key.scope === LOCAL_SCOPE ? await nextVersion(db) : 0;
  await db
    .insertInto('reviewer_standing')
    .values({ ...key, ...row, version })
    .onConflict((oc) => oc.columns(['campaign', 'reviewer', 'scope']).doUpdateSet({ ...row, version }))
    .execute();
  return wasEligible !== (row.eligible === 1);
}

async function nextVersion(db: Kysely<Database>): Promise<number> {
  // Only local rows are versioned (the index on scope, version finds the last at once).
  const row = await db.selectFrom('reviewer_standing').select((eb) => eb.fn.max('version').as('v')).where('scope', '=', LOCAL_SCOPE).executeTakeFirst();
  return Number(row?.v ?? 0) + 1;
}

/** The key's gold votes in a scope and campaign, counted again, into its standing. */
export async function refreshGoldStanding(db: Kysely<Database>, campaign: string, reviewer: string, scope: string, policy: ReviewerPolicy): Promise<boolean> {
  const { rows } = await sql<{ votes: number; agreed: number }>`SELECT ${sql.raw(GOLD_COLUMNS)} FROM reviews r
    JOIN gold_items g ON g.id = r.target
    WHERE r.reviewer = ${reviewer} AND r.scope = ${scope} AND r.served = 1 AND g.campaign = ${campaign}`.execute(db);
  const counts = rows[0];
  return setStanding(db, { campaign, reviewer, scope }, { goldVotes: Number(counts?.votes ?? 0), goldAgreed: Number(counts?.agreed ?? 0) }, policy);
}

/** Every item of `campaign` the key voted on in `scope`, counted again (its eligibility changed). */
export async function rederiveReviewer(db: Kysely<Database>, campaign: string, reviewer: string, scope: string, judge: Judge): Promise<number> {
  const targets = await db
    .selectFrom('reviews as r')
    .innerJoin('contributions as c', 'c.id', 'r.target')
    .select('r.target')
    .where('r.reviewer', '=', reviewer)
    .where('r.scope', '=', scope)
    .where('c.campaign', '=', campaign)
    .execute();
  for (const t of targets) await retally(db, t.target, campaign, judge);
  return targets.length;
}

/**
 * After a campaign's rule or policy changed: every key's eligibility decided again, then every
 * live item that has votes (or a moderator's decision) counted and judged again.
 */
export async function rederiveCampaign(db: Kysely<Database>, campaign: string, judge: Judge): Promise<void> {
  const standing = await db
    .selectFrom('reviewer_standing')
    .select(['reviewer', 'scope', 'credential', 'gold_votes', 'gold_agreed', 'eligible'])
    .where('campaign', '=', campaign)
    .execute();
  for (const s of standing) {
    const eligible = isEligible({ credential: s.credential === 1, goldVotes: s.gold_votes, goldAgreed: s.gold_agreed }, judge.policy) ? 1 : 0;
    if (eligible === s.eligible) continue;
    const version = s.scope === LOCAL_SCOPE ? await nextVersion(db) : 0;
    await db
      .updateTable('reviewer_standing')
      .set({ eligible, version })
      .where('campaign', '=', campaign)
      .where('reviewer', '=', s.reviewer)
      .where('scope', '=', s.scope)
      .execute();
  }
  const items = await db
    .selectFrom('item_state as s')
    .innerJoin('contributions as c', 'c.id', 's.id')
    .select('s.id')
    .where('c.campaign', '=', campaign)
    .where('s.status', 'not in', ['withdrawn', 'superseded'])
    .execute();
  for (const item of items) await retally(db, item.id, campaign, judge);
}

/** Whether the key is eligible to review in the campaign, judged here. */
export async function reviewerEligible(db: Kysely<Database>, campaign: string, reviewer: string): Promise<boolean> {
  const row = await db
    .selectFrom('reviewer_standing')
    .select('eligible')
    .where('campaign', '=', campaign)
    .where('reviewer', '=', reviewer)
    .where('scope', '=', LOCAL_SCOPE)
    .executeTakeFirst();
  return row?.eligible === 1;
}

/** Whether the queue served `item` to the key here (a real item or a gold one). */
export async function servedHere(db: Kysely<Database>, reviewer: string, item: string): Promise<boolean> {
  const { rows } = await sql<{ served: number }>`SELECT CASE WHEN
      EXISTS (SELECT 1 FROM queue_serves WHERE reviewer = ${reviewer} AND item = ${item})
      OR EXISTS (SELECT 1 FROM gold_serves WHERE reviewer = ${reviewer} AND gold = ${item}) THEN 1 ELSE 0 END AS served`.execute(db);
  return Number(rows[0]?.served) === 1;
}

/** Which of these review records count as served here (a node names them in its push). */
export async function servedReviews(db: Kysely<Database>, ids: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('reviews').select('review_id').where('review_id', 'in', ids.slice(i, i + 500)).where('served', '=', 1).execute();
    for (const r of rows) out.push(r.review_id);
  }
  return out;
}
