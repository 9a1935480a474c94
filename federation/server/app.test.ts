import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import type { Hono } from 'hono';
import { ErrorBody, Health, PROTOCOL_VERSION, SyncResponse } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { createApp } from './app.ts';
import { SECURITY_HEADERS } from './headers.ts';
import { idiom, withField, resign } from '../../test/support/contributions.ts';

describe('the node app (in process)', () => {
  let dir: string;
  let store: Store;
  let app: Hono;
  let logged: unknown[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-app-'));
    store = await openStore({ dataDir: join(dir, 'data') });
    logged = [];
    app = createApp({ store, role: 'hub', version: '1.2.3', webRoot: join(dir, 'web'), log: (_m, e) => logged.push(e) });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sync = (contributions: unknown[]) =>
    app.request('/api/v1/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: uuidv4() }, contributions }),
    });

  it('reports its health, role and versions', async () => {
    const res = await app.request('/api/v1/health');
    expect(Health.parse(await res.json())).toEqual({ status: 'ok', role: 'hub', version: '1.2.3', protocol: PROTOCOL_VERSION });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('serves its OpenAPI document', async () => {
    const doc = (await (await app.request('/api/v1/openapi.json')).json()) as { info: { version: string } };
    expect(doc.info.version).toBe('1.2.3');
  });

  it('answers one result per item, in order, storing only the valid ones', async () => {
    const [a, b] = [idiom(), idiom()];
    const res = await sync([a, withField(idiom(), 'language', 'EN'), b, a]);
    expect(res.status).toBe(200);
    const body = SyncResponse.parse(await res.json());
    expect(body.results.map((r) => [r.index, r.status, r.code])).toEqual([
      [0, 'accepted', undefined],
      [1, 'rejected', 'invalid_language'],
      [2, 'accepted', undefined],
      [3, 'duplicate', undefined],
    ]);
    expect((await store.counts()).total).toBe(2);
  });

  it('marks a conflict with its code', async () => {
    const original = idiom();
    await sync([original]);
    const body = SyncResponse.parse(await (await sync(resign(withField(original, 'data.meaning', 'other')))).json());
    expect(body.results[0]).toMatchObject({ status: 'conflict', code: 'conflict', id: original.id });
    // Changed by anyone but its author, it is not theirs at all.
    const forged = SyncResponse.parse(await (await sync([withField(original, 'data.meaning', 'other')])).json());
    expect(forged.results[0]).toMatchObject({ status: 'rejected', code: 'bad_signature', id: original.id });
  });

  it('answers 405 with Allow for the wrong method', async () => {
    const res = await app.request('/api/v1/sync');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(ErrorBody.parse(await res.json()).error.code).toBe('method_not_allowed');
  });

  it('answers an unexpected failure with a bare 500 and logs it', async () => {
    await store.close(); // every write now fails inside the store
    const res = await sync([idiom()]);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
    expect(logged).toHaveLength(1);
    store = await openStore({ dataDir: join(dir, 'data') });
  });

  it('puts the security headers on answers, errors and missing pages alike', async () => {
    for (const res of [await app.request('/api/v1/health'), await sync(['x']), await app.request('/api/nope'), await app.request('/')]) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
    }
  });
});
