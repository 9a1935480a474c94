/**
 * Federation state (federation/hub/registry.ts and federation/node/link.ts). Portable column types
 * only; 64-bit counters are `bigint` (an integer in SQLite, int8 in PostgreSQL).
 *
 * Hub side: one-time enrolment tokens (only their SHA-256 is kept), enrolled nodes with their
 * public key, standing, quarantine flag and push cursor, the nonces seen within the signature
 * window, every batch signature with the record ids it covered, and which node a relayed campaign
 * belongs to. Node side: its one link to a hub (cursors in both directions, last exchange, last
 * error, the learnt clock offset) and the campaigns it pulled (not its own, so never pushed back).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fed_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('used_by', 'text')
    .execute();
  await db.schema
    .createTable('fed_nodes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('quarantined', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enrolled_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('cursor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_push_at', 'text')
    .addColumn('last_pull_at', 'text')
    .execute();
  await db.schema
    .createTable('fed_nonces')
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('fed_nonces_pk', ['node', 'nonce'])
    .execute();
  await db.schema.createIndex('fed_nonces_expires').on('fed_nonces').column('expires_at').execute();
  await db.schema
    .createTable('fed_batches')
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('after', 'bigint', (c) => c.notNull())
    .addColumn('through', 'bigint', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('ids', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('fed_batches_pk', ['node', 'after', 'through'])
    .execute();
  await db.schema
    .createTable('fed_campaign_origins')
    .addColumn('slug', 'text', (c) => c.primaryKey())
    .addColumn('node', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('fed_link')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('hub_url', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('node_name', 'text', (c) => c.notNull())
    .addColumn('hub_id', 'text', (c) => c.notNull())
    .addColumn('hub_name', 'text', (c) => c.notNull())
    .addColumn('enrolled_at', 'text', (c) => c.notNull())
    .addColumn('push_cursor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('pull_cursor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_push_at', 'text')
    .addColumn('last_pull_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('clock_offset_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('fed_pulled_campaigns')
    .addColumn('slug', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['fed_pulled_campaigns', 'fed_link', 'fed_campaign_origins', 'fed_batches', 'fed_nonces', 'fed_nodes', 'fed_tokens']) {
    await db.schema.dropTable(table).execute();
  }
}
