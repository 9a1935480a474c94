/**
 * The sync client's retry and acknowledgement rules, driven by a fake clock and a scripted
 * network. (The real server is exercised end to end in test/e2e and in sync.server.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { MemoryOutbox } from './outbox/outbox.memory.ts';
import { idiom } from './outbox/outbox.contract.ts';
import { SyncClient, type Timers } from './sync.ts';
import { type Contribution, PROTOCOL_VERSION, type SyncRequest, UNSIGNED } from '../../../federation/protocol/index.ts';

class FakeTimers implements Timers {
  t = 1_000_000;
  queue: Array<{ at: number; fn: () => void; id: number }> = [];
  #id = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.#id;
    this.queue.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.queue = this.queue.filter((q) => q.id !== h);
  };
  get next() {
    return [...this.queue].sort((a, b) => a.at - b.at)[0];
  }
  /** Runs the next timer; returns the delay it had. */
  fire(): number {
    const n = this.next!;
    this.queue = this.queue.filter((q) => q !== n);
    const delay = n.at - this.t;
    this.t = n.at;
    n.fn();
    return delay;
  }
}

type Script = (req: SyncRequest, headers: Headers) => Response | 'network-error';

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

const ok = (req: SyncRequest) =>
  json(200, {
    protocol: PROTOCOL_VERSION,
    serverTime: new Date().toISOString(),
    results: req.contributions.map((c, index) => ({ index, id: c.id, status: 'accepted' })),
  });

function setup(script: Script, opts: { online?: () => boolean; maxItems?: number } = {}) {
  const outbox = new MemoryOutbox();
  const timers = new FakeTimers();
  const calls: SyncRequest[] = [];
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    const headers = new Headers(init?.headers);
    let text: string;
    if (headers.get('content-encoding') === 'gzip') {
      const stream = new Blob([init!.body as ArrayBuffer]).stream().pipeThrough(new DecompressionStream('gzip'));
      text = await new Response(stream).text();
    } else text = init!.body as string;
    const req = JSON.parse(text) as SyncRequest;
    calls.push(req);
    const res = script(req, headers);
    if (res === 'network-error') throw new TypeError('Failed to fetch');
    return res;
  };
  const client = new SyncClient({
    outbox,
    deviceId: '5b0e0c43-3c1c-4c5e-9d36-4c7d3f1c8a20',
    // The client's concern is the outbox; signing is keys.test.ts's (these items carry a fixed test key).
    sign: (items) => Promise.resolve(items.map((i) => ({ ...i, signature: UNSIGNED })) as Contribution[]),
    endpoint: '/api/v1/sync',
    fetch,
    isOnline: opts.online ?? (() => true),
    timers,
    random: () => 1,
    backoff: { baseMs: 1000, capMs: 8000 },
    maxItems: opts.maxItems ?? 100,
  });
  return { outbox, timers, calls, client };
}

describe('SyncClient', () => {
  it('sends everything waiting and marks it sent once the server accepts it', async () => {
    const { outbox, client, calls, timers } = setup(ok);
    for (let i = 0; i < 3; i++) await outbox.save((s) => idiom(s));
    await client.request();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.contributions.map((c) => c.deviceSeq)).toEqual([1, 2, 3]);
    expect(await outbox.counts()).toEqual({ waiting: 0, sent: 3, rejected: 0 });
    expect(client.state).toMatchObject({ phase: 'idle', lastError: null, lastSuccessAt: timers.t });
    expect(await outbox.getMeta('lastSyncAt')).toBe(timers.t);
  });

  it('sends in batches of at most maxItems, in order', async () => {
    const { outbox, client, calls } = setup(ok, { maxItems: 2 });
    for (let i = 0; i < 5; i++) await outbox.save((s) => idiom(s));
    await client.request();
    expect(calls.map((c) => c.contributions.map((x) => x.deviceSeq))).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('treats duplicate as sent: a re-send after a lost answer settles the entry', async () => {
    const { outbox, client } = setup((req) =>
      json(200, {
        protocol: PROTOCOL_VERSION,
        serverTime: new Date().toISOString(),
        results: req.contributions.map((c, index) => ({ index, id: c.id, status: 'duplicate' })),
      }),
    );
    await outbox.save((s) => idiom(s));
    await client.request();
    expect(await outbox.counts()).toEqual({ waiting: 0, sent: 1, rejected: 0 });
  });

  it('keeps rejected and conflicting items, with their reasons, and sends the rest', async () => {
    const { outbox, client } = setup((req) =>
      json(200, {
        protocol: PROTOCOL_VERSION,
        serverTime: new Date().toISOString(),
        results: [
          { index: 0, id: req.contributions[0]!.id, status: 'rejected', code: 'too_long', field: 'data.meaning' },
          { index: 1, id: req.contributions[1]!.id, status: 'conflict', code: 'conflict' },
          { index: 2, id: req.contributions[2]!.id, status: 'accepted' },
        ],
      }),
    );
    for (let i = 0; i < 3; i++) await outbox.save((s) => idiom(s));
    await client.request();
    const list = await outbox.list();
    expect(list.map((e) => [e.seq, e.status, e.rejection?.code])).toEqual([
      [3, 'sent', undefined],
      [2, 'rejected', 'conflict'],
      [1, 'rejected', 'too_long'],
    ]);
    expect(client.state.rejectedLastPass).toBe(2);
  });

  it('retries after a network failure with growing delays, capped, and then succeeds', async () => {
    let failures = 6;
    const { outbox, client, timers, calls } = setup((req) => (failures-- > 0 ? 'network-error' : ok(req)));
    await outbox.save((s) => idiom(s));
    await client.request();
    expect(client.state).toMatchObject({ phase: 'retrying', lastError: 'network', attempt: 1 });
    const delays: number[] = [];
    while (client.state.phase === 'retrying') {
      delays.push(timers.fire());
      await client.idle(); // the pass the timer started
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(calls).toHaveLength(7);
    expect(await outbox.counts()).toMatchObject({ waiting: 0, sent: 1 });
    expect(client.state).toMatchObject({ phase: 'idle', attempt: 0, lastError: null });
  });

  it('honours Retry-After from a busy server', async () => {
    let first = true;
    const { outbox, client, timers } = setup((req) => {
      if (!first) return ok(req);
      first = false;
      return json(503, { error: { code: 'internal', message: 'busy' } }, { 'retry-after': '30' });
    });
    await outbox.save((s) => idiom(s));
    await client.request();
    expect(client.state).toMatchObject({ phase: 'retrying', lastError: 'server' });
    expect(timers.fire()).toBe(30_000);
    await client.idle();
    expect(await outbox.counts()).toMatchObject({ waiting: 0, sent: 1 });
  });

  it('keeps everything on the device while the node is rate limiting it or its storage is full, waiting as told, and sends it after', async () => {
    const answers = [
      json(429, { error: { code: 'rate_limited', message: 'slow down', details: { retryAfter: 7 } } }, { 'retry-after': '7' }),
      json(507, { error: { code: 'storage_full', message: 'full' } }, { 'retry-after': '60' }),
    ];
    const { outbox, client, timers, calls } = setup((req) => answers.shift() ?? ok(req));
    await outbox.save((s) => idiom(s));
    await outbox.save((s) => idiom(s));
    await client.request();
    expect(client.state).toMatchObject({ phase: 'retrying', lastError: 'rate_limited' });
    expect(await outbox.counts()).toMatchObject({ waiting: 2, sent: 0 });
    expect(timers.fire()).toBe(7_000); // not the 1 s backoff
    await client.idle();
    expect(client.state).toMatchObject({ phase: 'retrying', lastError: 'storage_full' });
    expect(await outbox.counts()).toMatchObject({ waiting: 2, sent: 0 });
    expect(timers.fire()).toBe(60_000);
    await client.idle();
    expect(await outbox.counts()).toMatchObject({ waiting: 0, sent: 2 });
    expect(calls).toHaveLength(3);
    expect(client.state).toMatchObject({ phase: 'idle', lastError: null });
  });

  it('halves the batch when the server says it is too large', async () => {
    const { outbox, client, calls } = setup(
      (req) => (req.contributions.length > 2 ? json(413, { error: { code: 'batch_too_large', message: 'x' } }) : ok(req)),
      { maxItems: 8 },
    );
    for (let i = 0; i < 5; i++) await outbox.save((s) => idiom(s));
    await client.request();
    expect(calls.map((c) => c.contributions.length)).toEqual([5, 4, 2, 2, 1]);
    expect(await outbox.counts()).toMatchObject({ waiting: 0, sent: 5 });
  });

  it('reports an unsupported protocol by its code and keeps everything waiting', async () => {
    const { outbox, client } = setup(() =>
      json(400, { error: { code: 'unsupported_protocol', message: 'no', details: { supported: [2] } } }),
    );
    await outbox.save((s) => idiom(s));
    await client.request();
    expect(client.state.lastError).toBe('unsupported_protocol');
    expect(await outbox.counts()).toMatchObject({ waiting: 1 });
  });

  it('does not try while offline and says so', async () => {
    const { outbox, client, calls, timers } = setup(ok, { online: () => false });
    await outbox.save((s) => idiom(s));
    await client.request();
    expect(calls).toHaveLength(0);
    expect(client.state.phase).toBe('offline');
    expect(timers.queue).toHaveLength(0);
  });

  it('ignores an answer that does not match the batch and keeps items waiting', async () => {
    const { outbox, client } = setup(() => json(200, { protocol: PROTOCOL_VERSION, serverTime: new Date().toISOString(), results: [] }));
    await outbox.save((s) => idiom(s));
    await client.request();
    expect(client.state.lastError).toBe('server');
    expect(await outbox.counts()).toMatchObject({ waiting: 1 });
  });

  it('gzips large bodies', async () => {
    const encodings: Array<string | null> = [];
    const { outbox, client } = setup((req, headers) => {
      encodings.push(headers.get('content-encoding'));
      return ok(req);
    });
    for (let i = 0; i < 60; i++) await outbox.save((s) => idiom(s, 'x'.repeat(150)));
    await client.request();
    expect(encodings).toEqual(['gzip']);
    expect(await outbox.counts()).toMatchObject({ waiting: 0, sent: 60 });
  });

  it('runs one pass at a time and another if asked meanwhile', async () => {
    const { outbox, client, calls } = setup(ok);
    await outbox.save((s) => idiom(s));
    const a = client.request();
    await outbox.save((s) => idiom(s));
    const b = client.request();
    await Promise.all([a, b]);
    expect(calls.flatMap((c) => c.contributions.map((x) => x.deviceSeq)).sort()).toEqual([1, 2]);
    expect(await outbox.counts()).toMatchObject({ waiting: 0, sent: 2 });
  });
});
