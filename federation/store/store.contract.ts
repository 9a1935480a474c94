/**
 * The storage contract: what every `Store` implementation must do, run by each backend's test file
 * (store.sqlite.test.ts now; store.postgres.test.ts later) against a fresh, empty store.
 */
import { canonicalOf } from './rows.ts';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput, contributionCanonical } from '../protocol/index.ts';
import type { Store } from './store.ts';
import { idiom, idioms } from '../../test/support/contributions.ts';

export interface StoreHarness {
  /** A new, empty store. */
  open(): Promise<Store>;
  /** The same store again, after `close()` (a restart). */
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

const parse = (items: ContributionInput[]) => items.map((i) => Contribution.parse(i));

async function all(store: Store, options?: Parameters<Store['contributions']>[0]) {
  const out = [];
  for await (const stored of store.contributions(options)) out.push(stored);
  return out;
}

export function storeContract(name: string, harness: () => StoreHarness): void {
  describe(`${name} store contract`, () => {
    let h: StoreHarness;
    let store: Store;
    const device = uuidv4();

    beforeEach(async () => {
      h = harness();
      store = await h.open();
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    it('answers accepted for new contributions and stores each once', async () => {
      const batch = parse(idioms(3));
      expect(await store.ingest(device, batch)).toEqual(['accepted', 'accepted', 'accepted']);
      expect((await store.counts()).total).toBe(3);
    });

    it('answers an empty list for an empty batch', async () => {
      expect(await store.ingest(device, [])).toEqual([]);
    });

    it('answers duplicate for the same id with identical content', async () => {
      const batch = parse(idioms(2));
      await store.ingest(device, batch);
      expect(await store.ingest(device, batch)).toEqual(['duplicate', 'duplicate']);
      expect((await store.counts()).total).toBe(2);
    });

    it('answers duplicate when the retry was typed in another Unicode normalisation form', async () => {
      const input = idiom({ data: { expression: 'Ọ̀rọ̀ àgbà'.normalize('NFC') } });
      await store.ingest(device, parse([input]));
      const retry = { ...input, data: { ...input.data, expression: input.data.expression.normalize('NFD') } };
      expect(await store.ingest(device, parse([retry]))).toEqual(['duplicate']);
    });

    it('answers duplicate when the same item arrives from another device', async () => {
      const batch = parse([idiom()]);
      await store.ingest(device, batch);
      expect(await store.ingest(uuidv4(), batch)).toEqual(['duplicate']);
    });

    it('answers conflict for the same id with different content and keeps the stored one', async () => {
      const original = idiom();
      await store.ingest(device, parse([original]));
      const changed = { ...original, data: { ...original.data, meaning: 'Something else entirely' } };
      expect(await store.ingest(device, parse([changed]))).toEqual(['conflict']);
      const [stored] = await all(store);
      expect(stored!.contribution).toEqual(Contribution.parse(original));
      expect((await store.counts()).total).toBe(1);
    });

    it('stores the first of two identical items in one batch and calls the second a duplicate', async () => {
      const item = idiom();
      expect(await store.ingest(device, parse([item, item]))).toEqual(['accepted', 'duplicate']);
      expect((await store.counts()).total).toBe(1);
    });

    it('stores the first of two different items with one id in one batch and calls the second a conflict', async () => {
      const first = idiom();
      const second = { ...first, data: { ...first.data, example: 'Another example.' } };
      expect(await store.ingest(device, parse([first, second]))).toEqual(['accepted', 'conflict']);
      const [stored] = await all(store);
      expect(stored!.contribution).toEqual(Contribution.parse(first));
    });

    it('compares repeats in a batch with what the store already held', async () => {
      const held = idiom();
      await store.ingest(device, parse([held]));
      const changed = { ...held, data: { ...held.data, meaning: 'Changed' } };
      expect(await store.ingest(device, parse([held, changed, held]))).toEqual(['duplicate', 'conflict', 'duplicate']);
    });

    it('answers each item of a mixed batch in order', async () => {
      const [a, b] = idioms(2);
      await store.ingest(device, parse([a!]));
      const bChanged = { ...b!, data: { ...b!.data, meaning: 'x' } };
      await store.ingest(device, parse([b!]));
      const fresh = idiom();
      expect(await store.ingest(device, parse([fresh, a!, bChanged]))).toEqual(['accepted', 'duplicate', 'conflict']);
    });

    it('gives each stored contribution a server order, a receipt time, its device and its content hash', async () => {
      const batch = parse(idioms(3));
      await store.ingest(device, batch);
      const stored = await all(store);
      expect(stored.map((s) => s.seq)).toEqual([...stored.map((s) => s.seq)].sort((x, y) => x - y));
      expect(new Set(stored.map((s) => s.seq)).size).toBe(3);
      for (const [i, s] of stored.entries()) {
        expect(s.deviceId).toBe(device);
        expect(Number.isNaN(Date.parse(s.receivedAt))).toBe(false);
        expect(s.contentHash).toBe(createHash("sha256").update(contributionCanonical(batch[i]!)).digest("hex"));
      }
    });

    it('stores the same rows and answers when the canonical forms are handed in precomputed', async () => {
      const batch = parse(idioms(3));
      expect(await store.ingest(device, batch, batch.map(canonicalOf))).toEqual(['accepted', 'accepted', 'accepted']);
      expect(await store.ingest(device, batch)).toEqual(['duplicate', 'duplicate', 'duplicate']);
      const stored = await all(store);
      stored.forEach((s, i) => expect(s.contentHash).toBe(createHash("sha256").update(contributionCanonical(batch[i]!)).digest("hex")));
    });

    it('gives back exactly the contributions it was given, optional fields included', async () => {
      const batch = parse([
        idiom({ data: { region: 'Pwani', register: 'slang' } }),
        idiom({ language: 'pt-BR', consent: { version: '2026-11-1', licence: 'CC-BY-4.0' } }),
      ]);
      await store.ingest(device, batch);
      expect((await all(store)).map((s) => s.contribution)).toEqual(batch);
    });

    it('gives back the on-device checks an item carried, and its content hash covers them', async () => {
      const checks = {
        language: { detected: 'sw', score: 0.93, matches: true, confirmed: false, detector: 'franc@6.2.0' },
        personalData: { kept: [{ type: 'handle' as const, count: 1 }], redacted: [{ type: 'email' as const, count: 2 }] },
      };
      const [withChecks] = parse([idiom({ checks })]);
      const withoutChecks = Contribution.parse({ ...withChecks, checks: undefined });
      await store.ingest(device, [withChecks!]);
      const [stored] = await all(store);
      expect(stored!.contribution).toEqual(withChecks);
      expect(stored!.contribution.checks).toEqual(checks);
      expect(stored!.contentHash).toBe(createHash("sha256").update(contributionCanonical(withChecks!)).digest("hex"));
      expect(stored!.contentHash).not.toBe(createHash("sha256").update(contributionCanonical(withoutChecks!)).digest("hex"));
      // The same id with other checks is other content.
      const otherChecks = Contribution.parse({ ...withChecks, checks: { ...checks, language: { ...checks.language, confirmed: true } } });
      expect(await store.ingest(device, [otherChecks])).toEqual(['conflict']);
      expect(await store.ingest(device, [withoutChecks])).toEqual(['conflict']);
    });

    it('streams in server order across many pages', async () => {
      const batch = parse(idioms(25));
      await store.ingest(device, batch.slice(0, 10));
      await store.ingest(device, batch.slice(10));
      const ids = (await all(store, { pageSize: 4 })).map((s) => s.contribution.id);
      expect(ids).toEqual(batch.map((c) => c.id));
    });

    it('streams only what was stored when the read began', async () => {
      await store.ingest(device, parse(idioms(5)));
      const seen: string[] = [];
      for await (const s of store.contributions({ pageSize: 2 })) {
        seen.push(s.contribution.id);
        if (seen.length === 1) await store.ingest(device, parse(idioms(5)));
      }
      expect(seen).toHaveLength(5);
      expect((await store.counts()).total).toBe(10);
    });

    it('streams one kind when asked', async () => {
      await store.ingest(device, parse(idioms(3)));
      expect(await all(store, { kind: 'idiom' })).toHaveLength(3);
    });

    it('counts by kind and by language', async () => {
      await store.ingest(device, parse([...idioms(2, { language: 'sw' }), ...idioms(1, { language: 'yo' })]));
      expect(await store.counts()).toEqual({ total: 3, byKind: { idiom: 3 }, byLanguage: { sw: 2, yo: 1 } });
    });

    it('keeps everything it acknowledged across a restart', async () => {
      const batch = parse(idioms(4));
      await store.ingest(device, batch);
      await store.close();
      store = await h.reopen();
      expect((await all(store)).map((s) => s.contribution)).toEqual(batch);
      expect(await store.ingest(device, batch)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    });

    it('refuses to work once closed', async () => {
      await store.close();
      await expect(store.ingest(device, parse([idiom()]))).rejects.toThrow();
      store = await h.reopen();
    });
  });
}
