import { describe, expect, it } from 'vitest';
import { CONSENT_VERSION, type UnsignedContribution as Contribution } from '../../../federation/protocol/index.ts';
import { emptyForm, makeContribution, makeRecord, validate } from './forms.ts';
import { history } from './history.ts';
import { TEST_IDENTITY } from './testing.ts';
import { MemoryOutbox } from './outbox/outbox.memory.ts';

const me = TEST_IDENTITY.contributorId;
const ctx = {
  identity: TEST_IDENTITY,
  consent: { version: CONSENT_VERSION, licence: 'CC0-1.0' as const, ageConfirmed: true as const, acceptedAt: 0 },
  language: 'sw',
};

function norm(situation: string) {
  const f = emptyForm('norm');
  Object.assign(f.values, { situation, expectation: 'e', goodExample: 'g', poorExample: 'p' });
  const v = validate(f);
  if (!v.ok) throw new Error('invalid');
  return v.data;
}

async function outboxWith(...makers: Array<(seq: number) => Contribution>) {
  const o = new MemoryOutbox();
  const saved = [];
  for (const m of makers) saved.push((await o.save(m)).contribution);
  return { o, saved };
}

describe('what the device knows about its own items', () => {
  it('marks an edited item replaced and keeps the new revision current', async () => {
    const { o, saved } = await outboxWith((s) => makeContribution('norm', norm('first'), ctx, s));
    await o.save((s) => makeContribution('norm', norm('second'), ctx, s, { revisionOf: saved[0]!.id }));
    const h = history(await o.list(), {}, me);
    expect(h.items.map((i) => [i.contribution.data, i.status])).toEqual([
      [expect.objectContaining({ situation: 'second' }), 'waiting'],
      [expect.objectContaining({ situation: 'first' }), 'replaced'],
    ]);
  });

  it('shows a withdrawn item withdrawn, with every revision of it, even before it is sent', async () => {
    const { o, saved } = await outboxWith((s) => makeContribution('norm', norm('a'), ctx, s));
    const edit = await o.save((s) => makeContribution('norm', norm('b'), ctx, s, { revisionOf: saved[0]!.id }));
    await o.save((s) => makeRecord({ kind: 'withdrawal', data: { scope: 'item', target: edit.id } }, ctx, s));
    const h = history(await o.list(), {}, me);
    expect(h.items.every((i) => i.withdrawn)).toBe(true);
    expect(h.items.map((i) => i.status)).toEqual(['withdrawn', 'withdrawn']);
    expect(h.records).toBe(1);
  });

  it('withdraws everything of mine at once', async () => {
    const { o } = await outboxWith(
      (s) => makeContribution('norm', norm('a'), ctx, s),
      (s) => makeContribution('norm', norm('b'), ctx, s),
      (s) => makeRecord({ kind: 'withdrawal', data: { scope: 'all' } }, ctx, s),
    );
    const h = history(await o.list(), {}, me);
    expect(h.withdrewAll).toBe(true);
    expect(h.items.map((i) => i.status)).toEqual(['withdrawn', 'withdrawn']);
  });

  it('shows the node’s verdict for sent items, and remembers what I reviewed', async () => {
    const target = '019ac0a0-0000-7000-8000-000000000001';
    const { o, saved } = await outboxWith(
      (s) => makeContribution('norm', norm('a'), ctx, s),
      (s) => makeRecord({ kind: 'review', data: { target, action: 'up' } }, ctx, s),
    );
    await o.settle(saved.map((c) => ({ id: c.id, outcome: 'sent' as const })));
    const h = history(await o.list(), { [saved[0]!.id]: { id: saved[0]!.id, status: 'accepted', votes: { up: 2, down: 0, flags: 0 } } }, me);
    expect(h.items.map((i) => i.status)).toEqual(['accepted']);
    expect(h.reviewed.has(target)).toBe(true);
  });
});
