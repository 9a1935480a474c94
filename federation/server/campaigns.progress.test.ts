/**
 * When campaign progress is counted again (campaigns.ts): a real SQLite store behind the real
 * routes, on a clock the test moves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { CampaignProgress, Contribution } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { idiom } from '../../test/support/contributions.ts';
import { campaignRoutes, PROGRESS_TTL_MS } from './campaigns.ts';

describe('campaign progress, counted again', () => {
  let dir: string;
  let store: Store;
  let app: Hono;
  let clock = 0;
  let counts = 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-progress-'));
    store = await openStore({ dataDir: dir });
    await store.saveCampaign({
      slug: 'drive', title: 'Drive', description: '', languages: ['sw'], kinds: ['idiom'], goals: [{ kind: 'idiom', target: 10 }],
      licence: 'CC0-1.0', consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 },
    });
    clock = 1_000_000;
    counts = 0;
    // The store's own count, counted.
    const counting: Store = Object.assign(Object.create(store) as Store, {
      campaignTallies: () => {
        counts++;
        return store.campaignTallies();
      },
    });
    app = new Hono();
    campaignRoutes(app, counting, () => clock);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const add = async (n: number) => store.ingest(uuidv4(), Array.from({ length: n }, () => Contribution.parse(idiom({ campaign: 'drive' }))));
  const collected = async () => {
    const res = await app.request('/api/v1/campaigns/drive/progress');
    expect(res.status).toBe(200);
    return CampaignProgress.parse(await res.json()).kinds[0]!.collected;
  };

  it('counts once anything new is stored (after 2 s), else once a minute', async () => {
    await add(1);
    expect(await collected()).toBe(1);
    await add(1);
    clock += 1_000;
    expect(await collected()).toBe(1); // under 2 s: the last count
    clock += 1_500;
    expect(await collected()).toBe(2); // something new: counted again
    expect(counts).toBe(2);
    clock += 30_000;
    expect(await collected()).toBe(2); // nothing new: not counted
    expect(counts).toBe(2);
    clock += PROGRESS_TTL_MS;
    expect(await collected()).toBe(2); // a minute on: counted anyway
    expect(counts).toBe(3);
  });

  it('asks for one count at a time, however many requests come while it runs', async () => {
    await add(2);
    const answers = await Promise.all(Array.from({ length: 5 }, () => collected()));
    expect(answers).toEqual([2, 2, 2, 2, 2]);
    expect(counts).toBe(1);
  });
});
