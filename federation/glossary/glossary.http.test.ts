/**
 * The glossary endpoints over real HTTP against a real `vernacular serve` child process: devices
 * converge through the node, only what is missing travels, what the node acknowledged survives a
 * crash and a restart, rows are compacted, and bad input is refused with a stable code.
 */
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ErrorBody, GLOSSARY_MAX_UPDATE_BYTES, GlossaryView } from '../protocol/index.ts';
import { addTerm, listTerms, readConventions, removeTerm, setConventions } from '../protocol/glossary.doc.ts';
import { applyCheckedUpdate, decodeServerAnswer, encodeClientRequest, encodeSyncMessages } from '../protocol/glossary.sync.ts';
import { sqlitePath } from '../store/index.ts';
import { type RunningServer, startServer } from '../../test/support/server.ts';
import { DEFAULT_COMPACT_AFTER } from './store.ts';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.dispose();
});

const term = (t: string) => ({ term: t, rendering: `${t} (rendering)`, language: 'sw', notes: '' });

function post(campaign: string, body: Uint8Array, contentType = 'application/octet-stream') {
  return fetch(`${server.url}/api/v1/glossary/${campaign}/sync`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: body as Uint8Array<ArrayBuffer>,
  });
}

/** A device: its document and the node's state vector as last answered. */
class Device {
  readonly doc = new Y.Doc();
  nodeSv: Uint8Array | null = null;
  constructor(readonly campaign = 'general') {}

  async sync(): Promise<{ sent: number; received: number }> {
    const request = encodeClientRequest(this.doc, this.nodeSv);
    const res = await post(this.campaign, request);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const answer = decodeServerAnswer(bytes);
    applyCheckedUpdate(this.doc, answer.update, 'node');
    this.nodeSv = answer.stateVector;
    return { sent: request.byteLength, received: bytes.byteLength };
  }
}

async function view(campaign = 'general'): Promise<GlossaryView> {
  const res = await fetch(`${server.url}/api/v1/glossary/${campaign}`);
  expect(res.status).toBe(200);
  return GlossaryView.parse(await res.json());
}

function rowCount(campaign: string): number {
  const db = new BetterSqlite3(sqlitePath(server.dataDir), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) FROM glossary_updates WHERE campaign = ?').pluck().get(campaign) as number;
  } finally {
    db.close();
  }
}

async function expectRefused(res: Response, status: number, code: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(ErrorBody.parse(await res.json()).error.code).toBe(code);
}

describe('glossary sync over HTTP', () => {
  const a = new Device();
  const b = new Device();

  it('two devices that edited apart converge through the node, and GET shows the same terms', async () => {
    addTerm(a.doc, 'a-1', term('maji'));
    setConventions(a.doc, 'Dates: day month year.');
    addTerm(b.doc, 'b-1', term('moto'));
    setConventions(b.doc, 'Numbers in digits.');
    await a.sync();
    await b.sync();
    await a.sync();
    expect(listTerms(a.doc)).toEqual(listTerms(b.doc));
    expect(readConventions(a.doc)).toBe(readConventions(b.doc));
    expect(listTerms(a.doc).map((t) => t.term)).toEqual(['maji', 'moto']);
    const v = await view();
    expect(v.terms).toEqual(listTerms(a.doc));
    expect(v.conventions).toBe(readConventions(a.doc));
  });

  it('sends only what is missing: an idle sync is a few bytes each way and stores nothing', async () => {
    for (let i = 0; i < 30; i++) addTerm(a.doc, `bulk-${i}`, term(`neno ${i}`));
    const first = await a.sync();
    const rows = rowCount('general');
    const idle = await a.sync();
    expect(first.sent).toBeGreaterThan(500);
    expect(idle.sent).toBeLessThan(first.sent / 10);
    expect(idle.received).toBeLessThan(40);
    expect(rowCount('general')).toBe(rows);
    // b has not seen the thirty: it gets them, and sends almost nothing.
    const catchUp = await b.sync();
    expect(catchUp.received).toBeGreaterThan(500);
    expect(catchUp.sent).toBeLessThan(first.sent / 10);
    expect(listTerms(b.doc)).toHaveLength(32);
  });

  it('keeps what it acknowledged through a crash and a restart', async () => {
    removeTerm(b.doc, 'a-1');
    addTerm(b.doc, 'b-2', term('upepo'));
    await b.sync();
    server.kill();
    await server.restart();
    const fresh = new Device();
    await fresh.sync();
    expect(listTerms(fresh.doc)).toEqual(listTerms(b.doc));
    expect(listTerms(fresh.doc).some((t) => t.id === 'a-1')).toBe(false);
    expect((await view()).terms).toEqual(listTerms(b.doc));
  });

  it('folds a campaign\'s rows into one merged update, losing nothing, also after a restart', async () => {
    const c = new Device('general');
    await c.sync();
    for (let i = 0; i < DEFAULT_COMPACT_AFTER + 5; i++) {
      addTerm(c.doc, `c-${i}`, term(`c ${i}`));
      await c.sync();
      expect(rowCount('general')).toBeLessThanOrEqual(DEFAULT_COMPACT_AFTER);
    }
    expect(rowCount('general')).toBeLessThan(DEFAULT_COMPACT_AFTER);
    await server.restart();
    const fresh = new Device();
    await fresh.sync();
    expect(listTerms(fresh.doc)).toEqual(listTerms(c.doc));
    expect(listTerms(fresh.doc).filter((t) => t.id.startsWith('c-'))).toHaveLength(DEFAULT_COMPACT_AFTER + 5);
  });
});

describe('refused glossary requests change nothing', () => {
  let before: GlossaryView;
  beforeAll(async () => {
    before = await view();
  });

  it('answers 400 malformed_sync_message for bytes that are not sync messages', async () => {
    await expectRefused(await post('general', new Uint8Array([0, 9, 1, 2])), 400, 'malformed_sync_message');
    await expectRefused(await post('general', new Uint8Array([])), 400, 'malformed_sync_message');
    const badUpdate = encodeSyncMessages([
      { type: 'step1', stateVector: new Uint8Array([0]) },
      { type: 'step2', update: new Uint8Array([3, 200, 1, 7]) },
    ]);
    await expectRefused(await post('general', badUpdate), 400, 'malformed_sync_message');
  });

  it('answers 413 body_too_large past the limit', async () => {
    const res = await post('general', new Uint8Array(GLOSSARY_MAX_UPDATE_BYTES + 1));
    expect(res.status).toBe(413);
    const body = ErrorBody.parse(await res.json());
    expect(body.error).toMatchObject({ code: 'body_too_large', details: { limit: GLOSSARY_MAX_UPDATE_BYTES } });
  });

  it('answers 415 for another media type, 404 unknown_campaign for a bad or unknown slug, 405 for GET on sync', async () => {
    const request = encodeClientRequest(new Y.Doc(), null);
    await expectRefused(await post('general', request, 'application/json'), 415, 'unsupported_media_type');
    await expectRefused(await post('Not_A_Slug', request), 404, 'unknown_campaign');
    await expectRefused(await post('no-such-campaign', request), 404, 'unknown_campaign');
    await expectRefused(await fetch(`${server.url}/api/v1/glossary/no-such-campaign`), 404, 'unknown_campaign');
    await expectRefused(await fetch(`${server.url}/api/v1/glossary/general/sync`), 405, 'method_not_allowed');
  });

  it('still holds exactly what it held', async () => {
    expect(await view()).toEqual(before);
  });

  it('describes both endpoints in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/glossary/{campaign}/sync', '/api/v1/glossary/{campaign}']));
    expect(doc.components.schemas).toHaveProperty('Glossary');
    expect(doc.components.schemas).toHaveProperty('GlossaryTerm');
  });
});
