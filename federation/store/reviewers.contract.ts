/**
 * The storage contract for reviewer policies (issue 12, migration 0011): whose votes count, how
 * standing is earned on gold and lost, credentials and their re-derivation, the margin, the queue's
 * serves (order, daily limit, served-first), what staff see, and standing a node vouches for.
 * Run by each backend's test file against a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput, type ReviewerPolicy } from '../protocol/index.ts';
import type { CampaignInput, Store } from './store.ts';
import type { StoreHarness } from './store.contract.ts';
import { goldItems, importGold } from './gold.ts';
import { flaggedItems } from './moderation.ts';
import { idiom, person, review } from '../../test/support/contributions.ts';
import { credentialed, rotation } from '../../test/support/reviewers.ts';
import { goldRow } from './gold.contract.ts';

const campaign = (reviewers?: ReviewerPolicy): CampaignInput => ({
  slug: 'shule',
  title: 'Shule',
  description: '',
  languages: ['sw'],
  kinds: ['idiom'],
  goals: [],
  licence: 'CC0-1.0',
  consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 },
  ...(reviewers !== undefined ? { reviewers } : {}),
});

export function reviewersContract(name: string, harness: () => StoreHarness): void {
  describe(`${name} store contract: reviewer policies`, () => {
    let h: StoreHarness;
    let store: Store;
    const device = uuidv4();
    const ingest = (...items: ContributionInput[]) => store.ingest(device, items.map((i) => Contribution.parse(i)));
    const status = async (id: string) => (await store.statuses([id]))[0]!;
    const on = { campaign: 'shule' };
    const vote = (target: string, contributor: string, action: 'up' | 'down' | 'flag' = 'up') =>
      review(target, { ...on, contributor, data: action === 'flag' ? { action, reason: 'spam' } : { action } });
    const queue = (reviewer: string, limit = 10, now?: Date) =>
      store.reviewQueue({ campaign: 'shule', language: 'sw', reviewer, limit, ...(now !== undefined ? { now } : {}) });
    const items = async (n: number) => {
      const made = Array.from({ length: n }, (_, i) => idiom({ ...on, data: { expression: `Kweli ${i}` } }));
      await ingest(...made);
      return made;
    };

    beforeEach(async () => {
      h = harness();
      store = await h.open();
      await store.saveCampaign(campaign());
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    describe('whose votes count', () => {
      it('keeps every vote of keys nobody vouched for, shows them to staff, and lets none decide or hide', async () => {
        const [item] = await items(1);
        const strangers = Array.from({ length: 6 }, () => person().contributor);
        expect(await ingest(...strangers.slice(0, 4).map((s) => vote(item!.id, s)), ...strangers.slice(4).map((s) => vote(item!.id, s, 'flag')))).toEqual(
          strangers.map(() => 'accepted'),
        );
        expect(await status(item!.id)).toEqual({ id: item!.id, status: 'pending', votes: { up: 0, down: 0, flags: 0 } });
        const flagged = await flaggedItems(store.db, { limit: 10 });
        expect(flagged).toEqual([
          expect.objectContaining({ status: 'pending', votes: { up: 0, down: 0, flags: 0 }, allVotes: { up: 4, down: 0, flags: 2 }, reasons: { spam: 2 } }),
        ]);
      });

      it('counts credentialed keys’ votes without a serve, and needs the default lead of four', async () => {
        const [item, other] = await items(2);
        const next = rotation(await credentialed(store, 'shule', 8));
        await ingest(...[1, 2, 3].map(() => vote(item!.id, next())));
        expect(await status(item!.id)).toMatchObject({ status: 'pending', votes: { up: 3 } });
        await ingest(vote(item!.id, next()));
        expect(await status(item!.id)).toMatchObject({ status: 'accepted', votes: { up: 4 } });
        // Two flags of eligible keys do not hide an item that others vote for.
        await ingest(vote(other!.id, next(), 'flag'), vote(other!.id, next(), 'flag'), vote(other!.id, next()));
        expect((await status(other!.id)).status).toBe('pending');
      });

      it('re-derives on a grant and on a revocation; revoking what was never granted changes nothing', async () => {
        const [item] = await items(1);
        const keys = Array.from({ length: 4 }, () => person().contributor);
        await ingest(...keys.map((k) => vote(item!.id, k)));
        expect((await status(item!.id)).status).toBe('pending');
        for (const reviewer of keys.slice(0, 3)) expect(await store.reviewers.grant({ campaign: 'shule', reviewer, by: 'test' })).toMatchObject({ eligible: true });
        expect(await status(item!.id)).toMatchObject({ status: 'pending', votes: { up: 3 } });
        await store.reviewers.grant({ campaign: 'shule', reviewer: keys[3]!, by: 'test', note: 'met at the library' });
        expect(await status(item!.id)).toMatchObject({ status: 'accepted', votes: { up: 4 } });
        expect(await store.reviewerEligible('shule', keys[3]!)).toBe(true);
        expect(await store.reviewers.revoke('shule', keys[3]!)).toEqual({ campaign: 'shule', reviewer: keys[3], credential: false, eligible: false });
        expect(await status(item!.id)).toMatchObject({ status: 'pending', votes: { up: 3 } });
        expect(await store.reviewerEligible('shule', keys[3]!)).toBe(false);
        expect(await store.reviewers.revoke('shule', keys[3]!)).toBeUndefined();
        await expect(store.reviewers.grant({ campaign: 'nowhere', reviewer: keys[0]!, by: 'test' })).rejects.toThrow(/No campaign "nowhere"/);
        // A credential is per campaign: in `general` these keys count for nothing.
        expect(await store.reviewerEligible('general', keys[0]!)).toBe(false);
      });

      it('re-derives the whole campaign when its policy changes', async () => {
        const [item] = await items(1);
        const next = rotation(await credentialed(store, 'shule', 2));
        await ingest(vote(item!.id, next()), vote(item!.id, next()));
        expect((await status(item!.id)).status).toBe('pending');
        await store.saveCampaign(campaign({ gold: null, margin: 1, servesPerDay: 300 }));
        expect((await status(item!.id)).status).toBe('accepted');
        await store.saveCampaign(campaign());
        expect((await status(item!.id)).status).toBe('pending');
      });
    });

    describe('standing earned on gold', () => {
      /** Pages of the queue until `reviewer` was served `n` gold items; they are voted as `answer` says. */
      async function goldVotes(reviewer: string, n: number, answer: (expected: string) => 'up' | 'down'): Promise<string[]> {
        const gold = new Map((await goldItems(store.db)).map((g) => [g.item.id, g.expected]));
        const voted: string[] = [];
        while (voted.length < n) {
          const page = (await queue(reviewer)).filter((q) => gold.has(q.item.id) && !voted.includes(q.item.id));
          if (page.length === 0) throw new Error('no more gold served');
          for (const q of page.slice(0, n - voted.length)) {
            await ingest(vote(q.item.id, reviewer, answer(gold.get(q.item.id)!)));
            voted.push(q.item.id);
          }
        }
        return voted;
      }
      const right = (expected: string) => (expected === 'good' ? 'up' : 'down');
      const wrong = (expected: string) => (expected === 'good' ? 'down' : 'up');

      it('makes a newcomer eligible alone, counting the served votes cast before, and loses it with wrong answers', async () => {
        const real = await items(12);
        const [a, b, c] = await credentialed(store, 'shule', 3);
        const newcomer = person().contributor;
        // A real item the queue served the newcomer, voted up by three credentialed keys and the newcomer.
        const page = await queue(newcomer);
        const servedReal = page.find((q) => real.some((r) => r.id === q.item.id))!.item.id;
        await importGold(store.db, 'shule', Array.from({ length: 12 }, (_, i) => goldRow(i, i % 3 === 0 ? 'bad' : 'good')), 2);
        await ingest(vote(servedReal, a!), vote(servedReal, b!), vote(servedReal, c!), vote(servedReal, newcomer));
        expect((await status(servedReal)).status).toBe('pending');
        await goldVotes(newcomer, 5, right);
        expect(await store.reviewerEligible('shule', newcomer)).toBe(true);
        expect(await status(servedReal)).toMatchObject({ status: 'accepted', votes: { up: 4 } });
        // Two wrong answers of seven: below 80%, the standing and the vote that decided go.
        await goldVotes(newcomer, 2, wrong);
        expect(await store.reviewerEligible('shule', newcomer)).toBe(false);
        expect(await status(servedReal)).toMatchObject({ status: 'pending', votes: { up: 3 } });
        const listed = await store.reviewers.list('shule', { limit: 10 });
        expect(listed.find((e) => e.reviewer === newcomer)).toMatchObject({ scope: 'local', eligible: false, credential: false, goldVotes: 7, goldAgreed: 5, votes: 1, counted: 0 });
        expect(listed.find((e) => e.reviewer === a)).toMatchObject({ eligible: true, credential: true, grantedBy: 'test', votes: 1, counted: 1 });
      });

      it('counts neither gold nor real votes on items the queue never served the key', async () => {
        await items(1);
        await importGold(store.db, 'shule', Array.from({ length: 6 }, (_, i) => goldRow(i)), 2);
        const cheat = person().contributor;
        // Gold ids and answers learnt elsewhere earn nothing unserved.
        for (const g of await goldItems(store.db)) await ingest(vote(g.item.id, cheat, right(g.expected)));
        expect(await store.reviewerEligible('shule', cheat)).toBe(false);
        const honest = person().contributor;
        await goldVotes(honest, 5, right);
        expect(await store.reviewerEligible('shule', honest)).toBe(true);
        // An eligible key's vote on an item the queue never served it is kept, not counted.
        const [late] = await items(1);
        const [x, y, z] = await credentialed(store, 'shule', 3);
        await ingest(vote(late!.id, x!), vote(late!.id, y!), vote(late!.id, z!), vote(late!.id, honest));
        expect(await status(late!.id)).toMatchObject({ status: 'pending', votes: { up: 3 } });
      });
    });

    describe('the review queue', () => {
      it('serves again what it served before, asks nothing new while those wait, and records every serve', async () => {
        await items(30);
        const reviewer = person().contributor;
        const first = (await queue(reviewer, 5)).map((q) => q.item.id);
        expect(first).toHaveLength(5);
        expect((await queue(reviewer, 5)).map((q) => q.item.id)).toEqual(first);
        expect((await queue(reviewer, 8)).map((q) => q.item.id).slice(0, 5)).toEqual(first);
        const served = await store.db.selectFrom('queue_serves').select('item').where('reviewer', '=', reviewer).execute();
        expect(served).toHaveLength(8);
      });

      it('serves first the item closest to a decision, but not to more keys at once than the margin', async () => {
        await store.saveCampaign(campaign({ gold: null, margin: 2, servesPerDay: 300 }));
        const [a, b] = await items(2);
        const [credited] = await credentialed(store, 'shule', 1);
        await ingest(vote(a!.id, credited!));
        const [r1, r2, r3, r4] = [1, 2, 3, 4].map(() => person().contributor);
        expect((await queue(r1!, 1)).map((q) => q.item.id)).toEqual([a!.id]);
        expect((await queue(r2!, 1)).map((q) => q.item.id)).toEqual([a!.id]);
        // Two keys hold it unvoted: the next is served the other item.
        expect((await queue(r3!, 1)).map((q) => q.item.id)).toEqual([b!.id]);
        await ingest(vote(a!.id, r1!));
        expect((await queue(r4!, 1)).map((q) => q.item.id)).toEqual([a!.id]);
      });

      it('serves two reviewers the same items in orders of their own', async () => {
        await items(40);
        const orders = await Promise.all([1, 2, 3].map(async () => (await queue(person().contributor, 40)).map((q) => q.item.id)));
        expect(orders.every((o) => o.length === 40)).toBe(true);
        expect(new Set(orders.map((o) => o.join())).size).toBe(3);
        expect(orders.every((o) => new Set(o).size === 40 && o.slice().sort().join() === orders[0]!.slice().sort().join())).toBe(true);
      });

      it('serves at most the campaign’s new items a day, and more the next day', async () => {
        await store.saveCampaign(campaign({ gold: { min: 5, agreement: 0.8 }, margin: 4, servesPerDay: 7 }));
        await items(30);
        const reviewer = person().contributor;
        const day = new Date('2026-12-01T08:00:00.000Z');
        const page = await queue(reviewer, 10, day);
        expect(page).toHaveLength(7);
        await ingest(...page.map((q) => vote(q.item.id, reviewer)));
        expect(await queue(reviewer, 10, new Date(day.getTime() + 3600_000))).toEqual([]);
        expect(await queue(reviewer, 10, new Date(day.getTime() + 25 * 3600_000))).toHaveLength(7);
      });
    });

    describe('standing a node vouches for (on a hub)', () => {
      it('counts only for the votes relayed from that node, with the served flag it vouched', async () => {
        const [item] = await items(1);
        const keys = Array.from({ length: 5 }, () => person().contributor);
        const record = (c: ContributionInput, served = false) => ({ contribution: Contribution.parse(c), deviceId: device, receivedAt: new Date().toISOString(), served });
        // Node A: four keys eligible by gold it measured, one by a credential there.
        await store.ingestRelayed('node-a', [], (trx) =>
          store.reviewers.vouch(trx, 'node-a', [
            ...keys.slice(0, 4).map((reviewer) => ({ campaign: 'shule', reviewer, credential: false, goldVotes: 6, goldAgreed: 6 })),
            { campaign: 'shule', reviewer: keys[4]!, credential: true, goldVotes: 0, goldAgreed: 0 },
          ]),
        );
        // Served on A: counted; not served: kept. The same keys casting here count for nothing.
        await store.ingestRelayed('node-a', [record(vote(item!.id, keys[0]!), true), record(vote(item!.id, keys[1]!), true), record(vote(item!.id, keys[2]!))]);
        expect(await status(item!.id)).toMatchObject({ votes: { up: 2 } });
        await ingest(vote(item!.id, keys[3]!));
        await store.ingestRelayed('node-b', [record(vote(item!.id, keys[4]!), true)]);
        expect(await status(item!.id)).toMatchObject({ status: 'pending', votes: { up: 2 } });
        // The credentialed key's vote from A counts unserved; a fourth served one decides.
        await store.ingestRelayed('node-a', [record(vote(item!.id, keys[4]!))]);
        expect(await status(item!.id)).toMatchObject({ votes: { up: 3 } });
        await store.ingestRelayed('node-a', [record(vote(item!.id, keys[3]!), true)]);
        expect(await status(item!.id)).toMatchObject({ status: 'accepted', votes: { up: 4 } });
        // A changes its word: the key falls below 80% there, and the item is judged again.
        await store.ingestRelayed('node-a', [], (trx) => store.reviewers.vouch(trx, 'node-a', [{ campaign: 'shule', reviewer: keys[0]!, credential: false, goldVotes: 6, goldAgreed: 3 }]));
        expect(await status(item!.id)).toMatchObject({ status: 'pending', votes: { up: 3 } });
        expect(await store.reviewerEligible('shule', keys[0]!)).toBe(false);
      });

      it('lists the local standing that changed after a version, oldest first, for the next push', async () => {
        const [a, b] = await credentialed(store, 'shule', 2);
        const all = await store.reviewers.changes(0, 10);
        expect(all.standing).toEqual([
          { campaign: 'shule', reviewer: a, credential: true, goldVotes: 0, goldAgreed: 0 },
          { campaign: 'shule', reviewer: b, credential: true, goldVotes: 0, goldAgreed: 0 },
        ]);
        expect((await store.reviewers.changes(all.version, 10)).standing).toEqual([]);
        await store.reviewers.revoke('shule', a!);
        const later = await store.reviewers.changes(all.version, 10);
        expect(later.standing).toEqual([{ campaign: 'shule', reviewer: a, credential: false, goldVotes: 0, goldAgreed: 0 }]);
        expect(later.version).toBeGreaterThan(all.version);
        expect((await store.reviewers.changes(0, 1)).standing).toHaveLength(1);
      });
    });
  });
}
