/**
 * The hub's federation endpoints (mounted only with `--role hub`):
 *
 *   POST /federation/v1/enroll   a one-time token + the node's public key and proof → its id
 *   GET  /federation/v1/cursor   signed: where the node's next push starts
 *   POST /federation/v1/push     signed: one batch of records, with its batch signature
 *   GET  /federation/v1/pull     signed: withdrawals made elsewhere, national campaigns, standing
 *   POST /federation/v1/report   signed: the node's own view of its link (backlog, set aside, last problem)
 *   GET  /federation/v1/gold     signed: the gold items of national campaigns (gold.ts)
 *   POST /federation/v1/glossary/{campaign}
 *                                signed: a campaign's glossary records, each with its author,
 *                                both ways (glossary.ts)
 *
 * A signed request is refused before anything is read or stored when its Authorization header is
 * missing (`unauthenticated`), names a key not enrolled here (`unknown_node`), does not verify
 * (`bad_signature`), is outside the time window (`stale_request`, with the hub's time), reuses a
 * nonce (`replayed_request`) or comes from a revoked node (`node_revoked`). A push whose batch
 * signature does not match its records is `bad_batch_signature`; one that starts after the hub's
 * cursor for the node is `out_of_order` (with the cursor). The records of a batch, the batch's
 * signature and ids, and the node's cursor are written in one transaction, so the cursor never
 * moves past records that were not committed, and any failure before the commit is retried as a
 * duplicate. A push also carries which of its reviews the node's queue had served and the reviewer
 * standing the node judged: the hub counts both only for votes cast on that node.
 */
import type { Context, Hono } from 'hono';
import {
  type Campaign,
  canonicalJson,
  CursorResponse,
  checkedParse,
  describeIssues,
  EnrollRequest,
  type EnrollResponse,
  LIMITS,
  MAX_PULL_RECORDS,
  NodeReport,
  PROTOCOL_VERSION,
  type PullResponse,
  type PushResponse,
} from '../protocol/index.ts';
import { type Store, topSeq } from '../store/index.ts';
import { ApiError, methodNotAllowed } from '../server/errors.ts';
import { bodyEncoding, checkJsonContentType, parseJsonBody, readBodyBytes } from '../server/body.ts';
import { parseJsonText } from '../server/query.ts';
import { enrolmentProof, nodeIdOf, publicKeyObject, verifySignature } from '../trust/keys.ts';
import { DEFAULT_WINDOW_MS, parseAuthorization, signingString } from '../trust/request.ts';
import { type EnrolledNode, HubRegistry } from './registry.ts';
import { type DecodedPush, unpackRecords } from './decode.ts';
import { inlineDecoder, type SyncDecoder } from '../server/decoder.ts';
import { goldRoute } from './gold.ts';
import { stewardWithdrawals } from '../store/steward.ts';
import type { RateLimiter } from '../server/ratelimit.ts';
import { glossaryRoute } from './glossary.ts';
import { certificateRoute } from './certificate.ts';
import type { NodeCertificateAuthority } from '../tls/acme.ts';

export interface HubOptions {
  store: Store;
  /** The hub's name, told to nodes at enrolment. */
  name?: string;
  /** Half-width of the request timestamp window, ms (default 5 minutes). */
  windowMs?: number;
  /** The hub's clock (tests move it). */
  now?: () => number;
  /** Where push bodies are decoded (default: inline). */
  decoder?: SyncDecoder;
  /** Per-node rate limits, taken once a request's signature verifies (default: none). */
  limiter?: RateLimiter;
  /** Certificates for nodes' names (tls/acme.ts); absent: `certificates_not_offered`. */
  certificates?: NodeCertificateAuthority;
  log?: (line: string) => void;
}

function campaignContent(c: Campaign): string {
  const { version: _v, ...rest } = c;
  return canonicalJson(rest);
}

export function hubRoutes(app: Hono, options: HubOptions): HubRegistry {
  const { store } = options;
  const registry = new HubRegistry(store.db);
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const now = options.now ?? Date.now;
  const hubName = options.name ?? 'Vernacular hub';
  const decoder = options.decoder ?? inlineDecoder();
  let lastPurge = 0;

  /**
   * Reads and authenticates a signed request; answers the node and the body's bytes. The nonce is
   * recorded here (durably, before anything else happens), or with `deferNonce` only checked: a
   * push records it in its own transaction (`useNonce(…, trx)`, one commit instead of two), and
   * on any failure before that on its own (`nonceSpent`), so a replay is refused either way.
   */
  async function authenticate(c: Context, limit: number, deferNonce = false): Promise<{ node: EnrolledNode; bytes: Uint8Array; nonce: Nonce }> {
    const auth = parseAuthorization(c.req.header('authorization'));
    if (auth === undefined) {
      throw new ApiError(401, 'unauthenticated', 'This endpoint needs a signed request (Authorization: Vernacular-Ed25519 …)');
    }
    const node = await registry.node(auth.node);
    const key = node === undefined ? undefined : publicKeyObject(node.publicKey);
    if (node === undefined || key === undefined) throw new ApiError(401, 'unknown_node', `No node ${auth.node} is enrolled on this hub`);
    const bytes = await readBodyBytes(c.req.raw, limit);
    const url = new URL(c.req.url);
    const signed = signingString({ method: c.req.method, target: url.pathname + url.search, body: bytes }, auth.ts, auth.nonce);
    if (!verifySignature(key, signed, auth.sig)) throw new ApiError(401, 'bad_signature', 'The request signature does not verify with this node’s key');
    // Only now is the node known to be the sender: a limit taken before would let anyone spend its tokens.
    options.limiter?.takeKey(node.id);
    const t = now();
    if (Math.abs(t - auth.ts) > windowMs) {
      throw new ApiError(401, 'stale_request', `The request was signed at a time more than ${Math.round(windowMs / 1000)} s away from the hub’s clock`, {
        serverTime: new Date(t).toISOString(),
        windowMs,
      });
    }
    if (t - lastPurge > windowMs) {
      lastPurge = t;
      await registry.purgeNonces(t - windowMs);
    }
    const nonce: Nonce = { node: node.id, nonce: auth.nonce, expiresAt: auth.ts + windowMs };
    if (deferNonce ? await registry.nonceUsed(node.id, auth.nonce) : !(await registry.useNonce(nonce.node, nonce.nonce, nonce.expiresAt))) {
      throw replayed();
    }
    if (node.state === 'revoked') {
      if (deferNonce) await nonceSpent(nonce);
      throw new ApiError(403, 'node_revoked', 'The hub’s steward revoked this node; it can no longer send or receive');
    }
    return { node, bytes, nonce };
  }

  /** Records a deferred nonce whose request failed before its transaction (best effort: the failure is what is answered). */
  async function nonceSpent(nonce: Nonce): Promise<void> {
    await registry.useNonce(nonce.node, nonce.nonce, nonce.expiresAt).catch(() => false);
  }

  app.post('/federation/v1/enroll', async (c) => {
    checkJsonContentType(c.req.header('content-type') ?? null);
    const bytes = await readBodyBytes(c.req.raw, 64 * 1024);
    const body = parseJsonBody({ bytes, encoding: bodyEncoding(c.req.header('content-encoding') ?? null) }, 64 * 1024);
    const parsed = checkedParse(EnrollRequest, body);
    if (!parsed.success) {
      const { field, message } = describeIssues(parsed.error);
      throw new ApiError(400, 'invalid_request', `Invalid request: ${field || 'body'}: ${message}`, { field, message });
    }
    const { token, publicKey, proof } = parsed.data;
    const key = publicKeyObject(publicKey);
    if (key === undefined || !verifySignature(key, enrolmentProof(token, publicKey), proof)) {
      throw new ApiError(401, 'bad_signature', 'The enrolment proof does not verify with the key presented');
    }
    const nodeId = nodeIdOf(publicKey);
    const outcome = await registry.enrol(token, nodeId, publicKey, new Date(now()));
    if (!outcome.ok) {
      if (outcome.reason === 'key_in_use') throw new ApiError(403, 'invalid_token', 'This key is enrolled under another id');
      throw new ApiError(403, 'invalid_token', 'This enrolment token is unknown, already used or expired; ask the hub’s steward for a new one');
    }
    if (outcome.node.state === 'revoked') throw new ApiError(403, 'node_revoked', 'The hub’s steward revoked this node; it cannot enrol again with the same key');
    const answer: EnrollResponse = {
      protocol: PROTOCOL_VERSION,
      node: { id: outcome.node.id, name: outcome.node.name },
      hub: { id: 'hub', name: hubName },
    };
    return c.json(answer);
  });
  app.all('/federation/v1/enroll', methodNotAllowed(['POST']));

  app.get('/federation/v1/cursor', async (c) => {
    const { node } = await authenticate(c, 0);
    const answer: CursorResponse = { protocol: PROTOCOL_VERSION, cursor: node.cursor, serverTime: new Date(now()).toISOString() };
    return c.json(answer);
  });
  app.all('/federation/v1/cursor', methodNotAllowed(['GET', 'HEAD']));

  app.post('/federation/v1/push', async (c) => {
    checkJsonContentType(c.req.header('content-type') ?? null);
    const encoding = bodyEncoding(c.req.header('content-encoding') ?? null);
    const { node, bytes, nonce } = await authenticate(c, LIMITS.maxBodyBytes, true);
    // Parsing, validation, hashing and the batch signature run on a decoder thread, so one
    // batch is decoded while the one before it is being stored.
    const decoding = decoder.decodePush({ bytes, encoding }, LIMITS.maxBodyBytes, node);
    decoding.catch(() => {}); // answered in its turn
    // A node's batches are stored one after another, in the order they arrived (took their turn
    // as soon as they were authenticated, not when their decoding ended: a batch decoded faster
    // than the one sent before it must not be refused as out of order); the order is checked
    // against the cursor as it is once the batch before has been committed.
    try {
      return c.json(await inTurn(node.id, async () => store_(node.id, await decoding, nonce)));
    } catch (err) {
      await nonceSpent(nonce);
      throw err;
    }
  });
  app.all('/federation/v1/push', methodNotAllowed(['POST']));

  const turns = new Map<string, Promise<unknown>>();
  /** Runs `work` after every earlier push of the same node has finished (committed or failed). */
  function inTurn<T>(nodeId: string, work: () => Promise<T>): Promise<T> {
    const previous = turns.get(nodeId) ?? Promise.resolve();
    const mine = previous.catch(() => {}).then(work);
    turns.set(nodeId, mine);
    void mine.catch(() => {}).finally(() => {
      if (turns.get(nodeId) === mine) turns.delete(nodeId);
    });
    return mine;
  }

  async function store_(nodeId: string, push: DecodedPush, nonce: Nonce): Promise<PushResponse> {
    const cursorNow = (await registry.node(nodeId))?.cursor ?? 0;
    if (push.after > cursorNow) {
      throw new ApiError(409, 'out_of_order', `This batch starts after ${push.after}, but the hub holds this node’s records only through ${cursorNow}; send from there`, {
        cursor: cursorNow,
      });
    }

    // The node's own campaigns, so its records are checked against the rules they were made under.
    const campaignConflicts: string[] = [];
    if (push.campaigns.length > 0) {
      const origins = await registry.campaignOrigins();
      for (const campaign of push.campaigns) {
        const owner = origins.get(campaign.slug);
        const held = await store.campaign(campaign.slug);
        if ((held !== undefined && owner !== nodeId) || (owner !== undefined && owner !== nodeId)) {
          if (held === undefined || campaignContent(held) !== campaignContent(campaign)) campaignConflicts.push(campaign.slug);
          continue;
        }
        if (held === undefined || campaignContent(held) !== campaignContent(campaign)) {
          await registry.claimCampaign(campaign.slug, nodeId);
          const { version: _v, ...input } = campaign;
          await store.saveCampaign(input);
        }
      }
    }

    const valid = unpackRecords(push.valid);
    const receivedAt = new Date(now()).toISOString();
    const batch = { node: nodeId, after: push.after, through: push.through, signature: push.signature, ids: push.ids, receivedAt };
    // Which of its reviews the node's queue served, and the standing it judged: both count only
    // for the votes cast on that node (store/reviewers.ts), as the node counts them itself.
    const served = new Set(push.served);
    const records = valid.map((v) => (served.has(v.record.contribution.id) ? { ...v.record, served: true } : v.record));
    // The records, the standing, the batch and the cursor commit together, in one durable transaction.
    let cursor = 0;
    const statuses = await store.ingestRelayed(nodeId, records, async (trx) => {
      // Two requests with one nonce both passed the check: the second to get here stores nothing.
      if (!(await registry.useNonce(nonce.node, nonce.nonce, nonce.expiresAt, trx))) throw replayed();
      await store.reviewers.vouch(trx, nodeId, push.standing);
      cursor = await registry.recordAndAdvance(batch, new Date(now()), trx);
    });
    const problems = [...push.problems];
    let accepted = 0;
    let duplicate = 0;
    statuses.forEach((status, k) => {
      const { index, record } = valid[k]!;
      const id = record.contribution.id;
      if (status === 'accepted') accepted++;
      else if (status === 'duplicate') duplicate++;
      else if (status === 'conflict') problems.push({ index, id, status: 'conflict', code: 'conflict', message: 'This id already holds different content' });
      else problems.push({ index, id, status: 'rejected', code: status.code, field: status.field, message: status.message });
    });
    problems.sort((a, b) => a.index - b.index);
    return { protocol: PROTOCOL_VERSION, cursor, problems, accepted, duplicate, campaignConflicts, serverTime: receivedAt };
  }

  app.get('/federation/v1/pull', async (c) => {
    const { node } = await authenticate(c, 0);
    const afterText = c.req.query('after') ?? '0';
    if (!/^\d{1,15}$/.test(afterText)) throw new ApiError(400, 'invalid_query', 'after must be a whole number');
    const after = Number(afterText);
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? MAX_PULL_RECORDS : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PULL_RECORDS) {
      throw new ApiError(400, 'invalid_query', `limit must be a whole number from 1 to ${MAX_PULL_RECORDS}`);
    }
    // Everything committed by now has a sequence number at most this (see the store's ordering).
    const top = await topSeq(store.db);
    const withdrawals: PullResponse['withdrawals'] = [];
    let next = after;
    let more = false;
    for await (const stored of store.contributions({ kind: 'withdrawal', after, limit: limit + 1, excludeOrigin: node.id })) {
      if (stored.seq > top) break;
      if (withdrawals.length === limit) {
        more = true;
        break;
      }
      withdrawals.push({ deviceId: stored.deviceId, receivedAt: stored.originReceivedAt ?? stored.receivedAt, contribution: stored.contribution });
      next = stored.seq;
    }
    if (!more) next = Math.max(after, top);
    const origins = await registry.campaignOrigins();
    const campaigns = (await store.campaigns()).filter((campaign) => !origins.has(campaign.slug));
    await registry.notePull(node.id, new Date(now()));
    const answer: PullResponse = {
      protocol: PROTOCOL_VERSION,
      withdrawals,
      next,
      more,
      campaigns,
      stewardWithdrawals: (await stewardWithdrawals(store.db)).map(({ id, contributor, at }) => ({ id, contributor, at })),
      node: { id: node.id, name: node.name, state: node.state },
      serverTime: new Date(now()).toISOString(),
    };
    return c.json(answer);
  });
  app.all('/federation/v1/pull', methodNotAllowed(['GET', 'HEAD']));

  // What a node says of its link after an exchange (its backlog, what it set aside, its last
  // problem): advisory, shown to the steward (staff/http/nodes.ts).
  app.post('/federation/v1/report', async (c) => {
    checkJsonContentType(c.req.header('content-type') ?? null);
    const { node, bytes } = await authenticate(c, 16 * 1024);
    await registry.report(node.id, parseJsonText({ bytes, encoding: bodyEncoding(c.req.header('content-encoding') ?? null) }, NodeReport), new Date(now()));
    return c.json({ protocol: PROTOCOL_VERSION, kept: true });
  });
  app.all('/federation/v1/report', methodNotAllowed(['POST']));
  goldRoute(app, store, registry, authenticate);

  glossaryRoute(app, store, authenticate, now);
  certificateRoute(app, options.certificates, authenticate, options.log ?? ((line) => console.error(line)));

  return registry;
}

/** A signed request's nonce, as the registry records it. */
interface Nonce {
  node: string;
  nonce: string;
  expiresAt: number;
}

function replayed(): ApiError {
  return new ApiError(401, 'replayed_request', 'This request was already received (its nonce was used)');
}
