/**
 * The glossary store's contract, run on every backend (store.test.ts: SQLite;
 * store.postgres.test.ts: PostgreSQL) against a fresh, empty main store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, listTerms, readConventions, removeTerm, setConventions, updateTerm } from '../protocol/glossary.doc.ts';
import { decodeClientRequest, decodeServerAnswer, encodeClientRequest, GlossarySyncError } from '../protocol/glossary.sync.ts';
import { GlossaryRecord } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import type { StoreHarness } from '../store/store.contract.ts';
import { person } from '../../test/support/contributions.ts';
import { deviceWrite, syncDoc } from '../../test/support/glossary.ts';
import { GlossaryRefusal, type GlossaryStore, openGlossaryStore } from './store.ts';
import { readRecord, recordId } from './records.ts';

const term = (t: string) => ({ term: t, rendering: `${t}!`, language: '', notes: '' });
const ids = (doc: Y.Doc) => listTerms(doc).map((t) => t.id);
const HUB = { issuer: 'hub', actor: 'u-steward000000000' };

export function glossaryStoreContract(name: string, harness: () => StoreHarness): void {
  describe(`${name} GlossaryStore`, () => {
    let h: StoreHarness;
    let store: Store;
    let glossary: GlossaryStore;
    const clock = { ms: Date.parse('2026-12-01T09:00:00.000Z') };

    beforeEach(async () => {
      h = harness();
      store = await h.open();
      clock.ms = Date.parse('2026-12-01T09:00:00.000Z');
      glossary = openGlossaryStore(store.db, { compactAfter: 4, now: () => new Date(clock.ms) });
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    const alice = person('glossary-alice');
    const bob = person('glossary-bob');
    const mallory = person('glossary-mallory');

    /** A device: its own document, the node's state vector as last answered, and its key. */
    const device = (signer = alice) => {
      const doc = new Y.Doc();
      let sv: Uint8Array | null = null;
      return {
        doc,
        async sync(campaign = 'general', eligible = true) {
          const r = await syncDoc(glossary, campaign, doc, sv, signer, eligible);
          const answer = decodeServerAnswer(r.answer);
          Y.applyUpdate(doc, answer.update);
          sv = answer.stateVector;
          return r;
        },
      };
    };

    it('stores an update once, with its author: the same request again appends nothing', async () => {
      const a = device();
      addTerm(a.doc, 'x', term('x'));
      expect((await a.sync()).stored).toBe(true);
      expect((await a.sync()).stored).toBe(false);
      const { entries } = await glossary.log('general', { limit: 10 });
      expect(entries.map((e) => [e.author, e.kind, e.origin])).toEqual([[alice.contributor, 'contributor', 'local']]);
      expect(entries[0]!.bytes).toBeGreaterThan(0);
    });

    it('stores a deletion even though the state vector does not move, and attributes it to whoever deleted', async () => {
      const a = device();
      addTerm(a.doc, 'x', term('x'));
      await a.sync();
      const b = device(bob);
      await b.sync();
      removeTerm(b.doc, 'x');
      expect((await b.sync()).stored).toBe(true);
      expect(listTerms(await glossary.load('general'))).toEqual([]);
      // Alice's device now carries the deletion in every request: it is not hers, and not stored again.
      expect((await a.sync()).stored).toBe(false);
      expect((await glossary.log('general', { limit: 10 })).entries.map((e) => e.author)).toEqual([bob.contributor, alice.contributor]);
    });

    it('refuses an update that adds something from a key that may not write, storing nothing, and still answers its reads', async () => {
      const a = device();
      addTerm(a.doc, 'x', term('x'));
      await a.sync();
      const m = device(mallory);
      await m.sync('general', false); // nothing new from it: answered like anyone
      expect(ids(m.doc)).toEqual(['x']);
      removeTerm(m.doc, 'x');
      await expect(m.sync('general', false)).rejects.toMatchObject({ code: 'not_eligible' });
      expect(ids(await glossary.load('general'))).toEqual(['x']);
      expect((await glossary.stats('general')).records).toBe(1);
    });

    it('refuses structs written under another author’s Yjs client id', async () => {
      const a = device();
      addTerm(a.doc, 'x', term('x'));
      await a.sync();
      // Mallory copies Alice's document, client id and all, and writes on under it.
      const forged = new Y.Doc();
      Y.applyUpdate(forged, Y.encodeStateAsUpdate(a.doc));
      forged.clientID = a.doc.clientID;
      addTerm(forged, 'y', term('squatted'));
      const body = encodeClientRequest(forged, Y.encodeStateVector(a.doc));
      const err = await glossary.sync('general', decodeClientRequest(body), deviceWrite(mallory, 'general', body)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GlossaryRefusal);
      expect((err as GlossaryRefusal).code).toBe('foreign_client');
      expect(ids(await glossary.load('general'))).toEqual(['x']);
    });

    it('reverts one author: a wipe is undone, others’ later edits stay, and a second revert changes nothing', async () => {
      const a = device();
      for (const t of ['maji', 'moto', 'jua']) addTerm(a.doc, t, term(t));
      setConventions(a.doc, 'Long vowels are written double.');
      await a.sync();
      const m = device(mallory);
      await m.sync();
      m.doc.transact(() => {
        for (const id of ids(m.doc)) removeTerm(m.doc, id);
        setConventions(m.doc, 'lol');
      });
      await m.sync();
      const b = device(bob);
      await b.sync();
      addTerm(b.doc, 'upepo', term('upepo'));
      await b.sync();
      expect(ids(await glossary.load('general'))).toEqual(['upepo']);

      const result = await glossary.revert('general', mallory.contributor, HUB);
      expect(result).toMatchObject({ campaign: 'general', action: 'revert', changed: true, leftOut: 1, terms: { before: 1, after: 4 } });
      const doc = await glossary.load('general');
      expect(ids(doc).sort()).toEqual(['jua', 'maji', 'moto', 'upepo']);
      expect(readConventions(doc)).toBe('Long vowels are written double.');
      const [latest] = (await glossary.log('general', { limit: 1 })).entries;
      expect(latest).toMatchObject({ kind: 'server', author: 'hub', action: 'revert', subject: mallory.contributor, actor: HUB.actor, id: result.record });

      expect(await glossary.revert('general', mallory.contributor, HUB)).toMatchObject({ changed: false, record: null });
      // Every device that syncs converges on the restored glossary, Mallory's included.
      for (const d of [a, b, m]) {
        await d.sync();
        expect(ids(d.doc).sort()).toEqual(['jua', 'maji', 'moto', 'upepo']);
        expect(readConventions(d.doc)).toBe('Long vowels are written double.');
      }
    });

    it('takes along edits others made inside what the reverted author created', async () => {
      const m = device(mallory);
      addTerm(m.doc, 'spam', term('spam'));
      await m.sync();
      const b = device(bob);
      await b.sync();
      updateTerm(b.doc, 'spam', { ...term('spam'), notes: 'bob was here' });
      addTerm(b.doc, 'mine', term('mine'));
      await b.sync();
      await glossary.revert('general', mallory.contributor, HUB);
      expect(ids(await glossary.load('general'))).toEqual(['mine']);
    });

    it('restores the glossary as this server held it at a time', async () => {
      const a = device();
      addTerm(a.doc, 'maji', term('maji'));
      await a.sync();
      clock.ms += 60_000;
      const before = new Date(clock.ms);
      clock.ms += 60_000;
      updateTerm(a.doc, 'maji', { ...term('maji'), rendering: 'WRONG' });
      addTerm(a.doc, 'later', term('later'));
      await a.sync();
      const result = await glossary.restore('general', before, { issuer: 'n-aaaaaaaaaaaaaaaa', actor: 'cli' });
      expect(result).toMatchObject({ action: 'restore', changed: true, leftOut: 1, terms: { before: 2, after: 1 } });
      expect(listTerms(await glossary.load('general'))).toEqual([{ id: 'maji', ...term('maji') }]);
      const [latest] = (await glossary.log('general', { limit: 1 })).entries;
      expect(latest).toMatchObject({ author: 'n-aaaaaaaaaaaaaaaa', action: 'restore', subject: before.toISOString(), actor: 'cli' });
      // Restoring to the beginning of time empties it; restoring to now changes nothing.
      expect(await glossary.restore('general', new Date(clock.ms + 1000), HUB)).toMatchObject({ changed: false });
      expect(await glossary.restore('general', new Date(0), HUB)).toMatchObject({ changed: true, terms: { after: 0 } });
    });

    it('folds the log into a cached state as rows pile up, never deleting a row, keeping every term', async () => {
      const a = device();
      const compactions: boolean[] = [];
      for (let i = 0; i < 9; i++) {
        addTerm(a.doc, `t${i}`, term(`t${i}`));
        compactions.push((await a.sync()).compacted);
        expect((await glossary.stats('general')).unfolded).toBeLessThan(4);
      }
      expect(compactions.filter(Boolean).length).toBeGreaterThanOrEqual(2);
      expect((await glossary.stats('general')).records).toBe(9);
      expect(listTerms(await glossary.load('general'))).toEqual(listTerms(a.doc));
    });

    it('keeps campaigns apart and lists those with a glossary', async () => {
      const a = device();
      addTerm(a.doc, 'a', term('a'));
      const b = device(bob);
      addTerm(b.doc, 'b', term('b'));
      await a.sync('zeta');
      await b.sync('alpha');
      expect(await glossary.campaigns()).toEqual(['alpha', 'zeta']);
      expect(ids(await glossary.load('zeta'))).toEqual(['a']);
    });

    it('keeps updates that arrive before what they build on, and serves them once complete', async () => {
      const doc = new Y.Doc();
      addTerm(doc, 'first', term('first'));
      const sv1 = Y.encodeStateVector(doc);
      addTerm(doc, 'second', term('second'));
      // Only the second edit arrives (a device that believed the node had the first).
      expect((await syncDoc(glossary, 'general', doc, sv1, alice)).stored).toBe(true);
      expect(listTerms(await glossary.load('general'))).toEqual([]);
      // Sent again, it adds nothing the server does not hold already (pending).
      expect((await syncDoc(glossary, 'general', doc, sv1, alice)).stored).toBe(false);
      await syncDoc(glossary, 'general', doc, null, alice);
      expect(ids(await glossary.load('general'))).toEqual(['first', 'second']);
    });

    it('refuses an update that decodes but cannot be applied, storing nothing', async () => {
      const bogus = { stateVector: new Uint8Array([0]), update: new Uint8Array([1, 1, 200, 1, 0, 9, 9, 9]) };
      await expect(glossary.sync('general', bogus, deviceWrite(alice, 'general', new Uint8Array([0])))).rejects.toBeInstanceOf(GlossarySyncError);
      expect((await glossary.stats('general')).records).toBe(0);
    });

    it('stores relayed records once each, with their authors, and gives them out by origin and position', async () => {
      const a = device();
      addTerm(a.doc, 'x', term('x'));
      await a.sync();
      const [local] = await glossary.records('general', { after: 0 });
      const record = readRecord(GlossaryRecord.parse(JSON.parse(local!.json)));
      expect(record.author).toBe(alice.contributor);
      expect(record.id).toBe(recordId(record.record));

      // A record relayed from a node: accepted once, then a duplicate however often it comes.
      const b = device(bob);
      addTerm(b.doc, 'y', term('y'));
      const body = encodeClientRequest(b.doc, null);
      const relayed = readRecord(deviceWrite(bob, 'general', body).record);
      expect(await glossary.ingest('general', [relayed, relayed], 'n-bbbbbbbbbbbbbbbb')).toEqual(['accepted', 'duplicate']);
      expect(await glossary.ingest('general', [relayed], 'n-bbbbbbbbbbbbbbbb')).toEqual(['duplicate']);
      expect(ids(await glossary.load('general'))).toEqual(['x', 'y']);
      const top = await glossary.top('general');
      expect((await glossary.records('general', { after: 0 })).map((r) => r.seq)).toHaveLength(2);
      expect((await glossary.records('general', { after: 0, excludeOrigin: 'n-bbbbbbbbbbbbbbbb' })).map((r) => r.json)).toEqual([local!.json]);
      expect(await glossary.records('general', { after: top })).toEqual([]);
      expect(await glossary.records('general', { after: 0, through: top - 1 })).toHaveLength(1);
      const [entry] = (await glossary.log('general', { limit: 1 })).entries;
      expect(entry).toMatchObject({ author: bob.contributor, origin: 'n-bbbbbbbbbbbbbbbb' });
    });

    it('answers a relayed record that cannot be applied as invalid, and stores the rest of the batch', async () => {
      const b = device(bob);
      addTerm(b.doc, 'y', term('y'));
      const good = readRecord(deviceWrite(bob, 'general', encodeClientRequest(b.doc, null)).record);
      const bad = { ...good, id: 'f'.repeat(64), update: new Uint8Array([1, 1, 200, 1, 0, 9, 9, 9]) };
      expect(await glossary.ingest('general', [bad, good], 'hub')).toEqual(['invalid', 'accepted']);
      expect(ids(await glossary.load('general'))).toEqual(['y']);
    });

    it('pages the log newest first, and keeps a node’s hub cursors', async () => {
      const a = device();
      for (let i = 0; i < 5; i++) {
        addTerm(a.doc, `t${i}`, term(`t${i}`));
        await a.sync();
      }
      const first = await glossary.log('general', { limit: 3 });
      expect(first.entries.map((e) => e.seq)).toEqual([...first.entries.map((e) => e.seq)].sort((x, y) => y - x));
      expect(first.next).toBe(first.entries[2]!.seq);
      const second = await glossary.log('general', { limit: 3, before: first.next! });
      expect(second.entries).toHaveLength(2);
      expect(second.next).toBeNull();

      expect(await glossary.cursors('general')).toEqual({ pushed: 0, pulled: 0 });
      await glossary.saveCursors('general', { pushed: 4, pulled: 9 });
      await glossary.saveCursors('general', { pushed: 5, pulled: 12 });
      expect(await glossary.cursors('general')).toEqual({ pushed: 5, pulled: 12 });
    });

    // One store, as a server has: on PostgreSQL its pool runs these on several connections at once;
    // on SQLite its one connection takes them in turn.
    it('loses no update when syncs of one campaign arrive at once, folding as they go', async () => {
      const docs = Array.from({ length: 12 }, (_, i) => {
        const doc = new Y.Doc();
        addTerm(doc, `t${i}`, term(`t${i}`));
        return doc;
      });
      await Promise.all(docs.map((doc, i) => syncDoc(glossary, 'general', doc, null, person(`glossary-crowd-${i}`))));
      expect(ids(await glossary.load('general')).sort()).toEqual(docs.map((_, i) => `t${i}`).sort());
      expect(await glossary.stats('general')).toMatchObject({ records: 12 });
      expect((await glossary.stats('general')).unfolded).toBeLessThan(4);
      const seqs = (await glossary.records('general', { after: 0 })).map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    });
  });
}
