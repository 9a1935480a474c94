/**
 * Store failures as the server sees them, produced for real: SQLite refusing to grow past a page
 * limit (SQLITE_FULL, the code a full disk gives) and PostgreSQL refusing a NUL; the store is
 * usable again once the cause is gone, and the app answers each with its own status.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { ErrorBody, PROTOCOL_VERSION, type SyncResponse } from '../protocol/index.ts';
import { openStore, type Store } from './index.ts';
import { storeFailure } from './failures.ts';
import { Hono } from 'hono';
import { createApp } from '../server/app.ts';
import { errorHandler } from '../server/errors.ts';
import { idioms } from '../../test/support/contributions.ts';
import { freshDatabase, type FreshDatabase } from '../../test/support/postgres.ts';

describe('storeFailure', () => {
  it('names the failures that are the world’s, by code or by cause, and nothing else', () => {
    const coded = (code: string, message = '') => Object.assign(new Error(message), { code });
    expect(storeFailure(coded('SQLITE_FULL'))).toBe('storage_full');
    expect(storeFailure(coded('53100'))).toBe('storage_full');
    expect(storeFailure(coded('53300'))).toBe('unavailable');
    expect(storeFailure(coded('08006'))).toBe('unavailable');
    expect(storeFailure(coded('57P01'))).toBe('unavailable');
    expect(storeFailure(coded('22021'))).toBe('unstorable_text');
    expect(storeFailure(coded('SQLITE_IOERR_WRITE', 'disk I/O error: database or disk is full'))).toBe('storage_full');
    expect(storeFailure(new Error('wrapped', { cause: coded('SQLITE_FULL') }))).toBe('storage_full');
    for (const other of [coded('SQLITE_CONSTRAINT'), coded('23505'), coded('SQLITE_IOERR_READ', 'disk I/O error'), new Error('bug'), 'text', null]) {
      expect(storeFailure(other)).toBeUndefined();
    }
  });
});

describe('a SQLite store that cannot grow', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-full-'));
    store = await openStore({ dataDir: join(dir, 'data') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sync = (app: ReturnType<typeof createApp>, contributions: unknown[], device = uuidv4()) =>
    app.request('/api/v1/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: device }, contributions }),
    });

  it('is answered 507 storage_full with Retry-After, keeps what it had, and takes writes again once it may grow', async () => {
    const logged: string[] = [];
    const app = createApp({ store, role: 'node', version: 't', webRoot: join(dir, 'web'), log: (m) => logged.push(m) });
    expect((await sync(app, idioms(5))).status).toBe(200);
    const { rows } = await sql<{ page_count: number }>`PRAGMA page_count`.execute(store.db);
    await sql.raw(`PRAGMA max_page_count = ${rows[0]!.page_count + 2}`).execute(store.db);

    const big = idioms(200, { data: { meaning: 'Maana ndefu sana. '.repeat(100) } });
    const full = await sync(app, big);
    expect([full.status, full.headers.get('retry-after')]).toEqual([507, '60']);
    expect(ErrorBody.parse(await full.json()).error).toMatchObject({ code: 'storage_full', details: { retryAfter: 60 } });
    expect((await store.counts()).total).toBe(5); // the failed batch rolled back whole
    expect((await sync(app, big)).status).toBe(507); // and the connection is not stuck in it
    expect(logged.filter((m) => m.startsWith('Storage is full'))).toHaveLength(1); // logged once a minute at most

    await sql.raw('PRAGMA max_page_count = 1073741823').execute(store.db);
    const again = await sync(app, big);
    expect(again.status).toBe(200);
    expect(((await again.json()) as SyncResponse).results.every((r) => r.status === 'accepted')).toBe(true);
    expect((await store.counts()).total).toBe(205);
  });
});

describe('a PostgreSQL store given a NUL', () => {
  let pgdb: FreshDatabase;
  let store: Store;
  beforeAll(async () => {
    pgdb = await freshDatabase();
    store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'vernacular-pg-')), database: pgdb.url });
  });
  afterAll(async () => {
    await store?.close();
    await pgdb?.drop();
  });

  it('refuses it with 22021, which the app answers 400 invalid_text, and stays usable', async () => {
    const error = await sql`SELECT ${'a\u0000b'}::text AS t`.execute(store.db).then(() => undefined, (err: unknown) => err);
    expect(storeFailure(error)).toBe('unstorable_text');
    // Text that reaches the store past every check is answered 400 by the one error handler, not 500.
    const app = new Hono();
    app.onError(errorHandler(() => {}));
    app.get('/campaign/:slug', async (c) => c.json((await store.campaign(c.req.param('slug'))) ?? null));
    const response = await app.request('/campaign/gen%00eral');
    expect(response.status).toBe(400);
    expect(ErrorBody.parse(await response.json()).error.code).toBe('invalid_text');
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(store.db)).rows[0]!.one).toBe(1);
  });
});
