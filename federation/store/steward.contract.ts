/**
 * The steward's withdrawal on a contributor's behalf (steward.ts), on every backend: it withdraws
 * everything the contributor made up to its time — held now, and arriving later — and nobody
 * else's; applying it again changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import type { Store } from './store.ts';
import type { StoreHarness } from './store.contract.ts';
import { stewardWithdrawals, withdrawContributor } from './steward.ts';
import { idiom, person, review } from '../../test/support/contributions.ts';

export function stewardContract(name: string, harness: () => StoreHarness): void {
  describe(`${name} store contract: a steward's withdrawal`, () => {
    let h: StoreHarness;
    let store: Store;
    const device = uuidv4();
    const ingest = (...items: ContributionInput[]) => store.ingest(device, items.map((i) => Contribution.parse(i)));
    const status = async (id: string) => (await store.statuses([id]))[0]!.status;

    beforeEach(async () => {
      h = harness();
      store = await h.open();
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    it('withdraws what the contributor made until then, now and when it arrives later, and nobody else’s', async () => {
      const lost = person().contributor;
      const mine = [idiom({ contributor: lost }), idiom({ contributor: lost, createdAt: '2026-11-02T09:30:00.000Z' })];
      const theirs = idiom();
      await ingest(...mine, theirs, review(mine[0]!.id));
      const w = { id: uuidv7(), contributor: lost, at: '2026-11-05T00:00:00.000Z', by: 'cli', reason: 'asked at the library desk, recognised by the librarian' };
      expect(await withdrawContributor(store.db, w)).toBe(2);
      expect(await Promise.all(mine.map((m) => status(m.id)))).toEqual(['withdrawn', 'withdrawn']);
      expect(await status(theirs.id)).toBe('pending');
      // A copy made before it that arrives afterwards (an offline phone) is withdrawn on arrival;
      // one made after it (a new key would be someone new; an old one, found again) is not.
      const late = idiom({ contributor: lost, createdAt: '2026-11-04T12:00:00.000Z' });
      const after = idiom({ contributor: lost, createdAt: '2026-11-06T12:00:00.000Z' });
      expect(await ingest(late, after)).toEqual(['accepted', 'accepted']);
      expect(await status(late.id)).toBe('withdrawn');
      expect(await status(after.id)).toBe('pending');
      // Again (a node pulling it every round): nothing more happens.
      expect(await withdrawContributor(store.db, w)).toBe(0);
      expect((await stewardWithdrawals(store.db)).map((s) => [s.id, s.contributor, s.reason])).toEqual([[w.id, lost, w.reason]]);
    });
  });
}
