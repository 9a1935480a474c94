/**
 * The glossary log (federation/glossary/store.ts): every update kept with its author, for good.
 *
 * - `glossary_log`: append-only, one row per record (protocol/glossary.log.ts) in the order this
 *   server stored it (`seq`): the record as canonical JSON (a contributor's signed request, or a
 *   server's own update), its id (unique: a relayed record is stored once), its author, what it
 *   added here (`novel`, null when nothing), when and from where (`local`, `hub` or a node id).
 * - `glossary_state`: per campaign, the merged novel parts of its rows through `through`, so a
 *   sync reads one merged update and the few rows after it (a cache: the rows are the truth).
 * - `glossary_clients`: which author writes under each Yjs client id of a campaign.
 * - `glossary_cursors`: on a node, how far each campaign's log went to the hub (`pushed`, this
 *   node's seq) and came from it (`pulled`, the hub's).
 *
 * What `glossary_updates` (0003) held had no authors: each campaign's rows become one `legacy`
 * record, stored as of the earliest of them, and the old table goes.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import * as Y from 'yjs';
import { isPostgres } from './dialect.ts';

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** Canonical JSON of a flat record of strings (keys sorted): what `glossaryRecordId` hashes. */
function canonical(record: Record<string, string>): string {
  return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(record[k])}`).join(',')}}`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const bytes = pg ? 'bytea' : 'blob';
  await db.schema
    .createTable('glossary_log')
    .addColumn('seq', 'integer', (c) => (pg ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('novel', bytes)
    .addColumn('stored_at', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('glossary_log_campaign_seq').on('glossary_log').columns(['campaign', 'seq']).execute();
  await db.schema
    .createTable('glossary_state')
    .addColumn('campaign', 'text', (c) => c.primaryKey())
    .addColumn('data', bytes, (c) => c.notNull())
    .addColumn('through', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('glossary_clients')
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('client', 'bigint', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('glossary_clients_pk', ['campaign', 'client'])
    .execute();
  await db.schema
    .createTable('glossary_cursors')
    .addColumn('campaign', 'text', (c) => c.primaryKey())
    .addColumn('pushed', 'integer', (c) => c.notNull())
    .addColumn('pulled', 'integer', (c) => c.notNull())
    .execute();

  const old = await sql<{ campaign: string; data: Uint8Array; stored_at: string }>`SELECT campaign, data, stored_at FROM glossary_updates ORDER BY campaign, id`.execute(db);
  const byCampaign = new Map<string, { updates: Uint8Array[]; first: string }>();
  for (const row of old.rows) {
    const entry = byCampaign.get(row.campaign) ?? { updates: [], first: row.stored_at };
    entry.updates.push(new Uint8Array(row.data));
    if (row.stored_at < entry.first) entry.first = row.stored_at;
    byCampaign.set(row.campaign, entry);
  }
  for (const [campaign, { updates, first }] of [...byCampaign].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const merged = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
    const record = { kind: 'server', campaign, issuer: 'legacy', action: 'legacy', subject: '', actor: 'migration', at: first, update: base64url(merged) };
    const json = canonical(record);
    const id = createHash('sha256').update(json).digest('hex');
    await sql`INSERT INTO glossary_log (campaign, record_id, kind, author, record, novel, stored_at, origin)
              VALUES (${campaign}, ${id}, 'server', 'legacy', ${json}, ${merged}, ${first}, 'local')`.execute(db);
  }
  await db.schema.dropTable('glossary_updates').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const bytes = pg ? 'bytea' : 'blob';
  await db.schema
    .createTable('glossary_updates')
    .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('campaign', 'text', (c) => c.notNull())
    .addColumn('data', bytes, (c) => c.notNull())
    .addColumn('stored_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('glossary_updates_campaign_id').on('glossary_updates').columns(['campaign', 'id']).execute();
  // Back to one anonymous update per campaign: the merged novel parts of its log.
  const rows = await sql<{ campaign: string; novel: Uint8Array; stored_at: string }>`SELECT campaign, novel, stored_at FROM glossary_log WHERE novel IS NOT NULL ORDER BY campaign, seq`.execute(db);
  const byCampaign = new Map<string, { updates: Uint8Array[]; last: string }>();
  for (const row of rows.rows) {
    const entry = byCampaign.get(row.campaign) ?? { updates: [], last: row.stored_at };
    entry.updates.push(new Uint8Array(row.novel));
    entry.last = row.stored_at;
    byCampaign.set(row.campaign, entry);
  }
  for (const [campaign, { updates, last }] of byCampaign) {
    await sql`INSERT INTO glossary_updates (campaign, data, stored_at) VALUES (${campaign}, ${Y.mergeUpdates(updates)}, ${last})`.execute(db);
  }
  for (const table of ['glossary_cursors', 'glossary_clients', 'glossary_state', 'glossary_log']) await db.schema.dropTable(table).execute();
}
