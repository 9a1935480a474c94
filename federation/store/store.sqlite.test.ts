import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, Idiom } from '../protocol/index.ts';
import { openStore, sqlitePath } from './index.ts';
import { RELAY_COLUMNS, relayText } from './rows.ts';
import { storeContract } from './store.contract.ts';
import { derivedContract } from './derived.contract.ts';
import { relayContract } from './relay.contract.ts';
import { reviewersContract } from './reviewers.contract.ts';
import { migrationProvider } from './migrations/index.ts';
import { idiom, idioms } from '../../test/support/contributions.ts';

const sqliteHarness = () => {
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-store-'));
  return {
    open: () => openStore({ dataDir: dir }),
    reopen: () => openStore({ dataDir: dir, mustExist: true }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
};
storeContract('SQLite', sqliteHarness);
derivedContract('SQLite', sqliteHarness);
relayContract('SQLite', sqliteHarness);
reviewersContract('SQLite', sqliteHarness);

describe('SQLite store file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const inspect = <T>(query: (db: BetterSqlite3.Database) => T): T => {
    const db = new BetterSqlite3(sqlitePath(dir), { readonly: true });
    try {
      return query(db);
    } finally {
      db.close();
    }
  };

  it('creates the data folder and a WAL-mode database in it', async () => {
    const nested = join(dir, 'a', 'b');
    const store = await openStore({ dataDir: nested });
    await store.close();
    dir = nested;
    expect(inspect((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('runs each migration once, however often it is opened', async () => {
    for (let i = 0; i < 3; i++) await (await openStore({ dataDir: dir })).close();
    const names = inspect((db) => db.prepare('SELECT name FROM kysely_migration').pluck().all());
    expect(names).toEqual(Object.keys(await migrationProvider.getMigrations()).sort());
  });

  it('refuses a database migrated by a newer version of the program', async () => {
    await (await openStore({ dataDir: dir })).close();
    const db = new BetterSqlite3(sqlitePath(dir));
    db.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_future', '2030-01-01')").run();
    db.close();
    await expect(openStore({ dataDir: dir })).rejects.toThrow(/migration/i);
  });

  it('refuses to create a store where one must already exist', async () => {
    await expect(openStore({ dataDir: join(dir, 'missing'), mustExist: true })).rejects.toThrow();
  });

  it('stores rows with canonical data and an index for reading one kind in order', async () => {
    const store = await openStore({ dataDir: dir });
    const [item] = idioms(1, { data: { register: 'formal', region: 'Pwani' } }).map((i) => Idiom.parse(i));
    await store.ingest(uuidv4(), [item!]);
    await store.close();
    const row = inspect((db) => db.prepare('SELECT data, kind, language, licence FROM contributions').get()) as Record<string, string>;
    expect(row.data).toBe(JSON.stringify({ example: item!.data.example, expression: item!.data.expression, meaning: item!.data.meaning, region: 'Pwani', register: 'formal' }));
    expect(row).toMatchObject({ kind: 'idiom', language: 'sw', licence: 'CC0-1.0' });
    const indexes = inspect((db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all());
    expect(indexes).toContain('contributions_kind_seq');
  });

  it('lets a second connection read while the store is open', async () => {
    const store = await openStore({ dataDir: dir });
    await store.ingest(uuidv4(), idioms(2).map((i) => Contribution.parse(i)));
    expect(inspect((db) => db.prepare('SELECT count(*) FROM contributions').pluck().get())).toBe(2);
    await store.close();
  });

  it('keeps a transaction that reads then writes clear of another process writing the same file', async () => {
    // `vernacular campaign create` runs beside a serving node. A deferred transaction that read
    // before another connection committed cannot take the write lock (SQLITE_BUSY, "database is
    // locked", with no wait); the store's transactions take it when they begin, waiting their turn.
    const store = await openStore({ dataDir: dir });
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const writer = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const db = new (require('better-sqlite3'))(workerData.path);
       db.pragma('busy_timeout = 5000');
       db.exec('CREATE TABLE IF NOT EXISTS scratch (x INTEGER)');
       const insert = db.prepare('INSERT INTO scratch (x) VALUES (?)');
       const stop = new Int32Array(workerData.stop);
       parentPort.postMessage('ready');
       let n = 0;
       while (Atomics.load(stop, 0) === 0) insert.run(n++);
       db.close();
       parentPort.postMessage(n);`,
      { eval: true, workerData: { path: sqlitePath(dir), stop: stop.buffer } },
    );
    await new Promise((resolve) => writer.once('message', resolve));
    try {
      for (let i = 0; i < 150; i++) {
        await store.saveCampaign({
          slug: `drive-${i % 5}`, title: 'Library drive', description: '', languages: ['sw'], kinds: ['idiom'], goals: [],
          licence: 'CC0-1.0', consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 },
        });
      }
      expect((await store.campaigns()).map((c) => [c.slug, c.version])).toEqual([0, 1, 2, 3, 4].map((n) => [`drive-${n}`, 30]));
      Atomics.store(stop, 0, 1);
      const written = (await new Promise((resolve) => writer.once('message', resolve))) as number;
      expect(written).toBeGreaterThan(0);
    } finally {
      await writer.terminate();
      await store.close();
    }
  });

  it('writes the relay texts in SQL byte for byte as relayText writes them from the columns', async () => {
    const store = await openStore({ dataDir: dir });
    const first = idiom({ data: { expression: 'Haba na "haba"', meaning: 'Back\\slash, tab\there,\nnew line', example: 'مثال 🌍 עִבְרִית — ﷺ' } });
    const edit = idiom({ contributor: first.contributor, revisionOf: first.id });
    const checked = {
      ...idiom(),
      checks: { language: { detected: 'sw', score: 0.9, matches: true, confirmed: false, detector: 'eld@1.0.0' }, personalData: { kept: [], redacted: [{ type: 'email', count: 1 }] } },
    };
    await store.ingest(uuidv4(), [first, edit, checked, ...idioms(3)].map((i) => Contribution.parse(i)));
    const texts = await store.relayTexts({ after: 0, limit: 100 });
    await store.close();
    const fromColumns = inspect((db) =>
      (db.prepare(`SELECT ${RELAY_COLUMNS.join(', ')} FROM contributions ORDER BY seq`).raw().all() as unknown[][]).map(relayText),
    );
    expect(texts).toHaveLength(6);
    expect(texts).toEqual(fromColumns);
    expect(JSON.parse(texts[1]!.json)).toMatchObject({ contribution: { revisionOf: first.id } });
    expect(JSON.parse(texts[2]!.json)).toMatchObject({ contribution: { checks: checked.checks } });
  });
});
