/**
 * The campaign endpoints: the list of public campaigns (with the built-in `general` first), one
 * campaign by slug or by join code (case-insensitive), and seed items drawn for a device so that
 * two devices rarely get the same one (the store records what it served).
 *
 * Contributors never get a join code here (PublicCampaign): codes go only to the staff who manage
 * a campaign (staff/http/campaigns.ts). An unlisted campaign is left out of the list; whoever has
 * its code finds it, and a device that joined keeps refreshing it by slug.
 */
import type { Context, Hono } from 'hono';
import {
  type Campaign,
  type CampaignList,
  isListed,
  publicCampaign,
  type CampaignProgress,
  DEFAULT_CAMPAIGN,
  generalCampaign,
  SeedQuery,
  type SeedList,
} from '../protocol/index.ts';
import { type CampaignTally, goalProgress, type Store, topSeq } from '../store/index.ts';
import { ApiError, methodNotAllowed } from './errors.ts';
import { parseQuery, queryLanguage } from './query.ts';

const GENERAL = generalCampaign();

async function findCampaign(store: Store, slug: string): Promise<Campaign> {
  const campaign = slug === DEFAULT_CAMPAIGN ? GENERAL : await store.campaign(slug);
  if (campaign === undefined) throw new ApiError(404, 'not_found', `No campaign "${slug}" on this node`);
  return campaign;
}

/**
 * When every campaign's items are counted again (one scan of the store, see campaignTallies): once
 * anything was stored since the last count (a new item, review or withdrawal moves the top `seq`),
 * and in any case after PROGRESS_TTL_MS (a moderator's decision stores nothing) — but never
 * sooner than RECOUNT_FACTOR times what the last count took. A library node's count takes
 * milliseconds, so a contributor sees their item counted on their next request; a hub with
 * millions of items spends at most a twentieth of its time counting.
 */
export const PROGRESS_TTL_MS = 60_000;
export const RECOUNT_FACTOR = 20;

export function campaignRoutes(app: Hono, store: Store, now: () => number = Date.now): void {
  const GET_ONLY = methodNotAllowed(['GET', 'HEAD']);

  interface Count {
    at: number;
    top: number;
    /** How long it took, once done (undefined while counting: it is what is served meanwhile). */
    took: number | undefined;
    tallies: Promise<CampaignTally[]>;
  }
  let counted: Count | undefined;
  const tallies = async (): Promise<Count> => {
    const last = counted;
    if (last !== undefined) {
      if (last.took === undefined) return last;
      const age = now() - last.at;
      const floor = RECOUNT_FACTOR * last.took;
      if (age < floor) return last;
      if (age < Math.max(PROGRESS_TTL_MS, floor) && (await topSeq(store.db)) === last.top) return last;
    }
    if (counted !== last) return counted!; // another request started a count meanwhile
    const top = await topSeq(store.db);
    if (counted !== last) return counted!;
    const fresh: Count = { at: now(), top, took: undefined, tallies: store.campaignTallies() };
    counted = fresh;
    fresh.tallies.then(
      () => (fresh.took = now() - fresh.at),
      () => {
        if (counted === fresh) counted = last;
      },
    );
    return fresh;
  };

  app.get('/api/v1/campaigns', async (c) => {
    const listed = (await store.campaigns()).filter(isListed);
    const answer: CampaignList = { campaigns: [GENERAL, ...listed].map(publicCampaign) };
    return c.json(answer);
  });
  app.all('/api/v1/campaigns', GET_ONLY);

  app.get('/api/v1/campaigns/join/:code', async (c) => {
    const code = c.req.param('code').toUpperCase();
    const campaign = code === GENERAL.joinCode ? GENERAL : await store.campaignByJoinCode(code);
    if (campaign === undefined) throw new ApiError(404, 'not_found', 'No campaign has that join code');
    return c.json(publicCampaign(campaign));
  });
  app.all('/api/v1/campaigns/join/:code', GET_ONLY);

  app.get('/api/v1/campaigns/:slug', async (c: Context) => c.json(publicCampaign(await findCampaign(store, c.req.param('slug')!))));
  app.all('/api/v1/campaigns/:slug', GET_ONLY);

  app.get('/api/v1/campaigns/:slug/progress', async (c: Context) => {
    const campaign = await findCampaign(store, c.req.param('slug')!);
    const { at, tallies: counting } = await tallies();
    const answer: CampaignProgress = { campaign: campaign.slug, kinds: goalProgress(campaign, await counting), countedAt: new Date(at).toISOString() };
    return c.json(answer);
  });
  app.all('/api/v1/campaigns/:slug/progress', GET_ONLY);

  app.get('/api/v1/campaigns/:slug/seeds', async (c: Context) => {
    const query = parseQuery(c, SeedQuery);
    const campaign = await findCampaign(store, c.req.param('slug')!);
    const seeds = await store.drawSeeds({
      campaign: campaign.slug,
      type: query.type,
      ...(query.language !== undefined ? { language: queryLanguage(query.language) } : {}),
      device: query.device.toLowerCase(),
      limit: query.limit,
    });
    const answer: SeedList = { seeds };
    return c.json(answer);
  });
  app.all('/api/v1/campaigns/:slug/seeds', GET_ONLY);
}
