/**
 * Gold items are indistinguishable from real ones through every answer a reviewer can get (issue
 * 12), checked over the app's real handlers (in process, SQLite): the queue entry of a gold item and
 * of a real one have the same members of the same kinds and no tally; a review of either is answered
 * alike, and so is a changed vote, an improvement naming it, a withdrawal of it by someone else and
 * a review of one's own review of it; the status endpoint answers `unknown` for both; neither comes
 * back in the queue once voted on. Timings cannot be equalised exactly; see docs/reviewers.md.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, ReviewQueue, StatusResponse, SyncResponse, type ContributionInput } from '../protocol/index.ts';
import { goldItems, importGold } from '../store/gold.ts';
import { idiom, person, review, withdrawal } from '../../test/support/contributions.ts';
import { signedHeader } from '../../test/support/device-requests.ts';
import { staffWorld, type StaffWorld, ORIGIN } from '../../test/support/staff.ts';
import type { ContributorSigner } from '../trust/contributors.ts';

let w: StaffWorld;
beforeEach(async () => {
  w = await staffWorld();
  await w.store.saveCampaign({ slug: 'shule', title: 'Shule', description: '', languages: ['sw'], kinds: ['idiom'], goals: [], licence: 'CC0-1.0', consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 } });
});
afterEach(async () => {
  await w.close();
});

const sync = async (items: ContributionInput[]) => {
  const res = await w.app.request(`${ORIGIN}/api/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', host: 'localhost' },
    body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: '6f1c1d7e-3d5b-4a53-9d0e-1f2a3b4c5d6e' }, contributions: items }),
  });
  expect(res.status).toBe(200);
  // Answers compared as they are, ids named in messages aside.
  return SyncResponse.parse(await res.json()).results.map(({ index: _i, id: _id, ...rest }) =>
    rest.message === undefined ? rest : { ...rest, message: rest.message.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>') });
};
const signed = async (signer: ContributorSigner, method: 'GET' | 'POST', path: string, body?: unknown) => {
  const text = body === undefined ? '' : JSON.stringify(body);
  const res = await w.app.request(`${ORIGIN}${path}`, {
    method,
    headers: { host: 'localhost', authorization: signedHeader(signer, method, path, text), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: text } : {}),
  });
  expect(res.status).toBe(200);
  return res.json();
};
/** The shape of a value: its members and their types, all the way down (not the values). */
const shape = (value: unknown): unknown =>
  value === null ? 'null' : Array.isArray(value) ? value.map(shape) : typeof value === 'object' ? Object.fromEntries(Object.entries(value as object).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, shape(v)])) : typeof value;

describe('gold items, as a reviewer sees them', () => {
  it('look and answer like real items everywhere a reviewer can look', async () => {
    const real = Array.from({ length: 12 }, (_, i) => idiom({ campaign: 'shule', data: { expression: `Methali ya kweli ${i}`, meaning: `Maana ${i}.`, example: `Mfano ${i}.` } }));
    await sync(real);
    await importGold(w.store.db, 'shule', Array.from({ length: 4 }, (_, i) => ({ kind: 'idiom' as const, language: 'sw', data: { expression: `Methali ya dhahabu ${i}`, meaning: `Maana ${i}.`, example: `Mfano ${i}.` }, expected: 'good' as const })), 3);
    const goldIds = new Set((await goldItems(w.store.db)).map((g) => g.item.id));
    const reviewer = person();

    const queue = ReviewQueue.parse(await signed(reviewer, 'GET', '/api/v1/review/queue?campaign=shule&language=sw&limit=10')).items;
    const gold = queue.find((q) => goldIds.has(q.item.id))!;
    const item = queue.find((q) => !goldIds.has(q.item.id))!;
    expect(gold, 'the page has a gold item').toBeDefined();
    // The same members of the same kinds, no tally, and the same envelope values that could differ.
    expect(shape(gold)).toEqual(shape(item));
    expect(Object.keys(gold)).toEqual(['item']);
    expect([gold.item.kind, gold.item.campaign, gold.item.language, gold.item.consent]).toEqual([item.item.kind, item.item.campaign, item.item.language, item.item.consent]);
    expect(gold.item.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    // A vote, a changed vote, an improvement, someone else's withdrawal: answered alike.
    const up = (target: string) => review(target, { campaign: 'shule', contributor: reviewer.contributor });
    const down = (target: string) => review(target, { campaign: 'shule', contributor: reviewer.contributor, data: { action: 'down' } });
    expect(await sync([up(gold.item.id)])).toEqual(await sync([up(item.item.id)]));
    expect(await sync([down(gold.item.id)])).toEqual(await sync([down(item.item.id)]));
    const improve = (target: string) => idiom({ campaign: 'shule', contributor: reviewer.contributor, revisionOf: target });
    expect(await sync([improve(gold.item.id)])).toEqual(await sync([improve(item.item.id)]));
    const takeBack = (target: string) => withdrawal(target, { contributor: reviewer.contributor });
    const [goldWithdrawal, realWithdrawal] = [await sync([takeBack(gold.item.id)]), await sync([takeBack(item.item.id)])];
    expect(goldWithdrawal).toEqual(realWithdrawal);
    expect(goldWithdrawal[0]).toMatchObject({ status: 'rejected', code: 'not_author' });
    const ownReview = up(gold.item.id);
    const ownRealReview = up(item.item.id);
    await sync([ownReview, ownRealReview]);
    expect(await sync([review(ownReview.id, { campaign: 'shule', contributor: reviewer.contributor })])).toEqual(await sync([review(ownRealReview.id, { campaign: 'shule', contributor: reviewer.contributor })]));

    // Asking for their status: neither is the asker's; both unknown, alike.
    const statuses = StatusResponse.parse(await signed(reviewer, 'POST', '/api/v1/status', { ids: [gold.item.id, item.item.id] })).items;
    expect(statuses).toEqual([{ id: gold.item.id, status: 'unknown' }, { id: item.item.id, status: 'unknown' }]);

    // Once voted on, neither comes back; the next pages still mix gold in, untold.
    const later = ReviewQueue.parse(await signed(reviewer, 'GET', '/api/v1/review/queue?campaign=shule&language=sw&limit=10')).items;
    expect(later.map((q) => q.item.id)).not.toContain(gold.item.id);
    expect(later.map((q) => q.item.id)).not.toContain(item.item.id);
    expect(later.every((q) => Object.keys(q).join() === 'item')).toBe(true);
  });
});
