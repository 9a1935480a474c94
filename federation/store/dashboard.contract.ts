/**
 * A drive's dashboard numbers (dashboard.ts), on every backend: per hour of receipt, content items
 * and distinct contributors of the campaign only; what still counts per kind and language; the
 * review backlog; flagged items no moderator decided on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import type { Store } from './store.ts';
import type { StoreHarness } from './store.contract.ts';
import { driveNumbers } from './dashboard.ts';
import { idiom, person, review, translation, withdrawal } from '../../test/support/contributions.ts';
import { credentialed, RULE_ONLY, rotation } from '../../test/support/reviewers.ts';

export function dashboardContract(name: string, harness: () => StoreHarness): void {
  describe(`${name} store contract: a drive's dashboard numbers`, () => {
    let h: StoreHarness;
    let store: Store;
    const ingest = (...items: ContributionInput[]) => store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
    const receivedAt = (id: string, at: string) => store.db.updateTable('contributions').set({ received_at: at }).where('id', '=', id).execute();

    beforeEach(async () => {
      h = harness();
      store = await h.open();
      await store.saveCampaign({
        slug: 'maktaba', title: 'Maktaba', description: '', languages: ['sw', 'luo'], kinds: ['idiom', 'translation'],
        goals: [{ kind: 'idiom', target: 10 }], licence: 'CC0-1.0', consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 3 }, reviewers: RULE_ONLY,
      });
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    it('counts items and distinct people per hour, what counts per kind and language, the backlog and the flagged', async () => {
      const [amina, baraka] = [person().contributor, person().contributor];
      const a = [idiom({ campaign: 'maktaba', contributor: amina }), idiom({ campaign: 'maktaba', contributor: amina, language: 'luo' }), idiom({ campaign: 'maktaba', contributor: baraka })];
      const t = translation({ campaign: 'maktaba', contributor: baraka });
      const elsewhere = idiom({ contributor: amina }); // the general campaign: not counted
      const gone = idiom({ campaign: 'maktaba', contributor: baraka });
      await ingest(...a, t, elsewhere, gone);
      await ingest(withdrawal(gone.id, { campaign: 'maktaba', contributor: baraka }));
      const next = rotation(await credentialed(store, 'maktaba', 4));
      await ingest(review(a[0]!.id, { campaign: 'maktaba', contributor: next() }), review(a[0]!.id, { campaign: 'maktaba', contributor: next() }));
      await ingest(review(t.id, { campaign: 'maktaba', contributor: next(), data: { action: 'flag', reason: 'spam' } }));
      await receivedAt(a[0]!.id, '2026-12-08T09:10:00.000Z');
      await receivedAt(a[1]!.id, '2026-12-08T09:50:00.000Z');
      await receivedAt(a[2]!.id, '2026-12-08T10:05:00.000Z');
      await receivedAt(t.id, '2026-12-08T10:45:00.000Z');
      await receivedAt(gone.id, '2026-12-08T10:46:00.000Z');
      await receivedAt(elsewhere.id, '2026-12-08T10:30:00.000Z');

      const n = await driveNumbers(store.db, 'maktaba', new Date('2026-12-08T09:00:00.000Z'));
      // The withdrawn item was received too: per hour counts what arrived.
      expect(Object.fromEntries(n.hours)).toEqual({ '2026-12-08T09': { contributions: 2, contributors: 1 }, '2026-12-08T10': { contributions: 3, contributors: 1 } });
      expect(n.window).toEqual({ contributions: 5, contributors: 2 });
      expect(n.progress).toEqual([
        { kind: 'idiom', language: 'luo', collected: 1, accepted: 0 },
        { kind: 'idiom', language: 'sw', collected: 2, accepted: 1 },
        { kind: 'translation', language: 'sw', collected: 1, accepted: 0 },
      ]);
      expect(n.reviewBacklog).toBe(3);
      expect(n.flagged).toBe(1);
      // A later window holds nothing.
      const later = await driveNumbers(store.db, 'maktaba', new Date('2026-12-08T11:00:00.000Z'));
      expect(later.hours.size).toBe(0);
      expect(later.window).toEqual({ contributions: 0, contributors: 0 });
      expect((await driveNumbers(store.db, 'no-such-campaign', new Date(0))).progress).toEqual([]);
    });
  });
}
