/**
 * The opt-in leaderboard through the API, on every backend: nobody shows until they opt in under a
 * nickname (signed with their key); counts per campaign and language; personal data as a nickname
 * refused; opting out hides at once, and a replayed opt-in signed before it is refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import type { Hono } from 'hono';
import { Contribution, type ContributionInput, type Leaderboard } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import type { StoreHarness } from '../store/store.contract.ts';
import { createApp } from './app.ts';
import { idiom, person } from '../../test/support/contributions.ts';
import { signedHeader } from '../../test/support/device-requests.ts';
import type { ContributorSigner } from '../trust/contributors.ts';

export function leaderboardContract(name: string, harness: () => StoreHarness): void {
  describe(`${name}: the opt-in leaderboard`, () => {
    let h: StoreHarness;
    let store: Store;
    let app: Hono;
    const ingest = (...items: ContributionInput[]) => store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
    const call = (method: string, path: string, signer?: ContributorSigner, body?: unknown, at?: number) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = { host: 'localhost' };
      if (signer !== undefined) headers.authorization = signedHeader(signer, method, path, text ?? '', at);
      if (text !== undefined) headers['content-type'] = 'application/json';
      return app.request(`http://localhost${path}`, { method, headers, ...(text !== undefined ? { body: text } : {}) });
    };
    const board = async (query = '') => ((await (await call('GET', `/api/v1/campaigns/maktaba/leaderboard${query}`)).json()) as Leaderboard).entries;

    beforeEach(async () => {
      h = harness();
      store = await h.open();
      app = createApp({ store, role: 'node', version: '0.0.0-test', webRoot: '/nonexistent', rateLimits: { address: null, key: null, trustProxy: false } });
      await store.saveCampaign({ slug: 'maktaba', title: 'Maktaba', description: '', languages: ['sw', 'luo'], kinds: ['idiom'], goals: [], licence: 'CC0-1.0', consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 } });
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    it('shows only who opted in, most items first, per language when asked', async () => {
      const [amina, baraka, chausiku] = [person(), person(), person()];
      await ingest(
        ...[1, 2, 3].map(() => idiom({ campaign: 'maktaba', contributor: amina.contributor })),
        ...[1, 2].map(() => idiom({ campaign: 'maktaba', contributor: baraka.contributor, language: 'luo' })),
        ...[1, 2, 3, 4].map(() => idiom({ campaign: 'maktaba', contributor: chausiku.contributor })),
        idiom({ contributor: amina.contributor }),
      );
      expect(await board()).toEqual([]);
      expect(await (await call('GET', '/api/v1/campaigns/maktaba/leaderboard/me', amina)).json()).toEqual({ nickname: null });
      expect((await call('POST', '/api/v1/campaigns/maktaba/leaderboard/me', amina, { nickname: 'Mwalimu A' })).status).toBe(200);
      expect((await call('POST', '/api/v1/campaigns/maktaba/leaderboard/me', baraka, { nickname: 'Baraka' })).status).toBe(200);
      expect(await board()).toEqual([{ rank: 1, nickname: 'Mwalimu A', items: 3, accepted: 0 }, { rank: 2, nickname: 'Baraka', items: 2, accepted: 0 }]);
      expect(await board('?language=luo')).toEqual([{ rank: 1, nickname: 'Baraka', items: 2, accepted: 0 }]);
      expect(await board('?limit=1')).toHaveLength(1);
      expect(await (await call('GET', '/api/v1/campaigns/maktaba/leaderboard/me', amina)).json()).toEqual({ nickname: 'Mwalimu A' });
      // The other campaign has its own board: nobody there.
      expect(((await (await call('GET', '/api/v1/campaigns/general/leaderboard')).json()) as Leaderboard).entries).toEqual([]);
      expect((await call('GET', '/api/v1/campaigns/no-such/leaderboard')).status).toBe(404);
    });

    it('refuses nicknames that are personal data or not text, and unsigned requests', async () => {
      const amina = person();
      for (const nickname of ['amina@example.org', '+254 712 345 678', 'x', 'a'.repeat(25), 'bad\u202Ename']) {
        const res = await call('POST', '/api/v1/campaigns/maktaba/leaderboard/me', amina, { nickname });
        expect(res.status, nickname).toBe(400);
      }
      expect((await call('POST', '/api/v1/campaigns/maktaba/leaderboard/me', undefined, { nickname: 'Amina' })).status).toBe(401);
      expect(await board()).toEqual([]);
    });

    it('hides at once on opting out, and a replayed opt-in signed earlier cannot undo it', async () => {
      const amina = person();
      await ingest(idiom({ campaign: 'maktaba', contributor: amina.contributor }));
      const t0 = Date.now() - 60_000;
      const path = '/api/v1/campaigns/maktaba/leaderboard/me';
      const optIn = { nickname: 'Amina' };
      expect((await call('POST', path, amina, optIn, t0)).status).toBe(200);
      expect(await board()).toHaveLength(1);
      expect((await call('DELETE', path, amina, undefined, t0 + 1000)).status).toBe(200);
      expect(await board()).toEqual([]);
      const replay = await call('POST', path, amina, optIn, t0);
      expect(replay.status).toBe(401);
      expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('replayed_request');
      expect(await board()).toEqual([]);
      // A new opt-in, signed now, shows again.
      expect((await call('POST', path, amina, { nickname: 'Amina K' })).status).toBe(200);
      expect(await board()).toEqual([{ rank: 1, nickname: 'Amina K', items: 1, accepted: 0 }]);
    });
  });
}
