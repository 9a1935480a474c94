/**
 * The campaign endpoints: the list (with the built-in `general` first), one campaign by slug or
 * by join code (case-insensitive), and seed items drawn for a device so that two devices rarely
 * get the same one (the store records what it served).
 */
import type { Context, Hono } from 'hono';
import {
  type Campaign,
  type CampaignList,
  DEFAULT_CAMPAIGN,
  generalCampaign,
  SeedQuery,
  type SeedList,
} from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { ApiError, methodNotAllowed } from './errors.ts';
import { parseQuery, queryLanguage } from './query.ts';

const GENERAL = generalCampaign();

async function findCampaign(store: Store, slug: string): Promise<Campaign> {
  const campaign = slug === DEFAULT_CAMPAIGN ? GENERAL : await store.campaign(slug);
  if (campaign === undefined) throw new ApiError(404, 'not_found', `No campaign "${slug}" on this node`);
  return campaign;
}

export function campaignRoutes(app: Hono, store: Store): void {
  const GET_ONLY = methodNotAllowed(['GET', 'HEAD']);

  app.get('/api/v1/campaigns', async (c) => {
    const answer: CampaignList = { campaigns: [GENERAL, ...(await store.campaigns())] };
    return c.json(answer);
  });
  app.all('/api/v1/campaigns', GET_ONLY);

  app.get('/api/v1/campaigns/join/:code', async (c) => {
    const code = c.req.param('code').toUpperCase();
    const campaign = code === GENERAL.joinCode ? GENERAL : await store.campaignByJoinCode(code);
    if (campaign === undefined) throw new ApiError(404, 'not_found', 'No campaign has that join code');
    return c.json(campaign);
  });
  app.all('/api/v1/campaigns/join/:code', GET_ONLY);

  app.get('/api/v1/campaigns/:slug', async (c: Context) => c.json(await findCampaign(store, c.req.param('slug')!)));
  app.all('/api/v1/campaigns/:slug', GET_ONLY);

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
