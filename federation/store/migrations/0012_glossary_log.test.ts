/**
 * Migration 0012 on both backends: a store migrated to 0010 with glossaries in `glossary_updates`
 * (anonymous rows, as 0003 kept them) comes out with one `legacy` record per campaign — its
 * update the merge of the old rows, stored as of the earliest — the same glossary, and no old table.
 */
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { GlossaryRecord } from '../../protocol/index.ts';
import { addTerm, listTerms, setConventions } from '../../protocol/glossary.doc.ts';
import { openGlossaryStore } from '../../glossary/store.ts';
import { readRecord, recordId } from '../../glossary/records.ts';
import { usePostgresStores, NO_DATA_DIR } from '../../../test/support/postgres-stores.ts';
import { openStore, sqlitePath } from '../index.ts';
import { migrationProvider } from './index.ts';

const postgres = usePostgresStores();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const term = (t: string) => ({ term: t, rendering: `${t}!`, language: 'sw', notes: '' });

/** Two campaigns' glossaries as 0003 held them: `general` in three rows (one after another), `shule` in one. */
function oldRows(): { campaign: string; data: Uint8Array; stored_at: string }[] {
  const doc = new Y.Doc();
  addTerm(doc, 'a', term('maji'));
  const first = Y.encodeStateAsUpdate(doc);
  let sv = Y.encodeStateVector(doc);
  addTerm(doc, 'b', term('moto'));
  const second = Y.encodeStateAsUpdate(doc, sv);
  sv = Y.encodeStateVector(doc);
  setConventions(doc, 'Long vowels are written double.');
  const third = Y.encodeStateAsUpdate(doc, sv);
  const shule = new Y.Doc();
  addTerm(shule, 'c', term('darasa'));
  return [
    { campaign: 'general', data: second, stored_at: '2026-11-02T00:00:00.000Z' },
    { campaign: 'general', data: first, stored_at: '2026-11-01T00:00:00.000Z' },
    { campaign: 'general', data: third, stored_at: '2026-11-03T00:00:00.000Z' },
    { campaign: 'shule', data: Y.encodeStateAsUpdate(shule), stored_at: '2026-11-04T00:00:00.000Z' },
  ];
}

async function migrateOldStore(db: Kysely<unknown>): Promise<void> {
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo('0010_staff');
  if (error !== undefined) throw error;
  for (const row of oldRows()) {
    await sql`INSERT INTO glossary_updates (campaign, data, stored_at) VALUES (${row.campaign}, ${row.data}, ${row.stored_at})`.execute(db);
  }
  await db.destroy();
}

const backends: [string, () => Promise<{ open: () => ReturnType<typeof openStore> }>][] = [
  [
    'SQLite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vernacular-0012-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      await migrateOldStore(new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(sqlitePath(dir)) }) }));
      return { open: () => openStore({ dataDir: dir, mustExist: true }) };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const schema = await postgres.freshSchema();
      cleanups.push(schema.drop);
      await migrateOldStore(new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: schema.url, max: 1 }) }) }));
      return { open: () => openStore({ dataDir: NO_DATA_DIR, database: schema.url, mustExist: true }) };
    },
  ],
];

describe.each(backends)('migration 0012 on %s', (_name, make) => {
  it('turns each campaign’s anonymous rows into one legacy record, keeping the glossary', async () => {
    const store = await (await make()).open();
    try {
      const glossary = openGlossaryStore(store.db);
      expect(await glossary.campaigns()).toEqual(['general', 'shule']);
      const doc = await glossary.load('general');
      expect(listTerms(doc).map((t) => t.term)).toEqual(['maji', 'moto']);
      const { entries } = await glossary.log('general', { limit: 10 });
      expect(entries).toEqual([
        expect.objectContaining({ kind: 'server', author: 'legacy', action: 'legacy', origin: 'local', storedAt: '2026-11-01T00:00:00.000Z' }),
      ]);
      // The record is one the protocol reads, its id the hash of its canonical JSON, its update the glossary.
      const [stored] = await glossary.records('general', { after: 0 });
      const record = readRecord(GlossaryRecord.parse(JSON.parse(stored!.json)));
      expect(record.id).toBe(entries[0]!.id);
      expect(recordId(record.record)).toBe(entries[0]!.id);
      const fromRecord = new Y.Doc();
      Y.applyUpdate(fromRecord, record.update);
      expect(listTerms(fromRecord)).toEqual(listTerms(doc));
      const { rows } = await sql<{ found: unknown }>`SELECT count(*) AS found FROM glossary_log`.execute(store.db);
      expect(Number(rows[0]!.found)).toBe(2);
      await expect(sql`SELECT count(*) FROM glossary_updates`.execute(store.db)).rejects.toThrow();
      // The legacy author can be reverted like any other: the glossary as if it had never been.
      expect(await glossary.revert('general', 'legacy', { issuer: 'hub', actor: 'cli' })).toMatchObject({ changed: true, terms: { after: 0 } });
    } finally {
      await store.close();
    }
  });
});
