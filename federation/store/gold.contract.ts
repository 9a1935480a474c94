/**
 * The storage contract for gold items (gold.ts): import, the review queue mixing them in (never
 * twice to a reviewer, indistinguishable on the wire), reviews of them accepted as ordinary
 * reviews, and gold kept out of everything that reads contributions. Run by each backend's test
 * file against a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput, GoldContent, ReviewQueue } from '../protocol/index.ts';
import type { CampaignInput, Store } from './store.ts';
import type { StoreHarness } from './store.contract.ts';
import { goldItems, type GoldInput, importGold, listGold, storeGoldItems } from './gold.ts';
import { idiom, review } from '../../test/support/contributions.ts';
import { person } from '../../test/support/contributions.ts';

const campaign: CampaignInput = {
  slug: 'shule',
  title: 'Shule',
  description: '',
  languages: ['sw'],
  kinds: ['idiom', 'translation'],
  goals: [],
  licence: 'CC0-1.0',
  consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 },
};

export const goldRow = (i: number, expected: 'good' | 'bad' = 'good'): GoldInput => ({
  kind: 'idiom',
  language: 'sw',
  data: { expression: `Methali ya dhahabu ${i}`, meaning: `Maana ya methali ${i}.`, example: `Mfano wa methali ${i}.` },
  expected,
});

export function goldContract(name: string, harness: () => StoreHarness): void {
  describe(`${name} store contract: gold items`, () => {
    let h: StoreHarness;
    let store: Store;
    const device = uuidv4();
    const ingest = (...items: ContributionInput[]) => store.ingest(device, items.map((i) => Contribution.parse(i)));

    beforeEach(async () => {
      h = harness();
      store = await h.open();
      await store.saveCampaign(campaign);
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    const realItems = async (n: number) => {
      const items = Array.from({ length: n }, (_, i) => idiom({ campaign: 'shule', data: { expression: `Kweli ${i}` } }));
      expect(await ingest(...items)).toEqual(items.map(() => 'accepted'));
      return items;
    };

    it('imports gold as valid items with a made envelope; the same body again only changes its answer', async () => {
      expect(await importGold(store.db, 'shule', [goldRow(1), goldRow(2, 'bad')])).toEqual({ added: 2, updated: 0 });
      const first = await goldItems(store.db);
      expect(first).toHaveLength(2);
      for (const g of first) {
        expect(GoldContent.safeParse(g.item).success).toBe(true);
        expect(g.item).toMatchObject({ campaign: 'shule', kind: 'idiom', language: 'sw', consent: { licence: 'CC0-1.0' } });
      }
      expect(await importGold(store.db, 'shule', [{ ...goldRow(1), expected: 'bad', note: 'wrong meaning' }])).toEqual({ added: 0, updated: 1 });
      const again = await goldItems(store.db);
      expect(again.map((g) => g.item)).toEqual(first.map((g) => g.item));
      expect(again.find((g) => g.item.id === first.find((f) => f.expected === 'good')!.item.id)).toMatchObject({ expected: 'bad', note: 'wrong meaning' });
    });

    it('refuses gold for a campaign it does not hold, storing nothing', async () => {
      await expect(importGold(store.db, 'nowhere', [goldRow(1)])).rejects.toThrow(/No campaign/);
      expect(await goldItems(store.db)).toEqual([]);
    });

    it('keeps gold out of contributions, counts and statuses', async () => {
      await realItems(2);
      await importGold(store.db, 'shule', [goldRow(1)]);
      const [gold] = await goldItems(store.db);
      const ids = [];
      for await (const s of store.contributions()) ids.push(s.contribution.id);
      expect(ids).toHaveLength(2);
      expect(ids).not.toContain(gold!.item.id);
      expect((await store.counts()).total).toBe(2);
      expect(await store.statuses([gold!.item.id])).toEqual([{ id: gold!.item.id, status: 'unknown' }]);
    });

    it('mixes gold into the queue at about one in ten, indistinguishable on the wire, the same for the same reviewer', async () => {
      await realItems(18);
      await importGold(store.db, 'shule', Array.from({ length: 30 }, (_, i) => goldRow(i)));
      const goldIds = new Set((await goldItems(store.db)).map((g) => g.item.id));
      const reviewer = person().contributor;
      const page = await store.reviewQueue({ campaign: 'shule', language: 'sw', reviewer, limit: 20 });
      expect(ReviewQueue.safeParse({ items: page }).success).toBe(true);
      expect(page.length).toBeLessThanOrEqual(20);
      const gold = page.filter((p) => goldIds.has(p.item.id));
      expect(gold.length).toBeGreaterThanOrEqual(2);
      expect(gold.length).toBeLessThanOrEqual(3);
      // Same keys, same shapes as real items.
      const real = page.find((p) => !goldIds.has(p.item.id))!;
      expect(Object.keys(gold[0]!.item).sort()).toEqual(Object.keys(real.item).sort());
      expect(Object.keys(gold[0]!).sort()).toEqual(Object.keys(real).sort());
      // Nobody is shown who made an item, with which key, on which device or when.
      for (const p of page) {
        for (const hidden of ['contributor', 'key', 'signature', 'deviceSeq', 'createdAt', 'checks']) expect(p.item).not.toHaveProperty(hidden);
      }
    });

    it('never serves a gold item twice to the same reviewer, and serves each to others', async () => {
      await realItems(10);
      await importGold(store.db, 'shule', Array.from({ length: 4 }, (_, i) => goldRow(i)));
      const goldIds = new Set((await goldItems(store.db)).map((g) => g.item.id));
      const reviewer = person().contributor;
      const seen: string[] = [];
      for (let i = 0; i < 12; i++) {
        const page = await store.reviewQueue({ campaign: 'shule', language: 'sw', reviewer, limit: 10 });
        seen.push(...page.filter((p) => goldIds.has(p.item.id)).map((p) => p.item.id));
      }
      expect(seen.length).toBe(4);
      expect(new Set(seen).size).toBe(4);
      const other = await store.reviewQueue({ campaign: 'shule', language: 'sw', reviewer: person().contributor, limit: 10 });
      expect(other.some((p) => goldIds.has(p.item.id))).toBe(true);
      expect((await listGold(store.db, 'shule')).reduce((n, g) => n + g.served, 0)).toBeGreaterThanOrEqual(5);
    });

    it('never serves a gold item twice to one reviewer asking for pages at once', async () => {
      await realItems(10);
      await importGold(store.db, 'shule', Array.from({ length: 4 }, (_, i) => goldRow(i)));
      const goldIds = new Set((await goldItems(store.db)).map((g) => g.item.id));
      const reviewer = person().contributor;
      const pages = await Promise.all(Array.from({ length: 6 }, () => store.reviewQueue({ campaign: 'shule', language: 'sw', reviewer, limit: 10 })));
      const seen = pages.flatMap((page) => page.filter((p) => goldIds.has(p.item.id)).map((p) => p.item.id));
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen).size).toBe(seen.length);
      const served = (await listGold(store.db, 'shule')).reduce((n, g) => n + g.served, 0);
      expect(served).toBe(seen.length);
    });

    it('serves no gold when there is nothing real to review, nor in another language', async () => {
      await importGold(store.db, 'shule', [goldRow(1)]);
      expect(await store.reviewQueue({ campaign: 'shule', language: 'sw', reviewer: person().contributor, limit: 10 })).toEqual([]);
      await realItems(12);
      expect(await store.reviewQueue({ campaign: 'shule', language: 'en', reviewer: person().contributor, limit: 10 })).toEqual([]);
    });

    it('accepts a review of a gold item as an ordinary review (stored, tallied), and list counts votes against the answer', async () => {
      await importGold(store.db, 'shule', [goldRow(1, 'good'), goldRow(2, 'bad')]);
      const [a, b] = await goldItems(store.db);
      const good = a!.expected === 'good' ? a! : b!;
      const bad = a!.expected === 'good' ? b! : a!;
      const votes = [
        review(good.item.id, { campaign: 'shule', data: { action: 'down' } }),
        review(good.item.id, { campaign: 'shule' }),
        review(bad.item.id, { campaign: 'shule', data: { action: 'up' } }),
      ];
      expect(await ingest(...votes)).toEqual(['accepted', 'accepted', 'accepted']);
      const reviews = [];
      for await (const s of store.contributions({ kind: 'review' })) reviews.push(s.contribution.id);
      expect(reviews.sort()).toEqual(votes.map((v) => v.id).sort());
      const listed = await listGold(store.db, 'shule');
      expect(listed.find((g) => g.id === good.item.id)).toMatchObject({ votes: 2, against: 1 });
      expect(listed.find((g) => g.id === bad.item.id)).toMatchObject({ votes: 1, against: 1 });
      // Relayed from a node, too.
      const relayed = review(good.item.id, { campaign: 'shule', data: { action: 'up' } });
      expect(await store.ingestRelayed('node-1', [{ contribution: Contribution.parse(relayed), deviceId: device, receivedAt: new Date().toISOString() }])).toEqual(['accepted']);
    });

    it('stores gold pulled from elsewhere under its own id, and updates its answer', async () => {
      await importGold(store.db, 'shule', [goldRow(1)]);
      const items = await goldItems(store.db);
      // As a node holding none of it (its own copy of the body under another id gives way).
      await store.db.deleteFrom('gold_items').execute();
      await importGold(store.db, 'shule', [goldRow(1)]);
      await store.db.updateTable('gold_items').set({ id: '00000000-0000-7000-8000-000000000000' }).execute();
      expect(await storeGoldItems(store.db, items)).toBe(1);
      expect(await storeGoldItems(store.db, items)).toBe(0);
      expect(await goldItems(store.db)).toEqual(items);
      expect(await storeGoldItems(store.db, [{ ...items[0]!, expected: 'bad' }])).toBe(1);
      expect((await goldItems(store.db))[0]!.expected).toBe('bad');
    });
  });
}
