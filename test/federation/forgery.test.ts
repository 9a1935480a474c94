/**
 * Forgeries across node → hub → node, as an outsider would try them (the findings of issue 12):
 * a stranger who knows a victim's contributor id — or even their public key — tries to withdraw,
 * rewrite and review in their name, through a node, straight at the hub, and through a node that
 * relays forged records; a hub whose store was tampered with hands a forged withdrawal to its
 * nodes. Every try is refused, with its code, and the victim's items stay theirs everywhere,
 * while the victim's own withdrawal still travels to every node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Contribution } from '../../federation/protocol/index.ts';
import { openStore } from '../../federation/store/index.ts';
import { signItems } from '../../federation/trust/contributors.ts';
import { idiom, person, review, withdrawal } from '../support/contributions.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { type FedNode, held, type Hub, send, startHub, startNode, waitFor } from '../support/federation.ts';
import { FakeNode, records } from '../support/fake-node.ts';

describe('forgeries against a hub on PostgreSQL and two nodes', () => {
  let pg: FreshDatabase;
  let hub: Hub;
  let a: FedNode;
  let b: FedNode;
  const victim = person();
  const stranger = person();
  const item = idiom({ contributor: victim.contributor, data: { expression: 'Kidole kimoja hakivunji chawa' } });
  const other = idiom({ contributor: victim.contributor, data: { expression: 'Mchagua jembe si mkulima' } });

  beforeAll(async () => {
    pg = await freshDatabase();
    hub = await startHub({ database: pg.url });
    a = await startNode(hub, 'Library of Arusha');
    b = await startNode(hub, 'School of Mombasa');
    expect((await send(a, [item, other])).results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    await waitFor('the victim’s items on the hub', async () => (await held({ dataDir: hub.dataDir, database: pg.url })).has(other.id));
  });
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await hub?.dispose();
    await pg?.drop();
  });

  const statusOn = async (where: { dataDir: string; database?: string }, id: string) => (await held(where)).get(id)?.status;
  const onHub = () => ({ dataDir: hub.dataDir, database: pg.url });

  it('refuses a withdrawal or an edit in the victim’s name, signed with another key, on every server', async () => {
    // The victim's id with the stranger's key and signature; the victim's id and public key, signed by the stranger.
    const withdrawAll = withdrawal('all', { contributor: stranger.contributor });
    const claimed = signItems(stranger, [{ ...withdrawAll, contributor: victim.contributor }])[0]!;
    const borrowed = signItems(stranger, [{ ...withdrawAll, contributor: victim.contributor, key: victim.key }])[0]!;
    const edit = idiom({ contributor: stranger.contributor, revisionOf: item.id, data: { expression: 'Kidole kimoja (forged)' } });
    const editClaimed = signItems(stranger, [{ ...edit, contributor: victim.contributor }])[0]!;
    for (const server of [a, b, hub]) {
      const answer = await send(server, [claimed, borrowed, editClaimed]);
      expect(answer.results.map((r) => [r.status, r.code])).toEqual([
        ['rejected', 'bad_signature'],
        ['rejected', 'bad_signature'],
        ['rejected', 'bad_signature'],
      ]);
    }
  });

  it('takes the stranger’s own withdrawal of the victim’s item as not theirs: not_author where it is held, nothing anywhere', async () => {
    const gone = withdrawal(item.id, { contributor: stranger.contributor });
    expect((await send(a, [gone])).results[0]).toMatchObject({ status: 'rejected', code: 'not_author' });
    expect((await send(hub, [withdrawal(item.id, { contributor: stranger.contributor })])).results[0]).toMatchObject({ status: 'rejected', code: 'not_author' });
    // Node B does not hold the item: it keeps the stranger's tombstone, which can only ever act on the stranger's own items.
    const elsewhere = withdrawal(item.id, { contributor: stranger.contributor });
    const marker = idiom({ data: { expression: 'Haba na haba hujaza kibaba' } });
    expect((await send(b, [elsewhere, marker])).results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    // Node B pushes both; the hub, which holds the item, refuses the stranger's withdrawal (not_author).
    await waitFor('node B’s push past the withdrawal', async () => (await held(onHub())).has(marker.id));
    expect((await held(onHub())).has(elsewhere.id)).toBe(false);
    expect(await statusOn(onHub(), item.id)).toBe('pending');
    expect(await statusOn(a, item.id)).toBe('pending');
    // An "edit" by the stranger is their own improvement: the victim's item is not superseded.
    const improvement = idiom({ contributor: stranger.contributor, revisionOf: item.id, data: { expression: 'Kidole kimoja, improved' } });
    expect((await send(a, [improvement])).results[0]).toMatchObject({ status: 'accepted' });
    expect(await statusOn(a, item.id)).toBe('pending');
  });

  it('refuses reviews in a made-up or borrowed name, and a review of one’s own item under any key', async () => {
    const fake = review(item.id, { contributor: stranger.contributor });
    const madeUp = signItems(stranger, [{ ...fake, contributor: person().contributor }])[0]!;
    const ownItemForged = signItems(stranger, [{ ...review(item.id, { contributor: stranger.contributor }), contributor: victim.contributor }])[0]!;
    const own = review(item.id, { contributor: victim.contributor });
    const answer = await send(a, [madeUp, ownItemForged, own]);
    expect(answer.results.map((r) => r.code)).toEqual(['bad_signature', 'bad_signature', 'own_item']);
  });

  it('refuses forged records a node relays to the hub, one by one, and takes the rest of its batch', async () => {
    const rogue = new FakeNode(hub.url);
    expect((await rogue.enroll(await hub.token('Rogue node'))).status).toBe(200);
    const forged = signItems(stranger, [{ ...withdrawal('all', { contributor: stranger.contributor }), contributor: victim.contributor }])[0]!;
    const honest = idiom({ data: { expression: 'Asiyefunzwa na mamaye' } });
    const recs = records([forged, honest]);
    const answer = await rogue.push(recs, 0, 2);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ cursor: 2, accepted: 1, problems: [{ index: 0, status: 'rejected', code: 'bad_signature' }] });
    const onTheHub = await held(onHub());
    expect(onTheHub.has(forged.id)).toBe(false);
    expect(onTheHub.has(honest.id)).toBe(true);
    expect(await statusOn(onHub(), item.id)).toBe('pending');
  });

  it('drops a forged withdrawal that a tampered hub hands out, while the victim’s own one reaches every node', async () => {
    // Someone with write access to the hub's database stores a forged withdrawal directly.
    const forged = signItems(stranger, [{ ...withdrawal(other.id, { contributor: stranger.contributor }), contributor: victim.contributor }])[0]!;
    const store = await openStore({ dataDir: hub.dataDir, database: pg.url, mustExist: true });
    try {
      expect(await store.ingestRelayed('n-tamperedxxxxxxxx', [{ contribution: Contribution.parse(forged), deviceId: 'd', receivedAt: new Date().toISOString() }])).toEqual(['accepted']);
    } finally {
      await store.close();
    }
    // The victim's real withdrawal of the first item, sent to node B, reaches the hub and node A.
    const real = withdrawal(item.id, { contributor: victim.contributor });
    expect((await send(b, [real])).results[0]).toMatchObject({ status: 'accepted' });
    await waitFor('the real withdrawal on node A', async () => (await statusOn(a, item.id)) === 'withdrawn');
    // The forged one came down in the same pulls, and node A left it out.
    expect((await held(a)).has(forged.id)).toBe(false);
    expect(await statusOn(a, other.id)).toBe('pending');
  });

  it('lets the hub’s steward withdraw everything of someone who lost their key, and every node follows', async () => {
    const lost = person();
    const onA = idiom({ contributor: lost.contributor, data: { expression: 'Penye nia pana njia' } });
    const onB = idiom({ contributor: lost.contributor, data: { expression: 'Bandu bandu huisha gogo' } });
    expect((await send(a, [onA])).results[0]!.status).toBe('accepted');
    expect((await send(b, [onB])).results[0]!.status).toBe('accepted');
    // A node enrolled with a hub refuses: its steward decides.
    const refused = await a.cli(['contributor', 'withdraw', lost.contributor, '--reason', 'asked at the library']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('enrolled with the hub');
    const done = await hub.cli(['contributor', 'withdraw', lost.contributor, '--reason', 'asked in person at the ministry, 7 Dec']);
    expect(done.code, done.stderr).toBe(0);
    await waitFor('both nodes to withdraw the items', async () => (await statusOn(a, onA.id)) === 'withdrawn' && (await statusOn(b, onB.id)) === 'withdrawn');
    await waitFor('the hub to withdraw them', async () => (await statusOn(onHub(), onA.id)) === 'withdrawn' && (await statusOn(onHub(), onB.id)) === 'withdrawn');
    const audit = await hub.cli(['audit']);
    expect(audit.stdout).toContain('contributor_withdraw');
  });
});
