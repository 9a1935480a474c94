/**
 * Withdrawals a steward made on a contributor's behalf (store/steward.ts): for someone who lost
 * their key and asks, in person, to withdraw everything they gave. Each withdraws every content
 * item of that contributor made up to `at`, now and as later items arrive (a `tombstones` row
 * with the same id does that, as for a contributor's own withdrawal of everything), and reaches
 * the hub's nodes with their pulls. `by` and `reason` say who did it and why (the audit log has
 * the rest).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('steward_withdrawals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contributor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('steward_withdrawals').execute();
}
