/**
 * Relay provenance and pending tombstones, for store-and-forward between nodes and the hub.
 *
 * - `contributions.origin`: the node a record was relayed from (null: a device sent it here), and
 *   `origin_received_at`, when that node stored it. `received_at` stays the time this server did.
 * - `tombstones`: withdrawals that must still act on items this server does not hold yet. A
 *   withdrawal of one item (`target` set) waits for that item and is deleted once it arrives (it
 *   withdraws it if the withdrawer is its author, else does nothing); a withdrawal of everything
 *   (`target` null) stays, and withdraws each later-arriving item of that contributor created no
 *   later than it (`created_at`, the withdrawal's own). Ingest looks here only while it is not empty.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('contributions').addColumn('origin', 'text').execute();
  await db.schema.alterTable('contributions').addColumn('origin_received_at', 'text').execute();

  await db.schema
    .createTable('tombstones')
    /** The withdrawal's id. */
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contributor', 'text', (c) => c.notNull())
    /** The item it withdraws, or null for a withdrawal of everything. */
    .addColumn('target', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tombstones_target').on('tombstones').columns(['target']).execute();
  await db.schema.createIndex('tombstones_contributor').on('tombstones').columns(['contributor']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tombstones').execute();
  await db.schema.alterTable('contributions').dropColumn('origin_received_at').execute();
  await db.schema.alterTable('contributions').dropColumn('origin').execute();
}
