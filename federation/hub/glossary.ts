/**
 * POST /federation/v1/glossary/{campaign} (signed): a node and the hub exchange a campaign's
 * glossary records (protocol/glossary.log.ts), so authorship travels with every update. The node
 * sends its records the hub may lack — never those it got from the hub — and how far it holds the
 * hub's; the hub checks each one (a contributor's signature over the body it signed; a server
 * record only when the node itself issued it, or `legacy`), stores the good ones once each, and
 * answers the records it holds after that point that did not come from this node.
 *
 * The answer's `next` is read before the records, so a record committed meanwhile is sent next
 * time, never skipped (one campaign's rows commit in `seq` order, store.ts). A node whose `after`
 * is beyond what the hub holds (a hub restored from a backup) is sent everything again.
 */
import type { Context, Hono } from 'hono';
import {
  CampaignSlug,
  checkedParse,
  DEFAULT_CAMPAIGN,
  describeIssues,
  GLOSSARY_EXCHANGE_BYTES,
  GLOSSARY_EXCHANGE_RECORDS,
  GlossaryExchangeRequest,
  type GlossaryExchangeResponse,
  LIMITS,
  PROTOCOL_VERSION,
} from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { ApiError, methodNotAllowed } from '../server/errors.ts';
import { bodyEncoding, checkJsonContentType, parseJsonBody } from '../server/body.ts';
import { checkRelayed, LEGACY_ISSUER, type ReadRecord } from '../glossary/records.ts';
import { openGlossaryStore } from '../glossary/store.ts';
import type { EnrolledNode } from './registry.ts';

type Authenticate = (c: Context, limit: number) => Promise<{ node: EnrolledNode; bytes: Uint8Array }>;

export function glossaryRoute(app: Hono, store: Store, authenticate: Authenticate, now: () => number): void {
  const glossary = openGlossaryStore(store.db);
  app.post('/federation/v1/glossary/:campaign', async (c) => {
    checkJsonContentType(c.req.header('content-type') ?? null);
    const encoding = bodyEncoding(c.req.header('content-encoding') ?? null);
    const { node, bytes } = await authenticate(c, LIMITS.maxBodyBytes);
    const slug = c.req.param('campaign') ?? '';
    if (!CampaignSlug.safeParse(slug).success || (slug !== DEFAULT_CAMPAIGN && (await store.campaign(slug)) === undefined)) {
      throw new ApiError(404, 'unknown_campaign', `The hub has no campaign "${slug.slice(0, 80)}" (push its records first)`);
    }
    const parsed = checkedParse(GlossaryExchangeRequest, parseJsonBody({ bytes, encoding }, LIMITS.maxBodyBytes));
    if (!parsed.success) {
      const { field, message } = describeIssues(parsed.error);
      throw new ApiError(400, 'invalid_request', `Invalid request: ${field || 'body'}: ${message}`, { field, message });
    }
    const problems: GlossaryExchangeResponse['problems'] = [];
    const valid: ReadRecord[] = [];
    const indexOf: number[] = [];
    parsed.data.records.forEach((record, index) => {
      const checked = checkRelayed(record, slug, (issuer) => issuer === node.id || issuer === LEGACY_ISSUER);
      if ('code' in checked) problems.push({ index, code: checked.code, message: checked.message });
      else {
        valid.push(checked);
        indexOf.push(index);
      }
    });
    const statuses = await glossary.ingest(slug, valid, node.id);
    let accepted = 0;
    let duplicate = 0;
    statuses.forEach((status, k) => {
      if (status === 'accepted') accepted++;
      else if (status === 'duplicate') duplicate++;
      else problems.push({ index: indexOf[k]!, code: 'invalid_record', message: 'The update could not be applied' });
    });
    problems.sort((a, b) => a.index - b.index);

    const top = await glossary.top(slug);
    const after = parsed.data.after > top ? 0 : parsed.data.after;
    const query = { through: top, excludeOrigin: node.id };
    const out = await glossary.records(slug, { ...query, after, limit: GLOSSARY_EXCHANGE_RECORDS, maxChars: GLOSSARY_EXCHANGE_BYTES });
    const last = out[out.length - 1]?.seq;
    const more = last !== undefined && (await glossary.records(slug, { ...query, after: last, limit: 1 })).length > 0;
    const next = more ? last : top;
    // The records go out as stored (their canonical JSON), not parsed and written again.
    const head = JSON.stringify({ protocol: PROTOCOL_VERSION, accepted, duplicate, problems });
    const text = `${head.slice(0, -1)},"records":[${out.map((r) => r.json).join(',')}],"next":${next},"more":${more},"serverTime":${JSON.stringify(new Date(now()).toISOString())}}`;
    return c.body(text, 200, { 'content-type': 'application/json; charset=utf-8' });
  });
  app.all('/federation/v1/glossary/:campaign', methodNotAllowed(['POST']));
}
