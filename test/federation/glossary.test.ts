/**
 * "A test wipes the glossary from one key and restores it", end to end with real processes: a hub
 * on PostgreSQL and two nodes on SQLite, devices signing their syncs with their own keys. One key
 * deletes every term; the wipe reaches every replica; the librarian of the node it came through
 * reverts that author (through the staff API), and the node, a second device, the hub and the
 * other node all converge on the restored glossary. Then the hub's steward restores the glossary
 * as of before a second wipe, and both nodes follow. Records a node forges or tampers with are
 * refused by the hub and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { GlossaryExchangeResponse, GlossaryView, PROTOCOL_VERSION, toBase64url } from '../../federation/protocol/index.ts';
import { addTerm, listTerms, readConventions, removeTerm, setConventions } from '../../federation/protocol/glossary.doc.ts';
import { encodeClientRequest } from '../../federation/protocol/glossary.sync.ts';
import { person } from '../support/contributions.ts';
import { grantOn } from '../support/reviewers.ts';
import { GlossaryDevice, signedSync } from '../support/glossary.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { FakeNode } from '../support/fake-node.ts';
import { type FedNode, type Hub, startHub, startNode, waitFor } from '../support/federation.ts';

const TERMS = ['jua', 'maji', 'moto'];
const CONVENTIONS = 'Long vowels are written double.';
const term = (t: string) => ({ term: t, rendering: `${t} (rendering)`, language: 'sw', notes: '' });

async function view(server: { url: string }): Promise<GlossaryView> {
  const res = await fetch(`${server.url}/api/v1/glossary/general`);
  expect(res.status).toBe(200);
  return GlossaryView.parse(await res.json());
}

const showing = (terms: string[], conventions: string) => async (server: { url: string }) => {
  const v = await view(server);
  return JSON.stringify(v.terms.map((t) => t.term)) === JSON.stringify(terms) && v.conventions === conventions;
};

async function synced(device: GlossaryDevice): Promise<Y.Doc> {
  const r = await device.sync();
  expect(r.status).toBe(200);
  return device.doc;
}

function wipe(doc: Y.Doc): void {
  doc.transact(() => {
    for (const t of listTerms(doc)) removeTerm(doc, t.id);
    setConventions(doc, '');
  });
}

/** Signs in the librarian of `node` as `vernacular user add` and its one-time link let them. */
async function librarianOf(node: FedNode): Promise<(path: string, body: unknown) => Promise<Response>> {
  const added = await node.cli(['user', 'add', '--role', 'librarian', '--name', 'Amina Njeri', '--origin', node.url]);
  expect(added.code, added.stderr).toBe(0);
  const token = /welcome\/([A-Za-z0-9_-]{43})/.exec(added.stdout)![1]!;
  const origin = { origin: node.url, 'content-type': 'application/json' };
  const welcome = await fetch(`${node.url}/api/v1/staff/welcome/${token}/passphrase`, { method: 'POST', headers: origin, body: JSON.stringify({ passphrase: 'haba na haba hujaza kibaba' }) });
  expect(welcome.status).toBe(200);
  const cookie = /__Host-vernacular-staff=[^;]+/.exec(welcome.headers.get('set-cookie') ?? '')![0];
  return (path, body) => fetch(`${node.url}${path}`, { method: 'POST', headers: { ...origin, cookie }, body: JSON.stringify(body) });
}

describe('a glossary wiped from one key comes back on every replica', () => {
  let pg: FreshDatabase;
  let hub: Hub;
  let a: FedNode;
  let b: FedNode;
  let alice: GlossaryDevice;
  let mallory: GlossaryDevice;
  let bob: GlossaryDevice;
  let carol: GlossaryDevice;

  beforeAll(async () => {
    pg = await freshDatabase();
    hub = await startHub({ database: pg.url });
    a = await startNode(hub, 'Library A');
    b = await startNode(hub, 'Library B');
    alice = new GlossaryDevice(a.url, person('fed-glossary-alice'));
    mallory = new GlossaryDevice(a.url, person('fed-glossary-mallory'));
    bob = new GlossaryDevice(a.url, person('fed-glossary-bob'));
    carol = new GlossaryDevice(b.url, person('fed-glossary-carol'));
    // Each node's librarian made its writers eligible reviewers of `general` (the vandal too: a
    // trusted key gone bad, the case a revert is for).
    await grantOn(a, 'general', ['fed-glossary-alice', 'fed-glossary-mallory', 'fed-glossary-bob'].map((n) => person(n).contributor));
    await grantOn(b, 'general', ['fed-glossary-carol', 'fed-glossary-mallory'].map((n) => person(n).contributor));
  });
  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
    await hub?.dispose();
    await pg?.drop();
  });

  it('reaches the hub and the other node with each update’s author', async () => {
    for (const t of TERMS) addTerm(alice.doc, t, term(t));
    setConventions(alice.doc, CONVENTIONS);
    await synced(alice);
    for (const server of [hub, b]) await waitFor(`${server === hub ? 'the hub' : 'node B'} to hold the glossary`, () => showing(TERMS, CONVENTIONS)(server));
    expect(listTerms(await synced(carol)).map((t) => t.term)).toEqual(TERMS);
    const log = await hub.cli(['glossary', 'log', '--campaign', 'general']);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toContain(person('fed-glossary-alice').contributor);
  });

  it('one key deletes every term, and the wipe reaches every replica', async () => {
    await synced(mallory);
    wipe(mallory.doc);
    await synced(mallory);
    for (const server of [a, hub, b]) await waitFor('the wipe to reach every replica', () => showing([], '')(server));
    expect(listTerms(await synced(carol))).toEqual([]);
  });

  it('the librarian reverts that author; the node, a second device, the hub and the other node converge', async () => {
    const post = await librarianOf(a);
    const res = await post('/api/v1/staff/glossary/general/revert', { author: person('fed-glossary-mallory').contributor });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ changed: true, terms: { before: 0, after: 3 } });
    for (const server of [a, hub, b]) await waitFor('the revert to reach every replica', () => showing(TERMS, CONVENTIONS)(server), 60_000);
    for (const device of [bob, carol, alice, mallory]) {
      const doc = await synced(device);
      expect(listTerms(doc).map((t) => t.term)).toEqual(TERMS);
      expect(readConventions(doc)).toBe(CONVENTIONS);
    }
    // The revert is audited on the node.
    const audit = await a.cli(['audit']);
    expect(audit.stdout).toMatch(/glossary_revert/);
  });

  it('the hub’s steward restores the glossary as of before a second wipe, and both nodes follow', async () => {
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const vandal = new GlossaryDevice(b.url, person('fed-glossary-mallory'));
    await synced(vandal);
    wipe(vandal.doc);
    await synced(vandal);
    for (const server of [a, hub, b]) await waitFor('the second wipe to reach every replica', () => showing([], '')(server));

    const restored = await hub.cli(['glossary', 'restore', '--campaign', 'general', '--at', before, '--role', 'hub']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('restored');
    for (const server of [hub, a, b]) await waitFor('the restore to reach every replica', () => showing(TERMS, CONVENTIONS)(server), 60_000);
    for (const device of [carol, alice, vandal]) expect(listTerms(await synced(device)).map((t) => t.term)).toEqual(TERMS);
    const audit = await hub.cli(['audit']);
    expect(audit.stdout).toMatch(/glossary_restore/);
  });

  it('refuses, on the hub, a contributor record whose body is not what was signed and a server record the node did not issue', async () => {
    const fake = new FakeNode(hub.url);
    expect((await fake.enroll(await hub.token('Forger'))).status).toBe(200);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(carol.doc));
    wipe(doc);
    const body = encodeClientRequest(doc, null);
    const { record } = signedSync(person('fed-glossary-carol'), 'general', encodeClientRequest(new Y.Doc(), null));
    const tampered = { ...record, body: toBase64url(body) };
    const forged = { kind: 'server', campaign: 'general', issuer: 'hub', action: 'revert', subject: 'hub', actor: 'cli', at: new Date().toISOString(), update: toBase64url(Y.encodeStateAsUpdate(doc)) };
    const answer = await fake.request('POST', '/federation/v1/glossary/general', { protocol: PROTOCOL_VERSION, after: 0, records: [tampered, forged] });
    expect(answer.status).toBe(200);
    const parsed = GlossaryExchangeResponse.parse(answer.json);
    expect(parsed.problems.map((p) => [p.index, p.code])).toEqual([[0, 'bad_signature'], [1, 'wrong_issuer']]);
    expect(parsed.accepted).toBe(0);
    // It is sent every record it lacks (none of them its own), and the hub still shows the glossary.
    expect(parsed.records.length).toBeGreaterThan(0);
    expect(await showing(TERMS, CONVENTIONS)(hub)).toBe(true);
    const bad = await fake.request('POST', '/federation/v1/glossary/general', { protocol: PROTOCOL_VERSION, after: 0, records: [{ kind: 'contributor' }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.code).toBe('invalid_request');
  });
});
