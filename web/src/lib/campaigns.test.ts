import { describe, expect, it } from 'vitest';
import { generalCampaign, publicCampaign, type Seed } from '../../../federation/protocol/index.ts';
import { CampaignCache, reviewable, seedTypes } from './campaigns.ts';
import { NodeClient, NodeError } from './node.ts';
import { MemoryOutbox } from './outbox/outbox.memory.ts';

// As the node answers contributors: no join code.
const campaign = publicCampaign({ ...generalCampaign(['sw']), slug: 'shule', title: 'Shule', kinds: ['idiom', 'rewrite', 'translation'], visibility: 'unlisted' });
const draft = (i: number): Seed => ({ id: `d${i}`, type: 'draft', prompt: `p${i}`, draft: `d${i}` });
const pivot = (i: number): Seed => ({ id: `t${i}`, type: 'pivot', text: `s${i}`, sourceLanguage: 'en' });

/** A node answering from a table of paths; anything else is a 404, and `down` is a network failure. */
function node(routes: Record<string, unknown>, state = { down: false, calls: [] as string[] }) {
  const fetcher = (async (input: RequestInfo | URL) => {
    const url = String(input);
    state.calls.push(url);
    if (state.down) throw new TypeError('Failed to fetch');
    const key = Object.keys(routes).find((k) => url.startsWith(k));
    if (!key) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no' } }), { status: 404 });
    return new Response(JSON.stringify(routes[key]), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { client: new NodeClient(fetcher), state };
}

describe('campaigns and seeds cached on the device', () => {
  it('works in the general campaign with every kind until one is chosen', async () => {
    const cache = new CampaignCache(new MemoryOutbox(), node({}).client);
    expect((await cache.current()).slug).toBe('general');
    expect((await cache.current()).kinds).toHaveLength(8);
  });

  it('joins by code, remembers the campaign and fetches only the seed types its kinds need', async () => {
    const { client, state } = node({
      '/api/v1/campaigns/join/K7TQ2M': campaign,
      '/api/v1/campaigns/shule/seeds?type=draft': { seeds: [draft(1), draft(2)] },
      '/api/v1/campaigns/shule/seeds?type=pivot': { seeds: [pivot(1)] },
    });
    const outbox = new MemoryOutbox();
    const cache = new CampaignCache(outbox, client);
    await cache.join(' k7tq2m ');
    expect(seedTypes(campaign)).toEqual(['draft', 'pivot']);
    await cache.refill(await cache.current(), 'sw', '5b0e0c43-3c1c-4c5e-9d36-4c7d3f1c8a20');
    expect(state.calls.filter((u) => u.includes('/seeds')).length).toBe(2);
    // Offline, from a fresh cache on the same storage: everything is still there.
    state.down = true;
    const again = new CampaignCache(outbox, client);
    expect((await again.current()).slug).toBe('shule');
    expect((await again.seeds('shule', 'sw', 'draft')).map((s) => s.id)).toEqual(['d1', 'd2']);
    await again.markUsed('shule', 'd1');
    expect((await again.seeds('shule', 'sw', 'draft')).map((s) => s.id)).toEqual(['d2']);
    await expect(again.refill(campaign, 'sw', '5b0e0c43-3c1c-4c5e-9d36-4c7d3f1c8a20')).rejects.toBeInstanceOf(NodeError);
    expect((await again.seeds('shule', 'sw', 'pivot')).map((s) => s.id)).toEqual(['t1']);
  });

  it('keeps a campaign an older app cached with its join code, dropping the code', async () => {
    const outbox = new MemoryOutbox();
    const old = { ...campaign, joinCode: 'K7TQ2M' };
    await outbox.setMeta('campaign', old);
    await outbox.setMeta('campaigns', [old, { slug: 'broken' }]);
    const cache = new CampaignCache(outbox, node({}).client);
    const current = await cache.current();
    expect(current.slug).toBe('shule');
    expect(current).not.toHaveProperty('joinCode');
    expect((await cache.cachedList()).map((c) => c.slug)).toEqual(['shule']);
    await cache.setCurrent(old);
    expect(await outbox.getMeta('campaign')).not.toHaveProperty('joinCode');
  });

  it('says not_found for an unknown join code and keeps the current campaign', async () => {
    const cache = new CampaignCache(new MemoryOutbox(), node({}).client);
    await expect(cache.join('ZZZZZZ')).rejects.toMatchObject({ code: 'not_found' });
    expect((await cache.current()).slug).toBe('general');
  });

  it('never offers items already reviewed on this device', () => {
    const item = (id: string) => ({ item: { id } as never, votes: { up: 0, down: 0, flags: 0 } });
    const list = [item('b'), item('c')];
    expect(reviewable(list, new Set(['c'])).map((i) => (i.item as { id: string }).id)).toEqual(['b']);
  });

  it('keeps the campaign’s progress for offline use, and only for the campaign it is about', async () => {
    const progress = { campaign: 'shule', kinds: [{ kind: 'idiom', collected: 12, accepted: 5, goal: 100 }], countedAt: '2026-11-29T01:00:00.000Z' };
    const { client, state } = node({ '/api/v1/campaigns/shule/progress': progress, '/api/v1/campaigns/other/progress': { ...progress, campaign: 'shule' } });
    const outbox = new MemoryOutbox();
    const cache = new CampaignCache(outbox, client);
    expect(await cache.cachedProgress('shule')).toBeNull();
    expect(await cache.refreshProgress('shule')).toEqual(progress);
    state.down = true;
    await expect(cache.refreshProgress('shule')).rejects.toThrow(NodeError);
    expect(await cache.cachedProgress('shule')).toEqual(progress);
    state.down = false;
    await cache.refreshProgress('other');
    expect(await cache.cachedProgress('other')).toBeNull();
  });
});
