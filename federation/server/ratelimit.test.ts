import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { ErrorBody, isRateLimited, PROTOCOL_VERSION } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { createApp } from './app.ts';
import { person } from '../../test/support/contributions.ts';
import { signedGet } from '../../test/support/device-requests.ts';
import { listen, type Listening } from './listen.ts';
import { addressKey, DEFAULT_RATE_LIMITS, parseRate, type RateLimits, TokenBuckets } from './ratelimit.ts';
import { idiom } from '../../test/support/contributions.ts';

describe('TokenBuckets', () => {
  it('lets a burst through, then one request per 1/rate seconds, and says how long to wait', () => {
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 }, 100);
    expect([0, 0, 0].map(() => buckets.take('a', 1000))).toEqual([0, 0, 0]);
    expect(buckets.take('a', 1000)).toBe(500);
    expect(buckets.take('b', 1000)).toBe(0); // another client has its own bucket
    expect(buckets.take('a', 1400)).toBe(100); // 0.8 of a token back
    expect(buckets.take('a', 1500)).toBe(0);
    expect(buckets.take('a', 100_000)).toBe(0); // refilled, never past the burst
    expect([0, 0].map(() => buckets.take('a', 100_000))).toEqual([0, 0]);
    expect(buckets.take('a', 100_000)).toBeGreaterThan(0);
  });

  it('stays bounded however many clients come', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 2 }, 1000);
    for (let i = 0; i < 200_000; i++) buckets.take(`attacker-${i}`, i); // a fresh address per request
    expect(buckets.size).toBeLessThanOrEqual(1000);
  });

  it('forgets buckets that are full again before one that is still being spent', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 2 }, 3);
    buckets.take('spent', 0);
    buckets.take('spent', 0);
    buckets.take('idle', 0);
    buckets.take('recent', 1500);
    buckets.take('new', 1600); // the table is full: 'idle' (full again by now) goes, 'spent' stays
    expect(buckets.take('spent', 1600)).toBe(0);
    expect(buckets.take('spent', 1600)).toBe(400);
  });
});

describe('what is limited', () => {
  it('counts every API write and the costly reads, never static files, model files or cacheable reads', () => {
    for (const [method, path] of [['POST', '/api/v1/sync'], ['POST', '/api/v1/status'], ['POST', '/api/v1/glossary/general/sync'], ['PUT', '/api/v1/anything'],
      ['DELETE', '/api/v1/staff/sessions'], ['POST', '/federation/v1/push'], ['POST', '/federation/v1/enroll'], ['GET', '/federation/v1/pull'],
      ['GET', '/api/v1/campaigns/general/seeds'], ['GET', '/api/v1/review/queue']] as const) {
      expect(isRateLimited(method, path), `${method} ${path}`).toBe(true);
    }
    for (const [method, path] of [['GET', '/'], ['GET', '/assets/app.js'], ['GET', '/api/v1/health'], ['GET', '/api/v1/campaigns'],
      ['GET', '/api/v1/openapi.json'], ['GET', '/models/m/resolve/main/onnx/model.onnx'], ['HEAD', '/api/v1/node'], ['POST', '/index.html']] as const) {
      expect(isRateLimited(method, path), `${method} ${path}`).toBe(false);
    }
  });

  it('limits IPv6 clients by their /64 and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('reads rates as RATE/BURST or off, and refuses anything else', () => {
    expect(parseRate('20/600')).toEqual({ perSecond: 20, burst: 600 });
    expect(parseRate(' 0.5 / 10 ')).toEqual({ perSecond: 0.5, burst: 10 });
    expect(parseRate('off')).toBeNull();
    for (const bad of ['', '20', '0/10', '20/0', '-1/5', 'fast', '20/600/1']) expect(() => parseRate(bad), bad).toThrow(/not a rate/);
  });
});

describe('the default limits', () => {
  // Simulated time, the buckets the server uses, what one NAT address carries.
  const simulate = (events: number[], limits = DEFAULT_RATE_LIMITS.address!) => {
    const buckets = new TokenBuckets(limits, 10);
    return events.sort((a, b) => a - b).filter((t) => buckets.take('nat', t) > 0).length;
  };

  it('never refuse a library drive of 50 phones behind one address', () => {
    const events: number[] = [];
    for (let phone = 0; phone < 50; phone++) {
      // Everyone opens the app in the same second: a sync, its status read, a glossary sync, a
      // review queue and seeds of four types.
      for (let k = 0; k < 8; k++) events.push(phone * 20 + k);
      // Then for an hour: a save every 20 s (sync + status), the glossary every 30 s while open
      // and 1 s after an edit, a review queue and a seed refill every minute.
      const offset = phone * 397;
      for (let t = 0; t < 3_600_000; t += 20_000) events.push(t + offset, t + offset + 150);
      for (let t = 0; t < 3_600_000; t += 30_000) events.push(t + offset + 5000, t + offset + 6000);
      for (let t = 0; t < 3_600_000; t += 60_000) events.push(t + offset + 9000, t + offset + 9100, t + offset + 9200);
    }
    expect(simulate(events)).toBe(0);
  });

  it('refuse most of a flood from one address', () => {
    const flood = Array.from({ length: 5000 }, (_, i) => i / 5); // 5,000 requests in one second
    expect(simulate(flood)).toBeGreaterThan(4000);
  });
});

describe('rate limits over HTTP', () => {
  let dir: string;
  let store: Store;
  let server: Listening | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-limits-'));
    store = await openStore({ dataDir: join(dir, 'data') });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (rateLimits: RateLimits) => {
    const app = createApp({ store, role: 'node', version: 't', webRoot: join(dir, 'web'), rateLimits });
    server = await listen(app, { port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${server.port}`;
  };
  const sync = (url: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: uuidv4() }, contributions: [idiom()] }),
    });

  it('answers 429 rate_limited with Retry-After once an address spent its burst, stores nothing then, and lets it in again', async () => {
    const url = await start({ address: { perSecond: 4, burst: 3 }, key: null, trustProxy: false });
    for (let i = 0; i < 3; i++) expect((await sync(url)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await fetch(`${url}/api/v1/health`)).status).toBe(200); // free
    const refused = await sync(url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(ErrorBody.parse(await refused.json()).error).toMatchObject({
      code: 'rate_limited',
      details: { limit: 'address', perSecond: 4, burst: 3, retryAfter: 1 },
    });
    expect((await store.counts()).total).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    expect((await sync(url)).status).toBe(200);
  });

  it('believes X-Forwarded-For only when told to', async () => {
    let url = await start({ address: { perSecond: 0.001, burst: 1 }, key: null, trustProxy: false });
    expect((await sync(url, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    expect((await sync(url, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(429); // one socket address
    await server!.close();

    url = await start({ address: { perSecond: 0.001, burst: 1 }, key: null, trustProxy: true });
    expect((await sync(url, { 'x-forwarded-for': '203.0.113.9, 198.51.100.1' })).status).toBe(200);
    expect((await sync(url, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
    // The client cannot pick its own address: only the last entry (the proxy's view) counts.
    expect((await sync(url, { 'x-forwarded-for': '192.0.2.99, 198.51.100.1' })).status).toBe(429);
  });

  it('charges a contributor key for every request its verified items or signature come with, from any address', async () => {
    const url = await start({ address: null, key: { perSecond: 0.001, burst: 2 }, trustProxy: true });
    const someone = person();
    const by = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i}` });
    const post = (items: unknown[], headers: Record<string, string>) =>
      fetch(`${url}/api/v1/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: uuidv4() }, contributions: items }),
      });
    expect((await post([idiom({ contributor: someone.contributor })], by(1))).status).toBe(200);
    expect((await signedGet(url, '/api/v1/review/queue?campaign=general&language=sw', someone)).status).toBe(200);
    const refused = await post([idiom({ contributor: someone.contributor })], by(2));
    expect(refused.status).toBe(429);
    expect(ErrorBody.parse(await refused.json()).error).toMatchObject({ code: 'rate_limited', details: { limit: 'key' } });
    // Someone else is not charged for it; and an item that does not verify charges nobody's key.
    expect((await post([idiom()], by(3))).status).toBe(200);
    const forged = { ...idiom({ contributor: someone.contributor }), signature: idiom().signature };
    expect((await post([forged], by(4))).status).toBe(200);
  });

  it('limits nothing when the limits are off', async () => {
    const url = await start({ address: null, key: null, trustProxy: false });
    const answers = await Promise.all(Array.from({ length: 30 }, () => sync(url)));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
  });
});
