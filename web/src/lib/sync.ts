/**
 * The sync client: drains the outbox to the node. It runs when asked (app start, the `online`
 * event, after each save, the "Send now" button) and by itself on a retry schedule with backoff
 * while anything is waiting. It only ever marks an entry sent after the server said `accepted`
 * or `duplicate` — both mean "durably stored" — so a lost answer just means a safe re-send.
 *
 * No globals: everything it touches (fetch, clock, timers, randomness, the outbox) is passed in,
 * so tests drive it with a fake clock and a real or scripted server.
 */
import {
  type Contribution,
  ErrorBody,
  LIMITS,
  PROTOCOL_VERSION,
  SyncResponse,
  type ItemErrorCode,
  type SyncRequest,
  type UnsignedContribution,
} from '../../../federation/protocol/index.ts';
import { backoffDelay, DEFAULT_BACKOFF, retryAfterMs, type BackoffPolicy } from './backoff.ts';
import type { Outbox, Outcome } from './outbox/outbox.ts';

export type SyncErrorCode =
  | 'network'
  | 'server'
  | 'unsupported_protocol'
  | 'body_too_large'
  /** The node asked this device (or its network) to slow down: 429, Retry-After. */
  | 'rate_limited'
  /** The node's storage is full: 507, Retry-After; everything stays on the device. */
  | 'storage_full'
  | (string & {});

export interface SyncState {
  phase: 'idle' | 'syncing' | 'retrying' | 'offline';
  lastSuccessAt: number | null;
  lastError: SyncErrorCode | null;
  nextRetryAt: number | null;
  attempt: number;
  /** How many items the last pass saw refused for good. */
  rejectedLastPass: number;
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SyncDeps {
  outbox: Outbox;
  deviceId: string;
  /** Signs a batch with the contributor's key (keys.ts), right before it is sent. */
  sign: (items: UnsignedContribution[]) => Promise<Contribution[]>;
  endpoint: string;
  fetch: typeof fetch;
  isOnline: () => boolean;
  timers: Timers;
  random: () => number;
  backoff?: BackoffPolicy;
  maxItems?: number;
  maxBytes?: number;
  /** Bodies larger than this are gzip-compressed when the platform can (CompressionStream). */
  gzipOver?: number;
}

const LAST_SYNC_KEY = 'lastSyncAt';

class SyncFailure extends Error {
  constructor(
    readonly code: SyncErrorCode,
    readonly retryAfterMs: number | null = null,
  ) {
    super(code);
  }
}

export class SyncClient {
  #deps: Required<Omit<SyncDeps, 'backoff'>> & { backoff: BackoffPolicy };
  #state: SyncState = { phase: 'idle', lastSuccessAt: null, lastError: null, nextRetryAt: null, attempt: 0, rejectedLastPass: 0 };
  #listeners = new Set<(s: SyncState) => void>();
  #running: Promise<void> | null = null;
  #again = false;
  #timer: unknown = null;
  #batchItems: number;
  #stopped = false;

  constructor(deps: SyncDeps) {
    this.#deps = {
      backoff: DEFAULT_BACKOFF,
      maxItems: 100,
      maxBytes: 1024 * 1024,
      gzipOver: 16 * 1024,
      ...deps,
    };
    this.#batchItems = Math.min(this.#deps.maxItems, LIMITS.maxBatchItems);
  }

  get state(): SyncState {
    return this.#state;
  }

  subscribe(listener: (s: SyncState) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#state);
    return () => this.#listeners.delete(listener);
  }

  /** Loads the last success time saved by earlier sessions. */
  async restore(): Promise<void> {
    const at = await this.#deps.outbox.getMeta<number>(LAST_SYNC_KEY);
    if (typeof at === 'number') this.#set({ lastSuccessAt: at });
  }

  /** Sync now. Resolves when this pass (and any pass asked for meanwhile) has finished. */
  request(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#clearTimer();
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#pass();
        } while (this.#again && !this.#stopped);
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  /** Resolves when no pass is running (without asking for one). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
  }

  async #pass(): Promise<void> {
    const { outbox, timers } = this.#deps;
    if (!this.#deps.isOnline()) {
      this.#set({ phase: 'offline', nextRetryAt: null });
      return;
    }
    let rejected = 0;
    try {
      for (;;) {
        const entries = await outbox.waiting(this.#batchItems);
        if (entries.length === 0) break;
        this.#set({ phase: 'syncing' });
        const batch = this.#fit(entries.map((e) => e.contribution));
        const outcomes = await this.#send(await this.#deps.sign(batch));
        rejected += outcomes.filter((o) => o.outcome === 'rejected').length;
        const now = timers.now();
        await outbox.settle(outcomes, now);
        await outbox.setMeta(LAST_SYNC_KEY, now);
        this.#set({ lastSuccessAt: now, lastError: null, attempt: 0 });
      }
      this.#set({ phase: 'idle', nextRetryAt: null, rejectedLastPass: rejected });
    } catch (e) {
      if (e instanceof SyncFailure && e.code === 'body_too_large' && this.#batchItems > 1) {
        // The server wants smaller batches: halve and go again at once.
        this.#batchItems = Math.max(1, Math.floor(this.#batchItems / 2));
        this.#again = true;
        return;
      }
      const code = e instanceof SyncFailure ? e.code : 'network';
      const attempt = this.#state.attempt + 1;
      const delay = Math.max(
        e instanceof SyncFailure && e.retryAfterMs !== null ? e.retryAfterMs : 0,
        backoffDelay(attempt, this.#deps.random, this.#deps.backoff),
      );
      const nextRetryAt = timers.now() + delay;
      this.#set({ phase: 'retrying', lastError: code, attempt, nextRetryAt, rejectedLastPass: rejected });
      this.#clearTimer();
      this.#timer = timers.setTimeout(() => {
        this.#timer = null;
        void this.request();
      }, delay);
    }
  }

  /** Takes as many items, in order, as fit the byte budget (always at least one). */
  #fit<T>(items: T[]): T[] {
    let bytes = 0;
    const out: T[] = [];
    for (const item of items) {
      const size = JSON.stringify(item).length * 3;
      if (out.length > 0 && bytes + size > this.#deps.maxBytes) break;
      bytes += size;
      out.push(item);
    }
    return out;
  }

  async #send(contributions: SyncRequest['contributions']): Promise<Outcome[]> {
    const request: SyncRequest = { protocol: PROTOCOL_VERSION, device: { id: this.#deps.deviceId }, contributions };
    const json = JSON.stringify(request);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    let body: BodyInit = json;
    if (json.length > this.#deps.gzipOver && typeof CompressionStream !== 'undefined') {
      body = await new Response(new Blob([json]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
      headers['content-encoding'] = 'gzip';
    }
    let res: Response;
    try {
      res = await this.#deps.fetch(this.#deps.endpoint, { method: 'POST', headers, body, cache: 'no-store' });
    } catch {
      throw new SyncFailure('network');
    }
    const retryAfter = retryAfterMs(res.headers.get('retry-after'), this.#deps.timers.now());
    let payload: unknown;
    try {
      payload = await res.json();
    } catch {
      throw new SyncFailure('server', retryAfter);
    }
    if (!res.ok) {
      const parsed = ErrorBody.safeParse(payload);
      const code = parsed.success ? parsed.data.error.code : 'server';
      if (code === 'batch_too_large') throw new SyncFailure('body_too_large');
      // Waits the server asks for keep their own code, so the app can say which.
      if (code === 'rate_limited' || code === 'storage_full') throw new SyncFailure(code, retryAfter);
      throw new SyncFailure(res.status >= 500 || res.status === 429 ? 'server' : code, retryAfter);
    }
    const parsed = SyncResponse.safeParse(payload);
    if (!parsed.success || parsed.data.results.length !== contributions.length) throw new SyncFailure('server');
    return parsed.data.results.flatMap((r): Outcome[] => {
      const id = contributions[r.index]?.id;
      if (id === undefined || r.id !== id) return [];
      if (r.status === 'accepted' || r.status === 'duplicate') return [{ id, outcome: 'sent' }];
      const code: ItemErrorCode = r.status === 'conflict' ? 'conflict' : (r.code ?? 'invalid_value');
      return [{ id, outcome: 'rejected', rejection: { code, ...(r.field ? { field: r.field } : {}), ...(r.message ? { message: r.message } : {}) } }];
    });
  }

  #set(patch: Partial<SyncState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const l of this.#listeners) l(this.#state);
  }

  #clearTimer(): void {
    if (this.#timer !== null) {
      this.#deps.timers.clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}
