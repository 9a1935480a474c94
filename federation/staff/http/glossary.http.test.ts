/**
 * The shared glossary through the staff API, over the app's real handlers (in process, SQLite):
 * the log with each update's author, reverting a vandal's wipe, restoring a time — librarians on
 * a node only, every action in the audit log — and refusals that change nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AuditList, GlossaryActionResult, GlossaryLog, GlossaryView } from '../../protocol/index.ts';
import { addTerm, listTerms, removeTerm, setConventions } from '../../protocol/glossary.doc.ts';
import { applyCheckedUpdate, decodeServerAnswer, encodeClientRequest } from '../../protocol/glossary.sync.ts';
import { person } from '../../../test/support/contributions.ts';
import { signedSync } from '../../../test/support/glossary.ts';
import { errorCode, signedIn, StaffClient, type StaffWorld, staffWorld } from '../../../test/support/staff.ts';

let w: StaffWorld;
let librarian: StaffClient;
beforeEach(async () => {
  w = await staffWorld();
  librarian = await signedIn(w, 'Amina Njeri', 'librarian');
  // Both write the glossary as credentialed reviewers would; Mallory turns vandal.
  for (const name of ['alice', 'mallory']) await w.store.reviewers.grant({ campaign: 'general', reviewer: person(`staff-glossary-${name}`).contributor, by: 'test' });
});
afterEach(async () => {
  await w.close();
});

const term = (t: string) => ({ term: t, rendering: `${t}!`, language: 'sw', notes: '' });

/** A device syncing the `general` glossary through the app, signed with `name`'s key. */
function device(name: string) {
  const signer = person(`staff-glossary-${name}`);
  const doc = new Y.Doc();
  let sv: Uint8Array | null = null;
  return {
    doc,
    contributor: signer.contributor,
    async sync() {
      const body = encodeClientRequest(doc, sv);
      const { authorization } = signedSync(signer, 'general', body);
      const res = await w.app.request('http://localhost/api/v1/glossary/general/sync', {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', authorization },
        body: body as Uint8Array<ArrayBuffer>,
      });
      expect(res.status).toBe(200);
      const answer = decodeServerAnswer(new Uint8Array(await res.arrayBuffer()));
      applyCheckedUpdate(doc, answer.update, 'node');
      sv = answer.stateVector;
    },
  };
}

const shown = async () => GlossaryView.parse(await (await w.app.request('http://localhost/api/v1/glossary/general')).json());

/** Alice writes three terms and a line of conventions; Mallory deletes everything. */
async function wiped() {
  const alice = device('alice');
  for (const t of ['maji', 'moto', 'jua']) addTerm(alice.doc, t, term(t));
  setConventions(alice.doc, 'Long vowels are written double.');
  await alice.sync();
  w.clock.ms += 60_000;
  const beforeWipe = new Date(Date.now());
  await new Promise((r) => setTimeout(r, 5));
  const mallory = device('mallory');
  await mallory.sync();
  mallory.doc.transact(() => {
    for (const t of listTerms(mallory.doc)) removeTerm(mallory.doc, t.id);
    setConventions(mallory.doc, '');
  });
  await mallory.sync();
  expect((await shown()).terms).toEqual([]);
  return { alice, mallory, beforeWipe };
}

describe('the glossary through the staff API', () => {
  it('shows the log with each update’s author, and reverts the author who wiped it', async () => {
    const { alice, mallory } = await wiped();
    const log = GlossaryLog.parse((await librarian.get('/api/v1/staff/glossary/general/log?limit=10')).body);
    expect(log.entries.map((e) => e.author)).toEqual([mallory.contributor, alice.contributor]);

    const answer = await librarian.post('/api/v1/staff/glossary/general/revert', { author: mallory.contributor });
    expect(answer.status).toBe(200);
    const result = GlossaryActionResult.parse(answer.body);
    expect(result).toMatchObject({ action: 'revert', changed: true, leftOut: 1, terms: { before: 0, after: 3 } });
    expect((await shown()).terms.map((t) => t.term)).toEqual(['jua', 'maji', 'moto']);
    expect((await shown()).conventions).toBe('Long vowels are written double.');

    const [latest] = GlossaryLog.parse((await librarian.get('/api/v1/staff/glossary/general/log?limit=1')).body).entries;
    expect(latest).toMatchObject({ kind: 'server', action: 'revert', subject: mallory.contributor, id: result.record, origin: 'local' });
    expect(latest!.author).toMatch(/^n-[a-z2-7]{16}$/);

    const audit = AuditList.parse((await librarian.get('/api/v1/staff/audit')).body).entries;
    expect(audit.find((e) => e.action === 'glossary_revert')).toMatchObject({
      outcome: 'ok',
      target: 'general',
      actor: { kind: 'staff', name: 'Amina Njeri', role: 'librarian' },
      details: { author: mallory.contributor, changed: true, record: result.record },
    });
    // Mallory's device receives the revert like any update.
    await mallory.sync();
    expect(listTerms(mallory.doc).map((t) => t.term)).toEqual(['jua', 'maji', 'moto']);
  });

  it('restores the glossary as of a time, audited with that time', async () => {
    const { beforeWipe } = await wiped();
    const answer = await librarian.post('/api/v1/staff/glossary/general/restore', { at: beforeWipe.toISOString() });
    expect(answer.status).toBe(200);
    expect(GlossaryActionResult.parse(answer.body)).toMatchObject({ action: 'restore', changed: true, terms: { after: 3 } });
    expect((await shown()).terms).toHaveLength(3);
    const again = GlossaryActionResult.parse((await librarian.post('/api/v1/staff/glossary/general/restore', { at: beforeWipe.toISOString() })).body);
    expect(again).toMatchObject({ changed: false, record: null });
    const audit = AuditList.parse((await librarian.get('/api/v1/staff/audit')).body).entries.filter((e) => e.action === 'glossary_restore');
    expect(audit.map((e) => e.details?.changed)).toEqual([false, true]);
    expect(audit[0]!.details?.at).toBe(beforeWipe.toISOString());
  });

  it('lets only a librarian act on a node: others are refused (and logged), and nothing changes', async () => {
    const { mallory } = await wiped();
    const teacher = await signedIn(w, 'Baraka', 'teacher');
    const steward = await signedIn(w, 'Wanjiru', 'steward');
    for (const who of [teacher, steward]) {
      expect(errorCode(await who.post('/api/v1/staff/glossary/general/revert', { author: mallory.contributor }))).toBe('forbidden');
      expect(errorCode(await who.post('/api/v1/staff/glossary/general/restore', { at: new Date(0).toISOString() }))).toBe('forbidden');
      expect(errorCode(await who.get('/api/v1/staff/glossary/general/log'))).toBe('forbidden');
    }
    expect(errorCode(await new StaffClient(w).post('/api/v1/staff/glossary/general/revert', { author: mallory.contributor }))).toBe('staff_sign_in_required');
    expect((await shown()).terms).toEqual([]);
    const denied = AuditList.parse((await librarian.get('/api/v1/staff/audit')).body).entries.filter((e) => e.outcome === 'denied');
    expect(denied.map((e) => e.action)).toEqual(expect.arrayContaining(['glossary_revert', 'glossary_restore', 'glossary_read']));
  });

  it('refuses a bad author, a bad time, an unknown campaign and a cross-origin request', async () => {
    await wiped();
    expect(errorCode(await librarian.post('/api/v1/staff/glossary/general/revert', { author: 'someone' }))).toBe('invalid_request');
    expect(errorCode(await librarian.post('/api/v1/staff/glossary/general/revert', {}))).toBe('invalid_request');
    expect(errorCode(await librarian.post('/api/v1/staff/glossary/general/restore', { at: 'yesterday' }))).toBe('invalid_request');
    expect(errorCode(await librarian.post('/api/v1/staff/glossary/no-such/revert', { author: 'hub' }))).toBe('not_found');
    expect(errorCode(await librarian.get('/api/v1/staff/glossary/general/log?limit=0'))).toBe('invalid_query');
    const other = new StaffClient(w, { origin: 'http://evil.example' });
    other.cookie = librarian.cookie;
    expect(errorCode(await other.post('/api/v1/staff/glossary/general/revert', { author: 'hub' }))).toBe('cross_origin');
    expect((await shown()).terms).toEqual([]);
  });
});
