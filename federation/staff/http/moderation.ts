/**
 * Moderation through the staff API (what `vernacular moderate` does): the flagged queue, and a
 * moderator's hide or clear of one item. A teacher sees and decides only their classes' items.
 */
import type { Hono } from 'hono';
import { FlaggedQuery, type FlaggedQueue, type ModerationResult } from '../../protocol/index.ts';
import type { ModeratorAction, Store } from '../../store/index.ts';
import { flaggedItems, itemCampaign } from '../../store/moderation.ts';
import { ApiError } from '../../server/errors.ts';
import { parseQuery } from '../../server/query.ts';
import { audit, requireCampaign } from '../context.ts';
import { staffPath } from './route.ts';

export function moderationRoutes(app: Hono, store: Store): void {
  staffPath(app, '/api/v1/staff/flagged', {
    GET: async (c, who) => {
      const query = parseQuery(c, FlaggedQuery);
      if (query.campaign !== undefined) await requireCampaign(c, who, 'flagged_read', query.campaign);
      const campaigns = query.campaign !== undefined ? [query.campaign] : who.user.role === 'teacher' ? who.user.campaigns : undefined;
      const answer: FlaggedQueue = { items: await flaggedItems(store.db, { ...(campaigns !== undefined ? { campaigns } : {}), limit: query.limit }) };
      return c.json(answer);
    },
  });

  for (const action of ['hide', 'clear'] as const satisfies readonly ModeratorAction[]) {
    const name = action === 'hide' ? 'moderate_hide' : 'moderate_clear';
    staffPath(app, `/api/v1/staff/items/:id/${action}`, {
      POST: async (c, who) => {
        const id = c.req.param('id')!.toLowerCase();
        const campaign = /^[0-9a-f-]{36}$/.test(id) ? await itemCampaign(store.db, id) : undefined;
        if (campaign === undefined) throw new ApiError(404, 'not_found', `No content item ${id} on this node`);
        await requireCampaign(c, who, name, campaign);
        if (!(await store.moderate(id, action))) throw new ApiError(404, 'not_found', `No content item ${id} on this node`);
        const [state] = await store.statuses([id]);
        await audit(c, who, { action: name, target: id, details: { campaign, status: state!.status } });
        const answer: ModerationResult = { id, status: state!.status as ModerationResult['status'] };
        return c.json(answer);
      },
    });
  }
}
