/**
 * The PostgreSQL ingest transaction: the same rules as ingest.sqlite.ts (insert-or-ignore, the
 * semantic checks of semantics.ts, the derived state, pending tombstones), in one transaction per
 * batch, committed with `synchronous_commit = on` (set per connection by store.postgres.ts) so an
 * `accepted` answer is on disk.
 *
 * Concurrency: the transaction first takes the items lock (locks.ts). Two batches carrying the
 * same ids, two reviews of one item, a review racing a withdrawal, all run one after the other,
 * so every lookup of a stored hash, a target or a tally sees what the previous batch committed,
 * and `seq` order is commit order (a push cursor never skips a row). Under READ COMMITTED that is
 * all the isolation the rules need; SERIALIZABLE would only add retries.
 *
 * Batch order is kept: consecutive plain items (the hot path) go in as one multi-row
 * `INSERT … ON CONFLICT (id) DO NOTHING RETURNING id`, and each other item is checked and written
 * in its place, so an item can name one earlier in its batch and never one later, as on SQLite.
 *
 * Reviews, tallies and standing go through standing.ts (the same SQL the SQLite ingest prepares).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { CONTENT_KINDS, type Contribution, DEFAULT_CAMPAIGN, type ItemStatus } from '../protocol/index.ts';
import type { Database, NewContributionRow } from './schema.ts';
import type { InsertOutcome } from './ingest.ts';
import type { WithinIngest } from './store.ts';
import { lockItems } from './locks.ts';
import { LOCAL_SCOPE, refreshGoldStanding, rederiveReviewer, retally, scopeOf, servedHere } from './standing.ts';
import {
  type CampaignFacts,
  campaignFacts,
  check,
  GENERAL_FACTS,
  isContentKind,
  isEdit,
  needsCampaign,
  needsTarget,
  type Rejection,
  type TargetFacts,
  type Tombstone,
  tombstoneOf,
  tombstoneWithdraws,
} from './semantics.ts';

/** Rows per multi-row INSERT: 19 parameters each, under PostgreSQL's 65,535. */
const INSERT_CHUNK = 2000;
const CONTENT = [...CONTENT_KINDS];

type Trx = Transaction<Database>;

const isHot = (item: Contribution): boolean =>
  needsTarget(item) === undefined && !needsCampaign(item) && item.kind !== 'withdrawal';

export async function postgresIngest(
  db: Kysely<Database>,
  rows: readonly NewContributionRow[],
  items: readonly Contribution[],
  served: ReadonlySet<string>,
  within?: WithinIngest,
): Promise<InsertOutcome> {
  return db.transaction().execute(async (trx) => {
    await lockItems(trx);
    const outcome = await new Batch(trx, served).run(rows, items);
    // More writes of the caller's (store.ts WithinIngest), committed with the records.
    await within?.(trx);
    return outcome;
  });
}

class Batch {
  readonly inserted = new Set<string>();
  readonly storedHash = new Map<string, string>();
  readonly rejected = new Map<string, Rejection>();
  readonly campaigns = new Map<string, CampaignFacts | undefined>();
  tombstones = false;

  /** Relayed reviews whose origin node vouched that its queue served the item. */
  constructor(
    readonly trx: Trx,
    readonly vouched: ReadonlySet<string>,
  ) {}

  async run(rows: readonly NewContributionRow[], items: readonly Contribution[]): Promise<InsertOutcome> {
    const any = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM tombstones) AS any`.execute(this.trx);
    this.tombstones = any.rows[0]?.any === true;
    let i = 0;
    while (i < rows.length) {
      if (isHot(items[i]!)) {
        let end = i;
        while (end < rows.length && end - i < INSERT_CHUNK && isHot(items[end]!)) end++;
        await this.writePlain(rows.slice(i, end), items.slice(i, end));
        i = end;
      } else {
        await this.writeChecked(rows[i]!, items[i]!);
        i++;
      }
    }
    return { inserted: this.inserted, storedHash: this.storedHash, rejected: this.rejected };
  }

  /** The hot path: one statement for the run, one more only for ids already held. */
  private async writePlain(rows: readonly NewContributionRow[], items: readonly Contribution[]): Promise<void> {
    const returned = await this.trx
      .insertInto('contributions')
      .values(rows as NewContributionRow[])
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    const fresh = new Set(returned.map((r) => r.id));
    for (const id of fresh) this.inserted.add(id);
    const held = rows.filter((r) => !fresh.has(r.id)).map((r) => r.id);
    if (held.length > 0) {
      const found = await this.trx.selectFrom('contributions').select(['id', 'content_hash']).where('id', 'in', held).execute();
      for (const f of found) this.storedHash.set(f.id, f.content_hash);
    }
    if (this.tombstones) {
      const arrived = items.filter((item) => fresh.has(item.id));
      if (arrived.length > 0) await this.arrived(arrived, () => undefined);
    }
  }

  private async writeChecked(row: NewContributionRow, item: Contribution): Promise<void> {
    const held = await this.trx.selectFrom('contributions').select('content_hash').where('id', '=', row.id).executeTakeFirst();
    if (held !== undefined) {
      this.storedHash.set(row.id, held.content_hash);
      return;
    }
    const targetId = needsTarget(item);
    const target = targetId === undefined ? undefined : await this.targetOf(targetId);
    const campaign = item.kind === 'withdrawal' ? undefined : await this.campaignOf(item.campaign);
    const rejection = check(item, campaign, target, row.origin !== null);
    if (rejection !== undefined) {
      this.rejected.set(row.id, rejection);
      return;
    }
    const returned = await this.trx
      .insertInto('contributions')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (returned === undefined) throw new Error(`Contribution ${row.id} appeared while its batch was being stored`);
    this.inserted.add(row.id);
    await this.applyEffects(item, target, row.origin);
    if (this.tombstones) await this.arrived([item], () => target);
  }

  private async campaignOf(slug: string): Promise<CampaignFacts | undefined> {
    if (slug === DEFAULT_CAMPAIGN) return GENERAL_FACTS;
    if (!this.campaigns.has(slug)) {
      const row = await this.trx.selectFrom('campaigns').select('data').where('slug', '=', slug).executeTakeFirst();
      this.campaigns.set(slug, row === undefined ? undefined : campaignFacts(row.data));
    }
    return this.campaigns.get(slug);
  }

  private async targetOf(id: string): Promise<TargetFacts | undefined> {
    // A gold item (store/gold.ts) is a target too, though never a stored contribution.
    const row = await this.trx
      .selectFrom('contributions as c')
      .leftJoin('item_state as s', 's.id', 'c.id')
      .select(['c.kind', 'c.contributor', 'c.campaign', 's.status', 's.root', sql<string | null>`NULL`.as('expected')])
      .where('c.id', '=', id)
      .unionAll((eb) =>
        eb
          .selectFrom('gold_items as g')
          .leftJoin('item_state as s', 's.id', 'g.id')
          .select(['g.kind', 'g.contributor', 'g.campaign', 's.status', 's.root', 'g.expected'])
          .where('g.id', '=', id),
      )
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      kind: row.kind,
      contributor: row.contributor,
      campaign: row.campaign,
      status: (row.status ?? 'pending') as ItemStatus,
      root: row.root ?? id,
      ...(row.expected !== null ? { gold: row.expected } : {}),
    };
  }

  private async ensureState(id: string, root: string, revisionOf: string | null): Promise<void> {
    await sql`INSERT INTO item_state (id, root, revision_of, status) VALUES (${id}, ${root}, ${revisionOf}, 'pending')
      ON CONFLICT (id) DO NOTHING`.execute(this.trx);
  }

  private async withdrawChain(withdrawal: string, root: string): Promise<void> {
    await sql`UPDATE item_state SET status = 'withdrawn', withdrawn_by = ${withdrawal}
      WHERE root = ${root} AND status <> 'withdrawn'`.execute(this.trx);
  }

  private async retally(targetId: string, target: TargetFacts): Promise<void> {
    await this.ensureState(targetId, target.root, null);
    await retally(this.trx, targetId, target.campaign, (await this.campaignOf(target.campaign)) ?? GENERAL_FACTS);
  }

  private async applyEffects(item: Contribution, target: TargetFacts | undefined, origin: string | null): Promise<void> {
    switch (item.kind) {
      case 'review': {
        const scope = scopeOf(origin);
        const targetId = item.data.target;
        // Served: vouched by the node it came from, or (cast here) recorded by this queue.
        const served = this.vouched.has(item.id) || (scope === LOCAL_SCOPE && (await servedHere(this.trx, item.contributor, targetId)));
        await sql`INSERT INTO reviews (target, reviewer, review_id, action, reason, served, scope)
          VALUES (${targetId}, ${item.contributor}, ${item.id}, ${item.data.action}, ${item.data.reason ?? null}, ${served ? 1 : 0}, ${scope})
          ON CONFLICT (target, reviewer) DO UPDATE SET review_id = excluded.review_id,
            action = excluded.action, reason = excluded.reason, served = excluded.served, scope = excluded.scope`.execute(this.trx);
        // Standing in another scope is the vouching node's word (standing.ts), not counted here.
        if (target!.gold !== undefined && scope === LOCAL_SCOPE) {
          const judge = (await this.campaignOf(target!.campaign)) ?? GENERAL_FACTS;
          if (await refreshGoldStanding(this.trx, target!.campaign, item.contributor, scope, judge.policy)) {
            await rederiveReviewer(this.trx, target!.campaign, item.contributor, scope, judge);
          }
        }
        await this.retally(targetId, target!);
        return;
      }
      case 'withdrawal': {
        const pending = tombstoneOf(item, target !== undefined);
        if (pending !== undefined) {
          await this.trx
            .insertInto('tombstones')
            .values({ id: pending.id, contributor: pending.contributor, target: pending.target, created_at: pending.createdAt })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          this.tombstones = true;
        }
        if (item.data.scope === 'all') {
          await sql`INSERT INTO item_state (id, root, status, withdrawn_by)
            SELECT id, id, 'withdrawn', ${item.id} FROM contributions
            WHERE contributor = ${item.contributor} AND kind = ANY(${CONTENT})
              AND created_at::timestamptz <= ${item.createdAt}::timestamptz
            ON CONFLICT (id) DO UPDATE SET status = 'withdrawn', withdrawn_by = excluded.withdrawn_by
            WHERE item_state.status <> 'withdrawn'`.execute(this.trx);
        } else if (target !== undefined) {
          await this.ensureState(item.data.target, target.root, null);
          await this.withdrawChain(item.id, target.root);
        }
        return;
      }
      default:
        if (item.revisionOf === undefined || target === undefined) return;
        if (isEdit(item, target)) {
          await this.ensureState(target.root, target.root, null);
          await this.ensureState(item.id, target.root, item.revisionOf);
          await sql`UPDATE item_state SET status = 'superseded'
            WHERE root = ${target.root} AND id <> ${item.id} AND status <> 'withdrawn'`.execute(this.trx);
          // A relayed edit of a withdrawn chain is withdrawn with it.
          if (target.status === 'withdrawn') {
            await sql`UPDATE item_state SET status = 'withdrawn',
              withdrawn_by = (SELECT withdrawn_by FROM item_state WHERE id = ${target.root}) WHERE id = ${item.id}`.execute(this.trx);
          }
        } else {
          await this.ensureState(item.id, item.id, item.revisionOf);
        }
    }
  }

  /** Newly stored items meet the tombstones waiting for them (semantics.ts); one query for all. */
  private async arrived(items: readonly Contribution[], targetOf: (item: Contribution) => TargetFacts | undefined): Promise<void> {
    const ids = items.map((i) => i.id);
    const contributors = [...new Set(items.filter((i) => isContentKind(i.kind)).map((i) => i.contributor))];
    const { rows: found } = await sql<Tombstone>`
      SELECT id, contributor, target, created_at AS "createdAt" FROM tombstones WHERE target = ANY(${ids})
      UNION ALL
      SELECT id, contributor, target, created_at FROM tombstones WHERE target IS NULL AND contributor = ANY(${contributors})`.execute(this.trx);
    if (found.length === 0) return;
    for (const item of items) {
      if (!isContentKind(item.kind)) continue;
      const target = targetOf(item);
      const root = target !== undefined && isEdit(item, target) ? target.root : item.id;
      const revisionOf = item.kind === 'review' || item.kind === 'withdrawal' ? null : (item.revisionOf ?? null);
      for (const t of found) {
        if (!tombstoneWithdraws(t, item)) continue;
        if (t.target === null) {
          await sql`INSERT INTO item_state (id, root, revision_of, status, withdrawn_by)
            VALUES (${item.id}, ${root}, ${revisionOf}, 'withdrawn', ${t.id})
            ON CONFLICT (id) DO UPDATE SET status = 'withdrawn', withdrawn_by = excluded.withdrawn_by
            WHERE item_state.status <> 'withdrawn'`.execute(this.trx);
        } else {
          await this.ensureState(item.id, root, revisionOf);
          await this.ensureState(root, root, null);
          await this.withdrawChain(t.id, root);
        }
      }
    }
    const targeted = found.filter((t) => t.target !== null).map((t) => t.target!);
    if (targeted.length > 0) await this.trx.deleteFrom('tombstones').where('target', 'in', targeted).execute();
  }
}
