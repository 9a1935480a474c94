/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the server validates with, so the
 * published contract cannot drift from the code. Served at GET /api/v1/openapi.json.
 */
import { z } from 'zod';
import { ErrorBody, REQUEST_ERROR_CODES } from './errors.ts';
import { Contribution } from './contribution.ts';
import { Health, PROTOCOL_VERSION, SyncRequest, SyncResponse } from './sync.ts';
import { LIMITS } from './limits.ts';
import { GLOSSARY_MAX_UPDATE_BYTES, GlossaryView } from './glossary.ts';
import { CampaignSlug } from './campaign.ts';

function componentSchemas(): Record<string, unknown> {
  // Importing the schemas registers every one that has a `.meta({ id })` in zod's global
  // registry; each becomes one component, referenced by $ref from the others.
  void [Contribution, SyncRequest, SyncResponse, Health, ErrorBody, GlossaryView, CampaignSlug];
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
const campaignParameter = { name: 'campaign', in: 'path', required: true, schema: ref('CampaignSlug') };

export function openApiDocument(serverVersion: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vernacular node API',
      version: serverVersion,
      description:
        `Wire protocol ${PROTOCOL_VERSION}. Error codes: ${REQUEST_ERROR_CODES.join(', ')}. ` +
        `Bodies may be sent with Content-Encoding: gzip; at most ${LIMITS.maxBodyBytes} bytes ` +
        `after decoding and ${LIMITS.maxBatchItems} contributions per batch.`,
    },
    paths: {
      '/api/v1/health': {
        get: {
          operationId: 'health',
          responses: { '200': { description: 'The server is up', content: json('Health') } },
        },
      },
      '/api/v1/sync': {
        post: {
          operationId: 'sync',
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
          description:
            'Syncs the campaign\'s shared glossary (a Yjs document). The body is y-protocols sync ' +
            'messages: step 1 (the device\'s state vector), then optionally step 2 (an update with ' +
            'what the node may lack). The node stores the update durably, then answers step 2 ' +
            '(exactly what the device lacks) followed by step 1 (its own state vector). ' +
            `At most ${GLOSSARY_MAX_UPDATE_BYTES} bytes.`,
          parameters: [campaignParameter],
          requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: {
            '200': {
              description: 'Sync step 2 then sync step 1',
              content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
            },
            '400': errorResponse('malformed_sync_message: not well-formed sync messages'),
            '404': errorResponse('unknown_campaign'),
            '413': errorResponse('Body over the limit named in details.limit'),
            '415': errorResponse('Not application/octet-stream'),
          },
        },
      },
      '/api/v1/glossary/{campaign}': {
        get: {
          operationId: 'glossary',
          description: 'The campaign\'s glossary terms (sorted) and conventions text, as JSON.',
          parameters: [campaignParameter],
          responses: {
            '200': { description: 'The glossary', content: json('Glossary') },
            '404': errorResponse('unknown_campaign'),
          },
        },
      },
    },
    components: { schemas: componentSchemas() },
  };
}
