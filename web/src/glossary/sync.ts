/**
 * The glossary's sync client: exchanges y-protocols sync messages with the node over HTTP
 * (federation/protocol/glossary.sync.ts). It remembers the node's state vector from the last
 * answer, so a request carries only what the node lacks and the answer only what the device
 * lacks. It runs when asked (app start, `online`, "Sync now"), shortly after local edits
 * (debounced, so typing does not send a request per key), and by itself on a retry schedule
 * with backoff after a failure.
 *
 * Nothing is lost if an answer never comes: the document lives in IndexedDB (y-indexeddb), and
 * the node applying an update twice changes nothing. No globals: fetch, timers, randomness and
 * storage of the node's state vector are passed in.
 */
import * as Y from 'yjs';
import { ErrorBody } from '../../../federation/protocol/index.ts';
import { applyCheckedUpdate, decodeServerAnswer, encodeClientRequest, GlossarySyncError } from '../../../federation/protocol/glossary.sync.ts';
import { backoffDelay, DEFAULT_BACKOFF, retryAfterMs, type BackoffPolicy } from '../lib/backoff.ts';
import type { Timers } from '../lib/sync.ts';

export type GlossarySyncErrorCode = 'network' | 'server' | 'malformed_answer' | (string & {});

export interface GlossarySyncState {
  phase: 'idle' | 'syncing' | 'retrying' | 'offline';
  lastSuccessAt: number | null;
  lastError: GlossarySyncErrorCode | null;
  nextRetryAt: number | null;
  attempt: number;
}

export interface GlossarySyncDeps {
  doc: Y.Doc;
  /** e.g. /api/v1/glossary/general/sync */
  endpoint: string;
  fetch: typeof fetch;
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
  state: GlossarySyncState = { phase: 'idle', lastSuccessAt: null, lastError: null, nextRetryAt: null, attempt: 0 };

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
      const lacking = this.#nodeSv !== null && nodeLacks(Y.encodeStateVector(this.#deps.doc), this.#nodeSv);
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
    const body = encodeClientRequest(doc, this.#nodeSv);
    let res: Response;
    try {
      res = await this.#deps.fetch(this.#deps.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: body as Uint8Array<ArrayBuffer>,
      });
    } catch {
      throw new Failure('network');
    }
    if (!res.ok) {
      const payload: unknown = await res.json().catch(() => null);
      const parsed = ErrorBody.safeParse(payload);
      throw new Failure(res.status >= 500 || res.status === 429 || !parsed.success ? 'server' : parsed.data.error.code, retryAfterMs(res.headers.get('retry-after'), this.#deps.timers.now()));
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
  }
}
