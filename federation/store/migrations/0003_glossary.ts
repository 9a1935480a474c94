/**
 * The shared glossaries: each campaign's Yjs document, stored as the updates devices sent, in the
 * order they arrived. Append-only; `federation/glossary/store.ts` folds a campaign's rows into one
 * merged update now and then (in one transaction), so a glossary stays a handful of rows.
 */
import type { Kysely } from 'kysely';
import { isPostgres } from './dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Bytes are `blob` in SQLite and `bytea` in PostgreSQL; everything else is portable.
  const pg = isPostgres(db);
  const bytes = pg ? 'bytea' : 'blob';
  await db.schema
    .createTable('glossary_updates')
    // PostgreSQL has no AUTOINCREMENT: an identity column instead.
    .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('data', bytes, (c) => c.notNull())
    .addColumn('stored_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('glossary_updates_campaign_id').on('glossary_updates').columns(['campaign', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('glossary_updates').execute();
}
