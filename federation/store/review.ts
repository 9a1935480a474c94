/**
 * Reading and steering the derived state of items, shared by every SQL backend: the review queue,
 * the status of given ids, and a moderator's decision. (Reviews themselves arrive through ingest,
 * which keeps the tallies; standing.ts re-derives them when standing, rule or policy change.)
 * The queue mixes in the campaign's gold items (gold.ts), about one in ten by default.
 *
 * The queue serves a reviewer pending items of others they have not reviewed: first those it
 * served them already (asking again never reveals more items), then new ones — those closest to a
 * decision first (the most counted votes), so items finish rather than all waiting for their next
 * vote; among equals in an order of the reviewer's own (a hash of key and item), so nobody can
 * steer which items they get; an item already handed out, unvoted, to as many keys as the policy's
 * margin goes last — at most the campaign's `servesPerDay` new ones a day. What it serves is
 * recorded in `queue_serves`: only votes on served items count (standing.ts). Items come without
 * vote counts: reviewers judge on their own, and gold cannot be told by its tally.
 *
 * An item with no `item_state` row is pending with no votes (see migration 0002).
 *
 * The queue reads `contributions` by campaign and language without an index of its own: one more
 * index there would be paid by every stored item on the ingest hot path, and a library node's
 * table scans in milliseconds. A hub that serves queues over millions of items adds one (with its
 * PostgreSQL store).
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import {
  CONTENT_KINDS,
  type ItemStatus,
  type ReviewQueue,
  reviewContentOf,
  type StatusResponse,
} from '../protocol/index.ts';
import type { Database } from './schema.ts';
import type { ModeratorAction, QueueRequest } from './store.ts';
import { fromRow } from './rows.ts';
import { lockItems } from './locks.ts';
import { deriveStatus, isContentKind, moderatorOf } from './semantics.ts';
import { mixGold } from './gold.ts';
import { judgeOf } from './standing.ts';

/** Candidates read per page asked for: the page is drawn from them in the reviewer's own order. */
const WINDOW_PER_ITEM = 20;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Real pending items, then gold mixed in (gold.ts): gold items look like any other on the wire.
 * The serves of the real items the page ends up with are recorded last (gold records its own).
 */
export async function reviewQueue(db: Kysely<Database>, request: QueueRequest): Promise<ReviewQueue['items']> {
  const { items, fresh } = await pendingItems(db, request);
  // Both serve records in one transaction: one durable commit per page.
  return db.transaction().execute(async (trx) => {
    const page = await mixGold(trx, request, items);
    const served = page.filter((p) => fresh.has(p.item.id)).map((p) => p.item.id);
    if (served.length > 0) {
      const servedAt = (request.now ?? new Date()).toISOString();
      await trx
        .insertInto('queue_serves')
        .values(served.map((item) => ({ reviewer: request.reviewer, item, campaign: request.campaign, served_at: servedAt })))
        .onConflict((oc) => oc.columns(['reviewer', 'item']).doNothing())
        .execute();
    }
    return page;
  });
}

/** The reviewer's own order of an item: the same on every request, unknowable in advance. */
function rank(reviewer: string, id: string): number {
  return createHash('sha256').update(`vernacular-queue\u0000${reviewer}\u0000${id}`, 'utf8').digest().readUInt32BE(0);
}

/** The real items of a page, and which of them would be new serves. */
async function pendingItems(db: Kysely<Database>, request: QueueRequest): Promise<{ items: ReviewQueue['items']; fresh: Set<string> }> {
  const now = request.now ?? new Date();
  const { policy } = await judgeOf(db, request.campaign);
  const today = await db
    .selectFrom('queue_serves')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('campaign', '=', request.campaign)
    .where('reviewer', '=', request.reviewer)
    .where('served_at', '>=', new Date(now.getTime() - DAY_MS).toISOString())
    .executeTakeFirst();
  const allowance = Math.max(0, policy.servesPerDay - Number(today?.n ?? 0));
  const rows = await db
    .selectFrom('contributions as c')
    .leftJoin('item_state as s', 's.id', 'c.id')
    .selectAll('c')
    .select((eb) => [
      eb.fn.coalesce(sql<number>`s.up + s.down + s.flags`, sql<number>`0`).as('counted'),
      eb
        .case()
        .when(eb.exists(eb.selectFrom('queue_serves as q').select('q.item').whereRef('q.item', '=', 'c.id').where('q.reviewer', '=', request.reviewer)))
        .then(1)
        .else(0)
        .end()
        .as('served'),
    ])
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
    .orderBy('served', 'desc')
    .orderBy('counted', 'desc')
    .orderBy('c.seq')
    .limit(Math.max(request.limit * WINDOW_PER_ITEM, 200))
    .execute();
  // Handed out in the last day and not voted on yet: votes that are probably coming.
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const waiting = new Map<string, number>();
  const ids = rows.filter((r) => Number(r.served) !== 1).map((r) => r.id);
  if (ids.length > 0) {
    const counts = await db
      .selectFrom('queue_serves as q')
      .select(['q.item', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('q.item', 'in', ids)
      .where('q.served_at', '>=', since)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('reviews as r').select('r.target').whereRef('r.target', '=', 'q.item').whereRef('r.reviewer', '=', 'q.reviewer'))))
      .groupBy('q.item')
      .execute();
    for (const c of counts) waiting.set(c.item, Number(c.n));
  }
  const crowded = (id: string) => (waiting.get(id) ?? 0) >= policy.margin;
  const ordered = rows
    .map((row) => ({ row, served: Number(row.served) === 1, counted: Number(row.counted), crowded: crowded(row.id), rank: rank(request.reviewer, row.id) }))
    .sort(
      (a, b) =>
        Number(b.served) - Number(a.served) || Number(a.crowded) - Number(b.crowded) || b.counted - a.counted || a.rank - b.rank || (a.row.id < b.row.id ? -1 : 1),
    );
  const again = ordered.filter((o) => o.served).slice(0, request.limit);
  const fresh = ordered.filter((o) => !o.served).slice(0, Math.min(request.limit - again.length, allowance));
  return {
    items: [...again, ...fresh].map(({ row: { counted: _c, served: _s, ...row } }) => ({ item: reviewContentOf(fromRow(row).contribution) })),
    fresh: new Set(fresh.map((o) => o.row.id)),
  };
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
    const judge = await judgeOf(trx, item.campaign);
    const status = deriveStatus(state.status as ItemStatus, { ...state, moderator: moderatorOf(state.moderator) }, judge.consensus, judge.policy.margin);
    await trx.updateTable('item_state').set({ status }).where('id', '=', id).execute();
    return true;
  });
}
