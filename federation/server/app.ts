/**
 * The node's HTTP application: the API under /api/v1 and the PWA from `webRoot`, one origin.
 * Middleware order matters: security headers wrap everything (errors included, since `onError`
 * answers inside them), and API answers are marked uncacheable.
 */
import { Hono } from 'hono';
import {
  DEFAULT_CAMPAIGN,
  type Health,
  openApiDocument,
  PROTOCOL_VERSION,
  type Role,
} from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { defaultWebRoot } from '../package.ts';
import { apiNotFound, errorHandler, type Logger, methodNotAllowed } from './errors.ts';
import { noStore, securityHeaders } from './headers.ts';
import { syncHandler } from './sync.ts';
import { campaignRoutes } from './campaigns.ts';
import { reviewRoutes } from './review.ts';
import { leaderboardRoutes } from './leaderboard.ts';
import { inlineDecoder, type SyncDecoder } from './decoder.ts';
import { webAppHandler } from './static.ts';
import { glossaryApi } from '../glossary/http.ts';
import { openGlossaryStore } from '../glossary/store.ts';
import { type GlossaryEligibility, reviewerEligibility } from '../glossary/eligibility.ts';
import { randomBytes } from 'node:crypto';
import { nodeIdOf } from '../trust/keys.ts';
import { modelRoutes, type ModelsApi } from '../models/http.ts';
import { hubRoutes, type HubOptions } from '../hub/http.ts';
import { releaseRoutes } from '../release/http.ts';
import type { HubLink } from '../protocol/index.ts';
import { staffContext, staffKit, type StaffOptions } from '../staff/context.ts';
import { KyselyStaffStore } from '../staff/store.ts';
import { staffRoutes } from '../staff/http/index.ts';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimits } from './ratelimit.ts';
import { storableUrl } from './urls.ts';

export interface AppOptions {
  store: Store;
  role: Role;
  version: string;
  /** The built PWA (default: dist/web of this package). */
  webRoot?: string;
  /** Where sync bodies are decoded (default: inline, on the calling thread). */
  decoder?: SyncDecoder;
  log?: Logger;
  /** The model store and the onnxruntime-web files, served from this origin. */
  models?: ModelsApi;
  /** With `role: 'hub'`: the federation endpoints' settings (window, clock, name). */
  hub?: Omit<HubOptions, 'store'>;
  /** A node's link to its hub, shown at GET /api/v1/node (absent: not federated). */
  link?: () => Promise<HubLink>;
  /** Staff sessions: idle and absolute expiry, link lifetime, scrypt cost (tests lower it). */
  staff?: StaffOptions;
  /** Rate limits per client address and per key (default DEFAULT_RATE_LIMITS; see ratelimit.ts). */
  rateLimits?: RateLimits;
  /**
   * This server's id, the issuer of the glossary records its staff make: `hub` on a hub; on a node
   * its node id (`serve` passes the node key's). Default: `hub`, or a throwaway node id.
   */
  serverId?: string;
  /** Who may write a campaign's glossary (default: its eligible reviewers, glossary/eligibility.ts). */
  glossaryEligibility?: GlossaryEligibility;
}

const defaultLog: Logger = (message, error) => console.error(message, error);

export function createApp(options: AppOptions): Hono {
  const log = options.log ?? defaultLog;
  const health: Health = { status: 'ok', role: options.role, version: options.version, protocol: PROTOCOL_VERSION };
  const openApi = openApiDocument(options.version);

  const app = new Hono();
  app.use('*', securityHeaders);
  app.use('/api/*', noStore);
  // Staff roles, sessions and the audit log, for the staff API and any route that needs a role.
  app.use('/api/*', staffContext(staffKit(new KyselyStaffStore(options.store.db), options.role, options.staff)));
  app.onError(errorHandler(log));
  const limiter = new RateLimiter(options.rateLimits ?? DEFAULT_RATE_LIMITS);
  app.use('*', limiter.middleware());
  app.use('*', storableUrl);

  app.get('/api/v1/health', (c) => c.json(health));
  app.all('/api/v1/health', methodNotAllowed(['GET', 'HEAD']));
  app.get('/api/v1/openapi.json', (c) => c.json(openApi));
  app.all('/api/v1/openapi.json', methodNotAllowed(['GET', 'HEAD']));
  app.post('/api/v1/sync', syncHandler(options.store, options.decoder ?? inlineDecoder(), limiter));
  app.all('/api/v1/sync', methodNotAllowed(['POST']));
  campaignRoutes(app, options.store);
  reviewRoutes(app, options.store, limiter);
  leaderboardRoutes(app, options.store, limiter);
  const glossary = openGlossaryStore(options.store.db);
  app.route('/api/v1/glossary', glossaryApi({
    glossary,
    isCampaign: async (slug) => slug === DEFAULT_CAMPAIGN || (await options.store.campaign(slug)) !== undefined,
    // The one place the glossary's write rule is chosen: the campaign's eligible reviewers.
    eligible: options.glossaryEligibility ?? reviewerEligibility(options.store),
    limiter,
  }));
  if (options.models !== undefined) modelRoutes(app, options.models);
  app.get('/api/v1/node', async (c) => c.json(options.link === undefined ? { enrolled: false, state: 'not_enrolled', backlog: 0 } : await options.link()));
  app.all('/api/v1/node', methodNotAllowed(['GET', 'HEAD']));
  // The releases this hub built and recorded (`vernacular release build`), for the steward's view.
  if (options.role === 'hub') releaseRoutes(app, options.store);
  const serverId = options.serverId ?? (options.role === 'hub' ? 'hub' : nodeIdOf(randomBytes(32).toString('base64url')));
  staffRoutes(app, options.store, { glossary, issuer: serverId }, options.link);
  app.all('/api/*', apiNotFound);
  if (options.role === 'hub') {
    app.use('/federation/*', noStore);
    hubRoutes(app, { ...options.hub, store: options.store, limiter, ...(options.decoder ? { decoder: options.decoder } : {}) });
  }
  app.all('/federation/*', apiNotFound);

  app.get('*', webAppHandler(options.webRoot ?? defaultWebRoot()));
  app.notFound((c) => (c.req.path.startsWith('/api/') ? apiNotFound(c) : c.text('Not found\n', 404)));
  return app;
}
