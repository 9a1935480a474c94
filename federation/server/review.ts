/**
 * The review endpoints, both signed by the asking contributor's key (device-auth.ts): the queue of
 * others' pending items for that reviewer (never their own, never one they already reviewed; the
 * items without their authors), and the derived status of the signer's own items.
 */
import type { Hono } from 'hono';
import {
  DEFAULT_CAMPAIGN,
  ReviewQueueQuery,
  type ReviewQueue,
  StatusRequest,
  type StatusResponse,
} from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { ApiError, methodNotAllowed } from './errors.ts';
import { parseQuery, queryLanguage, READ_BODY_LIMIT, parseJsonText } from './query.ts';
import { authenticateDevice } from './device-auth.ts';
import { readJsonRequestBody } from './body.ts';
import type { RateLimiter } from './ratelimit.ts';

export function reviewRoutes(app: Hono, store: Store, limiter?: RateLimiter): void {
  app.get('/api/v1/review/queue', async (c) => {
    const reviewer = authenticateDevice(c);
    limiter?.takeKey(reviewer.key);
    const query = parseQuery(c, ReviewQueueQuery);
    if (query.campaign !== DEFAULT_CAMPAIGN && (await store.campaign(query.campaign)) === undefined) {
      throw new ApiError(404, 'not_found', `No campaign "${query.campaign}" on this node`);
    }
    const items = await store.reviewQueue({
      campaign: query.campaign,
      language: queryLanguage(query.language),
      reviewer: reviewer.contributor,
      limit: query.limit,
    });
    const answer: ReviewQueue = { items };
    return c.json(answer);
  });
  app.all('/api/v1/review/queue', methodNotAllowed(['GET', 'HEAD']));

  app.post('/api/v1/status', async (c) => {
    const raw = await readJsonRequestBody(c.req.raw, READ_BODY_LIMIT);
    const asker = authenticateDevice(c, raw.bytes);
    limiter?.takeKey(asker.key);
    const { ids } = parseJsonText(raw, StatusRequest);
    const answer: StatusResponse = { items: await store.statuses(ids, asker.contributor) };
    return c.json(answer);
  });
  app.all('/api/v1/status', methodNotAllowed(['POST']));
}
