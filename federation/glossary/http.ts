/**
 * The glossary endpoints:
 *
 *   POST /api/v1/glossary/{campaign}/sync   application/octet-stream, y-protocols sync messages
 *   GET  /api/v1/glossary/{campaign}        the terms and conventions as JSON
 *
 * A sync body is read within GLOSSARY_MAX_UPDATE_BYTES, decoded and checked before anything is
 * stored; the device's update is committed durably before the answer is sent (store.ts).
 */
import { Hono, type Context } from 'hono';
import { CampaignSlug, GLOSSARY_MAX_UPDATE_BYTES, type GlossaryView } from '../protocol/index.ts';
import { listTerms, readConventions } from '../protocol/glossary.doc.ts';
import { decodeClientRequest, GlossarySyncError } from '../protocol/glossary.sync.ts';
import { ApiError, methodNotAllowed } from '../server/errors.ts';
import { readBodyBytes } from '../server/body.ts';
import type { GlossaryStore } from './store.ts';

export const GLOSSARY_MEDIA_TYPE = 'application/octet-stream';

export interface GlossaryApiOptions {
  glossary: GlossaryStore;
  /** Whether the node holds this campaign (`general` always exists). */
  isCampaign: (slug: string) => Promise<boolean>;
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

export function glossaryApi({ glossary, isCampaign }: GlossaryApiOptions): Hono {
  const api = new Hono();

  api.post('/:campaign/sync', async (c) => {
    const campaign = await campaignOf(c, isCampaign);
    checkMediaType(c.req.header('content-type') ?? null);
    const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') {
      throw new ApiError(415, 'unsupported_encoding', `Content-Encoding "${encoding}" is not supported here`, {
        supported: ['identity'],
      });
    }
    const bytes = await readBodyBytes(c.req.raw, GLOSSARY_MAX_UPDATE_BYTES);
    let result;
    try {
      result = await glossary.sync(campaign, decodeClientRequest(bytes));
    } catch (err) {
      if (err instanceof GlossarySyncError) throw new ApiError(400, err.code, err.message);
      throw err;
    }
    return c.body(result.answer as Uint8Array<ArrayBuffer>, 200, { 'content-type': GLOSSARY_MEDIA_TYPE });
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
