/**
 * The glossary store's contract, run on every backend (store.test.ts: SQLite;
 * store.postgres.test.ts: PostgreSQL) against a fresh, empty main store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, listTerms, removeTerm } from '../protocol/glossary.doc.ts';
import { decodeClientRequest, decodeServerAnswer, encodeClientRequest, GlossarySyncError } from '../protocol/glossary.sync.ts';
import type { Store } from '../store/index.ts';
import type { StoreHarness } from '../store/store.contract.ts';
import { type GlossaryStore, openGlossaryStore } from './store.ts';

const term = (t: string) => ({ term: t, rendering: '', language: '', notes: '' });

export function glossaryStoreContract(name: string, harness: () => StoreHarness): void {
  describe(`${name} GlossaryStore`, () => {
    let h: StoreHarness;
    let store: Store;
    let glossary: GlossaryStore;

    beforeEach(async () => {
      h = harness();
      store = await h.open();
      glossary = openGlossaryStore(store.db, { compactAfter: 4 });
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    const push = (doc: Y.Doc, sv: Uint8Array | null = null, campaign = 'general') =>
      glossary.sync(campaign, decodeClientRequest(encodeClientRequest(doc, sv)));

    it('stores an update once: the same request again appends nothing', async () => {
      const doc = new Y.Doc();
      addTerm(doc, 'x', term('x'));
      expect((await push(doc)).stored).toBe(true);
      expect((await push(doc)).stored).toBe(false);
      expect(await glossary.rowCount('general')).toBe(1);
    });

    it('stores a deletion even though the state vector does not move', async () => {
      const doc = new Y.Doc();
      addTerm(doc, 'x', term('x'));
      const { answer } = await push(doc);
      removeTerm(doc, 'x');
      expect((await push(doc, decodeServerAnswer(answer).stateVector)).stored).toBe(true);
      expect(listTerms(await glossary.load('general'))).toEqual([]);
    });

    it('folds the rows into one when they pass the threshold, keeping every term', async () => {
      const doc = new Y.Doc();
      let sv: Uint8Array | null = null;
      const compactions: boolean[] = [];
      for (let i = 0; i < 9; i++) {
        addTerm(doc, `t${i}`, term(`t${i}`));
        const r = await push(doc, sv);
        sv = decodeServerAnswer(r.answer).stateVector;
        compactions.push(r.compacted);
        expect(await glossary.rowCount('general')).toBeLessThanOrEqual(4);
      }
      expect(compactions.filter(Boolean).length).toBeGreaterThanOrEqual(2);
      expect(listTerms(await glossary.load('general'))).toEqual(listTerms(doc));
    });

    it('keeps campaigns apart and lists those with a glossary', async () => {
      const a = new Y.Doc();
      addTerm(a, 'a', term('a'));
      const b = new Y.Doc();
      addTerm(b, 'b', term('b'));
      await push(a, null, 'zeta');
      await push(b, null, 'alpha');
      expect(await glossary.campaigns()).toEqual(['alpha', 'zeta']);
      expect(listTerms(await glossary.load('zeta')).map((t) => t.id)).toEqual(['a']);
    });

    it('keeps updates that arrive before what they build on, and serves them once complete', async () => {
      const doc = new Y.Doc();
      addTerm(doc, 'first', term('first'));
      const sv1 = Y.encodeStateVector(doc);
      addTerm(doc, 'second', term('second'));
      // Only the second edit arrives (a device that believed the node had the first).
      expect((await push(doc, sv1)).stored).toBe(true);
      expect(listTerms(await glossary.load('general'))).toEqual([]);
      await push(doc, null);
      expect(listTerms(await glossary.load('general')).map((t) => t.id)).toEqual(['first', 'second']);
    });

    it('refuses an update that decodes but cannot be applied, storing nothing', async () => {
      const bogus = { stateVector: new Uint8Array([0]), update: new Uint8Array([1, 1, 200, 1, 0, 9, 9, 9]) };
      await expect(glossary.sync('general', bogus)).rejects.toBeInstanceOf(GlossarySyncError);
      expect(await glossary.rowCount('general')).toBe(0);
    });

    // One store, as a server has: on PostgreSQL its pool runs these on several connections at once;
    // on SQLite its one connection takes them in turn.
    it('loses no update when syncs of one campaign arrive at once, compacting as they go', async () => {
      const docs = Array.from({ length: 12 }, (_, i) => {
        const doc = new Y.Doc();
        addTerm(doc, `t${i}`, term(`t${i}`));
        return doc;
      });
      await Promise.all(docs.map((doc) => push(doc)));
      expect(listTerms(await glossary.load('general')).map((t) => t.id).sort()).toEqual(docs.map((_, i) => `t${i}`).sort());
      expect(await glossary.rowCount('general')).toBeLessThanOrEqual(4);
    });
  });
}
