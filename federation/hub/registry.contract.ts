/**
 * The federation state contract, run on every backend (registry.sqlite.test.ts,
 * registry.postgres.test.ts): the hub's tokens, nodes, nonces, batches and cursors, and a node's
 * link to its hub.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import type { StoreHarness } from '../store/store.contract.ts';
import { HubRegistry } from './registry.ts';
import { LinkStore } from '../node/link.ts';
import { generateNodeKey } from '../trust/keys.ts';
import { idiom } from '../../test/support/contributions.ts';
import { Contribution } from '../protocol/index.ts';

export function registryContract(name: string, harness: () => StoreHarness): void {
  describe(`federation state on ${name}`, () => {
    let h: StoreHarness;
    let store: Store;
    let registry: HubRegistry;
    beforeEach(async () => {
      h = harness();
      store = await h.open();
      registry = new HubRegistry(store.db);
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    const key = () => generateNodeKey().key;

    it('spends a token once, on one key, and keeps only its hash', async () => {
      const { token } = await registry.createToken('Library of X');
      const k = key();
      const first = await registry.enrol(token, k.id, k.publicKey);
      expect(first).toMatchObject({ ok: true, node: { id: k.id, name: 'Library of X', state: 'active', quarantined: false, cursor: 0 } });
      const other = key();
      expect(await registry.enrol(token, other.id, other.publicKey)).toEqual({ ok: false, reason: 'invalid_token' });
      const rows = await registry.db.selectFrom('fed_tokens').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it('refuses an expired token', async () => {
      const { token } = await registry.createToken('Old', 1, new Date('2020-01-01T00:00:00Z'));
      const k = key();
      expect(await registry.enrol(token, k.id, k.publicKey)).toEqual({ ok: false, reason: 'invalid_token' });
    });

    it('keeps a node’s id and history when the same key enrols again', async () => {
      const k = key();
      await registry.enrol((await registry.createToken('First name')).token, k.id, k.publicKey);
      await registry.recordAndAdvance({ node: k.id, after: 0, through: 42, signature: 's', ids: [], receivedAt: 't' });
      const again = await registry.enrol((await registry.createToken('New name')).token, k.id, k.publicKey);
      expect(again).toMatchObject({ ok: true, node: { id: k.id, name: 'New name', cursor: 42 } });
      expect(await registry.nodes()).toHaveLength(1);
    });

    it('moves a cursor only forward', async () => {
      const k = key();
      await registry.enrol((await registry.createToken('N')).token, k.id, k.publicKey);
      const batch = (after: number, through: number) => ({ node: k.id, after, through, signature: 's', ids: [], receivedAt: 't' });
      expect(await registry.recordAndAdvance(batch(0, 10))).toBe(10);
      expect(await registry.recordAndAdvance(batch(0, 5))).toBe(10);
      expect(await registry.recordAndAdvance(batch(10, 2 ** 40))).toBe(2 ** 40);
    });

    it('records a batch and moves the cursor together, only forward, the same batch again changing nothing', async () => {
      const k = key();
      await registry.enrol((await registry.createToken('N')).token, k.id, k.publicKey);
      const batch = { node: k.id, after: 0, through: 10, signature: 's', ids: ['id-1'], receivedAt: 't' };
      expect(await registry.recordAndAdvance(batch)).toBe(10);
      expect(await registry.recordAndAdvance({ ...batch, signature: 'other' })).toBe(10);
      expect(await registry.recordAndAdvance({ ...batch, after: 2, through: 5 })).toBe(10);
      const all = [];
      for await (const b of registry.batches()) all.push(b);
      expect(all.map((b) => [b.after, b.through, b.signature])).toEqual([[0, 10, 's'], [2, 5, 's']]);
      expect(await registry.node(k.id)).toMatchObject({ cursor: 10 });
    });

    it('accepts a nonce once per node, and forgets expired ones', async () => {
      expect(await registry.useNonce('n-a', 'nonce-1', 1000)).toBe(true);
      expect(await registry.useNonce('n-a', 'nonce-1', 1000)).toBe(false);
      expect(await registry.useNonce('n-b', 'nonce-1', 1000)).toBe(true);
      await registry.purgeNonces(2000);
      expect(await registry.nonceUsed('n-a', 'nonce-1')).toBe(false);
      expect(await registry.useNonce('n-a', 'nonce-1', 3000)).toBe(true);
      expect(await registry.nonceUsed('n-a', 'nonce-1')).toBe(true);
      expect(await registry.nonceUsed('n-b', 'nonce-2')).toBe(false);
    });

    it('records revocation and quarantine, and finds a node by id or by its unique name', async () => {
      const a = key();
      const b = key();
      await registry.enrol((await registry.createToken('Same')).token, a.id, a.publicKey);
      await registry.enrol((await registry.createToken('Other')).token, b.id, b.publicKey);
      expect((await registry.find('Other')).id).toBe(b.id);
      await registry.setState(b.id, 'revoked');
      await registry.setQuarantined(b.id, true);
      expect(await registry.node(b.id)).toMatchObject({ state: 'revoked', quarantined: true });
      expect([...(await registry.quarantined())]).toEqual([b.id]);
      await registry.setQuarantined(b.id, false);
      expect((await registry.quarantined()).size).toBe(0);
      await expect(registry.find('Nobody')).rejects.toThrow(/No enrolled node/);
    });

    it('keeps each batch once and lists them all in order, across pages', async () => {
      for (let i = 0; i < 450; i++) {
        await registry.recordAndAdvance({ node: i % 2 ? 'n-b' : 'n-a', after: i, through: i + 1, signature: 's', ids: [`id-${i}`], receivedAt: 't' });
      }
      await registry.recordAndAdvance({ node: 'n-a', after: 0, through: 1, signature: 'other', ids: [], receivedAt: 't' });
      const all = [];
      for await (const b of registry.batches()) all.push(b);
      expect(all).toHaveLength(450);
      expect(all[0]).toMatchObject({ node: 'n-a', after: 0, through: 1, signature: 's', ids: ['id-0'] });
      expect(all.map((b) => `${b.node}:${b.after}`)).toEqual([...all].sort((x, y) => (x.node < y.node ? -1 : x.node > y.node ? 1 : x.after - y.after)).map((b) => `${b.node}:${b.after}`));
    });

    it('keeps a node’s link: cursors, state and clock offset, and counts what the hub lacks', async () => {
      const links = new LinkStore(store.db);
      expect(await links.get()).toBeUndefined();
      await links.enrolled({ hubUrl: 'http://hub', nodeId: 'n-aaaaaaaaaaaaaaaa', nodeName: 'X', hubId: 'hub', hubName: 'Hub' });
      await store.ingest('device-1', [Contribution.parse(idiom()), Contribution.parse(idiom()), Contribution.parse(idiom())]);
      await store.ingestRelayed('hub', [{ contribution: Contribution.parse(idiom()), deviceId: 'd', receivedAt: new Date().toISOString() }]);
      expect(await links.backlog(0)).toBe(3);
      expect(await links.backlog(2)).toBe(1);
      await links.update({ pushCursor: 3, pullCursor: 7, state: 'revoked', lastError: 'words', clockOffsetMs: -86_400_000 });
      expect(await links.get()).toMatchObject({ pushCursor: 3, pullCursor: 7, state: 'revoked', lastError: 'words', clockOffsetMs: -86_400_000 });
      // Enrolling again with the same hub keeps the cursors; another hub starts over.
      await links.enrolled({ hubUrl: 'http://hub', nodeId: 'n-aaaaaaaaaaaaaaaa', nodeName: 'X', hubId: 'hub', hubName: 'Hub' });
      expect(await links.get()).toMatchObject({ pushCursor: 3, state: 'ok', lastError: null });
      await links.enrolled({ hubUrl: 'http://other', nodeId: 'n-aaaaaaaaaaaaaaaa', nodeName: 'X', hubId: 'hub', hubName: 'Hub' });
      expect(await links.get()).toMatchObject({ pushCursor: 0, pullCursor: 0 });
    });

    it('keeps the records a hub refused, newest first, until the node enrols with another hub', async () => {
      const links = new LinkStore(store.db);
      await links.enrolled({ hubUrl: 'http://hub', nodeId: 'n-aaaaaaaaaaaaaaaa', nodeName: 'X', hubId: 'hub', hubName: 'Hub' });
      expect(await links.setAsideSummary()).toEqual({ count: 0, recent: [] });
      await links.setAside([
        { seq: 5, id: 'a', code: 'conflict', message: 'taken', refusedAt: '2026-12-01T10:00:00.000Z' },
        { seq: 9, id: 'b', code: 'invalid_text', field: 'deviceId', message: 'NUL', refusedAt: '2026-12-01T10:00:01.000Z' },
      ]);
      await links.setAside([{ seq: 5, id: 'a', code: 'bad_batch_signature', message: 'again', refusedAt: '2026-12-01T10:00:02.000Z' }]);
      expect(await links.setAsideSummary(1)).toEqual({
        count: 2,
        recent: [{ seq: 5, id: 'a', code: 'bad_batch_signature', message: 'again', refusedAt: '2026-12-01T10:00:02.000Z' }],
      });
      expect([...(await links.setAsideAfter(0))].sort()).toEqual([5, 9]);
      expect([...(await links.setAsideAfter(5))]).toEqual([9]);
      expect((await links.setAsideSummary()).recent[1]).toEqual({ seq: 9, id: 'b', code: 'invalid_text', field: 'deviceId', message: 'NUL', refusedAt: '2026-12-01T10:00:01.000Z' });
      await links.enrolled({ hubUrl: 'http://hub', nodeId: 'n-aaaaaaaaaaaaaaaa', nodeName: 'X', hubId: 'hub', hubName: 'Hub' });
      expect((await links.setAsideSummary()).count).toBe(2);
      await links.enrolled({ hubUrl: 'http://other', nodeId: 'n-aaaaaaaaaaaaaaaa', nodeName: 'X', hubId: 'hub', hubName: 'Hub' });
      expect(await links.setAsideSummary()).toEqual({ count: 0, recent: [] });
    });
  });
}
