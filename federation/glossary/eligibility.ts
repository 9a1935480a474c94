/**
 * Who may write a campaign's glossary. The glossary endpoints take any `GlossaryEligibility`; the
 * server wires `provisionalEligibility` (server/app.ts), the one place the rule lives.
 */
import type { Kysely } from 'kysely';
import { DEFAULT_CAMPAIGN } from '../protocol/index.ts';
import type { Database } from '../store/schema.ts';

export type GlossaryEligibility = (campaign: string, contributor: string) => Promise<boolean>;

/**
 * PROVISIONAL (issue 12) — to be replaced by the reviewer policy's `reviewerEligible(campaign,
 * contributor)` when it lands. Until then: any key may write the glossary of `general` (a node
 * with no policy), and a campaign's glossary takes a key with at least one accepted contribution
 * in that campaign.
 */
export function provisionalEligibility(db: Kysely<Database>): GlossaryEligibility {
  return async (campaign, contributor) => {
    if (campaign === DEFAULT_CAMPAIGN) return true;
    const row = await db
      .selectFrom('contributions as c')
      .innerJoin('item_state as s', 's.id', 'c.id')
      .select('c.id')
      .where('c.campaign', '=', campaign)
      .where('c.contributor', '=', contributor)
      .where('s.status', '=', 'accepted')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  };
}
