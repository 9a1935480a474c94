/**
 * GET /federation/v1/gold (signed): the gold items of the campaigns the hub publishes (made on
 * the hub, not relayed from a node), with each campaign's queue rate, so that every node's review
 * queue serves the very same test questions (same ids) and a node's votes on them, pushed like any
 * review, count on the hub. A node asks after its pull (node/agent.ts); a hub without this route
 * answers 404 and the node carries on without gold. The node names the set it has (`known`, the
 * answer's hash), and an unchanged set is answered without its items.
 */
import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { canonicalJson, type GoldList, PROTOCOL_VERSION } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { goldItems, goldRates } from '../store/gold.ts';
import { methodNotAllowed } from '../server/errors.ts';
import type { HubRegistry } from './registry.ts';

export function goldRoute(app: Hono, store: Store, registry: HubRegistry, authenticate: (c: Context, limit: number) => Promise<unknown>): void {
  app.get('/federation/v1/gold', async (c) => {
    await authenticate(c, 0);
    const origins = await registry.campaignOrigins();
    const national = (await store.campaigns()).filter((campaign) => !origins.has(campaign.slug)).map((campaign) => campaign.slug);
    const gold = await goldItems(store.db, national);
    const every = await goldRates(store.db, national);
    const hash = createHash('sha256').update(canonicalJson({ gold, every }), 'utf8').digest('hex');
    const unchanged = c.req.query('known') === hash;
    const answer: GoldList = { protocol: PROTOCOL_VERSION, hash, unchanged, gold: unchanged ? [] : gold, every: unchanged ? {} : every };
    return c.json(answer);
  });
  app.all('/federation/v1/gold', methodNotAllowed(['GET', 'HEAD']));
}
