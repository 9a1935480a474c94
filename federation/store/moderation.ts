/**
 * The moderator's reads, shared by every SQL backend: the flagged queue (content items anyone
 * flagged — an eligible reviewer or not — that no moderator has decided on, most counted flags
 * first, then most flags) and which campaign an item belongs to (a teacher moderates only their
 * classes). Flags of keys that are not eligible never hide an item: they only bring it here. The
 * decision itself is `Store.moderate` (review.ts).
 */
import type { Kysely } from 'kysely';
import { CONTENT_KINDS, type FlaggedQueue, type ItemStatus } from '../protocol/index.ts';
import type { Database } from './schema.ts';
import { fromRow } from './rows.ts';

export interface FlaggedRequest {
  /** Only these campaigns (a teacher's); all when absent. */
  campaigns?: readonly string[];
  limit: number;
}

export async function flaggedItems(db: Kysely<Database>, request: FlaggedRequest): Promise<FlaggedQueue['items']> {
  if (request.campaigns !== undefined && request.campaigns.length === 0) return [];
  let query = db
    .selectFrom('item_state as s')
    .innerJoin('contributions as c', 'c.id', 's.id')
    .selectAll('c')
    .select(['s.up', 's.down', 's.flags', 's.all_up', 's.all_down', 's.all_flags', 's.status'])
    .where('s.all_flags', '>', 0)
    .where('s.moderator', 'is', null)
    .where('s.status', 'not in', ['withdrawn', 'superseded'])
    .where('c.kind', 'in', CONTENT_KINDS);
  if (request.campaigns !== undefined) query = query.where('c.campaign', 'in', [...request.campaigns]);
  const rows = await query.orderBy('s.flags', 'desc').orderBy('s.all_flags', 'desc').orderBy('c.seq').limit(request.limit).execute();
  const ids = rows.map((r) => r.id);
  const reasons = ids.length === 0
    ? []
    : await db.selectFrom('reviews').select(['target', 'reason']).where('target', 'in', ids).where('action', '=', 'flag').execute();
  return rows.map(({ up, down, flags, all_up, all_down, all_flags, status, ...row }) => {
    const counts: Record<string, number> = {};
    for (const r of reasons) if (r.target === row.id) counts[r.reason ?? 'other'] = (counts[r.reason ?? 'other'] ?? 0) + 1;
    return {
      item: fromRow(row).contribution,
      status: status as ItemStatus,
      votes: { up, down, flags },
      allVotes: { up: all_up, down: all_down, flags: all_flags },
      reasons: counts,
    };
  });
}

/** The campaign of a content item held here, or undefined. */
export async function itemCampaign(db: Kysely<Database>, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('contributions').select(['campaign', 'kind']).where('id', '=', id).executeTakeFirst();
  return row !== undefined && (CONTENT_KINDS as readonly string[]).includes(row.kind) ? row.campaign : undefined;
}
