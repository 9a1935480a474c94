/**
 * A steward's withdrawal of everything a contributor gave, for someone who lost their key (and
 * with it the only way to sign a withdrawal of their own) and asked in person. Portable SQL,
 * both backends. It has the effect of the contributor's own withdrawal of everything
 * (semantics.ts): every content item of theirs made up to `at` is withdrawn, those stored now and
 * those that arrive later (through a pending tombstone with the same id). Recorded, so that it is
 * applied once, listed, and handed to the hub's nodes with their pulls (hub/http.ts); who and why
 * are in the audit log and the row.
 */
import type { Kysely } from 'kysely';
import { CONTENT_KINDS, type StewardWithdrawal } from '../protocol/index.ts';
import type { Database } from './schema.ts';
import { lockItems } from './locks.ts';

export interface StewardWithdrawalInput extends StewardWithdrawal {
  /** Who did it: a staff member's id, `cli`, or `hub` on a node that received it. */
  by: string;
  reason: string;
}

/**
 * Applies and records a steward's withdrawal (idempotent by id). Answers how many items it
 * withdrew now (0 when the id was already applied).
 */
export async function withdrawContributor(db: Kysely<Database>, w: StewardWithdrawalInput): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await lockItems(trx);
    const fresh = await trx
      .insertInto('steward_withdrawals')
      .values({ id: w.id, contributor: w.contributor, at: w.at, by: w.by, reason: w.reason })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    if (fresh.length === 0) return 0;
    // Later arrivals made before `at` meet this tombstone at ingest, as with the contributor's own.
    await trx
      .insertInto('tombstones')
      .values({ id: w.id, contributor: w.contributor, target: null, created_at: w.at })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const until = Date.parse(w.at);
    const items = await trx
      .selectFrom('contributions')
      .select(['id', 'created_at'])
      .where('contributor', '=', w.contributor)
      .where('kind', 'in', CONTENT_KINDS)
      .execute();
    let withdrawn = 0;
    for (const item of items) {
      if (Date.parse(item.created_at) > until) continue;
      const changed = await trx
        .insertInto('item_state')
        .values({ id: item.id, root: item.id, revision_of: null, status: 'withdrawn', withdrawn_by: w.id })
        .onConflict((oc) => oc.column('id').doUpdateSet({ status: 'withdrawn', withdrawn_by: w.id }).where('item_state.status', '<>', 'withdrawn'))
        .returning('id')
        .execute();
      withdrawn += changed.length;
    }
    return withdrawn;
  });
}

/** Every steward withdrawal held, oldest first (a hub hands them all to its nodes). */
export async function stewardWithdrawals(db: Kysely<Database>): Promise<(StewardWithdrawal & { by: string; reason: string })[]> {
  const rows = await db.selectFrom('steward_withdrawals').selectAll().orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, contributor: r.contributor, at: r.at, by: r.by, reason: r.reason }));
}
