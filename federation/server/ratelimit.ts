/**
 * Rate limits: token buckets in memory, one per client address and one per key (a node's id for
 * federation requests; a contributor's key once devices sign). A request over its bucket is
 * refused with 429 `rate_limited` and Retry-After (whole seconds), before anything is read or
 * stored.
 *
 * What costs a token (`isRateLimited`, protocol/operations.ts, which the OpenAPI document
 * follows too): every request to the API (/api/, /federation/) that is not a GET or HEAD, the
 * signed federation reads, and the GETs that write or run a query per device (seeds, the review
 * queue). Static files, model files and the cacheable reads are free.
 *
 * Bounded: each table holds at most `maxTracked` buckets; past that, buckets already full again
 * (they remember nothing) are dropped first, else the least recently used. An attacker with many
 * addresses gets at most a fresh bucket per address — what a new address gets anyway — and
 * cannot grow memory. IPv6 addresses count per /64 (one customer's allocation).
 *
 * The client address is the socket's; X-Forwarded-For is believed only with `trustProxy` (then
 * its last entry: the address the one trusted proxy in front of this server saw).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { isRateLimited } from '../protocol/index.ts';
import { ApiError } from './errors.ts';

export interface Rate {
  /** Tokens added per second (the sustained rate). */
  perSecond: number;
  /** Bucket size: how many requests may come at once. */
  burst: number;
}

export interface RateLimits {
  /** Per client address; null: no limit. */
  address: Rate | null;
  /** Per key (node id, contributor key); null: no limit. */
  key: Rate | null;
  /** Believe X-Forwarded-For (one proxy in front of this server). */
  trustProxy: boolean;
  /** Most buckets kept per table (default 50,000: a few MB). */
  maxTracked?: number;
}

/**
 * A library drive of 50 phones behind one NAT address sends about 10 costed requests a second
 * (a sync per save, its status read, a glossary sync every 30 s per open app, seeds and review
 * queues), and up to about 8 each at once when a class opens the app together: 20/s with a burst
 * of 600 leaves twice that. A node pushing a backlog sends a few batches a second (each up to
 * 2,000 records); 30/s with a burst of 300 never slows a catch-up that the hub's store could take.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  address: { perSecond: 20, burst: 600 },
  key: { perSecond: 30, burst: 300 },
  trustProxy: false,
};

export const NO_RATE_LIMITS: RateLimits = { address: null, key: null, trustProxy: false };

/** "RATE/BURST" (e.g. "20/600"), or "off"; throws a plain Error naming what is wrong. */
export function parseRate(text: string): Rate | null {
  if (text.trim().toLowerCase() === 'off') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+)\s*$/.exec(text);
  const perSecond = Number(match?.[1]);
  const burst = Number(match?.[2]);
  if (match === null || !(perSecond > 0) || !(burst >= 1) || perSecond > 1e6 || burst > 1e7) {
    throw new Error(`"${text}" is not a rate: give requests per second and a burst, e.g. 20/600, or off`);
  }
  return { perSecond, burst };
}

interface Bucket {
  tokens: number;
  at: number;
}

/** One table of token buckets (per address, or per key). */
export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly rate: Rate,
    readonly maxTracked: number,
  ) {}

  get size(): number {
    return this.#buckets.size;
  }

  /** Takes `cost` tokens of `id`'s bucket at `now` (ms): 0 when taken, else the ms until they would be there. */
  take(id: string, now: number, cost = 1): number {
    const { perSecond, burst } = this.rate;
    let bucket = this.#buckets.get(id);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.maxTracked) this.#evict(now);
      bucket = { tokens: burst, at: now };
    } else {
      this.#buckets.delete(id); // re-inserted below: the Map's order is least recently used first
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
    }
    this.#buckets.set(id, bucket);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.ceil(((cost - bucket.tokens) / perSecond) * 1000);
  }

  /** Drops buckets that are full again (up to a few, oldest first), or else the oldest one. */
  #evict(now: number): void {
    const { perSecond, burst } = this.rate;
    let looked = 0;
    let dropped = 0;
    for (const [id, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) {
        this.#buckets.delete(id);
        dropped++;
      }
      if (++looked >= 64) break;
    }
    if (dropped === 0) {
      const oldest = this.#buckets.keys().next();
      if (!oldest.done) this.#buckets.delete(oldest.value);
    }
  }
}

/** The key under which an address is limited: IPv4 as it is, IPv6 by its /64, IPv4-mapped IPv6 as IPv4. */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  if (!a.includes(':')) return a;
  const [head = '', tail] = a.split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => (g.replace(/^0+/, '') || '0')).join(':')}::/64`;
}

export class RateLimiter {
  readonly #addresses: TokenBuckets | undefined;
  readonly #keys: TokenBuckets | undefined;

  constructor(
    readonly limits: RateLimits,
    private readonly now: () => number = Date.now,
  ) {
    const max = limits.maxTracked ?? 50_000;
    this.#addresses = limits.address === null ? undefined : new TokenBuckets(limits.address, max);
    this.#keys = limits.key === null ? undefined : new TokenBuckets(limits.key, max);
  }

  /** The client's address as this server sees it (see the module comment); 'unknown' without a socket. */
  clientAddress(c: Context): string {
    if (this.limits.trustProxy) {
      const forwarded = c.req.header('x-forwarded-for');
      const last = forwarded?.split(',').pop()?.trim();
      if (last) return last;
    }
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown'; // no socket: an in-process request (app.request in tests)
    }
  }

  /** Middleware: costly requests take a token of their address's bucket, or are refused. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (this.#addresses !== undefined && isRateLimited(c.req.method, c.req.path)) {
        this.#refuseOver(this.#addresses, addressKey(this.clientAddress(c)), 'address');
      }
      await next();
    };
  }

  /** Takes a token of `key`'s bucket (call after the key is authenticated), or throws 429. */
  takeKey(key: string): void {
    if (this.#keys !== undefined) this.#refuseOver(this.#keys, key, 'key');
  }

  #refuseOver(buckets: TokenBuckets, id: string, per: 'address' | 'key'): void {
    const waitMs = buckets.take(id, this.now());
    if (waitMs === 0) return;
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    throw new ApiError(
      429,
      'rate_limited',
      `Too many requests from this ${per === 'address' ? 'address' : 'key'}; try again in ${retryAfter} s`,
      { limit: per, perSecond: buckets.rate.perSecond, burst: buckets.rate.burst, retryAfter },
      retryAfter,
    );
  }
}
