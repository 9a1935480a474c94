/**
 * A node's records its hub refused (federation/node/link.ts): kept on the node (the record itself
 * stays in `contributions`), listed by `vernacular node status` and GET /api/v1/node, and left
 * out of later pushes so one bad record never holds up the rest.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fed_set_aside')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('field', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('refused_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('fed_set_aside').execute();
}
