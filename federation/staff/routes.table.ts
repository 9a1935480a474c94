/**
 * The route table: every route the server registers (node and hub, API, federation and the
 * PWA's files) with who may call it. `routes.table.test.ts` enumerates Hono's registered routes
 * and fails on any without a rule here, then sends each route a request as every kind of caller
 * and checks the answer against its rule. Staff routes are registered through `staffRoute`
 * (http/route.ts), which takes the rule from this table and enforces it, so the table cannot
 * say one thing while a handler does another.
 *
 * Keys are Hono paths; a `:name` segment here also matches a literal segment (the onnxruntime
 * files live under their version). `ALL` is what a path answers to any other method (405, or the
 * 404 of an unknown path) and the middleware registered on it.
 */
import type { AuditAction, StaffRole } from '../protocol/index.ts';
import { ALL_STAFF, OPERATORS } from './policy.ts';

export type Rule =
  /** Anyone: health, the API document, model files, the PWA. */
  | { access: 'public' }
  /**
   * A contributor's endpoint: anyone may call it (what they send is signed item by item, and
   * checked there); a staff session grants nothing more here.
   */
  | { access: 'contributor' }
  /**
   * A request signed with the caller's contributor key (server/device-auth.ts): about their own
   * items, or a write kept with its author (the glossary); who asks comes from the signature, never
   * from an id sent. Anything else is 401 unauthenticated.
   */
  | { access: 'signed' }
  /** Hub federation: a node's signed request (or an enrolment token), checked by the hub. */
  | { access: 'node' }
  /** A step of staff sign-in: anyone, throttled, Origin-checked. */
  | { access: 'sign-in' }
  /** Any signed-in staff member, about their own session. */
  | { access: 'session' }
  /** Staff in these roles, with authority on this server; `campaign`: a teacher only for theirs. */
  | { access: 'staff'; roles: readonly StaffRole[]; scope: 'server' | 'campaign'; action: AuditAction }
  /** 404/405 answers and middleware: nothing to grant. */
  | { access: 'fallback' };

export type Method = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE' | 'ALL';

const PUBLIC: Rule = { access: 'public' };
const CONTRIBUTOR: Rule = { access: 'contributor' };
const SIGNED: Rule = { access: 'signed' };
const NODE: Rule = { access: 'node' };
const SIGN_IN: Rule = { access: 'sign-in' };
const FALLBACK: Rule = { access: 'fallback' };
const staff = (roles: readonly StaffRole[], scope: 'server' | 'campaign', action: AuditAction): Rule => ({ access: 'staff', roles, scope, action });

export const ROUTE_TABLE: Readonly<Record<string, Partial<Record<Method, Rule>>>> = {
  // Everything: security headers (middleware) and the built PWA.
  '/*': { ALL: FALLBACK, GET: PUBLIC },
  '/api/*': { ALL: FALLBACK },
  '/federation/*': { ALL: FALLBACK },
  '/api/v1/health': { GET: PUBLIC, ALL: FALLBACK },
  '/api/v1/openapi.json': { GET: PUBLIC, ALL: FALLBACK },
  '/api/v1/node': { GET: PUBLIC, ALL: FALLBACK },
  '/api/v1/releases': { GET: PUBLIC, ALL: FALLBACK },
  '/api/v1/models': { GET: PUBLIC, ALL: FALLBACK },
  '/models/:id/resolve/:revision/*': { GET: PUBLIC, HEAD: PUBLIC },
  '/models/*': { ALL: FALLBACK },
  '/ort/:version/:file': { GET: PUBLIC, HEAD: PUBLIC },

  // What contributors' devices call.
  '/api/v1/sync': { POST: CONTRIBUTOR, ALL: FALLBACK },
  '/api/v1/campaigns': { GET: CONTRIBUTOR, ALL: FALLBACK },
  '/api/v1/campaigns/join/:code': { GET: CONTRIBUTOR, ALL: FALLBACK },
  '/api/v1/campaigns/:slug': { GET: CONTRIBUTOR, ALL: FALLBACK },
  '/api/v1/campaigns/:slug/progress': { GET: CONTRIBUTOR, ALL: FALLBACK },
  '/api/v1/campaigns/:slug/seeds': { GET: CONTRIBUTOR, ALL: FALLBACK },
  '/api/v1/campaigns/:slug/leaderboard': { GET: CONTRIBUTOR, ALL: FALLBACK },
  '/api/v1/campaigns/:slug/leaderboard/me': { GET: SIGNED, POST: SIGNED, DELETE: SIGNED, ALL: FALLBACK },
  '/api/v1/review/queue': { GET: SIGNED, ALL: FALLBACK },
  '/api/v1/status': { POST: SIGNED, ALL: FALLBACK },
  '/api/v1/glossary/:campaign/sync': { POST: SIGNED, ALL: FALLBACK },
  '/api/v1/glossary/:campaign': { GET: CONTRIBUTOR, ALL: FALLBACK },

  // Hub federation (signed by node keys).
  '/federation/v1/enroll': { POST: NODE, ALL: FALLBACK },
  '/federation/v1/cursor': { GET: NODE, ALL: FALLBACK },
  '/federation/v1/push': { POST: NODE, ALL: FALLBACK },
  '/federation/v1/pull': { GET: NODE, ALL: FALLBACK },
  '/federation/v1/gold': { GET: NODE, ALL: FALLBACK },
  '/federation/v1/glossary/:campaign': { POST: NODE, ALL: FALLBACK },
  '/federation/v1/certificate': { GET: NODE, POST: NODE, ALL: FALLBACK },
  '/federation/v1/report': { POST: NODE, ALL: FALLBACK },

  // Staff sign-in and sessions.
  '/api/v1/staff/session': { GET: { access: 'session' }, DELETE: { access: 'session' }, ALL: FALLBACK },
  '/api/v1/staff/session/passphrase': { POST: SIGN_IN, ALL: FALLBACK },
  '/api/v1/staff/session/passkey/options': { POST: SIGN_IN, ALL: FALLBACK },
  '/api/v1/staff/session/passkey': { POST: SIGN_IN, ALL: FALLBACK },
  '/api/v1/staff/welcome/:token': { GET: SIGN_IN, ALL: FALLBACK },
  '/api/v1/staff/welcome/:token/passphrase': { POST: SIGN_IN, ALL: FALLBACK },
  '/api/v1/staff/welcome/:token/passkey/options': { POST: SIGN_IN, ALL: FALLBACK },
  '/api/v1/staff/welcome/:token/passkey': { POST: SIGN_IN, ALL: FALLBACK },

  // What was CLI-only: campaigns, imports, moderation, users, the audit log.
  '/api/v1/staff/campaigns': { GET: staff(ALL_STAFF, 'server', 'campaigns_read'), POST: staff(ALL_STAFF, 'server', 'campaign_create'), ALL: FALLBACK },
  '/api/v1/staff/campaigns/:slug': { GET: staff(ALL_STAFF, 'campaign', 'campaigns_read'), PATCH: staff(ALL_STAFF, 'campaign', 'campaign_update'), ALL: FALLBACK },
  '/api/v1/staff/campaigns/:slug/seeds': { POST: staff(ALL_STAFF, 'campaign', 'seeds_import'), ALL: FALLBACK },
  '/api/v1/staff/campaigns/:slug/gold': { POST: staff(OPERATORS, 'campaign', 'gold_import'), ALL: FALLBACK },
  '/api/v1/staff/campaigns/:slug/reviewers': { GET: staff(ALL_STAFF, 'campaign', 'reviewers_read'), POST: staff(ALL_STAFF, 'campaign', 'reviewer_grant'), ALL: FALLBACK },
  '/api/v1/staff/campaigns/:slug/reviewers/:reviewer': { DELETE: staff(ALL_STAFF, 'campaign', 'reviewer_revoke'), ALL: FALLBACK },
  '/api/v1/staff/nodes': { GET: staff(OPERATORS, 'server', 'nodes_read'), ALL: FALLBACK },
  '/api/v1/staff/nodes/:id/revoke': { POST: staff(OPERATORS, 'server', 'node_revoke'), ALL: FALLBACK },
  '/api/v1/staff/nodes/:id/quarantine': { POST: staff(OPERATORS, 'server', 'node_quarantine'), ALL: FALLBACK },
  '/api/v1/staff/nodes/:id/unquarantine': { POST: staff(OPERATORS, 'server', 'node_unquarantine'), ALL: FALLBACK },
  '/api/v1/staff/campaigns/:slug/dashboard': { GET: staff(ALL_STAFF, 'campaign', 'dashboard_read'), ALL: FALLBACK },
  '/api/v1/staff/flagged': { GET: staff(ALL_STAFF, 'server', 'flagged_read'), ALL: FALLBACK },
  '/api/v1/staff/items/:id/hide': { POST: staff(ALL_STAFF, 'campaign', 'moderate_hide'), ALL: FALLBACK },
  '/api/v1/staff/items/:id/clear': { POST: staff(ALL_STAFF, 'campaign', 'moderate_clear'), ALL: FALLBACK },
  '/api/v1/staff/users': { GET: staff(OPERATORS, 'server', 'users_read'), POST: staff(OPERATORS, 'server', 'user_add'), ALL: FALLBACK },
  '/api/v1/staff/users/:id/revoke': { POST: staff(OPERATORS, 'server', 'user_revoke'), ALL: FALLBACK },
  '/api/v1/staff/users/:id/link': { POST: staff(OPERATORS, 'server', 'user_link'), ALL: FALLBACK },
  '/api/v1/staff/audit': { GET: staff(OPERATORS, 'server', 'audit_read'), ALL: FALLBACK },
  '/api/v1/staff/contributors/:id/withdraw': { POST: staff(OPERATORS, 'server', 'contributor_withdraw'), ALL: FALLBACK },
  // The shared glossary: its log by author, reverting an author, restoring a time (librarian on a node, steward on a hub).
  '/api/v1/staff/glossary/:campaign/log': { GET: staff(OPERATORS, 'server', 'glossary_read'), ALL: FALLBACK },
  '/api/v1/staff/glossary/:campaign/revert': { POST: staff(OPERATORS, 'server', 'glossary_revert'), ALL: FALLBACK },
  '/api/v1/staff/glossary/:campaign/restore': { POST: staff(OPERATORS, 'server', 'glossary_restore'), ALL: FALLBACK },
};

function matches(pattern: string, path: string): boolean {
  const a = pattern.split('/');
  const b = path.split('/');
  return a.length === b.length && a.every((seg, i) => seg === b[i] || (seg.startsWith(':') && b[i] !== '*'));
}

/** The table's key for a registered path, or undefined when the table does not know it. */
export function tableKey(path: string): string | undefined {
  if (ROUTE_TABLE[path] !== undefined) return path;
  return Object.keys(ROUTE_TABLE).find((pattern) => pattern.includes(':') && matches(pattern, path));
}

/** The rule for a registered route (method as Hono records it), or undefined when it has none. */
export function ruleFor(method: string, path: string): Rule | undefined {
  const key = tableKey(path);
  return key === undefined ? undefined : ROUTE_TABLE[key]![method.toUpperCase() as Method];
}
