/**
 * Who shows on a campaign's leaderboard, under which nickname (opt-in, off by default; kept on this
 * server only). `signed_at` is the time of the contributor's last signed change: an older signed
 * request (a replay) cannot undo a newer one. A null nickname is an opt-out.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('leaderboard_names')
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('contributor', 'text', (c) => c.notNull())
    .addColumn('nickname', 'text')
    .addColumn('signed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('leaderboard_names_pk', ['campaign', 'contributor'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('leaderboard_names').execute();
}
