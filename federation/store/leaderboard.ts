/**
 * The opt-in leaderboard's nicknames (migration 0016) and the board itself, in portable SQL. A
 * change carries the time its request was signed; one signed earlier than the last change kept
 * (a replayed request) is refused, so an opt-out cannot be undone by replaying the opt-in.
 */
import type { Kysely } from 'kysely';
import { CONTENT_KINDS } from '../protocol/index.ts';
import type { Database } from './schema.ts';

/** The table this module owns (a type, not an interface: Kysely table maps need an index signature). */
type LeaderboardTables = {
  leaderboard_names: { campaign: string; contributor: string; nickname: string | null; signed_at: number | string };
};

export interface BoardEntry {
  nickname: string;
  items: number;
  accepted: number;
}

export class LeaderboardStore {
  private readonly db: Kysely<Database & LeaderboardTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<LeaderboardTables>();
  }

  /** Sets (or with null clears) a contributor's nickname; false when a later signed change is already kept. */
  async setName(campaign: string, contributor: string, nickname: string | null, signedAt: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const held = await trx.selectFrom('leaderboard_names').select('signed_at').where('campaign', '=', campaign).where('contributor', '=', contributor).executeTakeFirst();
      if (held !== undefined && Number(held.signed_at) >= signedAt) return false;
      if (held === undefined) await trx.insertInto('leaderboard_names').values({ campaign, contributor, nickname, signed_at: signedAt }).execute();
      else await trx.updateTable('leaderboard_names').set({ nickname, signed_at: signedAt }).where('campaign', '=', campaign).where('contributor', '=', contributor).execute();
      return true;
    });
  }

  async nameOf(campaign: string, contributor: string): Promise<string | null> {
    const row = await this.db.selectFrom('leaderboard_names').select('nickname').where('campaign', '=', campaign).where('contributor', '=', contributor).executeTakeFirst();
    return row?.nickname ?? null;
  }

  /** Those who show, most items that count first (then most accepted, then by nickname). */
  async board(campaign: string, language: string | undefined, limit: number): Promise<BoardEntry[]> {
    let query = this.db
      .selectFrom('contributions as c')
      .innerJoin('leaderboard_names as n', (j) => j.onRef('n.campaign', '=', 'c.campaign').onRef('n.contributor', '=', 'c.contributor'))
      .leftJoin('item_state as s', 's.id', 'c.id')
      .select((eb) => [
        'n.nickname',
        'c.contributor',
        eb.fn.countAll<number | string>().as('items'),
        eb.fn.sum<number | string | null>(eb.case().when('s.status', '=', 'accepted').then(1).else(0).end()).as('accepted'),
      ])
      .where('c.campaign', '=', campaign)
      .where('n.nickname', 'is not', null)
      .where('c.kind', 'in', [...CONTENT_KINDS])
      .where((eb) => eb.or([eb('s.status', 'is', null), eb('s.status', 'in', ['pending', 'accepted'])]));
    if (language !== undefined) query = query.where('c.language', '=', language);
    const rows = await query.groupBy(['n.nickname', 'c.contributor']).execute();
    return rows
      .map((r) => ({ nickname: r.nickname!, items: Number(r.items), accepted: Number(r.accepted ?? 0) }))
      .sort((a, b) => b.items - a.items || b.accepted - a.accepted || (a.nickname < b.nickname ? -1 : a.nickname > b.nickname ? 1 : 0))
      .slice(0, limit);
  }
}
