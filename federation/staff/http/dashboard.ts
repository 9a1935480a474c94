/**
 * GET /api/v1/staff/campaigns/{slug}/dashboard: a drive's live view (store/dashboard.ts) for the
 * staff who manage the campaign — a teacher their classes only — with this node's hub link.
 */
import type { Hono } from 'hono';
import { DashboardQuery, type DriveDashboard, type HubLink } from '../../protocol/index.ts';
import type { Store } from '../../store/index.ts';
import { driveNumbers } from '../../store/dashboard.ts';
import { ApiError } from '../../server/errors.ts';
import { parseQuery } from '../../server/query.ts';
import { requireCampaign } from '../context.ts';
import { staffPath } from './route.ts';

const HOUR = 3_600_000;

export function dashboardRoutes(app: Hono, store: Store, link?: () => Promise<HubLink>): void {
  staffPath(app, '/api/v1/staff/campaigns/:slug/dashboard', {
    GET: async (c, who) => {
      const slug = c.req.param('slug')!;
      await requireCampaign(c, who, 'dashboard_read', slug);
      const { hours } = parseQuery(c, DashboardQuery);
      const campaign = await store.campaign(slug);
      if (campaign === undefined) throw new ApiError(404, 'not_found', `No campaign "${slug}" on this server`);
      const now = Date.now();
      const firstHour = Math.floor(now / HOUR) * HOUR - (hours - 1) * HOUR;
      const numbers = await driveNumbers(store.db, slug, new Date(firstHour));
      const answer: DriveDashboard = {
        campaign: slug,
        generatedAt: new Date(now).toISOString(),
        hours: Array.from({ length: hours }, (_, i) => {
          const hour = new Date(firstHour + i * HOUR).toISOString();
          const counted = numbers.hours.get(hour.slice(0, 13));
          return { hour, contributions: counted?.contributions ?? 0, contributors: counted?.contributors ?? 0 };
        }),
        window: numbers.window,
        progress: numbers.progress,
        goals: campaign.goals,
        reviewBacklog: numbers.reviewBacklog,
        flagged: numbers.flagged,
        ...(link !== undefined ? { sync: await link() } : {}),
      };
      return c.json(answer);
    },
  });
}
