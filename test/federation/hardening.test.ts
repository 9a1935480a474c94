/**
 * What outside testers sent a hub on PostgreSQL, and what a node does with a record its hub
 * refuses. A record nested 50,000 levels deep or with a NUL in its deviceId used to be answered
 * 500 for its whole batch (and a node retried that batch forever); now each is refused on its own
 * with a stable code and the rest of the batch is stored. A node sets a refused record aside
 * (kept, shown by `node status` and GET /api/v1/node, not sent again) and the rest flows — also
 * when the hub refuses a whole batch (too large, or one whose signature a corrupted row breaks),
 * by narrowing the batch down to the record behind it. Per-node rate limits: 429 with
 * Retry-After, charged only to a request whose signature verifies, and honoured by the node.
 */
import { createHash } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { contributionCanonical, type HubLink, PROTOCOL_VERSION } from '../../federation/protocol/index.ts';
import { sqlitePath } from '../../federation/store/index.ts';
import { batchManifest } from '../../federation/trust/manifest.ts';
import { generateNodeKey } from '../../federation/trust/keys.ts';
import { authorizationHeader } from '../../federation/trust/request.ts';
import { idiom, idioms, resign } from '../support/contributions.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { type FedNode, held, type Hub, send, startHub, startNode, waitFor } from '../support/federation.ts';
import { FakeNode, records } from '../support/fake-node.ts';

const nodeLink = async (node: FedNode): Promise<HubLink> => (await (await fetch(`${node.url}/api/v1/node`)).json()) as HubLink;

describe('a hub on PostgreSQL refuses bad records one by one', () => {
  let pg: FreshDatabase;
  let hub: Hub;
  let node: FakeNode;

  beforeAll(async () => {
    pg = await freshDatabase();
    hub = await startHub({ database: pg.url });
    node = new FakeNode(hub.url);
    expect((await node.enroll(await hub.token('Library of Testers'))).status).toBe(200);
  });
  afterAll(async () => {
    await hub?.dispose();
    await pg?.drop();
  });

  it('stores the rest of a batch holding a record with a NUL in its deviceId, answering that record invalid_text', async () => {
    const recs = records([idiom(), idiom(), idiom()]);
    recs[1]!.deviceId = 'dev\u0000ice';
    const answer = await node.push(recs, 0, 3);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ cursor: 3, accepted: 2, problems: [{ index: 1, id: recs[1]!.contribution.id, status: 'rejected', code: 'invalid_text', field: 'deviceId' }] });
    const holds = await held({ dataDir: hub.dataDir, database: pg.url });
    expect([recs[0], recs[1], recs[2]].map((r) => holds.has(r!.contribution.id))).toEqual([true, false, true]);
  });

  it('stores the rest of a batch holding a record nested 50,000 levels deep, answering it nesting_too_deep', async () => {
    const [a, b] = records([idiom(), idiom()]);
    const deepId = idiom().id;
    const deep = { deviceId: uuidv4(), receivedAt: new Date().toISOString(), contribution: { ...idiom(), id: deepId, data: JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`) as unknown } };
    // Signed as a node would sign it: the record's hash over its canonical JSON (signature left out), at any depth.
    const entry = (r: { deviceId: string; receivedAt: string; contribution: { id: string } }) =>
      ({ id: r.contribution.id, hash: createHash('sha256').update(contributionCanonical(r.contribution)).digest('hex'), deviceId: r.deviceId, receivedAt: r.receivedAt });
    const signature = node.key.sign(batchManifest({ node: node.key.id, after: 3, through: 6 }, [a!, deep, b!].map(entry)));
    const text = JSON.stringify({ protocol: PROTOCOL_VERSION, node: node.key.id, campaigns: [], batch: { after: 3, through: 6, records: [a, 'DEEP', b], signature } })
      .replace('"DEEP"', JSON.stringify({ ...deep, contribution: { ...deep.contribution, data: 'DATA' } }).replace('"DATA"', `${'['.repeat(50_000)}${']'.repeat(50_000)}`));
    const answer = await node.requestText('POST', '/federation/v1/push', text);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ cursor: 6, accepted: 2, problems: [{ index: 1, id: deepId, code: 'nesting_too_deep' }] });
    const holds = await held({ dataDir: hub.dataDir, database: pg.url });
    expect([a!.contribution.id, deepId, b!.contribution.id].map((id) => holds.has(id))).toEqual([true, false, true]);
  });

  it('answers 400 with a stable code for a NUL or deep nesting outside the records, and for a NUL in a path', async () => {
    const bad = await node.request('POST', '/federation/v1/push', { ...(node.batch(records([idiom()]), 6, 7) as object), node: 'n-\u0000' });
    expect([bad.status, bad.json.error?.code]).toEqual([400, 'invalid_text']);
    const deepCampaigns = JSON.stringify(node.batch(records([idiom()]), 6, 7)).replace('"campaigns":[]', `"campaigns":${'['.repeat(60_000)}${']'.repeat(60_000)}`);
    const deep = await node.requestText('POST', '/federation/v1/push', deepCampaigns);
    expect([deep.status, deep.json.error?.code]).toEqual([400, 'nesting_too_deep']);
    const path = await fetch(`${hub.url}/federation/v1/glossary/gen%00eral`, { method: 'POST' });
    expect(path.status).toBe(400);
    const device = await fetch(`${hub.url}/api/v1/campaigns/%00`);
    expect(device.status).toBe(400);
    expect((await node.request('GET', '/federation/v1/cursor')).json.cursor).toBe(6);
  });
});

describe('a node sets aside what its hub refuses, and the rest flows', () => {
  let pg: FreshDatabase;
  let hub: Hub;

  beforeAll(async () => {
    pg = await freshDatabase();
    hub = await startHub({ database: pg.url });
  });
  afterAll(async () => {
    await hub?.dispose();
    await pg?.drop();
  });

  it('keeps and shows a record the hub answers as a conflict, and sends everything after it', async () => {
    // Another node already gave the hub this id with other content.
    const other = new FakeNode(hub.url);
    expect((await other.enroll(await hub.token('Library of A'))).status).toBe(200);
    const taken = idiom();
    expect((await other.push(records([taken]), 0, 1)).status).toBe(200);

    const node = await startNode(hub, 'Library of B');
    try {
      const before = idioms(3);
      const clash = resign({ ...taken, data: { ...taken.data, meaning: 'Something else entirely.' } })[0]!;
      const after = idioms(3);
      expect((await send(node, [...before, clash, ...after])).results.every((r) => r.status === 'accepted')).toBe(true);
      const link = await waitFor('the push to end with the clash set aside', async () => {
        const l = await nodeLink(node);
        return l.backlog === 0 && l.setAside?.count === 1 ? l : undefined;
      });
      expect(link.setAside!.recent).toEqual([expect.objectContaining({ id: taken.id, code: 'conflict' })]);
      const holds = await held({ dataDir: hub.dataDir, database: pg.url });
      for (const item of [...before, ...after]) expect(holds.has(item.id)).toBe(true);

      // It is not sent again: more records flow past it, and it stays listed.
      const later = idioms(2);
      await send(node, later);
      await waitFor('the later records on the hub', async () => {
        const h = await held({ dataDir: hub.dataDir, database: pg.url });
        return later.every((i) => h.has(i.id));
      });
      const status = await node.cli(['node', 'status']);
      expect(status.stdout).toContain('Refused by the hub and set aside (kept here, not sent again): 1 records');
      expect(status.stdout).toContain(`${taken.id}: conflict`);
    } finally {
      await node.dispose();
    }
  });

  it('narrows a batch the hub refuses as too large until it fits, losing nothing', async () => {
    // 400 records of about 12 KB of JSON each, held before the node's next push (it pushes when
    // it starts, then every hour here): one batch of them is over the hub's 4 MiB.
    const node = await startNode(hub, 'Library of big records', { every: 3600 });
    try {
      const long = 'अ'.repeat(1990);
      const big = Array.from({ length: 400 }, (_, i) => idiom({ data: { expression: `Methali ${i}`, meaning: long, example: long } }));
      for (let i = 0; i < big.length; i += 100) await send(node, big.slice(i, i + 100), uuidv4());
      await node.restart();
      await waitFor('every big record on the hub', async () => {
        const h = await held({ dataDir: hub.dataDir, database: pg.url });
        return big.every((item) => h.has(item.id));
      }, 90_000);
      const link = await nodeLink(node);
      expect([link.backlog, link.setAside]).toEqual([0, undefined]);
    } finally {
      await node.dispose();
    }
  });

  it('sets aside one record whose stored row was corrupted (the hub refuses its batch), and pushes the rest', async () => {
    // The node pushes when it starts, then every hour: the records wait for its restart.
    const node = await startNode(hub, 'Library of a damaged disk', { every: 3600 });
    try {
      const items = idioms(20);
      await send(node, items);
      await node.stop();
      // A row changed on disk under its hash: the batch signature over it no longer verifies.
      const damaged = items[7]!;
      const db = new BetterSqlite3(sqlitePath(node.dataDir));
      db.prepare("UPDATE contributions SET data = replace(data, 'Methali', 'Mathali') WHERE id = ?").run(damaged.id);
      db.close();
      await node.restart();
      const link = await waitFor('the damaged record set aside and the rest pushed', async () => {
        const l = await nodeLink(node);
        return l.backlog === 0 && l.setAside?.count === 1 ? l : undefined;
      }, 60_000);
      expect(link.setAside!.recent).toEqual([expect.objectContaining({ id: damaged.id, code: 'bad_batch_signature' })]);
      const holds = await held({ dataDir: hub.dataDir, database: pg.url });
      for (const item of items) expect(holds.has(item.id), item.id).toBe(item.id !== damaged.id);
    } finally {
      await node.dispose();
    }
  });
});

describe('per-node rate limits', () => {
  let pg: FreshDatabase;
  let hub: Hub;

  beforeAll(async () => {
    pg = await freshDatabase();
    hub = await startHub({ database: pg.url, args: ['--rate-limit-key', '2/3'] });
  });
  afterAll(async () => {
    await hub?.dispose();
    await pg?.drop();
  });

  it('answer 429 rate_limited with Retry-After past the burst, charging only requests whose signature verifies', async () => {
    const node = new FakeNode(hub.url);
    expect((await node.enroll(await hub.token('Library of Haste'))).status).toBe(200);
    // Anyone can name the node; requests that do not verify spend none of its tokens.
    const stranger = generateNodeKey().key;
    for (let i = 0; i < 10; i++) {
      const authorization = authorizationHeader(stranger, { method: 'GET', target: '/federation/v1/cursor', body: new Uint8Array(0) }, Date.now())
        .replace(`node=${stranger.id}`, `node=${node.key.id}`);
      const forged = await node.request('GET', '/federation/v1/cursor', undefined, { authorization });
      expect([forged.status, forged.json.error?.code]).toEqual([401, 'bad_signature']);
    }
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await node.request('GET', '/federation/v1/cursor'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[3]!.json.error).toMatchObject({ code: 'rate_limited', details: { limit: 'key', perSecond: 2, burst: 3 } });
    expect(answers[3]!.retryAfter).toBe('1');
  });

  it('are honoured by a node: it waits as told and everything arrives', async () => {
    const node = await startNode(hub, 'Library of Patience', { every: 0.05, batch: 5 });
    try {
      const items = idioms(60);
      const started = Date.now();
      await send(node, items);
      await waitFor('every record on the hub', async () => {
        const h = await held({ dataDir: hub.dataDir, database: pg.url });
        return items.every((i) => h.has(i.id));
      }, 120_000);
      const seconds = (Date.now() - started) / 1000;
      const slowed = node.output().split('\n').filter((l) => l.includes('asked this node to slow down')).length;
      expect(slowed).toBeGreaterThan(0);
      // Told to wait a second each time, it asked again at most about once a second (not every 50 ms).
      expect(slowed).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    } finally {
      await node.dispose();
    }
  });
});
