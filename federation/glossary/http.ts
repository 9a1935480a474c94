/**
 * The glossary endpoints:
 *
 *   POST /api/v1/glossary/{campaign}/sync   application/octet-stream, y-protocols sync messages,
 *                                           signed with the contributor key (server/device-auth.ts)
 *   GET  /api/v1/glossary/{campaign}        the terms and conventions as JSON
 *
 * A sync body is read within GLOSSARY_MAX_UPDATE_BYTES; the request must be signed for exactly
 * `glossarySyncPath(campaign)`, so the signed request, kept as the record of the update, verifies
 * wherever it is relayed. The messages are decoded and checked before anything is stored. An update
 * that adds something is refused unless its author may write (403 `not_eligible`) and writes under
 * Yjs client ids of its own (403 `foreign_client`); a refused request changes nothing. What is
 * stored is committed durably before the answer is sent (store.ts).
 */
import { Hono, type Context } from 'hono';
import {
  CampaignSlug,
  GLOSSARY_MAX_UPDATE_BYTES,
  type GlossaryView,
  glossarySyncPath,
  parseDeviceAuthorization,
} from '../protocol/index.ts';
import { listTerms, readConventions } from '../protocol/glossary.doc.ts';
import { decodeClientRequest, GlossarySyncError } from '../protocol/glossary.sync.ts';
import { ApiError, methodNotAllowed } from '../server/errors.ts';
import { readBodyBytes } from '../server/body.ts';
import { authenticateDevice } from '../server/device-auth.ts';
import type { RateLimiter } from '../server/ratelimit.ts';
import { GlossaryRefusal, type GlossaryStore } from './store.ts';
import { contributorRecord } from './records.ts';
import type { GlossaryEligibility } from './eligibility.ts';

export const GLOSSARY_MEDIA_TYPE = 'application/octet-stream';

export interface GlossaryApiOptions {
  glossary: GlossaryStore;
  /** Whether the server holds this campaign (`general` always exists). */
  isCampaign: (slug: string) => Promise<boolean>;
  /** Whether a contributor may write this campaign's glossary. */
  eligible: GlossaryEligibility;
  /** The server's clock (tests move it). */
  now?: () => number;
  /** Per-key rate limits: the signer of a sync takes a token (server/ratelimit.ts). */
  limiter?: RateLimiter;
}

async function campaignOf(c: Context, isCampaign: GlossaryApiOptions['isCampaign']): Promise<string> {
  const slug = c.req.param('campaign') ?? '';
  if (!CampaignSlug.safeParse(slug).success || !(await isCampaign(slug))) {
    throw new ApiError(404, 'unknown_campaign', `This node has no campaign "${slug.slice(0, 80)}"`);
  }
  return slug;
}

function checkMediaType(header: string | null): void {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== GLOSSARY_MEDIA_TYPE) {
    throw new ApiError(415, 'unsupported_media_type', `Glossary sync bodies must be ${GLOSSARY_MEDIA_TYPE}`, {
      expected: GLOSSARY_MEDIA_TYPE,
    });
  }
}

export function glossaryApi({ glossary, isCampaign, eligible, now = Date.now, limiter }: GlossaryApiOptions): Hono {
  const api = new Hono();

  api.post('/:campaign/sync', async (c) => {
    const campaign = await campaignOf(c, isCampaign);
    const bytes = await readBodyBytes(c.req.raw, GLOSSARY_MAX_UPDATE_BYTES);
    const writer = authenticateDevice(c, bytes, now());
    limiter?.takeKey(writer.key);
    const url = new URL(c.req.url);
    if (url.pathname + url.search !== glossarySyncPath(campaign)) {
      throw new ApiError(400, 'invalid_request', `Sign and send glossary syncs to ${glossarySyncPath(campaign)} exactly`);
    }
    checkMediaType(c.req.header('content-type') ?? null);
    const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') {
      throw new ApiError(415, 'unsupported_encoding', `Content-Encoding "${encoding}" is not supported here`, {
        supported: ['identity'],
      });
    }
    try {
      const request = decodeClientRequest(bytes);
      // Asked before the transaction (it reads other tables); used only if the update adds something.
      const mayWrite = request.update === null ? false : await eligible(campaign, writer.contributor);
      const auth = parseDeviceAuthorization(c.req.header('authorization'))!;
      const record = contributorRecord(campaign, auth, bytes);
      const result = await glossary.sync(campaign, request, { record, contributor: writer.contributor, eligible: mayWrite });
      return c.body(result.answer as Uint8Array<ArrayBuffer>, 200, { 'content-type': GLOSSARY_MEDIA_TYPE });
    } catch (err) {
      if (err instanceof GlossarySyncError) throw new ApiError(400, err.code, err.message);
      if (err instanceof GlossaryRefusal) throw new ApiError(403, err.code, err.message, { campaign });
      throw err;
    }
  });
  api.all('/:campaign/sync', methodNotAllowed(['POST']));

  api.get('/:campaign', async (c) => {
    const campaign = await campaignOf(c, isCampaign);
    const doc = await glossary.load(campaign);
    const view: GlossaryView = { campaign, terms: listTerms(doc), conventions: readConventions(doc) };
    return c.json(view);
  });
  api.all('/:campaign', methodNotAllowed(['GET', 'HEAD']));

  return api;
}
