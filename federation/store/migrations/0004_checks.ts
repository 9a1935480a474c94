/**
 * The on-device checks an item carries (`checks`: language detected/confirmed, personal data kept
 * or redacted by type and count), as canonical JSON, or null when the device sent none. Before
 * this column a stored item lost its checks when read back, although its content hash covered them.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('contributions').addColumn('checks', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('contributions').dropColumn('checks').execute();
}
