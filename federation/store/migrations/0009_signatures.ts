/**
 * Contributor keys and signatures (protocol/signing.ts): every contribution keeps the public key
 * of its author and the author's signature, so that anyone holding the record — the hub, a
 * release — can check it again, long after it arrived. Rows stored before this are left without
 * (null): nothing can sign them now, and a release's validate stage excludes them as unsigned.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('contributions').addColumn('key', 'text').execute();
  await db.schema.alterTable('contributions').addColumn('signature', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('contributions').dropColumn('signature').execute();
  await db.schema.alterTable('contributions').dropColumn('key').execute();
}
