/**
 * The outbox contract: one suite, run against every implementation (outbox.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import type { UnsignedContribution } from '../../../../federation/protocol/index.ts';
import { TEST_IDENTITY } from '../testing.ts';
import type { Outbox } from './outbox.ts';

export function idiom(deviceSeq: number, expression = `expression ${deviceSeq}`): UnsignedContribution {
  return {
    id: uuidv7(),
    kind: 'idiom',
    campaign: 'general',
    language: 'sw',
    contributor: TEST_IDENTITY.contributorId,
    key: TEST_IDENTITY.key,
    deviceSeq,
    createdAt: new Date(1_700_000_000_000 + deviceSeq).toISOString(),
    consent: { version: '2026-11-1', licence: 'CC0-1.0' },
    data: { expression, meaning: 'a meaning', example: 'an example' },
  };
}

export function outboxContract(name: string, open: () => Promise<Outbox>, reopen?: (o: Outbox) => Promise<Outbox>) {
  describe(`Outbox contract: ${name}`, () => {
    it('gives device sequence numbers 1, 2, 3 in save order and lists newest first', async () => {
      const o = await open();
      const a = await o.save((s) => idiom(s));
      const b = await o.save((s) => idiom(s));
      const c = await o.save((s) => idiom(s));
      expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
      expect([a, b, c].map((e) => e.contribution.deviceSeq)).toEqual([1, 2, 3]);
      expect((await o.list()).map((e) => e.id)).toEqual([c.id, b.id, a.id]);
      o.close();
    });

    it('keeps everything waiting until settled, oldest first, honouring the limit', async () => {
      const o = await open();
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await o.save((s) => idiom(s))).id);
      expect((await o.waiting(3)).map((e) => e.id)).toEqual(ids.slice(0, 3));
      expect(await o.counts()).toEqual({ waiting: 5, sent: 0, rejected: 0 });
      o.close();
    });

    it('moves acknowledged entries to sent and refused ones to rejected with the reason', async () => {
      const o = await open();
      const a = await o.save((s) => idiom(s));
      const b = await o.save((s) => idiom(s));
      const c = await o.save((s) => idiom(s));
      await o.settle(
        [
          { id: a.id, outcome: 'sent' },
          { id: b.id, outcome: 'rejected', rejection: { code: 'too_long', field: 'data.meaning' } },
        ],
        42,
      );
      expect(await o.counts()).toEqual({ waiting: 1, sent: 1, rejected: 1 });
      expect((await o.waiting(10)).map((e) => e.id)).toEqual([c.id]);
      const all = await o.list();
      expect(all.find((e) => e.id === a.id)).toMatchObject({ status: 'sent', sentAt: 42 });
      expect(all.find((e) => e.id === b.id)).toMatchObject({ status: 'rejected', rejection: { code: 'too_long' } });
      o.close();
    });

    it('ignores outcomes for unknown ids and for entries already settled', async () => {
      const o = await open();
      const a = await o.save((s) => idiom(s));
      await o.settle([{ id: a.id, outcome: 'sent' }], 1);
      await o.settle([{ id: a.id, outcome: 'rejected', rejection: { code: 'conflict' } }, { id: 'nope', outcome: 'sent' }], 2);
      expect((await o.list())[0]).toMatchObject({ status: 'sent', sentAt: 1 });
      o.close();
    });

    it('loses nothing and reuses no sequence number when a save fails', async () => {
      const o = await open();
      const a = await o.save((s) => idiom(s));
      await expect(
        o.save(() => {
          throw new Error('boom');
        }),
      ).rejects.toThrow();
      const b = await o.save((s) => idiom(s));
      expect(b.seq).toBe(2);
      expect((await o.list()).map((e) => e.id)).toEqual([b.id, a.id]);
      o.close();
    });

    it('refuses a second entry with an existing id and keeps the first', async () => {
      const o = await open();
      const a = await o.save((s) => idiom(s));
      await expect(o.save((s) => ({ ...idiom(s), id: a.id }))).rejects.toThrow();
      expect(await o.counts()).toEqual({ waiting: 1, sent: 0, rejected: 0 });
      expect((await o.list())[0]!.contribution).toEqual(a.contribution);
      o.close();
    });

    it('stores and returns metadata values', async () => {
      const o = await open();
      expect(await o.getMeta('x')).toBeUndefined();
      await o.setMeta('x', { a: 1 });
      expect(await o.getMeta('x')).toEqual({ a: 1 });
      o.close();
    });

    if (reopen) {
      it('keeps entries, statuses and the sequence across a reopen', async () => {
        const o = await open();
        const a = await o.save((s) => idiom(s));
        await o.save((s) => idiom(s));
        await o.settle([{ id: a.id, outcome: 'sent' }]);
        const again = await reopen(o);
        expect(await again.counts()).toEqual({ waiting: 1, sent: 1, rejected: 0 });
        expect((await again.save((s) => idiom(s))).seq).toBe(3);
        again.close();
      });
    }
  });
}
