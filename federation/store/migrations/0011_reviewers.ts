/**
 * Reviewer policies (protocol/reviewers.ts, store/standing.ts): only eligible keys' votes decide.
 *
 * - `reviewer_credentials`: credentials staff granted on this server, per campaign and key.
 * - `reviewer_standing`: what eligibility is decided from, per campaign, key and scope — `''` for
 *   votes cast here; on a hub, a node id for the standing that node vouched for (it counts only for
 *   votes cast there). `version` orders local changes, so a node pushes only what changed.
 * - `queue_serves`: which key the review queue served which item (only votes on served items count,
 *   unless the key holds a credential), with the campaign and time for the daily serve limit;
 *   indexed by item too (how many keys an item waits on).
 * - `reviews.served`, `reviews.scope`: whether the item had been served to the reviewer, and where
 *   the vote was cast (`''` here, or the node it was relayed from); indexed by reviewer (standing
 *   and re-derivation read a key's votes) and by review id (a push names the served ones).
 * - `item_state.all_up|all_down|all_flags`: every vote held; `up|down|flags` are now the votes that
 *   count, and the status is made of those.
 * - `fed_link.standing_version`: on a node, the last standing version its hub took (node/agent.ts).
 *
 * Votes cast before this migration were never served by a queue that recorded it and came from
 * keys nobody has judged yet, so none of them counts: every status the votes made is derived again
 * from an empty tally (pending, or hidden by a moderator; withdrawals and edits stand). Statuses
 * come back as staff grant credentials and reviewers earn standing on gold.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reviewer_credentials')
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('reviewer_credentials_pk', ['campaign', 'reviewer'])
    .execute();

  await db.schema
    .createTable('reviewer_standing')
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('credential', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('gold_votes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('gold_agreed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('eligible', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('reviewer_standing_pk', ['campaign', 'reviewer', 'scope'])
    .execute();
  await db.schema.createIndex('reviewer_standing_version').on('reviewer_standing').columns(['scope', 'version']).execute();

  await db.schema
    .createTable('queue_serves')
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('served_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_serves_pk', ['reviewer', 'item'])
    .execute();
  await db.schema.createIndex('queue_serves_day').on('queue_serves').columns(['campaign', 'reviewer', 'served_at']).execute();
  await db.schema.createIndex('queue_serves_item').on('queue_serves').columns(['item']).execute();

  await db.schema.alterTable('reviews').addColumn('served', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('reviews').addColumn('scope', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.createIndex('reviews_reviewer').on('reviews').columns(['reviewer', 'target']).execute();
  await db.schema.createIndex('reviews_review_id').on('reviews').columns(['review_id']).execute();

  await db.schema.alterTable('fed_link').addColumn('standing_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  for (const column of ['all_up', 'all_down', 'all_flags']) {
    await db.schema.alterTable('item_state').addColumn(column, 'integer', (c) => c.notNull().defaultTo(0)).execute();
  }
  await sql`UPDATE item_state SET all_up = up, all_down = down, all_flags = flags`.execute(db);
  await sql`UPDATE item_state SET up = 0, down = 0, flags = 0,
    status = CASE WHEN status IN ('withdrawn', 'superseded') THEN status WHEN moderator = 'hidden' THEN 'hidden' ELSE 'pending' END`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['all_flags', 'all_down', 'all_up']) await db.schema.alterTable('item_state').dropColumn(column).execute();
  await db.schema.alterTable('fed_link').dropColumn('standing_version').execute();
  await db.schema.dropIndex('reviews_review_id').execute();
  await db.schema.dropIndex('reviews_reviewer').execute();
  await db.schema.alterTable('reviews').dropColumn('scope').execute();
  await db.schema.alterTable('reviews').dropColumn('served').execute();
  await db.schema.dropTable('queue_serves').execute();
  await db.schema.dropTable('reviewer_standing').execute();
  await db.schema.dropTable('reviewer_credentials').execute();
}
