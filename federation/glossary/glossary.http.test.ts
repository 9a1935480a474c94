/**
 * The glossary endpoints over real HTTP against a real `vernacular serve` child process: devices
 * converge through the node, only what is missing travels, what the node acknowledged survives a
 * crash and a restart, the log keeps every update with its author, and bad input — unsigned, badly
 * signed, from a key the campaign does not take edits from, too large, malformed — is refused
 * with a stable code and changes nothing.
 */
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createHash } from 'node:crypto';
import { deviceAuthorization, deviceRequestMessage, ErrorBody, GLOSSARY_MAX_UPDATE_BYTES, GlossaryView, toBase64url } from '../protocol/index.ts';
import { addTerm, listTerms, readConventions, removeTerm, setConventions } from '../protocol/glossary.doc.ts';
import { encodeClientRequest, encodeSyncMessages } from '../protocol/glossary.sync.ts';
import { sqlitePath } from '../store/index.ts';
import { runCli, type RunningServer, startServer } from '../../test/support/server.ts';
import { grantOn } from '../../test/support/reviewers.ts';
import { person } from '../../test/support/contributions.ts';
import { GlossaryDevice, signedSync } from '../../test/support/glossary.ts';
import { DEFAULT_COMPACT_AFTER } from './store.ts';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
  // The people these tests write the open glossary as: eligible reviewers of `general` (staff granted them).
  await grantOn(server, 'general', ['http-alice', 'http-carol', 'http-dave'].map((n) => person(n).contributor));
});
afterAll(async () => {
  await server?.dispose();
});

const term = (t: string) => ({ term: t, rendering: `${t} (rendering)`, language: 'sw', notes: '' });

/** A device: its document, its key and the node's state vector as last answered; every sync must succeed. */
class Device extends GlossaryDevice {
  #granted = false;

  /** `eligible`: its key holds a reviewer credential in the campaign (granted before it first syncs). */
  constructor(campaign = 'general', name = `device-${Math.random()}`, private readonly eligible = true) {
    super('', person(name), campaign);
  }

  override async sync(): Promise<{ status: number; body: Uint8Array; sent: number; received: number }> {
    this.base = server.url;
    if (this.eligible && !this.#granted) {
      await grantOn(server, this.campaign, [this.signer.contributor]);
      this.#granted = true;
    }
    const r = await super.sync();
    expect(r.status).toBe(200);
    return { ...r, received: r.body.byteLength };
  }
}

async function view(campaign = 'general'): Promise<GlossaryView> {
  const res = await fetch(`${server.url}/api/v1/glossary/${campaign}`);
  expect(res.status).toBe(200);
  return GlossaryView.parse(await res.json());
}

function sql<T>(query: string, ...params: unknown[]): T {
  const db = new BetterSqlite3(sqlitePath(server.dataDir), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).pluck().get(...params) as T;
  } finally {
    db.close();
  }
}

const rowCount = (campaign: string) => sql<number>('SELECT count(*) FROM glossary_log WHERE campaign = ?', campaign);
const unfolded = (campaign: string) => sql<number>('SELECT count(*) FROM glossary_log WHERE campaign = ? AND seq > coalesce((SELECT through FROM glossary_state WHERE campaign = ?), 0)', campaign, campaign);

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

  it('folds a campaign\'s log into a cached state, keeping every row and losing nothing, also after a restart', async () => {
    const c = new Device('general');
    await c.sync();
    const rows = rowCount('general');
    for (let i = 0; i < DEFAULT_COMPACT_AFTER + 5; i++) {
      addTerm(c.doc, `c-${i}`, term(`c ${i}`));
      await c.sync();
      expect(unfolded('general')).toBeLessThan(DEFAULT_COMPACT_AFTER);
    }
    // The log keeps every update; only the cached state is folded.
    expect(rowCount('general')).toBe(rows + DEFAULT_COMPACT_AFTER + 5);
    await server.restart();
    const fresh = new Device();
    await fresh.sync();
    expect(listTerms(fresh.doc)).toEqual(listTerms(c.doc));
    expect(listTerms(fresh.doc).filter((t) => t.id.startsWith('c-'))).toHaveLength(DEFAULT_COMPACT_AFTER + 5);
  });
});

describe('the log keeps every update with its author', () => {
  it('attributes what each key added, and nothing for a sync that added nothing', async () => {
    const alice = new Device('general', 'http-alice');
    await alice.sync();
    const before = rowCount('general');
    addTerm(alice.doc, 'alice-1', term('jua'));
    await alice.sync();
    await alice.sync();
    expect(rowCount('general')).toBe(before + 1);
    const author = sql<string>('SELECT author FROM glossary_log WHERE campaign = ? ORDER BY seq DESC LIMIT 1', 'general');
    expect(author).toBe(person('http-alice').contributor);
    const record = JSON.parse(sql<string>('SELECT record FROM glossary_log WHERE campaign = ? ORDER BY seq DESC LIMIT 1', 'general')) as Record<string, unknown>;
    expect(record).toMatchObject({ kind: 'contributor', campaign: 'general', key: person('http-alice').key });
  });
});

describe('refused glossary requests change nothing', () => {
  let before: GlossaryView;
  let rows: number;
  const carol = new Device('general', 'http-carol');
  beforeAll(async () => {
    await carol.sync();
    before = await view();
    rows = rowCount('general');
  });
  const post = (campaign: string, body: Uint8Array, contentType = 'application/octet-stream') => {
    const d = new GlossaryDevice(server.url, person('http-carol'), campaign);
    return d.post(body, { contentType });
  };
  /** Carol deletes everything (what a vandal would send), as request bytes. */
  const wipe = () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(carol.doc));
    for (const t of listTerms(doc)) removeTerm(doc, t.id);
    return encodeClientRequest(doc, carol.nodeSv);
  };

  it('answers 401 unauthenticated to an unsigned sync, and 401 bad_signature to one whose body, path or key is not what was signed', async () => {
    const body = wipe();
    const d = new GlossaryDevice(server.url, person('http-carol'));
    await expectRefused(await d.post(body, { sign: false }), 401, 'unauthenticated');
    // Signed for another body.
    const { authorization } = signedSync(person('http-carol'), 'general', encodeClientRequest(new Y.Doc(), null));
    const res = await fetch(`${server.url}/api/v1/glossary/general/sync`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', authorization }, body: body as Uint8Array<ArrayBuffer> });
    await expectRefused(res, 401, 'bad_signature');
    // Signed for another campaign's path.
    const other = signedSync(person('http-carol'), 'shule', body);
    const res2 = await fetch(`${server.url}/api/v1/glossary/general/sync`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', authorization: other.authorization }, body: body as Uint8Array<ArrayBuffer> });
    await expectRefused(res2, 401, 'bad_signature');
    // Another key presented than the one that signed.
    const forged = signedSync(person('http-carol'), 'general', body).authorization.replace(person('http-carol').key, person('http-dave').key);
    const res3 = await fetch(`${server.url}/api/v1/glossary/general/sync`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', authorization: forged }, body: body as Uint8Array<ArrayBuffer> });
    await expectRefused(res3, 401, 'bad_signature');
  });

  it('answers 401 stale_request to a sync signed long ago (a replay), with the server\'s time', async () => {
    const body = wipe();
    const { authorization } = signedSync(person('http-carol'), 'general', body, Date.now() - 60 * 60 * 1000);
    const res = await fetch(`${server.url}/api/v1/glossary/general/sync`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', authorization }, body: body as Uint8Array<ArrayBuffer> });
    expect(res.status).toBe(401);
    const error = ErrorBody.parse(await res.json()).error;
    expect(error.code).toBe('stale_request');
    expect(typeof error.details?.serverTime).toBe('string');
  });

  it('answers 400 invalid_request to a sync signed for its path with a query (the record would not verify elsewhere)', async () => {
    const body = wipe();
    const target = '/api/v1/glossary/general/sync?x=1';
    const signer = person('http-carol');
    const ts = Date.now();
    const nonce = 'n'.repeat(22);
    const sig = toBase64url(signer.sign(deviceRequestMessage('POST', target, ts, nonce, createHash('sha256').update(body).digest('hex'))));
    const authorization = deviceAuthorization({ key: signer.key, ts, nonce, sig });
    const res = await fetch(`${server.url}${target}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', authorization }, body: body as Uint8Array<ArrayBuffer> });
    await expectRefused(res, 400, 'invalid_request');
  });

  it('answers 400 malformed_sync_message for signed bytes that are not sync messages', async () => {
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

  it('answers 403 foreign_client to structs written under another device\'s Yjs client id', async () => {
    const forged = new Y.Doc();
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(carol.doc));
    const victim = listTerms(carol.doc).length > 0 ? [...Y.decodeStateVector(Y.encodeStateVector(carol.doc)).keys()][0]! : 0;
    forged.clientID = victim;
    addTerm(forged, 'squat', term('squat'));
    await expectRefused(await post('general', encodeClientRequest(forged, carol.nodeSv)), 403, 'foreign_client');
  });

  it('still holds exactly what it held, and logged nothing', async () => {
    expect(await view()).toEqual(before);
    expect(rowCount('general')).toBe(rows);
  });

  it('describes both endpoints in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/glossary/{campaign}/sync', '/api/v1/glossary/{campaign}']));
    expect(doc.components.schemas).toHaveProperty('Glossary');
    expect(doc.components.schemas).toHaveProperty('GlossaryTerm');
    expect(doc.components.schemas).toHaveProperty('GlossaryRecord');
  });
});

describe('a campaign\'s glossary takes edits only from keys it may', () => {
  const alice = new Device('shule', 'http-shule-alice');
  const mallory = new Device('shule', 'http-shule-mallory', false);

  beforeAll(async () => {
    const made = await runCli(['campaign', 'create', '--data', server.dataDir, '--slug', 'shule', '--title', 'Shule', '--languages', 'sw', '--kinds', 'idiom', '--min-votes', '1']);
    expect(made.code, made.stderr).toBe(0);
    // Alice is an eligible reviewer there (her first sync grants her a credential); Mallory is not.
  });

  it('stores an eligible key\'s edit, refuses an ineligible key\'s with 403 not_eligible, and still answers its reads', async () => {
    addTerm(alice.doc, 'shule-1', term('darasa'));
    await alice.sync();
    const rows = rowCount('shule');

    await mallory.sync(); // nothing to add: answered like anyone
    expect(listTerms(mallory.doc).map((t) => t.id)).toEqual(['shule-1']);
    removeTerm(mallory.doc, 'shule-1');
    const refused = await new GlossaryDevice(server.url, person('http-shule-mallory'), 'shule').post(encodeClientRequest(mallory.doc, mallory.nodeSv));
    await expectRefused(refused, 403, 'not_eligible');
    expect((await view('shule')).terms.map((t) => t.id)).toEqual(['shule-1']);
    expect(rowCount('shule')).toBe(rows);
    // Mallory's own copy keeps the deletion: nothing is taken from the device.
    expect(listTerms(mallory.doc)).toEqual([]);
    // A read (step 1 only) is answered: Mallory still receives Alice's next edit.
    addTerm(alice.doc, 'shule-2', term('mwalimu'));
    await alice.sync();
    const read = new GlossaryDevice(server.url, person('http-shule-mallory'), 'shule');
    const res = await read.post(encodeSyncMessages([{ type: 'step1', stateVector: Y.encodeStateVector(mallory.doc) }]));
    expect(res.status).toBe(200);
  });
});
