/**
 * A campaign's opt-in leaderboard: GET /api/v1/campaigns/{slug}/leaderboard (anyone: nicknames and
 * counts only), and the signer's own entry at …/leaderboard/me — GET, POST (show me under a
 * nickname), DELETE (stop showing). A nickname that looks like personal data (an e-mail address,
 * a phone or identity number) is refused: it would be shown to everyone.
 */
import type { Context, Hono } from 'hono';
import { DEFAULT_CAMPAIGN, LeaderboardJoin, type Leaderboard, type LeaderboardMe, LeaderboardQuery, parseDeviceAuthorization } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { LeaderboardStore } from '../store/leaderboard.ts';
import { scanText } from '../../worker/pii.ts';
import { authenticateDevice } from './device-auth.ts';
import { readJsonRequestBody } from './body.ts';
import { ApiError, methodNotAllowed } from './errors.ts';
import { parseJsonText, parseQuery, queryLanguage, READ_BODY_LIMIT } from './query.ts';
import type { RateLimiter } from './ratelimit.ts';

export function leaderboardRoutes(app: Hono, store: Store, limiter?: RateLimiter): void {
  const names = new LeaderboardStore(store.db);
  const campaignOf = async (slug: string) => {
    if (slug !== DEFAULT_CAMPAIGN && (await store.campaign(slug)) === undefined) throw new ApiError(404, 'not_found', `No campaign "${slug}" on this node`);
    return slug;
  };

  app.get('/api/v1/campaigns/:slug/leaderboard', async (c) => {
    const campaign = await campaignOf(c.req.param('slug')!);
    const query = parseQuery(c, LeaderboardQuery);
    const language = query.language === undefined ? undefined : queryLanguage(query.language);
    const entries = await names.board(campaign, language, query.limit);
    const answer: Leaderboard = { campaign, ...(language !== undefined ? { language } : {}), entries: entries.map((e, i) => ({ rank: i + 1, ...e })) };
    return c.json(answer);
  });
  app.all('/api/v1/campaigns/:slug/leaderboard', methodNotAllowed(['GET', 'HEAD']));

  const me = async (c: Context, bytes?: Uint8Array) => {
    const who = authenticateDevice(c, bytes);
    limiter?.takeKey(who.key);
    return { who, signedAt: parseDeviceAuthorization(c.req.header('authorization'))!.ts };
  };
  app.get('/api/v1/campaigns/:slug/leaderboard/me', async (c) => {
    const campaign = await campaignOf(c.req.param('slug')!);
    const { who } = await me(c);
    const answer: LeaderboardMe = { nickname: await names.nameOf(campaign, who.contributor) };
    return c.json(answer);
  });
  app.post('/api/v1/campaigns/:slug/leaderboard/me', async (c) => {
    const raw = await readJsonRequestBody(c.req.raw, READ_BODY_LIMIT);
    const { who, signedAt } = await me(c, raw.bytes);
    const campaign = await campaignOf(c.req.param('slug')!);
    const { nickname } = parseJsonText(raw, LeaderboardJoin);
    if (scanText(nickname).length > 0) {
      throw new ApiError(400, 'invalid_request', 'Invalid request: nickname: looks like personal data (an e-mail address or a phone or identity number); choose a nickname', { field: 'nickname' });
    }
    if (!(await names.setName(campaign, who.contributor, nickname, signedAt))) throw stale();
    const answer: LeaderboardMe = { nickname };
    return c.json(answer);
  });
  app.delete('/api/v1/campaigns/:slug/leaderboard/me', async (c) => {
    const { who, signedAt } = await me(c);
    const campaign = await campaignOf(c.req.param('slug')!);
    if (!(await names.setName(campaign, who.contributor, null, signedAt))) throw stale();
    const answer: LeaderboardMe = { nickname: null };
    return c.json(answer);
  });
  app.all('/api/v1/campaigns/:slug/leaderboard/me', methodNotAllowed(['GET', 'HEAD', 'POST', 'DELETE']));
}

/** A request signed before the last change kept: a replay (an opt-out is never undone by one). */
function stale(): ApiError {
  return new ApiError(401, 'replayed_request', 'A later change to your leaderboard entry is already kept; this request was signed before it');
}
