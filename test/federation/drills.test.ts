/**
 * Fault drills, each ending with "the hub holds exactly the set sent, no duplicates, every
 * signature verifies": a node killed (-9) in the middle of pushes, again and again at random
 * points; the hub down for a while; the same batch delivered three times, twice concurrently;
 * batches reordered; a truncated body; node clocks a day and ten years off either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { v4 as uuidv4 } from 'uuid';
import { idiom } from '../support/contributions.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { type FedNode, held, type Hub, send, startHub, startNode, waitFor } from '../support/federation.ts';
import { FakeNode, records } from '../support/fake-node.ts';
import { authorizationHeader } from '../../federation/trust/request.ts';
import { mulberry32 } from '../support/random.ts';

const SEED = Number(process.env.VERNACULAR_DRILL_SEED ?? 20261128);

describe('fault drills against a hub on PostgreSQL', () => {
  let pg: FreshDatabase;
  let hub: Hub;
  /** Every id a drill sent towards the hub through a node or a fake node, and expects held once. */
  const expected = new Set<string>();

  beforeAll(async () => {
    pg = await freshDatabase();
    hub = await startHub({ database: pg.url });
  });
  afterAll(async () => {
    await hub?.dispose();
    await pg?.drop();
  });

  const hubHolds = () => held({ dataDir: hub.dataDir, database: pg.url });

  /** The end of every drill: exactly the set sent (held() throws on a duplicate), every signature verifying. */
  async function holdsExactlyTheSetSent(): Promise<void> {
    const holds = await waitFor('the hub to hold everything sent', async () => {
      const h = await hubHolds();
      return [...expected].every((id) => h.has(id)) ? h : undefined;
    }, 60_000);
    expect(holds.size, `seed ${SEED}`).toBe(expected.size);
    const verify = await hub.cli(['hub', 'verify']);
    expect(verify.stdout, `seed ${SEED}`).toMatch(/every signature verifies/);
  }

  it('survives a node killed (-9) in the middle of pushing, again and again at random points', async () => {
    const random = mulberry32(SEED);
    const node = await startNode(hub, 'Killed library', { every: 0.05, batch: 40 });
    try {
      for (let round = 0; round < 6; round++) {
        const items = Array.from({ length: 300 }, (_, i) => idiom({ deviceSeq: i + 1 }));
        for (const item of items) expected.add(item.id);
        await send(node, items.slice(0, 150));
        await send(node, items.slice(150));
        // Somewhere in the node's pushes of these 300 records (8 batches of 40).
        await new Promise((r) => setTimeout(r, Math.floor(random() * 600)));
        node.kill();
        await node.restart();
      }
      await holdsExactlyTheSetSent();
      await waitFor('the node to report nothing waiting', async () => {
        const s = JSON.parse((await node.cli(['node', 'status', '--json'])).stdout) as { backlog: number };
        return s.backlog === 0;
      });
    } finally {
      await node.dispose();
    }
  });

  it('keeps records while the hub is down, says so in words, and catches up when it is back', async () => {
    const node = await startNode(hub, 'Patient library', { every: 0.1 });
    try {
      await hub.stop();
      const items = Array.from({ length: 200 }, (_, i) => idiom({ deviceSeq: i + 1 }));
      for (const item of items) expected.add(item.id);
      await send(node, items);
      const down = await waitFor('the node to notice the hub is unreachable', async () => {
        const r = await node.cli(['node', 'status']);
        return /cannot be reached/.test(r.stdout) ? r : undefined;
      });
      expect(down.stdout).toMatch(/Waiting for the hub: 200 records/);
      expect(down.code).toBe(1);
      await hub.restart();
      await holdsExactlyTheSetSent();
      const up = await waitFor('the link to be ok again', async () => {
        const r = await node.cli(['node', 'status']);
        return /Link: ok/.test(r.stdout) && /Waiting for the hub: 0 records/.test(r.stdout) ? r : undefined;
      });
      expect(up.code).toBe(0);
    } finally {
      await node.dispose();
    }
  });

  it('pushes gzip to a hub that refuses brotli (one from before it), and everything arrives once', async () => {
    // The real hub behind a proxy playing an older hub: a brotli push is answered 415 unsupported_encoding.
    const target = new URL(hub.url);
    let refused = 0;
    let gzipPushes = 0;
    const proxy = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/federation/v1/push') {
        if (req.headers['content-encoding'] === 'br') {
          refused++;
          req.resume();
          req.on('end', () => {
            res.writeHead(415, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: { code: 'unsupported_encoding', message: 'Content-Encoding "br" is not supported', details: { supported: ['gzip', 'identity'] } } }));
          });
          return;
        }
        if (req.headers['content-encoding'] === 'gzip') gzipPushes++;
      }
      const forward = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    const oldHub = Object.defineProperty(Object.create(hub) as Hub, 'url', { value: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    const node = await startNode(oldHub, 'Library behind an old hub', { every: 0.1, batch: 20 });
    try {
      const items = Array.from({ length: 60 }, (_, i) => idiom({ deviceSeq: i + 1 }));
      for (const item of items) expected.add(item.id);
      await send(node, items);
      await holdsExactlyTheSetSent();
      expect(refused).toBeGreaterThan(0);
      expect(gzipPushes).toBeGreaterThanOrEqual(3);
    } finally {
      await node.dispose();
      proxy.closeAllConnections();
      await new Promise((done) => proxy.close(done));
    }
  });

  it('stores a batch once when it is delivered three times, twice concurrently', async () => {
    const node = new FakeNode(hub.url);
    expect((await node.enroll(await hub.token('Echoing library'))).status).toBe(200);
    const recs = records(Array.from({ length: 50 }, () => idiom()));
    for (const r of recs) expected.add(r.contribution.id);
    const [one, two] = await Promise.all([node.push(recs, 0, 50), node.push(recs, 0, 50)]);
    const three = await node.push(recs, 0, 50);
    for (const answer of [one, two, three]) expect(answer.status).toBe(200);
    const accepted = [one, two, three].reduce((n, a) => n + Number(a.json.accepted), 0);
    const duplicate = [one, two, three].reduce((n, a) => n + Number(a.json.duplicate), 0);
    expect([accepted, duplicate]).toEqual([50, 100]);
    expect(three.json.cursor).toBe(50);
    await holdsExactlyTheSetSent();
  });

  it('refuses a batch that arrives before the one it follows, then takes both in order', async () => {
    const node = new FakeNode(hub.url);
    expect((await node.enroll(await hub.token('Reordering library'))).status).toBe(200);
    const first = records(Array.from({ length: 10 }, () => idiom()));
    const second = records(Array.from({ length: 10 }, () => idiom()));
    for (const r of [...first, ...second]) expected.add(r.contribution.id);
    const early = await node.push(second, 10, 20);
    expect([early.status, early.json.error!.code, early.json.error!.details!.cursor]).toEqual([409, 'out_of_order', 0]);
    expect((await node.push(first, 0, 10)).json.cursor).toBe(10);
    expect((await node.push(second, 10, 20)).json.cursor).toBe(20);
    // The first batch again, late: duplicates, and the cursor does not go back.
    const late = await node.push(first, 0, 10);
    expect([late.json.duplicate, late.json.cursor]).toEqual([10, 20]);
    await holdsExactlyTheSetSent();
  });

  it('stores nothing of a truncated body: cut in transit, or cut before it was signed', async () => {
    const node = new FakeNode(hub.url);
    expect((await node.enroll(await hub.token('Truncating library'))).status).toBe(200);
    const recs = records(Array.from({ length: 20 }, () => idiom()));
    const body = gzipSync(JSON.stringify(node.batch(recs, 0, 20)));
    const target = '/federation/v1/push';

    // Cut in transit: the connection closes after half of the declared bytes.
    const url = new URL(hub.url);
    await new Promise<void>((done) => {
      const req = httpRequest({
        host: url.hostname, port: url.port, method: 'POST', path: target,
        headers: {
          authorization: authorizationHeader(node.key, { method: 'POST', target, body }, Date.now()),
          'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(body.length),
        },
      });
      req.on('error', () => done());
      req.on('response', (res) => { res.resume(); res.on('end', () => done()); });
      req.write(body.subarray(0, body.length >> 1), () => req.destroy());
    });

    // Cut before signing: a valid signature over half a gzip stream.
    const half = body.subarray(0, body.length >> 1);
    const response = await fetch(`${hub.url}${target}`, {
      method: 'POST',
      headers: {
        authorization: authorizationHeader(node.key, { method: 'POST', target, body: half }, Date.now()),
        'content-type': 'application/json', 'content-encoding': 'gzip',
      },
      body: half,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('malformed_json');

    const holds = await hubHolds();
    for (const r of recs) expect(holds.has(r.contribution.id)).toBe(false);
    const cursor = await node.request('GET', '/federation/v1/cursor');
    expect(cursor.json.cursor).toBe(0);
    await holdsExactlyTheSetSent();
  });

  for (const [label, skewMs] of [
    ['a day fast', 86_400_000],
    ['a day slow', -86_400_000],
    ['ten years fast', 10 * 365.25 * 86_400_000],
    ['ten years slow', -10 * 365.25 * 86_400_000],
  ] as const) {
    it(`federates from a node whose clock is ${label}; ordering and dedupe are unaffected`, async () => {
      const node: FedNode = await startNode(hub, `Library ${label}`, { every: 0.1, skewMs });
      try {
        const device = uuidv4();
        const items = Array.from({ length: 30 }, (_, i) => idiom({ deviceSeq: i + 1 }));
        for (const item of items) expected.add(item.id);
        await send(node, items.slice(0, 20), device);
        // The same items again (a device retrying): duplicates, whatever the clock says.
        const again = await send(node, items.slice(0, 20), device);
        expect(again.results.every((r) => r.status === 'duplicate')).toBe(true);
        await send(node, items.slice(20), device);
        await holdsExactlyTheSetSent();
        const status = JSON.parse((await node.cli(['node', 'status', '--json'])).stdout) as { state: string; backlog: number };
        expect(status).toMatchObject({ state: 'ok', backlog: 0 });
        // The node said what it corrected for.
        expect(node.output()).toMatch(/clock is -?\d+ s off the hub’s/);
      } finally {
        await node.dispose();
      }
    });
  }
});
