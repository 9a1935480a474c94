/**
 * The reviewer store: credentials staff grant in person, every key's standing as staff see it, and
 * the standing a node vouches for to its hub. Shared by every SQL backend (Kysely); the rules are
 * protocol/reviewers.ts, the tallies standing.ts. Every change takes the items lock and re-derives
 * the items whose counted votes it changes, in one transaction.
 *
 * Scopes: a credential granted here, and standing earned on gold here, count for votes cast here
 * (scope ''). A node pushes its local standing (`changes`) with its records; the hub keeps it under
 * the node's id (`vouch`) and counts it only for the votes relayed from that node — so a hub judges
 * a node's votes exactly as the node does, and a node's word reaches no item it does not hold.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { DEFAULT_CAMPAIGN, type ReviewerChange, type ReviewerEntry, type VouchedStanding } from '../protocol/index.ts';
import type { Database } from './schema.ts';
import { lockItems } from './locks.ts';
import { COUNTED, judgeOf, LOCAL_SCOPE, rederiveReviewer, reviewerEligible, setStanding } from './standing.ts';

export interface CredentialInput {
  campaign: string;
  reviewer: string;
  /** Who grants it: a staff member's name, or `cli`. */
  by: string;
  note?: string | undefined;
}

export interface ReviewerListOptions {
  limit: number;
  /** Only eligible keys (true) or only the others (false). */
  eligible?: boolean;
}

export interface StandingChanges {
  /** The highest version among them (the node's next push asks after it). */
  version: number;
  standing: VouchedStanding[];
}

export interface ReviewerStore {
  /** Whether the key's votes count in the campaign here (its local standing). */
  eligible(campaign: string, reviewer: string): Promise<boolean>;
  /** A credential for the key in the campaign (granting again updates who and the note). */
  grant(input: CredentialInput): Promise<ReviewerChange>;
  /** Removes the key's credential; undefined when it held none here. */
  revoke(campaign: string, reviewer: string): Promise<ReviewerChange | undefined>;
  /** Every key with standing or votes in the campaign: eligible first, then most votes. */
  list(campaign: string, options: ReviewerListOptions): Promise<ReviewerEntry[]>;
  /** Local standing that changed after `after` (a version), oldest change first, at most `limit`. */
  changes(after: number, limit: number): Promise<StandingChanges>;
  /** Standing the node `node` vouched for, kept under its id, re-deriving what it changes (run in the push's transaction). */
  vouch(db: Kysely<Database>, node: string, standing: readonly VouchedStanding[]): Promise<void>;
}

export class UnknownCampaignError extends Error {
  constructor(readonly campaign: string) {
    super(`No campaign "${campaign}" on this server`);
    this.name = 'UnknownCampaignError';
  }
}

export function reviewerStore(db: Kysely<Database>): ReviewerStore {
  async function requireCampaign(trx: Kysely<Database>, campaign: string): Promise<void> {
    if (campaign === DEFAULT_CAMPAIGN) return;
    const found = await trx.selectFrom('campaigns').select('slug').where('slug', '=', campaign).executeTakeFirst();
    if (found === undefined) throw new UnknownCampaignError(campaign);
  }

  async function credentialChange(trx: Kysely<Database>, campaign: string, reviewer: string, credential: boolean): Promise<ReviewerChange> {
    const judge = await judgeOf(trx, campaign);
    if (await setStanding(trx, { campaign, reviewer, scope: LOCAL_SCOPE }, { credential }, judge.policy)) {
      await rederiveReviewer(trx, campaign, reviewer, LOCAL_SCOPE, judge);
    }
    return { campaign, reviewer, credential, eligible: await reviewerEligible(trx, campaign, reviewer) };
  }

  return {
    eligible: (campaign, reviewer) => reviewerEligible(db, campaign, reviewer),

    grant: (input) =>
      db.transaction().execute(async (trx) => {
        await lockItems(trx);
        await requireCampaign(trx, input.campaign);
        const row = { granted_by: input.by, granted_at: new Date().toISOString(), note: input.note ?? null };
        await trx
          .insertInto('reviewer_credentials')
          .values({ campaign: input.campaign, reviewer: input.reviewer, ...row })
          .onConflict((oc) => oc.columns(['campaign', 'reviewer']).doUpdateSet(row))
          .execute();
        return credentialChange(trx, input.campaign, input.reviewer, true);
      }),

    revoke: (campaign, reviewer) =>
      db.transaction().execute(async (trx) => {
        await lockItems(trx);
        const removed = await trx
          .deleteFrom('reviewer_credentials')
          .where('campaign', '=', campaign)
          .where('reviewer', '=', reviewer)
          .executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) return undefined;
        return credentialChange(trx, campaign, reviewer, false);
      }),

    async list(campaign, options) {
      const standing = await db
        .selectFrom('reviewer_standing as s')
        .leftJoin('reviewer_credentials as k', (join) =>
          join.onRef('k.campaign', '=', 's.campaign').onRef('k.reviewer', '=', 's.reviewer').on('s.scope', '=', LOCAL_SCOPE),
        )
        .select(['s.reviewer', 's.scope', 's.credential', 's.gold_votes', 's.gold_agreed', 's.eligible', 'k.granted_by', 'k.granted_at', 'k.note'])
        .where('s.campaign', '=', campaign)
        .execute();
      const { rows: votes } = await sql<{ reviewer: string; scope: string; votes: number; counted: number }>`
        SELECT r.reviewer, r.scope, COUNT(*) AS votes, COALESCE(SUM(CASE WHEN ${sql.raw(COUNTED)} THEN 1 ELSE 0 END), 0) AS counted
        FROM reviews r JOIN contributions c ON c.id = r.target
        LEFT JOIN reviewer_standing s ON s.campaign = c.campaign AND s.reviewer = r.reviewer AND s.scope = r.scope
        WHERE c.campaign = ${campaign} GROUP BY r.reviewer, r.scope`.execute(db);
      const entries = new Map<string, ReviewerEntry>();
      const keyOf = (reviewer: string, scope: string) => `${reviewer}\u0000${scope}`;
      const blank = (reviewer: string, scope: string): ReviewerEntry => ({
        reviewer, scope: scope === LOCAL_SCOPE ? 'local' : scope, eligible: false, credential: false, goldVotes: 0, goldAgreed: 0, votes: 0, counted: 0,
      });
      for (const s of standing) {
        entries.set(keyOf(s.reviewer, s.scope), {
          ...blank(s.reviewer, s.scope),
          eligible: s.eligible === 1,
          credential: s.credential === 1,
          ...(s.granted_by !== null ? { grantedBy: s.granted_by } : {}),
          ...(s.granted_at !== null ? { grantedAt: s.granted_at } : {}),
          ...(s.note !== null ? { note: s.note } : {}),
          goldVotes: s.gold_votes,
          goldAgreed: s.gold_agreed,
        });
      }
      for (const v of votes) {
        const entry = entries.get(keyOf(v.reviewer, v.scope)) ?? blank(v.reviewer, v.scope);
        entries.set(keyOf(v.reviewer, v.scope), { ...entry, votes: Number(v.votes), counted: Number(v.counted) });
      }
      return [...entries.values()]
        .filter((e) => options.eligible === undefined || e.eligible === options.eligible)
        .sort((a, b) => Number(b.eligible) - Number(a.eligible) || b.votes - a.votes || (a.reviewer < b.reviewer ? -1 : a.reviewer > b.reviewer ? 1 : a.scope < b.scope ? -1 : 1))
        .slice(0, options.limit);
    },

    async changes(after, limit) {
      const rows = await db
        .selectFrom('reviewer_standing')
        .select(['campaign', 'reviewer', 'credential', 'gold_votes', 'gold_agreed', 'version'])
        .where('scope', '=', LOCAL_SCOPE)
        .where('version', '>', after)
        .orderBy('version')
        .limit(limit)
        .execute();
      return {
        version: rows.length === 0 ? after : Number(rows[rows.length - 1]!.version),
        standing: rows.map((r) => ({ campaign: r.campaign, reviewer: r.reviewer, credential: r.credential === 1, goldVotes: r.gold_votes, goldAgreed: r.gold_agreed })),
      };
    },

    async vouch(trx, node, standing) {
      for (const s of standing) {
        const judge = await judgeOf(trx, s.campaign);
        const changed = await setStanding(trx, { campaign: s.campaign, reviewer: s.reviewer, scope: node }, s, judge.policy);
        if (changed) await rederiveReviewer(trx, s.campaign, s.reviewer, node, judge);
      }
    },
  };
}
