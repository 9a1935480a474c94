/**
 * The node's side of store-and-forward: enrol once, then push what the hub lacks and pull what
 * changed there, again and again, surviving anything in between.
 *
 * Push: ask the hub for its cursor for this node (the hub's word is the truth: a crash after the
 * hub committed but before the node noted it only means the node resumes further on), then send
 * the records after it — in the node's own order, `(after, through]`, at most `batchSize` at a
 * time, signed — and move the cursor to what the hub answers, only after it answered. Retrying any
 * batch any number of times is safe: the hub answers records it holds as duplicates.
 *
 * Reviewers: the hub judges this node's votes as the node does (store/reviewers.ts): each batch
 * names its reviews whose item the node's queue had served, and the reviewer standing that changed
 * here goes up first, in batches of no records, each moving the link's standing version once taken.
 *
 * Pull: withdrawals made elsewhere are stored as records relayed from the hub (origin `hub`, never
 * pushed back) and take effect here like any withdrawal; national campaigns are saved when changed.
 *
 * Refused records: a record the hub refuses — one by one in a push's answer, or a whole batch
 * refused for its content (400/413: bad JSON, text no store can hold, nesting, size), which the
 * node halves until the batch is that record alone — is set aside (link.ts): kept here, shown by
 * `node status`, and left out of later pushes, whose (after, through] still covers it, so the
 * hub's cursor moves past it and the rest flows. A hub that fails (5xx) is retried, never
 * bisected: a passing failure must not set records aside.
 *
 * Waiting: an answer with Retry-After (429 rate_limited, 503 unavailable, 507 storage_full) is
 * honoured: the next exchange waits that long, however often devices nudge.
 *
 * Clock: the hub checks request timestamps against its own clock; when it answers `stale_request`
 * the node learns the offset from the hub's time and signs again, so a node whose clock is days or
 * years off still federates (the records' own times are never changed).
 */
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import {
  canonicalJson,
  type Campaign,
  CertificateName,
  type CertificateRequest,
  CertificateResponse,
  CursorResponse,
  EnrollResponse,
  ErrorBody,
  type HubLink,
  PROTOCOL_VERSION,
  type ModelEntry,
  ModelsResponse,
  PullResponse,
  GoldList,
  GlossaryExchangeResponse,
  MAX_PUSH_STANDING,
  type NodeReport,
  PushResponse,
  type VouchedStanding,
} from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { enrolmentProof, type NodeKey } from '../trust/keys.ts';
import { authorizationHeader } from '../trust/request.ts';
import { batchManifest } from '../trust/manifest.ts';
import { ItemVerifier } from '../trust/contributors.ts';
import { canonicalOf } from '../store/rows.ts';
import { HUB_ORIGIN, type Link, LinkStore, type SetAside } from './link.ts';
import { describeFailure, HubError, normaliseHubUrl, retryAfterMs, safeJson } from './answers.ts';

export { describeFailure, HubError, normaliseHubUrl, retryAfterMs } from './answers.ts';
import { setGoldEvery, storeGoldItems } from '../store/gold.ts';
import { stewardWithdrawals, withdrawContributor } from '../store/steward.ts';
import { servedReviews } from '../store/standing.ts';
import type { ModelStore } from '../models/store.ts';
import { packageVersion } from '../package.ts';
import { openGlossaryStore } from '../glossary/store.ts';
import { exchangeGlossaries } from './glossary.ts';

export const DEFAULT_BATCH_SIZE = 1000;
/**
 * Push batches in flight at once (see push()); VERNACULAR_PUSH_WINDOW overrides it (1 sends one
 * batch at a time, for comparison on a given machine). Three: while the hub stores one batch (its
 * event loop busy), the next is being decoded and a third is already there to be decoded next,
 * instead of arriving only once the node has the first answer (about 5% more records/s than two,
 * 100,000 records SQLite→SQLite, three alternating pairs on a quiet 2-core machine).
 */
export const PUSH_WINDOW = Math.max(1, Math.min(8, Number(process.env.VERNACULAR_PUSH_WINDOW ?? 3) || 3));
export const DEFAULT_INTERVAL_MS = 15_000;
/** How often a long push writes the hub's cursor down on the node (see push()). */
const NOTE_CURSOR_MS = 1000;

/**
 * Whole-batch refusals about what the batch holds (not who sent it, when, or how the hub is
 * doing): a batch refused so is narrowed until the record causing it is alone, and set aside.
 */
const CONTENT_REFUSALS = new Set([
  'invalid_request', 'malformed_json', 'invalid_utf8', 'body_too_large', 'batch_too_large',
  'nesting_too_deep', 'invalid_text', 'bad_batch_signature',
]);

export class NotEnrolledError extends Error {
  constructor() {
    super('This node is not enrolled with a hub; run `vernacular node enroll --hub URL --token T`');
    this.name = 'NotEnrolledError';
  }
}

export interface AgentOptions {
  store: Store;
  /** The node's model store, to tell which models named by national campaigns it lacks. */
  models?: ModelStore;
  key: NodeKey;
  batchSize?: number;
  /** Per-request timeout, ms (default 60 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface PushSummary {
  /** Campaign glossaries exchanged with the hub. */
  glossaries: number;
  batches: number;
  records: number;
  accepted: number;
  duplicate: number;
  problems: number;
}

export interface PullSummary {
  withdrawals: number;
  campaigns: number;
  /** Gold items of the hub's campaigns stored or changed here. */
  gold?: number;
}

/** A push body ready to send: the records after some cursor, through `through`, signed and compressed. */
interface PreparedBatch {
  through: number;
  /** Records in the batch… */
  records: number;
  /** …and read from the store (set-aside records are read, then left out). */
  read: number;
  /** Each record sent, in batch order (a hub's problem names its index). */
  sent: { seq: number; id: string }[];
  /** Whether this batch carries the node's own campaigns. */
  campaigns: boolean;
  bytes: Uint8Array;
  encoding: 'br' | 'gzip';
}

export class FederationAgent {
  readonly links: LinkStore;
  private readonly store: Store;
  private readonly models: ModelStore | undefined;
  private readonly key: NodeKey;
  private readonly batchSize: number;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly verifier = new ItemVerifier();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(options: AgentOptions) {
    this.store = options.store;
    this.models = options.models;
    this.key = options.key;
    this.links = new LinkStore(options.store.db);
    this.batchSize = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, 2000));
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.log = options.log ?? (() => {});
  }

  async enroll(hubUrl: string, token: string): Promise<EnrollResponse> {
    const base = normaliseHubUrl(hubUrl);
    const body = JSON.stringify({
      protocol: PROTOCOL_VERSION,
      token,
      publicKey: this.key.publicKey,
      proof: this.key.sign(enrolmentProof(token, this.key.publicKey)),
    });
    const response = await fetch(`${base}/federation/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const answer = EnrollResponse.parse(await this.answer(response));
    await this.links.enrolled({ hubUrl: base, nodeId: answer.node.id, nodeName: answer.node.name, hubId: answer.hub.id, hubName: answer.hub.name });
    return answer;
  }

  async status(): Promise<HubLink> {
    const link = await this.links.get();
    if (link === undefined) return { enrolled: false, state: 'not_enrolled', backlog: await this.links.backlog(0) };
    const status: HubLink = {
      enrolled: true,
      hub: link.hubUrl,
      node: { id: link.nodeId, name: link.nodeName },
      state: link.state,
      backlog: await this.links.backlog(link.pushCursor),
    };
    if (link.lastPushAt !== null) status.lastPushAt = link.lastPushAt;
    if (link.lastPullAt !== null) status.lastPullAt = link.lastPullAt;
    if (link.lastError !== null && link.state !== 'ok') status.error = link.lastError;
    if (this.notBefore > Date.now()) status.retryAt = new Date(this.notBefore).toISOString();
    const setAside = await this.links.setAsideSummary();
    if (setAside.count > 0) {
      status.setAside = {
        count: setAside.count,
        recent: setAside.recent.map((r) => ({ id: r.id, code: r.code, ...(r.field !== undefined ? { field: r.field } : {}), message: r.message, refusedAt: r.refusedAt })),
      };
    }
    const missing = await this.missingModels();
    if (missing.length > 0) status.missingModels = missing;
    return status;
  }

  /**
   * Models named by campaigns pulled from the hub that this node's model store lacks, with what
   * the hub's model manifest offers of each (asked now when this process has not pulled it yet).
   */
  async missingModels(): Promise<NonNullable<HubLink['missingModels']>> {
    if (this.models === undefined) return [];
    const held = await this.models.list();
    const needed = new Map<string, { id: string; revision?: string; campaigns: string[] }>();
    for (const slug of (await this.links.pulledCampaigns()).keys()) {
      const campaign = await this.store.campaign(slug);
      const named = [campaign?.models?.draft, ...(campaign?.models?.compare ?? [])].filter((m) => m !== undefined);
      for (const model of named) {
        const have = held.some((h) => h.id === model.id && (model.revision === undefined || h.revision === model.revision));
        if (have) continue;
        const key = `${model.id}@${model.revision ?? ''}`;
        const entry = needed.get(key) ?? { id: model.id, ...(model.revision !== undefined ? { revision: model.revision } : {}), campaigns: [] };
        if (!entry.campaigns.includes(slug)) entry.campaigns.push(slug);
        needed.set(key, entry);
      }
    }
    if (needed.size === 0) return [];
    const offered = this.hubModels ?? (await this.fetchHubModels().catch(() => undefined));
    return [...needed.values()].map((entry) => {
      const match = offered?.find((m) => m.id === entry.id && (entry.revision === undefined || m.revision === entry.revision));
      if (match === undefined) return entry;
      const dtypes = [...new Set(match.files.flatMap((f) => (f.dtype !== undefined ? [f.dtype] : [])))].sort();
      return { ...entry, hub: { revision: match.revision, dtypes } };
    });
  }

  /** The hub's model manifest (its public GET /api/v1/models), newest import first within an id. */
  private async fetchHubModels(): Promise<ModelEntry[]> {
    const link = await this.requireLink();
    const response = await fetch(`${link.hubUrl}/api/v1/models`, { signal: AbortSignal.timeout(Math.min(this.timeoutMs, 5000)) });
    if (!response.ok) return [];
    this.hubModels = ModelsResponse.parse(await response.json()).models;
    return this.hubModels;
  }

  private hubModels: ModelEntry[] | undefined;

  /** One push then one pull; records the outcome (or the problem, in words) on the link. */
  async syncOnce(): Promise<{ push: PushSummary; pull: PullSummary }> {
    const link = await this.requireLink();
    try {
      const push = await this.push(link);
      push.glossaries = await this.syncGlossaries();
      const pull = await this.pull();
      await this.links.update({ state: 'ok', lastError: null });
      await this.report();
      return { push, pull };
    } catch (err) {
      const { state, words } = describeFailure(err, link.hubUrl);
      await this.links.update({ state, lastError: words });
      // A hub that answered but refused something still hears how this node sees it — not one
      // that asked to wait (429, 503, 507): it gets no extra request until then.
      if (err instanceof HubError && state !== 'revoked' && err.retryAfterMs === undefined) await this.report(words);
      throw err;
    }
  }

  /** Tells the hub's steward this node's backlog, what it set aside and its last problem (best effort). */
  private async report(error?: string): Promise<void> {
    try {
      const link = await this.requireLink();
      const report: NodeReport = {
        protocol: PROTOCOL_VERSION,
        backlog: await this.links.backlog(link.pushCursor),
        setAside: (await this.links.setAsideSummary(0)).count,
        ...(error !== undefined ? { error: error.slice(0, 500) } : {}),
        version: packageVersion(),
      };
      await this.signed('POST', '/federation/v1/report', report, Math.min(this.timeoutMs, 10_000));
    } catch {
      // An older hub (404), or one out of reach: the report is advisory.
    }
  }

  /** Syncs now and every `intervalMs` (with jitter) until `stop()`; a revoked node stops by itself. */
  start(intervalMs = DEFAULT_INTERVAL_MS): void {
    this.interval = intervalMs;
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a sync soon (a device just sent something). */
  nudge(): void {
    if (this.busy) this.nudged = true;
    else this.schedule(300);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  private interval = DEFAULT_INTERVAL_MS;
  private busy = false;
  private nudged = false;
  /** No exchange before this time (ms): the hub's last Retry-After. */
  private notBefore = 0;

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick();
    }, Math.max(ms, this.notBefore - Date.now()));
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.nudged = false;
    let revoked = false;
    let wait: number | undefined;
    try {
      await this.syncOnce();
    } catch (err) {
      if (!(err instanceof NotEnrolledError)) {
        const link = await this.links.get().catch(() => undefined);
        this.log(`federation: ${describeFailure(err, link?.hubUrl ?? 'the hub').words}`);
        revoked = link?.state === 'revoked';
        // The hub said when: then, not sooner (and not later either: a node catching up resumes).
        if (err instanceof HubError && err.retryAfterMs !== undefined) wait = err.retryAfterMs * (1 + Math.random() * 0.1);
      }
    } finally {
      this.busy = false;
    }
    if (wait !== undefined) this.notBefore = Date.now() + wait;
    if (!revoked) this.schedule(wait ?? (this.nudged ? 300 : this.interval * (0.8 + Math.random() * 0.4)));
  }

  private async requireLink(): Promise<Link> {
    const link = await this.links.get();
    if (link === undefined) throw new NotEnrolledError();
    return link;
  }

  private async push(link: Link): Promise<PushSummary> {
    const summary: PushSummary = { glossaries: 0, batches: 0, records: 0, accepted: 0, duplicate: 0, problems: 0 };
    let cursor = CursorResponse.parse(await this.signed('GET', '/federation/v1/cursor')).cursor;
    if (cursor !== link.pushCursor) await this.links.update({ pushCursor: cursor });
    // Records the hub refused before: read, then left out of every batch (link.ts).
    const setAside = await this.links.setAsideAfter(cursor);
    // This node's own campaigns go up with the first batch of a round, and on their own (an empty
    // batch) when they changed and no record is waiting.
    const campaigns = await this.ownCampaigns();
    const campaignsHash = canonicalJson(campaigns);
    // Standing first, with the campaigns: the hub then judges the records that follow by it.
    const campaignsSent = await this.pushStanding(link, cursor, campaigns);
    if (campaignsSent) this.sentCampaigns = campaignsHash;
    // How many records a batch may hold: halved after each batch refused for its content, until
    // the record behind it is alone (and set aside). `campaignsAlone`: the campaigns go up in a
    // batch of their own, to tell a refusal of them from one of a record.
    let batchLimit = this.batchSize;
    let campaignsAlone = false;
    // A record refused alone: the next batch is the same (after, through] without it. Only if the
    // hub takes that is the record set aside; if not, the record was not the cause.
    let skipping: SetAside | undefined;
    // PUSH_WINDOW batches in flight: while the hub stores one, the next are already read, signed, sent and
    // being decoded there (the hub stores a node's batches in the order they arrive, each checked
    // against its cursor once the one before has committed). Answers are taken in order; when one
    // moves the cursor anywhere but where the next batch starts (an `out_of_order`, or a batch the
    // hub refused), everything still in flight is let go and the push resumes from the hub's cursor.
    const inFlight: { batch: PreparedBatch; answer: Promise<PushResponse> }[] = [];
    let sendFrom = cursor;
    let exhausted = false;
    const drain = async () => {
      await Promise.allSettled(inFlight.map((f) => f.answer));
      inFlight.length = 0;
    };
    let noted = cursor;
    let notedAt = Date.now();
    const noteCursor = async () => {
      if (summary.batches === 0 && noted === cursor) return;
      noted = cursor;
      notedAt = Date.now();
      await this.links.update({ pushCursor: cursor, lastPushAt: new Date().toISOString() });
    };
    for (;;) {
      while (!exhausted && inFlight.length < PUSH_WINDOW) {
        const first = summary.batches === 0 && inFlight.length === 0 && sendFrom === cursor && !campaignsSent;
        const alone = first && campaignsAlone;
        const batch = await this.prepareBatch(sendFrom, first ? campaigns : [], alone ? 0 : batchLimit, setAside);
        const campaignsOnly = first && campaigns.length > 0 && (alone || campaignsHash !== this.sentCampaigns);
        if (batch.read === 0 && !campaignsOnly) {
          exhausted = true;
          break;
        }
        const body = { bytes: batch.bytes, type: 'application/json', encoding: batch.encoding };
        const answer = this.send('POST', '/federation/v1/push', body).then(async (r) => PushResponse.parse(await this.answer(r)));
        answer.catch(() => {}); // taken in order below
        inFlight.push({ batch, answer });
        sendFrom = batch.through;
        if (batch.read === 0) exhausted = true;
      }
      const head = inFlight.shift();
      if (head === undefined) break;
      let answer: PushResponse;
      try {
        answer = await head.answer;
      } catch (err) {
        await drain();
        if (err instanceof HubError && err.code === 'unsupported_encoding' && head.batch.encoding === 'br') {
          // A hub from before brotli: gzip from now on, from where the hub's cursor stands.
          this.log('federation: the hub does not take brotli; pushing gzip instead');
          this.pushEncoding = 'gzip';
          sendFrom = cursor;
          exhausted = false;
          continue;
        }
        if (err instanceof HubError && err.code === 'out_of_order' && typeof err.details?.cursor === 'number') {
          cursor = err.details.cursor;
          noted = cursor;
          await this.links.update({ pushCursor: cursor });
          sendFrom = cursor;
          exhausted = false;
          continue;
        }
        if (err instanceof HubError && err.status < 500 && CONTENT_REFUSALS.has(err.code) && head.batch.sent.length > 0 && skipping === undefined) {
          if (head.batch.campaigns && !campaignsAlone) {
            campaignsAlone = true; // first the campaigns alone: is it them?
          } else if (head.batch.sent.length > 1) {
            batchLimit = Math.max(1, Math.floor(head.batch.sent.length / 2));
          } else {
            const [record] = head.batch.sent;
            const refusal = { seq: record!.seq, id: record!.id, code: err.code, message: err.message, refusedAt: new Date().toISOString() };
            skipping = typeof err.details?.field === 'string' ? { ...refusal, field: err.details.field } : refusal;
            setAside.add(record!.seq);
          }
          sendFrom = cursor;
          exhausted = false;
          continue;
        }
        if (skipping !== undefined) setAside.delete(skipping.seq); // the batch without it was refused too
        if (noted !== cursor) await this.links.update({ pushCursor: cursor }).catch(() => {});
        throw err;
      }
      summary.batches++;
      if (head.batch.campaigns) this.sentCampaigns = campaignsHash;
      if (skipping !== undefined && head.batch.through >= skipping.seq) {
        await this.links.setAside([skipping]);
        summary.problems++;
        this.log(`federation: the hub refused ${skipping.id} (${skipping.code}: ${skipping.message}); set aside, the rest goes on`);
        skipping = undefined;
        batchLimit = this.batchSize; // the cause is found; another one is narrowed down again
      }
      if (campaignsAlone && head.batch.campaigns) {
        // They were taken: a record was refused; narrow from here.
        campaignsAlone = false;
        batchLimit = Math.max(1, Math.floor(batchLimit / 2));
        exhausted = false;
      }
      summary.records += head.batch.records;
      summary.accepted += answer.accepted;
      summary.duplicate += answer.duplicate;
      summary.problems += answer.problems.length;
      await this.setAsideProblems(head.batch, answer);
      for (const slug of answer.campaignConflicts) this.log(`federation: the hub holds another campaign called "${slug}"; rename this node’s campaign`);
      cursor = answer.cursor;
      // The hub's cursor is the truth and is asked for first on every push, so the node's copy
      // (shown as its backlog) is written at most every NOTE_CURSOR_MS while batches keep coming,
      // and always when the push ends or fails: one durable write per batch cost as much as a
      // tenth of the push.
      if (Date.now() - notedAt >= NOTE_CURSOR_MS) await noteCursor();
      if (cursor !== head.batch.through) {
        // The hub holds more (or less) than this batch reached: resume from its word.
        await drain();
        sendFrom = cursor;
        exhausted = false;
      }
    }
    if (summary.batches === 0) await this.links.update({ lastPushAt: new Date().toISOString() });
    else await noteCursor();
    return summary;
  }

  /** The records a push's answer names as not stored (rejected, conflict), set aside with the hub's reason. */
  private async setAsideProblems(batch: PreparedBatch, answer: PushResponse): Promise<void> {
    if (answer.problems.length === 0) return;
    const refusedAt = new Date().toISOString();
    const refused = answer.problems.flatMap((p) => {
      const sent = batch.sent[p.index];
      if (sent === undefined) return [];
      this.log(`federation: the hub refused ${sent.id}: ${p.code ?? p.status} ${p.message ?? ''}`);
      const entry = { seq: sent.seq, id: sent.id, code: p.code ?? p.status, message: p.message ?? p.status, refusedAt };
      return [p.field !== undefined ? { ...entry, field: p.field } : entry];
    });
    await this.links.setAside(refused);
  }

  /**
   * How push bodies are compressed. Brotli at quality 3 makes bodies a little smaller than gzip's
   * default level (0.98×) in about half the time, and the hub unpacks them faster too; gzip
   * only for a hub that answers `unsupported_encoding` to brotli (one from before it).
   */
  private pushEncoding: 'br' | 'gzip' = 'br';

  /**
   * The records after `after` (at most `limit`, set-aside ones read and left out), signed, as the
   * compressed body of a push. The body is written from the records' JSON texts as the store
   * reads them for relaying (RelayText: the stored canonical data as it is), so no contribution
   * object is rebuilt and serialised again.
   */
  private async prepareBatch(after: number, campaigns: readonly Campaign[], limit: number, setAside: ReadonlySet<number>, standing?: readonly VouchedStanding[]): Promise<PreparedBatch> {
    const read = limit === 0 ? [] : await this.store.relayTexts({ after, limit, excludeOrigin: HUB_ORIGIN });
    const through = read.length === 0 ? after : read[read.length - 1]!.seq;
    const stored = setAside.size === 0 ? read : read.filter((s) => !setAside.has(s.seq));
    const signature = this.key.sign(batchManifest({ node: this.key.id, after, through }, stored.map((s) => ({ id: s.id, hash: s.contentHash, deviceId: s.deviceId, receivedAt: s.receivedAt }))));
    const served = await servedReviews(this.store.db, stored.map((s) => s.id));
    const json = (value: unknown) => JSON.stringify(value);
    const body =
      `{"protocol":${json(PROTOCOL_VERSION)},"node":${json(this.key.id)},"campaigns":${json(campaigns)},` +
      `"batch":{"after":${after},"through":${through},"records":[${stored.map((s) => s.json).join(',')}],"signature":${json(signature)}}` +
      (served.length > 0 ? `,"served":${json(served)}` : '') +
      (standing !== undefined && standing.length > 0 ? `,"standing":${json(standing)}` : '') +
      '}';
    const encoding = this.pushEncoding;
    const bytes =
      encoding === 'gzip'
        ? gzipSync(body)
        : brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 3, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(body) } });
    return { through, records: stored.length, read: read.length, sent: stored.map((s) => ({ seq: s.seq, id: s.id })), campaigns: campaigns.length > 0, bytes, encoding };
  }
  /**
   * The reviewer standing that changed here since the hub last took it, in batches of no records
   * (the hub's cursor for this node stays where it is); the link's standing version moves after
   * each answer. Returns whether the campaigns went with it (with the first batch).
   */
  private async pushStanding(link: Link, cursor: number, campaigns: readonly Campaign[]): Promise<boolean> {
    let version = link.standingVersion;
    let campaignsSent = false;
    for (;;) {
      const changes = await this.store.reviewers.changes(version, MAX_PUSH_STANDING);
      if (changes.standing.length === 0) return campaignsSent;
      const batch = await this.prepareBatch(cursor, campaignsSent ? [] : campaigns, 0, new Set(), changes.standing);
      const answer = PushResponse.parse(await this.answer(await this.send('POST', '/federation/v1/push', { bytes: batch.bytes, type: 'application/json', encoding: batch.encoding })));
      for (const slug of answer.campaignConflicts) this.log(`federation: the hub holds another campaign called "${slug}"; rename this node’s campaign`);
      campaignsSent = true;
      version = changes.version;
      await this.links.update({ standingVersion: version });
      if (changes.standing.length < MAX_PUSH_STANDING) return true;
    }
  }

  private async pull(): Promise<PullSummary> {
    const summary: PullSummary = { withdrawals: 0, campaigns: 0 };
    const link = await this.requireLink();
    let after = link.pullCursor;
    for (;;) {
      const answer = PullResponse.parse(await this.signed('GET', `/federation/v1/pull?after=${after}`));
      if (answer.withdrawals.length > 0) {
        // Checked against their authors' keys like anything a device sends: the hub vouches for nothing.
        const records = answer.withdrawals
          .map((w) => ({ contribution: w.contribution, deviceId: w.deviceId, receivedAt: w.receivedAt, canonical: canonicalOf(w.contribution) }))
          .filter((r) => this.verifier.check(r.contribution, r.canonical.hash) === undefined);
        await this.store.ingestRelayed(HUB_ORIGIN, records);
        summary.withdrawals += records.length;
      }
      if (!answer.more) {
        summary.campaigns += await this.applyCampaigns(answer.campaigns);
        // The hub steward's withdrawals for contributors who lost their keys (each applied once).
        const applied = new Set((await stewardWithdrawals(this.store.db)).map((w) => w.id));
        for (const w of answer.stewardWithdrawals) {
          if (!applied.has(w.id)) await withdrawContributor(this.store.db, { ...w, by: 'hub', reason: 'withdrawn by the hub’s steward' });
        }
        summary.gold = await this.pullGold();
        await this.fetchHubModels().catch(() => undefined);
      }
      after = answer.next;
      await this.links.update({ pullCursor: after, lastPullAt: new Date().toISOString() });
      if (!answer.more) break;
    }
    return summary;
  }

  /**
   * The gold items of the hub's campaigns (hub/gold.ts), stored as they are (same ids), so this
   * node's queue serves them and its reviewers' votes on them count on the hub. A hub without
   * gold answers 404: then there is none.
   */
  /** The hash of the hub's gold set last stored here (hub/gold.ts), so an unchanged set is not sent again. */
  private goldHash: string | undefined;

  private async pullGold(): Promise<number> {
    let answer: GoldList;
    try {
      const known = this.goldHash === undefined ? '' : `?known=${this.goldHash}`;
      answer = GoldList.parse(await this.signed('GET', `/federation/v1/gold${known}`));
    } catch (err) {
      if (err instanceof HubError && err.status === 404) return 0;
      throw err;
    }
    if (answer.unchanged) return 0;
    const pulled = await this.links.pulledCampaigns();
    const gold = answer.gold.filter((g) => pulled.has(g.item.campaign));
    for (const [slug, every] of Object.entries(answer.every)) if (pulled.has(slug)) await setGoldEvery(this.store.db, slug, every);
    const changed = await storeGoldItems(this.store.db, gold);
    // Remembered for this process only: a restart fetches the set once more (storing it is idempotent).
    this.goldHash = answer.hash;
    return changed;
  }

  /** Campaigns made here: every stored one that was not pulled from the hub. */
  private async ownCampaigns(): Promise<Campaign[]> {
    const pulled = await this.links.pulledCampaigns();
    return (await this.store.campaigns()).filter((c) => !pulled.has(c.slug));
  }

  private async applyCampaigns(campaigns: readonly Campaign[]): Promise<number> {
    const pulled = await this.links.pulledCampaigns();
    let changed = 0;
    for (const campaign of campaigns) {
      const { version, ...input } = campaign;
      const hash = canonicalJson(input);
      if (pulled.get(campaign.slug) === hash) continue;
      if (!pulled.has(campaign.slug) && (await this.store.campaign(campaign.slug)) !== undefined) {
        this.log(`federation: the hub publishes a campaign "${campaign.slug}", and this node has its own by that name; keeping this node’s`);
        continue;
      }
      await this.store.saveCampaign(input);
      await this.links.notePulled(campaign.slug, version, hash);
      changed++;
    }
    return changed;
  }

  /** A signed JSON request to the hub (its body gzipped); answers the parsed JSON. */
  private async signed(method: 'GET' | 'POST', target: string, json?: unknown, timeoutMs?: number): Promise<unknown> {
    const body = json === undefined ? undefined : { bytes: gzipSync(JSON.stringify(json)), type: 'application/json', encoding: 'gzip' };
    return this.answer(await this.send(method, target, body, undefined, timeoutMs));
  }

  /**
   * A certificate for this node's name from the hub, for `csr` (made from the node's own TLS key),
   * with `addresses` published under the name. An order at the CA can take a while: two minutes.
   */
  async certificateName(): Promise<string> {
    return CertificateName.parse(await this.signed('GET', '/federation/v1/certificate')).name;
  }

  async requestCertificate(csr: string, addresses: readonly string[]): Promise<CertificateResponse> {
    const request: CertificateRequest = { protocol: PROTOCOL_VERSION, csr, addresses: [...addresses] };
    return CertificateResponse.parse(await this.signed('POST', '/federation/v1/certificate', request, Math.max(this.timeoutMs, 120_000)));
  }

  /**
   * Sends a signed request; learns the clock offset from a `stale_request` answer and signs once
   * more. Answers the response (not yet read) when it is not such a refusal.
   */
  private async send(
    method: 'GET' | 'POST',
    target: string,
    body?: { bytes: Uint8Array; type: string; encoding?: string },
    onSent?: () => void,
    timeoutMs: number = this.timeoutMs,
  ): Promise<Response> {
    const link = await this.requireLink();
    const bytes = body?.bytes ?? new Uint8Array(0);
    for (let attempt = 0; ; attempt++) {
      const offset = (await this.links.get())?.clockOffsetMs ?? link.clockOffsetMs;
      const headers: Record<string, string> = {
        authorization: authorizationHeader(this.key, { method, target, body: bytes }, Date.now() + offset),
      };
      if (body !== undefined) {
        headers['content-type'] = body.type;
        if (body.encoding !== undefined) headers['content-encoding'] = body.encoding;
      }
      const request = fetch(`${link.hubUrl}${target}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: bytes as Uint8Array<ArrayBuffer> }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (attempt === 0) onSent?.();
      const response = await request;
      if (attempt === 0 && response.status === 401) {
        const text = await response.text();
        const error = ErrorBody.safeParse(safeJson(text));
        const serverTime = error.success && error.data.error.code === 'stale_request' ? error.data.error.details?.serverTime : undefined;
        const hubTime = typeof serverTime === 'string' ? Date.parse(serverTime) : NaN;
        if (Number.isFinite(hubTime)) {
          await this.links.update({ clockOffsetMs: hubTime - Date.now() });
          this.log(`federation: this machine’s clock is ${Math.round((hubTime - Date.now()) / 1000)} s off the hub’s; signing with the hub’s time`);
          continue;
        }
        return new Response(text, { status: response.status, headers: response.headers });
      }
      return response;
    }
  }

  /**
   * Each campaign's glossary records, exchanged with the hub with their authors (glossary.ts):
   * what the hub lacks goes up, what reached it from elsewhere comes back and is checked here.
   */
  private async syncGlossaries(): Promise<number> {
    const summary = await exchangeGlossaries({
      store: this.store,
      glossary: openGlossaryStore(this.store.db),
      log: this.log,
      post: async (campaign, json) => {
        const body = { bytes: gzipSync(json), type: 'application/json', encoding: 'gzip' };
        const response = await this.send('POST', `/federation/v1/glossary/${encodeURIComponent(campaign)}`, body);
        if (response.status === 404) {
          const error = ErrorBody.safeParse(safeJson(await response.text()));
          if (error.success && error.data.error.code === 'unknown_campaign') return undefined;
          throw new HubError(error.success ? error.data.error.code : 'internal', error.success ? error.data.error.message : 'The hub answered 404', 404);
        }
        return GlossaryExchangeResponse.parse(await this.answer(response));
      },
    });
    return summary.campaigns;
  }

  /** The canonical JSON of the own campaigns the hub last received in this process. */
  private sentCampaigns: string | undefined;

  private async answer(response: Response): Promise<unknown> {
    const json = safeJson(await response.text());
    if (json === undefined) throw new HubError('internal', `The hub answered ${response.status} with something that is not JSON`, response.status);
    if (response.ok) return json;
    const error = ErrorBody.safeParse(json);
    if (!error.success) throw new HubError('internal', `The hub answered ${response.status}`, response.status, undefined, retryAfterMs(response));
    throw new HubError(error.data.error.code, error.data.error.message, response.status, error.data.error.details, retryAfterMs(response));
  }
}

