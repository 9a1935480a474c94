/**
 * The staff API under /api/v1/staff: sign-in and sessions, campaigns, imports, moderation,
 * reviewer credentials, users, the audit log and the shared glossary's log, reverts and restores.
 * Mounted by the app (server/app.ts) with `staffContext` on /api/*, before the
 * API's catch-all 404.
 */
import type { Hono } from 'hono';
import type { Store } from '../../store/index.ts';
import { authRoutes } from './auth.ts';
import { campaignRoutes } from './campaigns.ts';
import { moderationRoutes } from './moderation.ts';
import { reviewerRoutes } from './reviewers.ts';
import { userRoutes } from './users.ts';
import { auditRoutes } from './audit.ts';
import { contributorRoutes } from './contributors.ts';
import { glossaryStaffRoutes, type GlossaryStaffOptions } from './glossary.ts';
import { dashboardRoutes } from './dashboard.ts';
import { nodeRoutes } from './nodes.ts';
import type { HubLink } from '../../protocol/index.ts';

export function staffRoutes(app: Hono, store: Store, glossary: GlossaryStaffOptions, link?: () => Promise<HubLink>): void {
  authRoutes(app);
  campaignRoutes(app, store);
  moderationRoutes(app, store);
  reviewerRoutes(app, store);
  userRoutes(app, store);
  auditRoutes(app);
  contributorRoutes(app, store);
  glossaryStaffRoutes(app, store, glossary);
  dashboardRoutes(app, store, link);
  nodeRoutes(app, store);
}
