/**
 * The storage contract for store-and-forward (issue 5): relayed records and their provenance,
 * withdrawals that overtake their items (pending tombstones), push reads from a cursor, and
 * concurrent batches. Run by each backend's test file against a fresh, empty store, like
 * store.contract.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { type Kysely, sql } from 'kysely';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import type { IngestStatus, RelayedRecord, Store, StoredContribution } from './store.ts';
import type { StoreHarness } from './store.contract.ts';
import type { Database } from './schema.ts';
import { idiom, idioms, review, withdrawal } from '../../test/support/contributions.ts';
import { person } from '../../test/support/contributions.ts';
import { credentialed } from '../../test/support/reviewers.ts';

const rejected = (code: string) => expect.objectContaining({ status: 'rejected', code });
const NODE_A = 'node-a';
const NODE_B = 'node-b';
const THEN = '2026-11-01T10:00:00.000Z';

async function all(store: Store, options?: Parameters<Store['contributions']>[0]): Promise<StoredContribution[]> {
  const out = [];
  for await (const stored of store.contributions(options)) out.push(stored);
  return out;
}

export function relayContract(name: string, harness: () => StoreHarness): void {
  describe(`${name} store contract: relays, pending tombstones, cursors, concurrency`, () => {
    let h: StoreHarness;
    let store: Store;
    const device = uuidv4();
    const parse = (items: ContributionInput[]) => items.map((i) => Contribution.parse(i));
    const ingest = (...items: ContributionInput[]): Promise<IngestStatus[]> => store.ingest(device, parse(items));
    const relayed = (items: ContributionInput[], deviceId = device, receivedAt = THEN): RelayedRecord[] =>
      parse(items).map((contribution) => ({ contribution, deviceId, receivedAt }));
    const relay = (origin: string, ...items: ContributionInput[]) => store.ingestRelayed(origin, relayed(items));
    const status = async (id: string) => (await store.statuses([id]))[0]!.status;

    beforeEach(async () => {
      h = harness();
      store = await h.open();
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    describe('relayed records', () => {
      it('stores each record with its device, its origin and when the origin stored it', async () => {
        const [a, b] = idioms(2);
        const otherDevice = uuidv4();
        const before = Date.now();
        expect(
          await store.ingestRelayed(NODE_A, [
            { contribution: Contribution.parse(a!), deviceId: device, receivedAt: THEN },
            { contribution: Contribution.parse(b!), deviceId: otherDevice, receivedAt: '2026-11-01T11:00:00.000Z' },
          ]),
        ).toEqual(['accepted', 'accepted']);
        const direct = idiom();
        await ingest(direct);
        const stored = await all(store);
        expect(stored.map((s) => [s.deviceId, s.origin, s.originReceivedAt])).toEqual([
          [device, NODE_A, THEN],
          [otherDevice, NODE_A, '2026-11-01T11:00:00.000Z'],
          [device, null, null],
        ]);
        for (const s of stored) expect(Date.parse(s.receivedAt)).toBeGreaterThanOrEqual(before - 1000);
        expect(stored.map((s) => s.contribution)).toEqual(parse([a!, b!, direct]));
      });

      it('answers an empty list for an empty batch', async () => {
        expect(await store.ingestRelayed(NODE_A, [])).toEqual([]);
      });

      it('decides duplicate and conflict by content alone, whatever the origin, and keeps the first origin', async () => {
        const [direct, relayedFirst] = idioms(2);
        await ingest(direct!);
        await relay(NODE_A, relayedFirst!);
        expect(await relay(NODE_B, direct!, relayedFirst!)).toEqual(['duplicate', 'duplicate']);
        expect(await ingest(relayedFirst!)).toEqual(['duplicate']);
        const changed = { ...relayedFirst!, data: { ...relayedFirst!.data, meaning: 'Something else' } };
        expect(await relay(NODE_B, changed)).toEqual(['conflict']);
        expect((await all(store)).map((s) => s.origin)).toEqual([null, NODE_A]);
        expect((await store.counts()).total).toBe(2);
      });

      it('answers repeats within one relayed batch like ingest does', async () => {
        const item = idiom();
        const other = { ...item, data: { ...item.data, example: 'Another example.' } };
        expect(await relay(NODE_A, item, item, other)).toEqual(['accepted', 'duplicate', 'conflict']);
      });

      it('applies the same checks and derived state as ingest', async () => {
        const item = idiom();
        const edit = idiom({ contributor: item.contributor, revisionOf: item.id });
        // Four keys node A vouches for (the default policy wants a lead of four): their votes
        // relayed from A count; the same keys' votes from elsewhere would not.
        const vouched = [1, 2, 3, 4].map(() => person().contributor);
        await store.ingestRelayed(NODE_A, [], (trx) =>
          store.reviewers.vouch(trx, NODE_A, vouched.map((reviewer) => ({ campaign: 'general', reviewer, credential: true, goldVotes: 0, goldAgreed: 0 }))),
        );
        const votes = vouched.map((contributor) => review(edit.id, { contributor }));
        expect(
          await relay(NODE_A, item, edit, ...votes, idiom({ campaign: 'nowhere' }), review(idiom().id)),
        ).toEqual(['accepted', 'accepted', ...votes.map(() => 'accepted'), rejected('unknown_campaign'), rejected('unknown_target')]);
        expect(await status(item.id)).toBe('superseded');
        expect(await status(edit.id)).toBe('accepted');
        expect(await relay(NODE_B, withdrawal(edit.id, { contributor: uuidv4() }))).toEqual([rejected('not_author')]);
        expect(await relay(NODE_B, withdrawal(edit.id, { contributor: item.contributor }))).toEqual(['accepted']);
        expect(await status(edit.id)).toBe('withdrawn');
        // A review or edit a node took before the withdrawal reached it is kept, and changes nothing:
        // every server ends up holding the same records, the chain withdrawn.
        expect(await relay(NODE_A, review(edit.id))).toEqual(['accepted']);
        const late = idiom({ contributor: item.contributor, revisionOf: edit.id });
        expect(await relay(NODE_A, late)).toEqual(['accepted']);
        expect(await status(edit.id)).toBe('withdrawn');
        expect(await status(late.id)).toBe('withdrawn');
        // From a device, the same is refused.
        expect(await ingest(review(edit.id))).toEqual([rejected('withdrawn')]);
      });

      it('withdraws, for a withdrawal of everything, only what was made no later than it, whatever arrives first', async () => {
        const author = person().contributor;
        const before = idiom({ contributor: author, createdAt: '2026-11-01T10:00:00.000Z' });
        const after = idiom({ contributor: author, createdAt: '2026-11-01T12:00:00.000+01:00' });
        const later = idiom({ contributor: author, createdAt: '2026-11-01T11:00:00.001Z' });
        const all = withdrawal('all', { contributor: author, createdAt: '2026-11-01T11:00:00.000Z' });
        expect(await relay(NODE_A, before, after)).toEqual(['accepted', 'accepted']);
        expect(await relay(NODE_B, all)).toEqual(['accepted']);
        expect(await relay(NODE_A, later)).toEqual(['accepted']);
        // 12:00+01:00 is 11:00Z: no later than the withdrawal. 11:00:00.001Z is after it.
        expect([await status(before.id), await status(after.id), await status(later.id)]).toEqual(['withdrawn', 'withdrawn', 'pending']);
      });

      it('keeps relayed records across a restart', async () => {
        await relay(NODE_A, ...idioms(3));
        await store.close();
        store = await h.reopen();
        expect((await all(store)).map((s) => s.origin)).toEqual([NODE_A, NODE_A, NODE_A]);
      });
    });

    describe('withdrawals that arrive before their item', () => {
      it('accepts a withdrawal of an item not held, and withdraws the item when it arrives', async () => {
        const item = idiom();
        expect(await relay(NODE_A, withdrawal(item.id, { contributor: item.contributor }))).toEqual(['accepted']);
        expect(await status(item.id)).toBe('unknown');
        expect(await ingest(item)).toEqual(['accepted']);
        expect(await status(item.id)).toBe('withdrawn');
        expect(await ingest(review(item.id))).toEqual([rejected('withdrawn')]);
        expect(await ingest(item)).toEqual(['duplicate']);
      });

      it('withdraws an item that arrives in the same batch after its withdrawal, and one relayed later', async () => {
        const [a, b] = idioms(2);
        expect(await ingest(withdrawal(a!.id, { contributor: a!.contributor }), a!)).toEqual(['accepted', 'accepted']);
        await ingest(withdrawal(b!.id, { contributor: b!.contributor }));
        await relay(NODE_B, b!);
        expect(await store.statuses([a!.id, b!.id])).toEqual([
          expect.objectContaining({ status: 'withdrawn' }),
          expect.objectContaining({ status: 'withdrawn' }),
        ]);
      });

      it('leaves the item alone when the withdrawer is not its author, and forgets the tombstone', async () => {
        const item = idiom();
        expect(await ingest(withdrawal(item.id, { contributor: uuidv4() }))).toEqual(['accepted']);
        await ingest(item);
        expect(await status(item.id)).toBe('pending');
        // A later, proper withdrawal still works.
        expect(await ingest(withdrawal(item.id, { contributor: item.contributor }))).toEqual(['accepted']);
        expect(await status(item.id)).toBe('withdrawn');
      });

      it('withdraws the whole chain when the withdrawn item is an edit that arrives later', async () => {
        const first = idiom();
        const edit = idiom({ contributor: first.contributor, revisionOf: first.id });
        const improvement = idiom({ revisionOf: first.id });
        await ingest(first, improvement);
        await relay(NODE_A, withdrawal(edit.id, { contributor: first.contributor }));
        expect(await relay(NODE_A, edit)).toEqual(['accepted']);
        expect((await store.statuses([first.id, edit.id, improvement.id])).map((s) => s.status)).toEqual([
          'withdrawn',
          'withdrawn',
          'pending',
        ]);
      });

      it('withdraws what a contributor made before withdrawing everything, when it arrives later', async () => {
        const contributor = person().contributor;
        const withdrawAll = withdrawal('all', { contributor, createdAt: '2026-11-01T12:00:00.000Z' });
        expect(await relay(NODE_A, withdrawAll)).toEqual(['accepted']);
        const before = idiom({ contributor, createdAt: '2026-11-01T11:59:59.000+00:00' });
        const same = idiom({ contributor, createdAt: '2026-11-01T14:00:00.000+02:00' });
        const after = idiom({ contributor, createdAt: '2026-11-01T12:00:01.000Z' });
        const someoneElse = idiom({ createdAt: '2026-11-01T09:00:00.000Z' });
        expect(await ingest(before, same, after, someoneElse)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
        expect((await store.statuses([before.id, same.id, after.id, someoneElse.id])).map((s) => s.status)).toEqual([
          'withdrawn',
          'withdrawn',
          'pending',
          'pending',
        ]);
        // It keeps working for later arrivals (it is not used up).
        const late = idiom({ contributor, createdAt: '2026-11-01T08:00:00.000Z' });
        await relay(NODE_B, late);
        expect(await status(late.id)).toBe('withdrawn');
      });

      it('still rejects reviews and revisions naming nothing held', async () => {
        const ghost = idiom().id;
        expect(await relay(NODE_A, review(ghost), idiom({ revisionOf: ghost }))).toEqual([
          rejected('unknown_target'),
          rejected('unknown_target'),
        ]);
      });
    });

    describe('more writes in the same transaction', () => {
      const nonces = async () =>
        Number((await sql<{ n: number | string }>`SELECT count(*) AS n FROM fed_nonces`.execute(store.db)).rows[0]!.n);
      const note = (nonce: string) => async (trx: Kysely<Database>) => {
        await sql`INSERT INTO fed_nonces (node, nonce, expires_at) VALUES (${NODE_A}, ${nonce}, 1)`.execute(trx);
      };

      it('commits the records and the caller\'s writes together', async () => {
        const items = idioms(2);
        expect(await store.ingestRelayed(NODE_A, relayed(items), note('one'))).toEqual(['accepted', 'accepted']);
        expect(await store.ingestRelayed(NODE_A, [], note('two'))).toEqual([]);
        expect(await nonces()).toBe(2);
        expect((await all(store)).map((s) => s.contribution.id)).toEqual(items.map((i) => i.id));
      });

      it('keeps neither when the caller\'s writes fail', async () => {
        const failing = async (trx: Kysely<Database>) => {
          await note('three')(trx);
          throw new Error('refused');
        };
        await expect(store.ingestRelayed(NODE_A, relayed(idioms(2)), failing)).rejects.toThrow('refused');
        expect(await nonces()).toBe(0);
        expect(await all(store)).toEqual([]);
        // The store goes on as before.
        expect(await relay(NODE_A, idiom())).toEqual(['accepted']);
      });
    });

    describe('reading from a cursor', () => {
      it('reads after a seq, up to a limit, leaving out what one origin sent', async () => {
        const direct = parse(idioms(3));
        const fromA = idioms(2);
        const fromB = idioms(2);
        await store.ingest(device, direct.slice(0, 2));
        await relay(NODE_A, ...fromA);
        await relay(NODE_B, fromB[0]!);
        await store.ingest(device, direct.slice(2));
        await relay(NODE_B, fromB[1]!);
        const every = await all(store);
        const ids = (list: StoredContribution[]) => list.map((s) => s.contribution.id);
        expect(every).toHaveLength(7);
        expect(ids(await all(store, { after: every[1]!.seq }))).toEqual(ids(every.slice(2)));
        expect(ids(await all(store, { after: every[1]!.seq, limit: 3, pageSize: 2 }))).toEqual(ids(every.slice(2, 5)));
        expect(ids(await all(store, { excludeOrigin: NODE_A }))).toEqual(ids(every.filter((s) => s.origin !== NODE_A)));
        const page = await all(store, { after: every[0]!.seq, limit: 3, excludeOrigin: NODE_A, pageSize: 1 });
        expect(ids(page)).toEqual(ids(every.filter((s) => s.origin !== NODE_A).slice(1, 4)));
        expect(await all(store, { after: every[6]!.seq })).toEqual([]);
        expect(await all(store, { limit: 0 })).toEqual([]);
      });

      it('reads the same records for a push as relay texts, each parsing to what contributions() gives', async () => {
        const direct = parse(idioms(3));
        await store.ingest(device, direct.slice(0, 2));
        await relay(NODE_A, ...idioms(2));
        await store.ingest(device, direct.slice(2));
        const every = await all(store);
        for (const options of [{ after: 0, limit: 10 }, { after: every[0]!.seq, limit: 2, excludeOrigin: NODE_A }, { after: 0, limit: 10, excludeOrigin: NODE_A }]) {
          const expected = await all(store, options);
          const texts = await store.relayTexts(options);
          expect(texts.map((t) => ({ seq: t.seq, id: t.id, contentHash: t.contentHash, deviceId: t.deviceId, receivedAt: t.receivedAt }))).toEqual(
            expected.map((s) => ({ seq: s.seq, id: s.contribution.id, contentHash: s.contentHash, deviceId: s.deviceId, receivedAt: s.receivedAt })),
          );
          expect(texts.map((t) => JSON.parse(t.json) as unknown)).toEqual(
            expected.map((s) => ({ deviceId: s.deviceId, receivedAt: s.receivedAt, contribution: s.contribution })),
          );
        }
        expect(await store.relayTexts({ after: every[every.length - 1]!.seq, limit: 10 })).toEqual([]);
        expect(await store.relayTexts({ after: 0, limit: 0 })).toEqual([]);
        await expect(store.relayTexts({ after: 0.5, limit: 1 })).rejects.toThrow(RangeError);
      });

      it('gives seq as a number on every backend', async () => {
        await ingest(idiom());
        const [stored] = await all(store);
        expect(typeof stored!.seq).toBe('number');
        expect(typeof stored!.contribution.deviceSeq).toBe('number');
      });
    });

    describe('concurrent batches', () => {
      it('stores each id once when overlapping batches arrive at once on two connections', async () => {
        const other = await h.reopen();
        try {
          const items = parse(idioms(300));
          const batches = [items.slice(0, 200), items.slice(100, 300), items.slice(50, 250), items.slice(0, 300)];
          const results = await Promise.all(
            batches.map((batch, i) =>
              i % 2 === 0
                ? (i === 0 ? store : other).ingest(device, batch)
                : (i === 1 ? other : store).ingestRelayed(NODE_A, batch.map((contribution) => ({ contribution, deviceId: device, receivedAt: THEN }))),
            ),
          );
          const accepted = new Map<string, number>();
          results.forEach((statuses, b) =>
            statuses.forEach((s, i) => {
              expect(['accepted', 'duplicate']).toContain(s);
              if (s === 'accepted') accepted.set(batches[b]![i]!.id, (accepted.get(batches[b]![i]!.id) ?? 0) + 1);
            }),
          );
          expect(accepted.size).toBe(300);
          expect([...accepted.values()].every((n) => n === 1)).toBe(true);
          const stored = await all(store);
          expect(stored).toHaveLength(300);
          expect(new Set(stored.map((s) => s.contribution.id)).size).toBe(300);
          expect(new Set(stored.map((s) => s.seq)).size).toBe(300);
        } finally {
          await other.close();
        }
      });

      it('counts every vote when reviews of one item arrive at once on two connections', async () => {
        const other = await h.reopen();
        try {
          const item = idiom();
          await ingest(item);
          const reviewers = await credentialed(store, 'general', 10);
          const votes = reviewers.map((contributor) => review(item.id, { contributor, data: { action: 'down' } }));
          const results = await Promise.all(votes.map((v, i) => (i % 2 === 0 ? store : other).ingest(device, parse([v]))));
          expect(results.flat()).toEqual(votes.map(() => 'accepted'));
          expect((await store.statuses([item.id]))[0]).toMatchObject({ status: 'rejected', votes: { up: 0, down: 10, flags: 0 } });
        } finally {
          await other.close();
        }
      });
    });
  });
}
