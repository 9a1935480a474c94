/**
 * The review endpoints: the queue of others' pending items for a reviewer (never their own, never
 * one they already reviewed), and the derived status of given items — what a contributor's
 * device asks about the items it sent.
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
import { parseBody, parseQuery, queryLanguage } from './query.ts';

export function reviewRoutes(app: Hono, store: Store): void {
  app.get('/api/v1/review/queue', async (c) => {
    const query = parseQuery(c, ReviewQueueQuery);
    if (query.campaign !== DEFAULT_CAMPAIGN && (await store.campaign(query.campaign)) === undefined) {
      throw new ApiError(404, 'not_found', `No campaign "${query.campaign}" on this node`);
    }
    const items = await store.reviewQueue({
      campaign: query.campaign,
      language: queryLanguage(query.language),
      reviewer: query.reviewer.toLowerCase(),
      limit: query.limit,
    });
    const answer: ReviewQueue = { items };
    return c.json(answer);
  });
  app.all('/api/v1/review/queue', methodNotAllowed(['GET', 'HEAD']));

  app.post('/api/v1/status', async (c) => {
    const { ids } = await parseBody(c, StatusRequest);
    const answer: StatusResponse = { items: await store.statuses(ids) };
    return c.json(answer);
  });
  app.all('/api/v1/status', methodNotAllowed(['POST']));
}
