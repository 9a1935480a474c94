/**
 * What each node last reported of its link to the hub (POST /federation/v1/report): its backlog,
 * what it set aside, its last problem, its version — for the steward's console. JSON, advisory.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('fed_nodes').addColumn('report', 'text').execute();
  await db.schema.alterTable('fed_nodes').addColumn('reported_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('fed_nodes').dropColumn('reported_at').execute();
  await db.schema.alterTable('fed_nodes').dropColumn('report').execute();
}
