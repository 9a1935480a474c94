/**
 * Campaigns, seeds, reviews and the derived state of items.
 *
 * - `contributions.revision_of`: the envelope's `revisionOf`.
 * - `campaigns`: one row per campaign (the protocol `Campaign` as canonical JSON, plus the columns
 *   looked up by: slug, join code). `general` is never stored; the node synthesises it.
 * - `seeds` and `seed_serves`: imported seed items with how often each was served, and which
 *   device got which, so that two devices rarely draw the same seed.
 * - `reviews`: the vote or flag that counts for each (target, reviewer): a later review by the
 *   same reviewer replaces the earlier one.
 * - `item_state`: the materialised state of a content item — tally, moderator decision, status,
 *   and its revision chain. Written only for items something has happened to (a review, an edit,
 *   a withdrawal, a moderator): an item without a row is `pending` with no votes and is the root
 *   of its own chain. That keeps ingest of plain items a single insert.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The item a content item revises (its envelope's `revisionOf`), or null.
  await db.schema.alterTable('contributions').addColumn('revision_of', 'text').execute();

  await db.schema
    .createTable('campaigns')
    .addColumn('slug', 'text', (c) => c.primaryKey())
    .addColumn('join_code', 'text', (c) => c.notNull().unique())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('seeds')
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('served', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('seeds_pk', ['campaign', 'id'])
    .execute();
  await db.schema.createIndex('seeds_draw').on('seeds').columns(['campaign', 'type', 'served']).execute();

  await db.schema
    .createTable('seed_serves')
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('seed', 'text', (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('served_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('seed_serves_pk', ['campaign', 'device', 'seed'])
    .execute();

  await db.schema
    .createTable('reviews')
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('review_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addPrimaryKeyConstraint('reviews_pk', ['target', 'reviewer'])
    .execute();

  await db.schema
    .createTable('item_state')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** The first item of its revision chain (its own id when it revises nothing). */
    .addColumn('root', 'text', (c) => c.notNull())
    .addColumn('revision_of', 'text')
    .addColumn('up', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('down', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('flags', 'integer', (c) => c.notNull().defaultTo(0))
    /** 'hidden' or 'cleared' by a moderator, else null. */
    .addColumn('moderator', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    /** The withdrawal that withdrew it, when withdrawn. */
    .addColumn('withdrawn_by', 'text')
    .execute();
  await db.schema.createIndex('item_state_root').on('item_state').columns(['root']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['item_state', 'reviews', 'seed_serves', 'seeds', 'campaigns']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('contributions').dropColumn('revision_of').execute();
}
