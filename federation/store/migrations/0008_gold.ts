/**
 * Gold items (federation/store/gold.ts): per campaign, test questions with a known answer that
 * the review queue mixes in, and which device was served which (never twice).
 *
 * `gold_items` holds the item exactly as reviewers get it (`item`, the canonical JSON of a
 * `Contribution` the node made the envelope of), its answer and note; `content_key` (a hash of the
 * campaign, kind, language and data) makes importing the same body again an update of its answer,
 * not a second item. They are kept out of `contributions`, so no release, export, push, count or
 * status ever sees them; ingest finds them only as the target of a review. `gold_serves` records
 * each (reviewer, gold item) served;
 * `gold_campaigns` how often a campaign's queue serves gold (one item in `every`; 10 when absent). Portable column types only: the same DDL on both backends.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('gold_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('contributor', 'text', (c) => c.notNull())
    .addColumn('content_key', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('expected', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('gold_items_content', ['campaign', 'content_key'])
    .execute();
  await db.schema.createIndex('gold_items_queue').on('gold_items').columns(['campaign', 'language']).execute();
  await db.schema
    .createTable('gold_serves')
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('gold', 'text', (c) => c.notNull())
    .addColumn('served_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('gold_serves_pk', ['reviewer', 'gold'])
    .execute();
  await db.schema
    .createTable('gold_campaigns')
    .addColumn('campaign', 'text', (c) => c.primaryKey())
    .addColumn('every', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('gold_campaigns').execute();
  await db.schema.dropTable('gold_serves').execute();
  await db.schema.dropTable('gold_items').execute();
}
