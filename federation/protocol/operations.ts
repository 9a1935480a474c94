/**
 * What every operation of the OpenAPI document has by construction, so a route added later
 * cannot forget it: a summary (the type requires one), a tag from its path, its security (the
 * signed node header on the federation endpoints, none on public ones, or what the operation
 * names), and the error answers any route can give — 429 `rate_limited` where the server limits
 * it (`isRateLimited`, the same rule the server applies), 503 `unavailable` and 507
 * `storage_full` on writes, and 404 on a node for the endpoints only a hub has. Pure.
 */

/** Whether the server charges a request to its client's rate limit (see server/ratelimit.ts). */
export function isRateLimited(method: string, path: string): boolean {
  const api = path.startsWith('/api/');
  if (!api && !path.startsWith('/federation/')) return false;
  const m = method.toUpperCase();
  if (m !== 'GET' && m !== 'HEAD') return m !== 'OPTIONS';
  if (!api) return true; // signed federation reads: a signature check and a nonce write each
  return /^\/api\/v1\/campaigns\/[^/]+\/(seeds|leaderboard|leaderboard\/me)$/.test(path) || path === '/api/v1/review/queue';
}

/** The security schemes operations name (`components.securitySchemes`). */
export const SECURITY_SCHEMES = {
  nodeSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'A node\'s signed request: `Vernacular-Ed25519 node=<id>, ts=<ms>, nonce=<base64url>, sig=<base64url>`, where sig is the ' +
      'Ed25519 signature by the node key enrolled on the hub over "vernacular-request/1\\n" METHOD "\\n" path?query "\\n" ts "\\n" ' +
      'nonce "\\n" hex(sha256(body as sent)); ts within ±5 min of the hub\'s clock, nonce unused within that window. ' +
      'Refusals: 401 unauthenticated, unknown_node, bad_signature, stale_request (details.serverTime), replayed_request; 403 node_revoked.',
  },
} as const;

type Json = Record<string, unknown>;

/** One operation as written in openapi.ts (and by any module adding routes to the document). */
export interface Operation {
  operationId: string;
  /** A short line: what it does. */
  summary: string;
  description?: string;
  tags?: string[];
  parameters?: unknown[];
  requestBody?: Json;
  responses: Record<string, Json>;
  /** Who may call it; default: the federation endpoints need `nodeSignature`, others none (public). */
  security?: Record<string, string[]>[];
  /** Only a hub serves it: a node answers 404 not_found. Default: every /federation/ path and /api/v1/releases. */
  hubOnly?: boolean;
}

export type PathItem = Partial<Record<'get' | 'put' | 'post' | 'delete' | 'patch', Operation>> & { parameters?: unknown[] };

const errorBody = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } };
const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
};

/** The answers any operation may give, added where they apply. */
const RESPONSES = {
  rateLimited: {
    description: 'rate_limited: too many requests from this address or key; nothing was done (details.limit, perSecond, burst, retryAfter)',
    headers: retryAfter,
    content: errorBody,
  },
  unavailable: {
    description: 'unavailable: the server cannot take requests for a moment (its database); nothing was stored',
    headers: retryAfter,
    content: errorBody,
  },
  storageFull: {
    description: 'storage_full: the server\'s storage is full; nothing was stored, send again later',
    headers: retryAfter,
    content: errorBody,
  },
  hubOnly: { description: 'not_found: this server is a node; only a hub has this endpoint', content: errorBody },
  badText: { description: 'invalid_text, nesting_too_deep: a path, query or body holding a NUL, a lone surrogate or nesting past the limit', content: errorBody },
} as const;

/** What each tag groups (a tag is the path's first segment after the version). */
const TAGS: Record<string, string> = {
  meta: 'The server itself: health and this document',
  sync: 'Devices sending contributions',
  status: 'What became of a device\'s items',
  campaigns: 'Campaigns, their seeds and progress',
  review: 'The review queue',
  glossary: 'Campaign glossaries (Yjs documents)',
  models: 'On-device models and their runtime files',
  node: 'A node\'s link to its hub',
  releases: 'Dataset releases built on a hub',
  federation: 'Node ↔ hub federation (signed requests)',
};

function tagOf(path: string): string {
  if (path.startsWith('/federation/')) return 'federation';
  if (path.startsWith('/models/') || path.startsWith('/ort/')) return 'models';
  const segment = /^\/api\/v\d+\/([^/{]+)/.exec(path)?.[1] ?? 'meta';
  return segment === 'health' || segment === 'openapi.json' ? 'meta' : segment;
}

function hubOnlyPath(path: string): boolean {
  return path.startsWith('/federation/') || path === '/api/v1/releases';
}

/** Every operation of `paths` with what it must have (see the module comment). */
export function documentPaths(paths: Record<string, PathItem>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [path, item] of Object.entries(paths)) {
    const finished: Json = {};
    for (const [method, value] of Object.entries(item)) {
      if (method === 'parameters') {
        finished[method] = value;
        continue;
      }
      const { hubOnly, security, tags, responses, ...op } = value as Operation;
      const signed = path.startsWith('/federation/') && path !== '/federation/v1/enroll';
      const all: Record<string, Json> = { ...responses };
      const write = method !== 'get';
      if (all['400'] !== undefined) all['400'] = { ...all['400'], description: `${String(all['400'].description)}; ${RESPONSES.badText.description}` };
      else if (write || path.includes('{') || (op.parameters ?? []).length > 0) all['400'] = RESPONSES.badText;
      if (hubOnly ?? hubOnlyPath(path)) all['404'] ??= RESPONSES.hubOnly;
      if (isRateLimited(method, path)) all['429'] = RESPONSES.rateLimited;
      if (write) {
        all['503'] = RESPONSES.unavailable;
        all['507'] = RESPONSES.storageFull;
      }
      finished[method] = {
        ...op,
        tags: tags ?? [tagOf(path)],
        security: security ?? (signed ? [{ nodeSignature: [] }] : []),
        responses: Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b))),
      };
    }
    out[path] = finished;
  }
  return out;
}

/** The document's tag list: the tags its operations use, each with what it groups. */
export function documentTags(paths: Record<string, Json>): { name: string; description: string }[] {
  const used = new Set<string>();
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) for (const tag of ((op as { tags?: string[] }).tags ?? [])) used.add(tag);
  }
  return [...used].sort().map((name) => ({ name, description: TAGS[name] ?? name }));
}
