/**
 * Gold items across the federation, with real processes: a steward imports gold on the hub (on
 * PostgreSQL) for a national campaign; the node (on SQLite) pulls it with the campaign, and its
 * review queue serves it to a reviewer like any item; the reviewer's vote on it, sent to the node,
 * is accepted there and reaches the hub with the push, where it counts against the known answer.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewQueue, reviewContentOf } from '../../federation/protocol/index.ts';
import { openStore } from '../../federation/store/index.ts';
import { goldItems, listGold } from '../../federation/store/gold.ts';
import { idiom, person, review } from '../support/contributions.ts';
import { signedGet } from '../support/device-requests.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { runCli, tempDir } from '../support/server.ts';
import { type FedNode, held, type Hub, send, startHub, startNode, waitFor } from '../support/federation.ts';

describe('gold items imported on the hub', () => {
  let pg: FreshDatabase;
  let hub: Hub;
  let node: FedNode;

  beforeAll(async () => {
    pg = await freshDatabase();
    hub = await startHub({ database: pg.url });
    node = await startNode(hub, 'Library of Arusha');
  });
  afterAll(async () => {
    await node?.dispose();
    await hub?.dispose();
    await pg?.drop();
  });

  const onHub = async <T>(read: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> => {
    const store = await openStore({ dataDir: hub.dataDir, database: pg.url, mustExist: true });
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  };

  it('reach the node queue, and the node’s votes on them reach the hub', async () => {
    const made = await hub.cli(['campaign', 'create', '--slug', 'shule', '--title', 'Shule', '--languages', 'sw', '--kinds', 'idiom']);
    expect(made.code, made.stderr).toBe(0);
    const file = join(hub.dataDir, 'gold.jsonl');
    await writeFile(file, Array.from({ length: 3 }, (_, i) =>
      JSON.stringify({ kind: 'idiom', language: 'sw', data: { expression: `Dhahabu ${i}`, meaning: 'Maana yake.', example: 'Mfano wake.' }, expected: i === 0 ? 'bad' : 'good' }),
    ).join('\n'));
    const imported = await hub.cli(['gold', 'import', '--campaign', 'shule', file, '--every', '4']);
    expect(imported.code, imported.stderr).toBe(0);
    const gold = await onHub((store) => goldItems(store.db));
    const goldIds = new Set(gold.map((g) => g.item.id));
    expect(goldIds.size).toBe(3);

    // Real items to review, once the node holds the national campaign.
    const items = Array.from({ length: 12 }, (_, i) => idiom({ campaign: 'shule', deviceSeq: i + 1, data: { expression: `Methali ${i}` } }));
    await waitFor('the node to accept items of the national campaign', async () => {
      const answer = await send(node, items);
      return answer.results.every((r) => r.status === 'accepted' || r.status === 'duplicate');
    });

    // A reviewer (fresh each try: gold is served once per reviewer) gets gold among real items.
    const { reviewer, page } = await waitFor('the node queue to serve gold', async () => {
      const reviewer = person().contributor;
      const response = await signedGet(node.url, '/api/v1/review/queue?campaign=shule&language=sw&limit=12', person(reviewer));
      const page = ReviewQueue.parse(await response.json()).items;
      return page.some((p) => goldIds.has(p.item.id)) ? { reviewer, page } : undefined;
    });
    const served = page.filter((p) => goldIds.has(p.item.id));
    expect(page.length).toBeLessThanOrEqual(12);
    expect(served.length).toBeGreaterThanOrEqual(1);
    // The very item the steward imported on the hub.
    expect(served[0]!.item).toEqual(reviewContentOf(gold.find((g) => g.item.id === served[0]!.item.id)!.item));

    // The reviewer votes on it (and on a real item) on the node: both accepted as ordinary reviews.
    const target = served[0]!.item.id;
    const expected = gold.find((g) => g.item.id === target)!.expected;
    const votes = [review(target, { campaign: 'shule', contributor: reviewer, data: { action: expected === 'good' ? 'down' : 'up' } }), review(items[0]!.id, { campaign: 'shule', contributor: reviewer })];
    const answer = await send(node, votes);
    expect(answer.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);

    // Pushed to the hub, accepted there (not unknown_target), and counted against the known answer.
    await waitFor('the hub to hold the votes', async () => {
      const h = await held({ dataDir: hub.dataDir, database: pg.url });
      return votes.every((v) => h.has(v.id));
    });
    const listed = await onHub((store) => listGold(store.db, 'shule'));
    expect(listed.find((g) => g.id === target)).toMatchObject({ votes: 1, against: 1 });
    // The node vouched that its queue served the gold item, and for the reviewer's standing there
    // (one gold vote, wrong): the hub keeps both under the node's id, for the node's votes only.
    const nodeId = (JSON.parse((await node.cli(['node', 'status', '--json'])).stdout) as { node: { id: string } }).node.id;
    const vote = await onHub((store) => store.db.selectFrom('reviews').select(['served', 'scope']).where('review_id', '=', votes[0]!.id).executeTakeFirst());
    expect(vote).toEqual({ served: 1, scope: nodeId });
    const standing = await waitFor('the hub to hold the node’s word on the reviewer', async () => {
      const list = await onHub((store) => store.reviewers.list('shule', { limit: 100 }));
      return list.find((e) => e.reviewer === reviewer && e.scope === nodeId && e.goldVotes === 1);
    });
    expect(standing).toMatchObject({ eligible: false, credential: false, goldVotes: 1, goldAgreed: 0 });
    // Gold imported later reaches the node too (an unchanged set is not sent again; a changed one is).
    await writeFile(file, JSON.stringify({ kind: 'idiom', language: 'sw', data: { expression: 'Dhahabu mpya', meaning: 'Maana.', example: 'Mfano.' }, expected: 'good' }));
    expect((await hub.cli(['gold', 'import', '--campaign', 'shule', file])).code).toBe(0);
    await waitFor('the node to hold the new gold item', async () => {
      const store = await openStore({ dataDir: node.dataDir, mustExist: true });
      try {
        return (await goldItems(store.db)).length === 4;
      } finally {
        await store.close();
      }
    });
    // A node enrolled with a hub takes its gold from there: importing on the node is refused, and changes nothing.
    const onNode = await node.cli(['gold', 'import', '--campaign', 'shule', file]);
    expect(onNode.code).toBe(1);
    expect(onNode.stderr).toMatch(/enrolled with the hub .*gold items are imported on the hub/);
    // A node enrolled from the command line and synced once says what it pulled, gold included.
    const late = await tempDir('node');
    expect((await runCli(['node', 'enroll', '--hub', hub.url, '--token', await hub.token('Library of Moshi'), '--data', late])).code).toBe(0);
    const synced = await runCli(['node', 'sync', '--data', late]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toMatch(/pulled 0 withdrawals, 1 campaign changes and 4 gold items/);
    // Gold is still no contribution anywhere.
    const hubHolds = await held({ dataDir: hub.dataDir, database: pg.url });
    for (const id of goldIds) expect(hubHolds.has(id)).toBe(false);
  }, 120_000);
});
