/**
 * Bad actors against a real hub process: an unenrolled key, a bad or reused token, a request
 * without or with a broken signature, a replayed request, a batch tampered with after signing, a
 * revoked node. Each is refused with its code, and nothing any of them sent is stored.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idiom } from '../support/contributions.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { held, type Hub, startHub } from '../support/federation.ts';
import { FakeNode, records } from '../support/fake-node.ts';
import { generateNodeKey } from '../../federation/trust/keys.ts';
import { authorizationHeader } from '../../federation/trust/request.ts';

describe('a hub refuses bad actors and stores nothing they send', () => {
  let pg: FreshDatabase;
  let hub: Hub;
  const attempted = new Set<string>();

  beforeAll(async () => {
    pg = await freshDatabase();
    hub = await startHub({ database: pg.url });
  });
  afterAll(async () => {
    // Whatever happened above, none of it is stored.
    if (hub !== undefined) {
      const holds = await held({ dataDir: hub.dataDir, database: pg.url });
      for (const id of attempted) expect(holds.has(id), `${id} must not be stored`).toBe(false);
    }
    await hub?.dispose();
    await pg?.drop();
  });

  const someRecords = (n = 3) => {
    const recs = records(Array.from({ length: n }, () => idiom()));
    for (const r of recs) attempted.add(r.contribution.id);
    return recs;
  };

  it('refuses a key that is not enrolled (401 unknown_node)', async () => {
    const stranger = new FakeNode(hub.url);
    const recs = someRecords();
    const answer = await stranger.push(recs, 0, 3);
    expect(answer.status).toBe(401);
    expect(answer.json.error!.code).toBe('unknown_node');
  });

  it('refuses a request without a signature (401 unauthenticated)', async () => {
    const response = await fetch(`${hub.url}/federation/v1/pull?after=0`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
  });

  it('refuses an unknown or reused token, and a proof made with another key than the one presented', async () => {
    const unknown = await new FakeNode(hub.url).enroll('vt1-not-a-real-token-at-all');
    expect([unknown.status, unknown.json.error!.code]).toEqual([403, 'invalid_token']);

    const token = await hub.token('Library of Y');
    const other = generateNodeKey().key;
    const forged = await new FakeNode(hub.url).enroll(token, other);
    expect([forged.status, forged.json.error!.code]).toEqual([401, 'bad_signature']);

    const first = await new FakeNode(hub.url).enroll(token);
    expect(first.status).toBe(200);
    const reused = await new FakeNode(hub.url).enroll(token);
    expect([reused.status, reused.json.error!.code]).toEqual([403, 'invalid_token']);
  });

  describe('an enrolled node', () => {
    let node: FakeNode;
    beforeAll(async () => {
      node = new FakeNode(hub.url);
      expect((await node.enroll(await hub.token('Library of Z'))).status).toBe(200);
    });

    it('is refused when the body was changed after the request was signed (401 bad_signature)', async () => {
      const recs = someRecords();
      const answer = await node.push(recs, 0, 3, {
        tamperBody: (body) => {
          const copy = new Uint8Array(body.length + 1);
          copy.set(body);
          return copy;
        },
      });
      expect([answer.status, answer.json.error!.code]).toEqual([401, 'bad_signature']);
    });

    it('is refused when a batch was tampered with after the node signed it (400 bad_batch_signature)', async () => {
      const recs = someRecords();
      const signed = recs.map((r) => ({ ...r }));
      const tampered = recs.map((r, i) => (i === 1 ? { ...r, contribution: { ...r.contribution, language: 'en' } as typeof r.contribution } : r));
      const answer = await node.request('POST', '/federation/v1/push', node.batch(tampered, 0, 3, signed));
      expect([answer.status, answer.json.error!.code]).toEqual([400, 'bad_batch_signature']);
    });

    it('is refused when a request is replayed, even within the window (401 replayed_request)', async () => {
      const first = await node.request('GET', '/federation/v1/cursor');
      expect(first.status).toBe(200);
      const again = await node.request('GET', '/federation/v1/cursor', undefined, { authorization: first.authorization! });
      expect([again.status, again.json.error!.code]).toEqual([401, 'replayed_request']);
    });

    it('stores a push once when it is replayed after it was stored, or sent twice at once, and refuses the replay of a refused push', async () => {
      const stored = records([idiom(), idiom(), idiom()]);
      const first = await node.push(stored, 0, 3);
      expect([first.status, first.json.accepted]).toEqual([200, 3]);
      const after = await node.push(stored, 0, 3, { authorization: first.authorization! });
      expect([after.status, after.json.error!.code]).toEqual([401, 'replayed_request']);

      // The same signed request twice at once: one is stored, the other refused as a replay.
      const twice = records([idiom(), idiom(), idiom()]);
      const body = gzipSync(JSON.stringify(node.batch(twice, 3, 6)));
      const authorization = authorizationHeader(node.key, { method: 'POST', target: '/federation/v1/push', body }, Date.now());
      const answers = await Promise.all([node.push(twice, 3, 6, { authorization }), node.push(twice, 3, 6, { authorization })]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
      expect(answers.find((a) => a.status === 401)!.json.error!.code).toBe('replayed_request');
      expect(answers.find((a) => a.status === 200)!.json).toMatchObject({ accepted: 3, cursor: 6 });

      // A push refused (out of order) spends its nonce too: replayed once it would fit, it is refused.
      const early = someRecords();
      const refused = await node.push(early, 9, 12);
      expect([refused.status, refused.json.error!.code]).toEqual([409, 'out_of_order']);
      expect((await node.push(records([idiom(), idiom(), idiom()]), 6, 9)).status).toBe(200);
      const replay = await node.push(early, 9, 12, { authorization: refused.authorization! });
      expect([replay.status, replay.json.error!.code]).toEqual([401, 'replayed_request']);
      expect((await node.request('GET', '/federation/v1/cursor')).json.cursor).toBe(9);
    });

    it('is refused outside the time window, with the hub’s time, and accepted within it', async () => {
      const stale = await node.request('GET', '/federation/v1/cursor', undefined, { at: Date.now() - 86_400_000 });
      expect([stale.status, stale.json.error!.code]).toEqual([401, 'stale_request']);
      expect(Math.abs(Date.parse(String(stale.json.error!.details!.serverTime)) - Date.now())).toBeLessThan(60_000);
      const early = await node.request('GET', '/federation/v1/cursor', undefined, { at: Date.now() + 10 * 365 * 86_400_000 });
      expect(early.json.error!.code).toBe('stale_request');
      const within = await node.request('GET', '/federation/v1/cursor', undefined, { at: Date.now() - 4 * 60_000 });
      expect(within.status).toBe(200);
    });

    it('is refused everything once revoked (403 node_revoked), and nothing it sends is stored', async () => {
      const revoke = await hub.cli(['hub', 'node', 'revoke', node.key.id, '--quarantine']);
      expect(revoke.code).toBe(0);
      const recs = someRecords();
      const push = await node.push(recs, 0, 3);
      expect([push.status, push.json.error!.code]).toEqual([403, 'node_revoked']);
      const pull = await node.request('GET', '/federation/v1/pull?after=0');
      expect([pull.status, pull.json.error!.code]).toEqual([403, 'node_revoked']);
      const list = await hub.cli(['hub', 'node', 'list', '--json']);
      const entry = (JSON.parse(list.stdout) as { id: string; state: string; quarantined: boolean }[]).find((n) => n.id === node.key.id);
      expect(entry).toMatchObject({ state: 'revoked', quarantined: true });
    });
  });
});
