/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the server validates with, so the
 * published contract cannot drift from the code. Served at GET /api/v1/openapi.json.
 */
import { z } from 'zod';
import { ErrorBody, REQUEST_ERROR_CODES } from './errors.ts';
import { Contribution } from './contribution.ts';
import { Health, PROTOCOL_VERSION, SyncRequest, SyncResponse } from './sync.ts';
import { LIMITS } from './limits.ts';
import { Campaign, SEED_TYPES } from './campaign.ts';
import { CampaignList, CampaignProgress, ReviewQueue, SeedList, StatusRequest, StatusResponse } from './api.ts';
import { GLOSSARY_MAX_UPDATE_BYTES, GlossaryView } from './glossary.ts';
import { GlossaryExchangeRequest, GlossaryExchangeResponse, GlossaryRecord } from './glossary.log.ts';
import { Leaderboard, LeaderboardJoin, LeaderboardMe } from './leaderboard.ts';
import { CampaignSlug } from './campaign.ts';
import { modelApiPaths, ModelsResponse } from './models.ts';
import { CertificateName, CertificateRequest, CertificateResponse, EnrollRequest, EnrollResponse, HubLink, NodeReport, PullResponse, PushRequest, PushResponse } from './federation.ts';
import { ReleaseList } from './releases.ts';
import { GoldList } from './gold.ts';
import { documentPaths, documentTags, type PathItem, SECURITY_SCHEMES } from './operations.ts';
import { staffApiPaths, staffSecuritySchemes, staffTags } from './openapi.staff.ts';

function componentSchemas(): Record<string, unknown> {
  // Importing the schemas registers every one that has a `.meta({ id })` in zod's global
  // registry; each becomes one component, referenced by $ref from the others.
  void [Contribution, SyncRequest, SyncResponse, Health, ErrorBody, GlossaryView, CampaignSlug, ModelsResponse,
    Campaign, CampaignList, CampaignProgress, SeedList, ReviewQueue, StatusRequest, StatusResponse,
    EnrollRequest, EnrollResponse, CertificateName, CertificateRequest, CertificateResponse, NodeReport, PushRequest, PushResponse, PullResponse, HubLink, ReleaseList, GoldList,
    GlossaryRecord, GlossaryExchangeRequest, GlossaryExchangeResponse, Leaderboard, LeaderboardJoin, LeaderboardMe];
  const out = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const schemas: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(out.schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as Record<string, unknown>;
    schemas[id] = rest;
  }
  return schemas;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const errorResponse = (description: string) => ({ description, content: json('ErrorBody') });

type Param = { name: string; in: 'query' | 'path'; required: boolean; description: string; schema: Record<string, unknown> };
const param = (name: string, where: Param['in'], schema: Record<string, unknown>, description: string, required = true): Param =>
  ({ name, in: where, required, description, schema });
const slugParam = param('slug', 'path', { type: 'string' }, 'Campaign slug (general always exists)');
const limitParam = (max: number) =>
  param('limit', 'query', { type: 'integer', minimum: 1, maximum: max, default: 10 }, 'At most this many', false);
const deviceUnauthenticated = errorResponse(
  'unauthenticated (no Vernacular-Key signature), bad_signature (it does not verify), stale_request (signed too far from the server\'s clock; details.serverTime)',
);
const badQuery = errorResponse('A query parameter is missing or invalid (invalid_query, details.field names it)');
const noCampaign = errorResponse('No such campaign (not_found)');

/** The read endpoints around contributions (api.ts). */
const readPaths = {
  '/api/v1/campaigns': {
    get: {
      operationId: 'listCampaigns',
      summary: 'List the campaigns',
      description: 'Every campaign on this node, the built-in open campaign "general" first.',
      responses: { '200': { description: 'The campaigns', content: json('CampaignList') } },
    },
  },
  '/api/v1/campaigns/{slug}': {
    get: {
      operationId: 'getCampaign',
      summary: 'Get a campaign',
      parameters: [slugParam],
      responses: { '200': { description: 'The campaign (without its join code)', content: json('PublicCampaign') }, '404': noCampaign },
    },
  },
  '/api/v1/campaigns/{slug}/progress': {
    get: {
      operationId: 'campaignProgress',
      summary: 'Progress toward a campaign’s goals',
      description:
        'What this node holds of the campaign per content kind (with a goal or any item): items still ' +
        'counting (pending or accepted), accepted items, and the goal. Counted again once something was stored, ' +
        'at most a twentieth of the time (countedAt says when).',
      parameters: [slugParam],
      responses: { '200': { description: 'Progress toward the goals', content: json('CampaignProgress') }, '404': noCampaign },
    },
  },
  '/api/v1/campaigns/join/{code}': {
    get: {
      operationId: 'joinCampaign',
      summary: 'Find a campaign by its join code',
      parameters: [param('code', 'path', { type: 'string' }, 'Join code, any letter case')],
      responses: { '200': { description: 'The campaign with that code (without it)', content: json('PublicCampaign') }, '404': noCampaign },
    },
  },
  '/api/v1/campaigns/{slug}/seeds': {
    get: {
      operationId: 'drawSeeds',
      summary: 'Draw seed items for a device',
      description:
        'Seed items for one device: least served first, never one this device already got unless ' +
        'no other is left, random among equals. What is served is recorded.',
      parameters: [
        slugParam,
        param('type', 'query', { type: 'string', enum: [...SEED_TYPES] }, 'Seed type'),
        param('language', 'query', { type: 'string' }, 'BCP 47 tag; seeds without a language always match', false),
        param('device', 'query', { type: 'string', format: 'uuid' }, 'The asking device'),
        limitParam(50),
      ],
      responses: { '200': { description: 'Seeds', content: json('SeedList') }, '400': badQuery, '404': noCampaign },
    },
  },
  '/api/v1/campaigns/{slug}/leaderboard': {
    get: {
      operationId: 'leaderboard',
      summary: 'A campaign’s opt-in leaderboard',
      description: 'Contributors who chose to show under a nickname (off by default), with their items that count and those review accepted, most first; per language when asked. Nicknames stay on this server.',
      parameters: [slugParam, param('language', 'query', { type: 'string' }, 'BCP 47 tag: only items in this language', false), limitParam(100)],
      responses: { '200': { description: 'The board', content: json('Leaderboard') }, '400': badQuery, '404': noCampaign },
    },
  },
  '/api/v1/campaigns/{slug}/leaderboard/me': {
    get: {
      operationId: 'leaderboardMe',
      summary: 'The signer’s nickname on the leaderboard',
      security: [{ deviceKey: [] }],
      parameters: [slugParam],
      responses: { '200': { description: 'The nickname, or null when not shown', content: json('LeaderboardMe') }, '401': deviceUnauthenticated, '404': noCampaign },
    },
    post: {
      operationId: 'leaderboardJoin',
      summary: 'Show me on the leaderboard under a nickname',
      description: 'Opt in (or change the nickname). A nickname that looks like personal data is refused; a request signed before the last change kept is `replayed_request`.',
      security: [{ deviceKey: [] }],
      parameters: [slugParam],
      requestBody: { required: true, content: json('LeaderboardJoin') },
      responses: { '200': { description: 'Shown', content: json('LeaderboardMe') }, '400': errorResponse('invalid_request (details.field: nickname), malformed_json'), '401': deviceUnauthenticated, '404': noCampaign },
    },
    delete: {
      operationId: 'leaderboardLeave',
      summary: 'Stop showing me on the leaderboard',
      security: [{ deviceKey: [] }],
      parameters: [slugParam],
      responses: { '200': { description: 'Not shown', content: json('LeaderboardMe') }, '401': deviceUnauthenticated, '404': noCampaign },
    },
  },
  '/api/v1/review/queue': {
    get: {
      operationId: 'reviewQueue',
      summary: 'Items for a reviewer to review',
      description:
        "Other people's pending content items in a campaign and language that the signer has " +
        'not reviewed yet (never their own; never withdrawn, superseded or hidden), fewest votes first, ' +
        'each without its author, key, signature, device sequence, time or checks.',
      security: [{ deviceKey: [] }],
      parameters: [
        param('campaign', 'query', { type: 'string' }, 'Campaign slug'),
        param('language', 'query', { type: 'string' }, 'BCP 47 tag'),
        limitParam(50),
      ],
      responses: { '200': { description: 'Items to review', content: json('ReviewQueue') }, '400': badQuery, '401': deviceUnauthenticated, '404': noCampaign },
    },
  },
  '/api/v1/status': {
    post: {
      operationId: 'itemStatus',
      summary: 'The status of the signer’s own items',
      description: 'The derived status and votes of each id that is one of the signer’s content items here; unknown for any other id.',
      security: [{ deviceKey: [] }],
      requestBody: { required: true, content: json('StatusRequest') },
      responses: {
        '200': { description: 'One entry per id, in order', content: json('StatusResponse') },
        '400': errorResponse('Malformed JSON or an invalid body'),
        '401': deviceUnauthenticated,
      },
    },
  },
};
const campaignParameter = { name: 'campaign', in: 'path', required: true, schema: ref('CampaignSlug') };

const signed =
  'Hub only. Signed: Authorization: Vernacular-Ed25519 node=<id>, ts=<ms>, nonce=<base64url>, sig=<base64url>, ' +
  'the node key\'s signature over "vernacular-request/1\\n" METHOD "\\n" path?query "\\n" ts "\\n" nonce "\\n" ' +
  'hex(sha256(body as sent)); ts within ±5 min of the hub\'s clock, nonce unused within that window.';
const refusals = {
  '401': errorResponse('unauthenticated, unknown_node, bad_signature, stale_request (details.serverTime), replayed_request'),
  '403': errorResponse('node_revoked'),
};

/** The node → hub federation endpoints (federation.ts). */
const federationPaths = {
  '/federation/v1/enroll': {
    post: {
      operationId: 'federationEnroll',
      summary: 'Enrol a node with a one-time token',
      description: 'Hub only. Spends a one-time enrolment token on the node key presented, with a proof that the node holds it.',
      requestBody: { required: true, content: json('EnrollRequest') },
      responses: {
        '200': { description: 'The node\'s id and name', content: json('EnrollResponse') },
        '400': errorResponse('invalid_request'),
        '401': errorResponse('bad_signature: the proof does not verify'),
        '403': errorResponse('invalid_token (unknown, used or expired), node_revoked'),
      },
    },
  },
  '/federation/v1/cursor': {
    get: {
      operationId: 'federationCursor',
      summary: 'Where a node’s next push starts',
      description: `${signed} Where the node's next push starts: the hub holds its records through this number.`,
      responses: { '200': { description: 'The cursor', content: { 'application/json': { schema: { type: 'object' } } } }, ...refusals },
    },
  },
  '/federation/v1/push': {
    post: {
      operationId: 'federationPush',
      summary: 'Push a batch of a node’s records',
      description:
        `${signed} One batch of the node's records (after, through], with the batch signature over its manifest ` +
        '["vernacular-batch/1", node, after, through, [[id, sha256(canonical contribution), deviceId, receivedAt], …]]. ' +
        'Stored in one transaction; the cursor moves only after the commit. Any retry is safe.',
      requestBody: { required: true, content: json('PushRequest') },
      responses: {
        '200': { description: 'The new cursor and what was not stored', content: json('PushResponse') },
        '400': errorResponse('invalid_request, malformed_json, bad_batch_signature'),
        '409': errorResponse('out_of_order: the batch starts after the hub\'s cursor (details.cursor)'),
        ...refusals,
      },
    },
  },
  '/federation/v1/pull': {
    get: {
      operationId: 'federationPull',
      summary: 'Pull what changed on the hub',
      description: `${signed} Withdrawals the hub holds after \`after\` that came from elsewhere, national campaigns and the node's standing.`,
      parameters: [param('after', 'query', { type: 'integer', minimum: 0 }, 'The hub order already applied'), limitParam(2000)],
      responses: { '200': { description: 'What changed', content: json('PullResponse') }, '400': badQuery, ...refusals },
    },
  },
  '/federation/v1/gold': {
    get: {
      operationId: 'federationGold',
      summary: 'The gold items of national campaigns',
      description:
        `${signed} The gold items (test questions with a known answer) of the campaigns the hub publishes, with each ` +
        'campaign\'s queue rate; with `known` set to the hash of the set a node holds, an unchanged set comes without its items.',
      parameters: [param('known', 'query', { type: 'string', pattern: '^[0-9a-f]{64}$' }, 'The hash of the gold set the node holds', false)],
      responses: { '200': { description: 'The gold set', content: json('GoldList') }, ...refusals },
    },
  },
  '/federation/v1/glossary/{campaign}': {
    post: {
      operationId: 'federationGlossary',
      summary: 'Exchange a campaign glossary’s records with the hub',
      description:
        `${signed} A campaign's glossary records, both ways, each with its author: the node's own records the hub may lack ` +
        '(a contributor record is verified by its signature over the body the contributor signed, a server record taken only ' +
        'when this node issued it), and the hub\'s records after `after` that did not come from this node.',
      parameters: [campaignParameter],
      requestBody: { required: true, content: json('GlossaryExchangeRequest') },
      responses: {
        '200': { description: 'What was stored, what was refused (by index), and the hub\'s records', content: json('GlossaryExchangeResponse') },
        '400': errorResponse('invalid_request, malformed_json'),
        '404': errorResponse('unknown_campaign'),
        ...refusals,
      },
    },
  },
  '/federation/v1/certificate': {
    get: {
      operationId: 'federationCertificateName',
      summary: 'The name the hub gives the node',
      description: `${signed} The node's name on the deployment's domain, \`<node id>.<domain>\`: what its CSR must name.`,
      responses: {
        '200': { description: 'The name', content: json('CertificateName') },
        '404': errorResponse('certificates_not_offered: this hub has no CA and DNS set up'),
        ...refusals,
      },
    },
    post: {
      operationId: 'federationCertificate',
      summary: 'A certificate for the node’s name',
      description:
        `${signed} A certificate for \`<node id>.<domain>\` for the CSR the node made from its own key (which never leaves it); ` +
        'the hub publishes the addresses under that name and answers the CA\'s DNS-01 challenge for the node.',
      requestBody: { required: true, content: json('CertificateRequest') },
      responses: {
        '200': { description: 'The certificate chain, the name and when it ends', content: json('CertificateResponse') },
        '400': errorResponse('invalid_request, malformed_json, invalid_csr'),
        '404': errorResponse('certificates_not_offered: this hub has no CA and DNS set up'),
        '502': errorResponse('certificate_failed: the CA or the DNS server failed (details.reason); try later'),
        ...refusals,
      },
    },
  },
  '/federation/v1/report': {
    post: {
      operationId: 'federationReport',
      summary: 'A node’s own view of its link',
      description: `${signed} After an exchange: the node's backlog, the records it set aside and its last problem, kept for the hub's steward (advisory).`,
      requestBody: { required: true, content: json('NodeReport') },
      responses: { '200': { description: 'Kept', content: { 'application/json': { schema: { type: 'object' } } } }, '400': errorResponse('invalid_request, malformed_json'), ...refusals },
    },
  },
  '/api/v1/releases': {
    get: {
      operationId: 'listReleases',
      summary: 'List the releases built on this hub',
      description: 'Hub only: the releases built and recorded here (`vernacular release build`), newest first, with their snapshot, config hash, counts and files with sha256.',
      responses: { '200': { description: 'The releases', content: json('ReleaseList') } },
    },
  },
  '/api/v1/node': {
    get: {
      operationId: 'nodeLink',
      summary: 'This node’s link to its hub',
      description: 'A node\'s link to its hub: standing, last push and pull, records waiting, the last problem in words.',
      responses: { '200': { description: 'The link', content: json('HubLink') } },
    },
  },
};

export function openApiDocument(serverVersion: string) {
  const paths = documentPaths({ ...allPaths, ...(staffApiPaths as Record<string, PathItem>) });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vernacular node API',
      version: serverVersion,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        `Wire protocol ${PROTOCOL_VERSION}. Error codes: ${REQUEST_ERROR_CODES.join(', ')}. ` +
        `Bodies may be sent with Content-Encoding: gzip or br (brotli); at most ${LIMITS.maxBodyBytes} bytes ` +
        `after decoding and ${LIMITS.maxBatchItems} contributions per batch. JSON nested deeper than ${LIMITS.maxJsonDepth} levels, ` +
        'and text with a NUL or a lone surrogate, are refused (nesting_too_deep, invalid_text).',
    },
    servers: [{ url: '/', description: 'The node or hub serving this document' }],
    tags: documentTags(paths).map((t) => staffTags.find((s) => s.name === t.name) ?? t),
    paths,
    components: { schemas: componentSchemas(), securitySchemes: { ...SECURITY_SCHEMES, ...DEVICE_SECURITY, ...staffSecuritySchemes } },
  };
}

/** Requests a contributor's device signs with its key (server/device-auth.ts). */
const DEVICE_SECURITY = {
  deviceKey: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'A request signed with the contributor key: `Vernacular-Key key=<key>, ts=<ms>, nonce=<base64url>, sig=<base64url>`, where sig is the ' +
      'key\'s signature (Ed25519, or ECDSA P-256 as r‖s) over "vernacular-device-request/1\\n" METHOD "\\n" path?query "\\n" ts "\\n" nonce "\\n" ' +
      'hex(sha256(body as sent)); ts within ±5 min of the server\'s clock. Who asks is the key that signed.',
  },
} as const;

/** Every operation, before `documentPaths` adds what each must have. */
const allPaths: Record<string, PathItem> = {
  '/api/v1/health': {
    get: {
      operationId: 'health',
      summary: 'Health, role and versions',
      responses: { '200': { description: 'The server is up', content: json('Health') } },
    },
  },
  '/api/v1/sync': {
    post: {
      operationId: 'sync',
      summary: 'Send a batch of contributions',
      description:
        'Stores a batch of contributions. One result per item, in order: accepted (newly ' +
        'stored), duplicate (already stored with identical content), conflict (the id is ' +
        'taken by different content) or rejected (invalid; code names why). Everything ' +
        'acknowledged is durably committed before the answer is sent.',
      requestBody: { required: true, content: json('SyncRequest') },
      responses: {
        '200': { description: 'One result per item', content: json('SyncResponse') },
        '400': errorResponse('Malformed JSON, invalid UTF-8, bad envelope or protocol'),
        '413': errorResponse('Body or batch over the limit named in details.limit'),
        '415': errorResponse('Not JSON, or an unsupported Content-Encoding'),
      },
    },
  },
  '/api/v1/glossary/{campaign}/sync': {
    post: {
      operationId: 'glossarySync',
      summary: 'Sync a campaign glossary',
      description:
        'Syncs the campaign\'s shared glossary (a Yjs document). The body is y-protocols sync ' +
        'messages: step 1 (the device\'s state vector), then optionally step 2 (an update with ' +
        'what the node may lack). Signed with the contributor key, for exactly this path: the signed request is kept as ' +
        'the record of the update, with its author, and relayed to the hub. An update that adds something is stored only ' +
        'from a key that may write the campaign\'s glossary, under Yjs client ids of its own; the node stores it durably, ' +
        'then answers step 2 (exactly what the device lacks) followed by step 1 (its own state vector). A request that adds ' +
        `nothing is answered to any signed key. At most ${GLOSSARY_MAX_UPDATE_BYTES} bytes.`,
      security: [{ deviceKey: [] }],
      parameters: [campaignParameter],
      requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      responses: {
        '200': {
          description: 'Sync step 2 then sync step 1',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        '400': errorResponse('malformed_sync_message: not well-formed sync messages; invalid_request: signed for another path'),
        '401': deviceUnauthenticated,
        '403': errorResponse('not_eligible: this key may not write this campaign\'s glossary (nothing stored); foreign_client: structs under another author\'s Yjs client id'),
        '404': errorResponse('unknown_campaign'),
        '413': errorResponse('Body over the limit named in details.limit'),
        '415': errorResponse('Not application/octet-stream'),
      },
    },
  },
  '/api/v1/glossary/{campaign}': {
    get: {
      operationId: 'glossary',
      summary: 'Read a campaign glossary',
      description: 'The campaign\'s glossary terms (sorted) and conventions text, as JSON.',
      parameters: [campaignParameter],
      responses: {
        '200': { description: 'The glossary', content: json('Glossary') },
        '404': errorResponse('unknown_campaign'),
      },
    },
  },
  ...readPaths,
  ...modelApiPaths,
  ...federationPaths,
};
