/**
 * GET /federation/v1/gold (signed): the gold items of the campaigns the hub publishes (made on
 * the hub, not relayed from a node), with each campaign's queue rate, so that every node's review
 * queue serves the very same test questions (same ids) and a node's votes on them, pushed like any
 * review, count on the hub. A node asks after its pull (node/agent.ts); a hub without this route
 * answers 404 and the node carries on without gold.
 */
import type { Context, Hono } from 'hono';
import { type GoldList, PROTOCOL_VERSION } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { goldItems, goldRates } from '../store/gold.ts';
import { methodNotAllowed } from '../server/errors.ts';
import type { HubRegistry } from './registry.ts';

export function goldRoute(app: Hono, store: Store, registry: HubRegistry, authenticate: (c: Context, limit: number) => Promise<unknown>): void {
  app.get('/federation/v1/gold', async (c) => {
    await authenticate(c, 0);
    const origins = await registry.campaignOrigins();
    const national = (await store.campaigns()).filter((campaign) => !origins.has(campaign.slug)).map((campaign) => campaign.slug);
    const answer: GoldList = { protocol: PROTOCOL_VERSION, gold: await goldItems(store.db, national), every: await goldRates(store.db, national) };
    return c.json(answer);
  });
  app.all('/federation/v1/gold', methodNotAllowed(['GET', 'HEAD']));
}
