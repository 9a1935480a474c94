/**
 * A hub on PostgreSQL and two nodes on SQLite, as separate processes on loopback: devices send to
 * the nodes (and one straight to the hub), the nodes push to the hub and pull from it, and the hub
 * ends up holding exactly the union, each record once with its origin, every batch signature
 * verifying. A withdrawal made anywhere vanishes everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idiom, person, review, withdrawal } from '../support/contributions.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { type FedNode, held, type Hub, send, startHub, startNode, waitFor } from '../support/federation.ts';
import * as Y from 'yjs';
import { join } from 'node:path';
import { addTerm } from '../../federation/protocol/glossary.doc.ts';
import { encodeClientRequest } from '../../federation/protocol/glossary.sync.ts';
import { GlossaryDevice } from '../support/glossary.ts';
import { grantOn } from '../support/reviewers.ts';
import { exportDataset, runCli } from '../support/server.ts';
import { launch } from '../e2e/browser.ts';
import { contributor } from '../e2e/steps.ts';

/** What a contributor sees of the node's hub link in Settings (real Chromium, the built app). */
async function hubLinkShown(node: { url: string }, screenshot?: string): Promise<{ state: string | null; text: string }> {
  const browser = await launch();
  try {
    const { page } = await contributor(browser, node as Parameters<typeof contributor>[1]);
    await page.goto(`${node.url}/#/settings`);
    const link = page.getByTestId('hub-link');
    await link.and(page.locator('[data-state]:not([data-state=""])')).waitFor({ timeout: 15_000 });
    if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
    return { state: await link.getAttribute('data-state'), text: await link.innerText() };
  } finally {
    await browser.close();
  }
}

describe('a hub on PostgreSQL with two nodes on SQLite', () => {
  let pg: FreshDatabase;
  let hub: Hub;
  let a: FedNode;
  let b: FedNode;
  const sentTo = { a: [] as string[], b: [] as string[], hub: [] as string[] };

  beforeAll(async () => {
    pg = await freshDatabase();
    hub = await startHub({ database: pg.url });
    a = await startNode(hub, 'Library of Arusha');
    b = await startNode(hub, 'School of Mombasa');
  });
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await hub?.dispose();
    await pg?.drop();
  });

  const hubHolds = () => held({ dataDir: hub.dataDir, database: pg.url });

  it('holds exactly the union of what devices sent to each node and to the hub, each record once with its origin', async () => {
    const alice = person().contributor;
    // Distinct texts: the dataset export (the release pipeline) keeps exact duplicates once.
    const batchA = Array.from({ length: 40 }, (_, i) => idiom({ contributor: alice, deviceSeq: i + 1, data: { expression: `Methali A${i}` } }));
    const batchB = Array.from({ length: 25 }, (_, i) => idiom({ deviceSeq: i + 1, language: 'ar', data: { expression: `Methali B${i}` } }));
    const direct = Array.from({ length: 5 }, (_, i) => idiom({ deviceSeq: i + 1, data: { expression: `Methali H${i}` } }));
    await send(a, batchA.slice(0, 20));
    await send(a, batchA.slice(20));
    await send(b, batchB);
    await send(hub, direct);
    // A review on node A of one of A's items travels too.
    const vote = review(batchA[0]!.id);
    await send(a, [vote]);
    sentTo.a.push(...batchA.map((c) => c.id), vote.id);
    sentTo.b.push(...batchB.map((c) => c.id));
    sentTo.hub.push(...direct.map((c) => c.id));

    const all = [...sentTo.a, ...sentTo.b, ...sentTo.hub];
    const holds = await waitFor('the hub to hold every record', async () => {
      const h = await hubHolds();
      return all.every((id) => h.has(id)) ? h : undefined;
    });
    expect(holds.size).toBe(all.length);
    const [nodeA, nodeB] = await Promise.all([a.cli(['node', 'status', '--json']), b.cli(['node', 'status', '--json'])]);
    const idA = (JSON.parse(nodeA.stdout) as { node: { id: string } }).node.id;
    const idB = (JSON.parse(nodeB.stdout) as { node: { id: string } }).node.id;
    for (const id of sentTo.a) expect(holds.get(id)!.origin).toBe(idA);
    for (const id of sentTo.b) expect(holds.get(id)!.origin).toBe(idB);
    for (const id of sentTo.hub) expect(holds.get(id)!.origin).toBeNull();

    const verify = await hub.cli(['hub', 'verify']);
    expect(verify.stdout).toMatch(/every signature verifies/);
    expect(verify.code).toBe(0);
  });

  it('says in `node status` that the link is ok and nothing waits', async () => {
    const status = await waitFor('node A to report an empty backlog', async () => {
      const r = await a.cli(['node', 'status', '--json']);
      const s = JSON.parse(r.stdout) as { state: string; backlog: number; lastPushAt?: string; lastPullAt?: string };
      return s.backlog === 0 && s.lastPullAt !== undefined ? s : undefined;
    });
    expect(status.state).toBe('ok');
    const words = await a.cli(['node', 'status']);
    expect(words.stdout).toMatch(/Link: ok/);
    expect(words.stdout).toMatch(/Waiting for the hub: 0 records/);
    const api = (await (await fetch(`${a.url}/api/v1/node`)).json()) as { enrolled: boolean; state: string };
    expect(api).toMatchObject({ enrolled: true, state: 'ok' });
    const shown = await hubLinkShown(a);
    expect(shown.state).toBe('ok');
    expect(shown.text).toMatch(/sends contributions on to the national hub/);
  });

  it('makes an item withdrawn through another node vanish from its own node and the hub', async () => {
    const carol = person().contributor;
    const item = idiom({ contributor: carol });
    await send(a, [item]);
    await waitFor('the hub to hold the item', async () => (await hubHolds()).has(item.id));
    // Carol's phone now syncs with node B, which never held the item.
    const gone = withdrawal(item.id, { contributor: carol });
    const answer = await send(b, [gone]);
    expect(answer.results[0]!.status).toBe('accepted');
    await waitFor('the hub to withdraw it', async () => (await hubHolds()).get(item.id)?.status === 'withdrawn');
    await waitFor('node A to withdraw it', async () => (await held({ dataDir: a.dataDir })).get(item.id)?.status === 'withdrawn');
  });

  it('makes an item withdrawn on the hub vanish from the node it came from', async () => {
    const dan = person().contributor;
    const item = idiom({ contributor: dan });
    await send(b, [item]);
    await waitFor('the hub to hold the item', async () => (await hubHolds()).has(item.id));
    await send(hub, [withdrawal('all', { contributor: dan })]);
    await waitFor('node B to withdraw it', async () => (await held({ dataDir: b.dataDir })).get(item.id)?.status === 'withdrawn');
    expect((await hubHolds()).get(item.id)!.status).toBe('withdrawn');
  });

  it('carries a node’s own campaign and its items up, and merges every node’s glossary on the hub and back', async () => {
    const created = await runCli(['campaign', 'create', '--data', a.dataDir, '--slug', 'arusha-proverbs', '--title', 'Arusha proverbs',
      '--languages', 'sw', '--kinds', 'idiom']);
    expect(created.code, created.stderr).toBe(0);
    const item = idiom({ campaign: 'arusha-proverbs' });
    expect((await send(a, [item])).results[0]!.status).toBe('accepted');
    await waitFor('the hub to hold the campaign’s item', async () => (await hubHolds()).has(item.id));
    const campaigns = (await (await fetch(`${hub.url}/api/v1/campaigns`)).json()) as { campaigns: { slug: string }[] };
    expect(campaigns.campaigns.map((c) => c.slug)).toContain('arusha-proverbs');

    // A term added on each node's `general` glossary by a device.
    for (const [node, term] of [[a, 'mvua'], [b, 'jua']] as const) {
      await grantOn(node, 'general', [person(`glossary-${term}`).contributor]); // as its librarian would
      const doc = new Y.Doc();
      addTerm(doc, `term-${term}`, { term, rendering: term.toUpperCase(), language: 'sw', notes: '' });
      const response = await new GlossaryDevice(node.url, person(`glossary-${term}`)).post(encodeClientRequest(doc, null));
      expect(response.status).toBe(200);
    }
    const terms = async (url: string) =>
      ((await (await fetch(`${url}/api/v1/glossary/general`)).json()) as { terms: { term: string }[] }).terms.map((t) => t.term).sort();
    await waitFor('the hub to merge both glossaries', async () => JSON.stringify(await terms(hub.url)) === '["jua","mvua"]');
    await waitFor('node A to receive node B’s term', async () => JSON.stringify(await terms(a.url)) === '["jua","mvua"]');
    await waitFor('node B to receive node A’s term', async () => JSON.stringify(await terms(b.url)) === '["jua","mvua"]');
  });

  it('brings national campaigns down, and says which of their models the node lacks until it fetches them from the hub', async () => {
    const fixture = join(import.meta.dirname, '../fixtures/models/tiny-llama');
    const imported = await runCli(['models', 'import', fixture, '--id', 'national-tiny', '--data', hub.dataDir]);
    expect(imported.code, imported.stderr).toBe(0);
    const created = await hub.cli(['campaign', 'create', '--slug', 'national-rewrites', '--title', 'National rewrites',
      '--languages', 'sw', '--kinds', 'rewrite', '--draft-model', 'national-tiny']);
    expect(created.code, created.stderr).toBe(0);
    await waitFor('node A to receive the national campaign', async () => {
      const list = (await (await fetch(`${a.url}/api/v1/campaigns`)).json()) as { campaigns: { slug: string }[] };
      return list.campaigns.some((c) => c.slug === 'national-rewrites');
    });
    const before = await a.cli(['node', 'status']);
    const hint = /Missing model national-tiny \(named by national-rewrites\): fetch it with `(vernacular models pull [^`]+)`/.exec(before.stdout);
    expect(hint, before.stdout).not.toBeNull();
    const fetchArgs = hint![1]!.split(' ').slice(1);
    const fetched = await runCli([...fetchArgs, '--id', 'national-tiny', '--data', a.dataDir]);
    expect(fetched.code, fetched.stderr).toBe(0);
    const after = await a.cli(['node', 'status']);
    expect(after.stdout).not.toMatch(/Missing model/);
  });

  it('leaves everything a quarantined node sent out of the hub’s dataset, and takes it back when lifted', async () => {
    const exported = async () => new Set((await exportDataset(hub.dataDir, { database: pg.url })).map((r) => r.id));
    const before = await exported();
    expect(sentTo.b.every((id) => before.has(id))).toBe(true);
    const quarantine = await hub.cli(['hub', 'node', 'quarantine', 'School of Mombasa']);
    expect(quarantine.code, quarantine.stderr).toBe(0);
    const during = await exported();
    expect(sentTo.b.some((id) => during.has(id))).toBe(false);
    expect(sentTo.a.filter((id) => before.has(id)).every((id) => during.has(id))).toBe(true);
    await hub.cli(['hub', 'node', 'unquarantine', 'School of Mombasa']);
    expect(await exported()).toEqual(before);
  });

  it('refuses everything from a revoked node, and the node says so', async () => {
    const status = JSON.parse((await b.cli(['node', 'status', '--json'])).stdout) as { node: { id: string } };
    const revoke = await hub.cli(['hub', 'node', 'revoke', status.node.id]);
    expect(revoke.code).toBe(0);
    const late = idiom();
    await send(b, [late]);
    const link = await waitFor('node B to see it is revoked', async () => {
      const s = (await (await fetch(`${b.url}/api/v1/node`)).json()) as { state: string; error?: string };
      return s.state === 'revoked' ? s : undefined;
    });
    expect(link.error).toMatch(/revoked/);
    expect((await hubHolds()).has(late.id)).toBe(false);
    const words = await b.cli(['node', 'status']);
    expect(words.code).toBe(1);
    expect(words.stdout).toMatch(/revoked this node/);
    const shown = await hubLinkShown(b, process.env.VERNACULAR_SCREENSHOTS ? `${process.env.VERNACULAR_SCREENSHOTS}/hub-revoked.png` : undefined);
    expect(shown.state).toBe('revoked');
    expect(shown.text).toMatch(/no longer accepts this node/);
  });
});
