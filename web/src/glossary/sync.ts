/**
 * The glossary's sync client: exchanges y-protocols sync messages with the node over HTTP
 * (federation/protocol/glossary.sync.ts), each request signed with the contributor key (the node
 * keeps the signed request as the record of what this device wrote). It remembers the node's state
 * vector from the last answer, so a request carries only what the node lacks and the answer only
 * what the device lacks. It runs when asked (app start, `online`, "Sync now"), shortly after local
 * edits (debounced, so typing does not send a request per key), and by itself on a retry schedule
 * with backoff after a failure.
 *
 * Nothing is lost if an answer never comes: the document lives in IndexedDB (y-indexeddb), and
 * the node applying an update twice changes nothing. When the node does not take this key's edits
 * (403 `not_eligible`) the edits stay in the device's document, the state says so, and a read —
 * the state vector alone — still brings in everyone else's. A device whose clock is off learns the
 * node's time from a `stale_request` answer and signs again. No globals: fetch, timers,
 * randomness, signing and storage of the node's state vector are passed in.
 */
import * as Y from 'yjs';
import { ErrorBody } from '../../../federation/protocol/index.ts';
import { applyCheckedUpdate, decodeServerAnswer, encodeClientRequest, encodeSyncMessages, GlossarySyncError } from '../../../federation/protocol/glossary.sync.ts';
import { backoffDelay, DEFAULT_BACKOFF, retryAfterMs, type BackoffPolicy } from '../lib/backoff.ts';
import type { Timers } from '../lib/sync.ts';

export type GlossarySyncErrorCode = 'network' | 'server' | 'malformed_answer' | 'no_key' | (string & {});

export interface GlossarySyncState {
  phase: 'idle' | 'syncing' | 'retrying' | 'offline';
  lastSuccessAt: number | null;
  lastError: GlossarySyncErrorCode | null;
  nextRetryAt: number | null;
  attempt: number;
  /** The node does not take this key's edits (yet): they stay on this device; others' still come in. */
  notEligible: boolean;
}

/** The Authorization header of a request signed with the contributor key at time `at` (ms); null when the device has no key. */
export type GlossarySigner = (method: string, target: string, body: Uint8Array, at: number) => Promise<string | null>;

export interface GlossarySyncDeps {
  doc: Y.Doc;
  /** e.g. /api/v1/glossary/general/sync */
  endpoint: string;
  fetch: typeof fetch;
  sign: GlossarySigner;
  /** The wall clock requests are signed by (default Date.now); the node's offset from it is learned. */
  wallClock?: () => number;
  isOnline: () => boolean;
  timers: Timers;
  random: () => number;
  loadNodeStateVector: () => Promise<Uint8Array | null>;
  saveNodeStateVector: (sv: Uint8Array) => Promise<void>;
  backoff?: BackoffPolicy;
  /** Quiet time after a local edit before syncing (default 1 s). */
  debounceMs?: number;
}

class Failure extends Error {
  constructor(
    readonly code: GlossarySyncErrorCode,
    /** The server's Retry-After, ms: the retry comes no sooner. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(code);
  }
}

/** True when `local` holds a clock the node's state vector does not reach. */
function nodeLacks(local: Uint8Array, node: Uint8Array): boolean {
  const theirs = Y.decodeStateVector(node);
  for (const [client, clock] of Y.decodeStateVector(local)) {
    if ((theirs.get(client) ?? 0) < clock) return true;
  }
  return false;
}

export class GlossarySync {
  #deps: GlossarySyncDeps;
  #nodeSv: Uint8Array | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #retryTimer: unknown = null;
  #debounceTimer: unknown = null;
  #stopped = false;
  #listeners = new Set<(s: GlossarySyncState) => void>();
  #offsetMs = 0;
  state: GlossarySyncState = { phase: 'idle', lastSuccessAt: null, lastError: null, nextRetryAt: null, attempt: 0, notEligible: false };

  constructor(deps: GlossarySyncDeps) {
    this.#deps = deps;
  }

  /** Loads the node's state vector remembered from an earlier session. */
  async restore(): Promise<void> {
    this.#nodeSv = await this.#deps.loadNodeStateVector();
  }

  subscribe(fn: (s: GlossarySyncState) => void): () => void {
    this.#listeners.add(fn);
    fn(this.state);
    return () => this.#listeners.delete(fn);
  }

  #set(patch: Partial<GlossarySyncState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.#listeners) fn(this.state);
  }

  /** Syncs after `debounceMs` of quiet (each call restarts the wait). */
  schedule(): void {
    if (this.#stopped) return;
    const { timers } = this.#deps;
    if (this.#debounceTimer !== null) timers.clearTimeout(this.#debounceTimer);
    this.#debounceTimer = timers.setTimeout(() => {
      this.#debounceTimer = null;
      void this.request();
    }, this.#deps.debounceMs ?? 1_000);
  }

  /** Syncs now; a call while a sync runs makes it run once more afterwards. */
  request(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  stop(): void {
    this.#stopped = true;
    const { timers } = this.#deps;
    if (this.#retryTimer !== null) timers.clearTimeout(this.#retryTimer);
    if (this.#debounceTimer !== null) timers.clearTimeout(this.#debounceTimer);
    this.#retryTimer = this.#debounceTimer = null;
  }

  async #loop(): Promise<void> {
    // One follow-up pass at most when the node still lacks something (edits made during the
    // request, or a node that lost data), so a node that cannot advance never causes a spin.
    let followUps = 1;
    do {
      this.#again = false;
      if (!(await this.#pass())) return;
      // An ineligible device's edits stay lacking on the node: no point asking again now.
      const lacking = !this.state.notEligible && this.#nodeSv !== null && nodeLacks(Y.encodeStateVector(this.#deps.doc), this.#nodeSv);
      if (lacking && followUps-- > 0) this.#again = true;
    } while (this.#again && !this.#stopped);
  }

  /** One exchange; false when it failed (a retry is scheduled, or we wait for `online`). */
  async #pass(): Promise<boolean> {
    const { timers } = this.#deps;
    if (this.#retryTimer !== null) {
      timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    if (!this.#deps.isOnline()) {
      this.#set({ phase: 'offline', nextRetryAt: null });
      return false;
    }
    this.#set({ phase: 'syncing' });
    try {
      await this.#exchange();
      this.#set({ phase: 'idle', lastSuccessAt: timers.now(), lastError: null, nextRetryAt: null, attempt: 0 });
      return true;
    } catch (e) {
      const code = e instanceof Failure ? e.code : 'network';
      const attempt = this.state.attempt + 1;
      const delay = Math.max(
        e instanceof Failure && e.retryAfterMs !== null ? e.retryAfterMs : 0,
        backoffDelay(attempt, this.#deps.random, this.#deps.backoff ?? DEFAULT_BACKOFF),
      );
      this.#set({ phase: 'retrying', lastError: code, attempt, nextRetryAt: timers.now() + delay });
      if (!this.#stopped) {
        this.#retryTimer = timers.setTimeout(() => {
          this.#retryTimer = null;
          void this.request();
        }, delay);
      }
      return false;
    }
  }

  async #exchange(): Promise<void> {
    const { doc } = this.#deps;
    let res = await this.#post(encodeClientRequest(doc, this.#nodeSv));
    let notEligible = false;
    if (res.status === 403) {
      const code = await errorCode(res);
      if (code !== 'not_eligible') throw new Failure(code ?? 'server');
      // Keep the edits here; still bring in everyone else's, with a read (the state vector alone).
      notEligible = true;
      res = await this.#post(encodeSyncMessages([{ type: 'step1', stateVector: Y.encodeStateVector(doc) }]));
    }
    if (!res.ok) {
      const code = await errorCode(res);
      throw new Failure(res.status >= 500 || res.status === 429 || code === undefined ? 'server' : code, retryAfterMs(res.headers.get('retry-after'), this.#deps.timers.now()));
    }
    let answer;
    try {
      answer = decodeServerAnswer(new Uint8Array(await res.arrayBuffer()));
      applyCheckedUpdate(doc, answer.update, this);
    } catch (e) {
      throw new Failure(e instanceof GlossarySyncError ? 'malformed_answer' : 'network');
    }
    this.#nodeSv = answer.stateVector;
    await this.#deps.saveNodeStateVector(answer.stateVector);
    if (notEligible !== this.state.notEligible) this.#set({ notEligible });
  }

  /** One signed POST; signs once more with the node's time when it says the device's clock is off. */
  async #post(body: Uint8Array): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const wallClock = this.#deps.wallClock ?? Date.now;
      const authorization = await this.#deps.sign('POST', this.#deps.endpoint, body, wallClock() + this.#offsetMs);
      if (authorization === null) throw new Failure('no_key');
      let res: Response;
      try {
        res = await this.#deps.fetch(this.#deps.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', authorization },
          body: body as Uint8Array<ArrayBuffer>,
        });
      } catch {
        throw new Failure('network');
      }
      if (res.status !== 401 || attempt > 0) return res;
      const payload: unknown = await res.clone().json().catch(() => null);
      const parsed = ErrorBody.safeParse(payload);
      const serverTime = parsed.success && parsed.data.error.code === 'stale_request' ? parsed.data.error.details?.serverTime : undefined;
      const at = typeof serverTime === 'string' ? Date.parse(serverTime) : NaN;
      if (!Number.isFinite(at)) return res;
      this.#offsetMs = at - wallClock();
    }
  }
}

async function errorCode(res: Response): Promise<string | undefined> {
  const payload: unknown = await res.json().catch(() => null);
  const parsed = ErrorBody.safeParse(payload);
  return parsed.success ? parsed.data.error.code : undefined;
}
