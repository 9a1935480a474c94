/**
 * Releases recorded on the hub (federation/release/registry.ts): one row per built release, keyed
 * `<name>@<version>`, with the snapshot it was built from (name and sha256), the config (its
 * canonical hash and the JSON itself), a hash of its content (config hash and every file's
 * sha256) so that the same version can never be recorded twice with different files, the
 * item count, where it was written, when, and its manifest (stage counts, per config/split counts,
 * languages, files with sha256 and bytes) as JSON. Portable column types only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('releases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('snapshot_sha256', 'text', (c) => c.notNull())
    .addColumn('config_hash', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('items', 'integer', (c) => c.notNull())
    .addColumn('out_dir', 'text')
    .addColumn('built_at', 'text', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('releases_built_at').on('releases').column('built_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('releases').execute();
}
