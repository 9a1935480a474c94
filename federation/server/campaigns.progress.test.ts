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
import { campaignRoutes, PROGRESS_TTL_MS, RECOUNT_FACTOR } from './campaigns.ts';

describe('campaign progress, counted again', () => {
  let dir: string;
  let store: Store;
  let app: Hono;
  let clock = 0;
  let counts = 0;
  /** How long a count takes, on the test's clock. */
  let takes = 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-progress-'));
    store = await openStore({ dataDir: dir });
    await store.saveCampaign({
      slug: 'drive', title: 'Drive', description: '', languages: ['sw'], kinds: ['idiom'], goals: [{ kind: 'idiom', target: 10 }],
      licence: 'CC0-1.0', consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 },
    });
    clock = 1_000_000;
    counts = 0;
    takes = 0;
    // The store's own count, counted, taking `takes` ms of the test's clock.
    const counting: Store = Object.assign(Object.create(store) as Store, {
      campaignTallies: async () => {
        counts++;
        const tallies = await store.campaignTallies();
        clock += takes;
        return tallies;
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

  it('counts again as soon as anything new is stored, when counting is quick', async () => {
    await add(1);
    expect(await collected()).toBe(1);
    expect(await collected()).toBe(1); // nothing new: not counted
    expect(counts).toBe(1);
    await add(2);
    expect(await collected()).toBe(3);
    expect(counts).toBe(2);
  });

  it('waits twenty times what a count took before counting again, and counts once a minute anyway', async () => {
    takes = 100; // a large store: the floor is 2 s
    expect(RECOUNT_FACTOR * takes).toBe(2_000);
    await add(1);
    expect(await collected()).toBe(1);
    await add(1);
    clock += 1_000;
    expect(await collected()).toBe(1); // within twenty counts' time: the last count
    clock += 1_500;
    expect(await collected()).toBe(2); // something new, and the floor passed: counted again
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
