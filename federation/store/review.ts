/**
 * Reading and steering the derived state of items, shared by every SQL backend: the review queue,
 * the status of given ids, a moderator's decision, and re-deriving statuses when a campaign's
 * consensus rule changes. (Reviews themselves arrive through ingest, which keeps the tallies.)
 * The queue mixes in the campaign's gold items (gold.ts), about one in ten by default.
 *
 * An item with no `item_state` row is pending with no votes (see migration 0002).
 *
 * The queue reads `contributions` by campaign and language without an index of its own: one more
 * index there would be paid by every stored item on the ingest hot path, and a library node's
 * table scans in milliseconds. A hub that serves queues over millions of items adds one (with its
 * PostgreSQL store).
 */
import { type Kysely, sql } from 'kysely';
import {
  type ConsensusRule,
  CONTENT_KINDS,
  DEFAULT_CAMPAIGN,
  DEFAULT_CONSENSUS,
  type ItemStatus,
  type ReviewQueue,
  reviewContentOf,
  type StatusResponse,
} from '../protocol/index.ts';
import type { Database } from './schema.ts';
import type { ModeratorAction, QueueRequest } from './store.ts';
import { fromRow } from './rows.ts';
import { lockItems } from './locks.ts';
import { campaignFacts, deriveStatus, isContentKind, moderatorOf } from './semantics.ts';
import { mixGold } from './gold.ts';

/** Real pending items, then gold mixed in (gold.ts): gold items look like any other on the wire. */
export async function reviewQueue(db: Kysely<Database>, request: QueueRequest): Promise<ReviewQueue['items']> {
  return mixGold(db, request, await pendingItems(db, request));
}

async function pendingItems(db: Kysely<Database>, request: QueueRequest): Promise<ReviewQueue['items']> {
  const rows = await db
    .selectFrom('contributions as c')
    .leftJoin('item_state as s', 's.id', 'c.id')
    .selectAll('c')
    .select(['s.up', 's.down', 's.flags'])
    .where('c.campaign', '=', request.campaign)
    .where('c.language', '=', request.language)
    .where('c.kind', 'in', CONTENT_KINDS)
    .where('c.contributor', '<>', request.reviewer)
    .where((eb) => eb.or([eb('s.status', 'is', null), eb('s.status', '=', 'pending')]))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('reviews as r')
            .select('r.target')
            .whereRef('r.target', '=', 'c.id')
            .where('r.reviewer', '=', request.reviewer),
        ),
      ),
    )
    .orderBy(sql`COALESCE(s.up + s.down + s.flags, 0)`)
    .orderBy('c.seq')
    .limit(request.limit)
    .execute();
  return rows.map(({ up, down, flags, ...row }) => ({
    item: reviewContentOf(fromRow(row).contribution),
    votes: { up: up ?? 0, down: down ?? 0, flags: flags ?? 0 },
  }));
}

export async function statuses(db: Kysely<Database>, ids: readonly string[], contributor?: string): Promise<StatusResponse['items']> {
  const wanted = [...new Set(ids)];
  const found = new Map<string, StatusResponse['items'][number]>();
  for (let i = 0; i < wanted.length; i += 500) {
    let query = db
      .selectFrom('contributions as c')
      .leftJoin('item_state as s', 's.id', 'c.id')
      .select(['c.id', 'c.kind', 's.status', 's.up', 's.down', 's.flags'])
      .where('c.id', 'in', wanted.slice(i, i + 500));
    if (contributor !== undefined) query = query.where('c.contributor', '=', contributor);
    const rows = await query.execute();
    for (const r of rows) {
      if (!isContentKind(r.kind)) continue;
      found.set(r.id, {
        id: r.id,
        status: (r.status ?? 'pending') as ItemStatus,
        votes: { up: r.up ?? 0, down: r.down ?? 0, flags: r.flags ?? 0 },
      });
    }
  }
  return ids.map((id) => found.get(id) ?? { id, status: 'unknown' });
}

async function ruleOf(db: Kysely<Database>, campaign: string): Promise<ConsensusRule> {
  if (campaign === DEFAULT_CAMPAIGN) return DEFAULT_CONSENSUS;
  const row = await db.selectFrom('campaigns').select('data').where('slug', '=', campaign).executeTakeFirst();
  return row === undefined ? DEFAULT_CONSENSUS : campaignFacts(row.data).consensus;
}

export async function moderate(db: Kysely<Database>, id: string, action: ModeratorAction): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await lockItems(trx);
    const item = await trx
      .selectFrom('contributions')
      .select(['kind', 'campaign'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (item === undefined || !isContentKind(item.kind)) return false;
    const moderator = action === 'hide' ? 'hidden' : 'cleared';
    await trx
      .insertInto('item_state')
      .values({ id, root: id, revision_of: null, status: 'pending', moderator })
      .onConflict((oc) => oc.column('id').doUpdateSet({ moderator }))
      .execute();
    const state = await trx
      .selectFrom('item_state')
      .select(['up', 'down', 'flags', 'status', 'moderator'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const rule = await ruleOf(trx, item.campaign);
    const status = deriveStatus(state.status as ItemStatus, { ...state, moderator: moderatorOf(state.moderator) }, rule);
    await trx.updateTable('item_state').set({ status }).where('id', '=', id).execute();
    return true;
  });
}

/**
 * After a campaign's consensus rule changed: every live item of it gets the new rule's status.
 * Run inside a transaction holding the items lock (locks.ts).
 */
export async function rederiveCampaign(db: Kysely<Database>, campaign: string, rule: ConsensusRule): Promise<void> {
  const rows = await db
    .selectFrom('item_state as s')
    .innerJoin('contributions as c', 'c.id', 's.id')
    .select(['s.id', 's.up', 's.down', 's.flags', 's.status', 's.moderator'])
    .where('c.campaign', '=', campaign)
    .where('s.status', 'not in', ['withdrawn', 'superseded'])
    .execute();
  for (const r of rows) {
    const status = deriveStatus(r.status as ItemStatus, { ...r, moderator: moderatorOf(r.moderator) }, rule);
    if (status !== r.status) await db.updateTable('item_state').set({ status }).where('id', '=', r.id).execute();
  }
}
