/**
 * Convergence fuzz, in the style of the Yjs test helper: several devices, two nodes on SQLite and a
 * hub on PostgreSQL, all real processes on loopback, driven by a seeded random sequence of
 * contribute / review / edit / withdraw / resend / move / hub down and up / node kill -9 and
 * restart. The test keeps a model of what each device sent and where; once everything is quiet it
 * asserts that the hub holds exactly the union of what was accepted, each record once with its
 * origin; that every node holds what was sent to it plus every withdrawal made elsewhere; that the
 * status of every item — withdrawn, superseded, or what its votes make it — is the model's on the
 * hub and on the node holding it; and that every batch signature verifies.
 *
 * Items belong to a national campaign whose reviewer policy is credentials only, with the
 * consensus rule alone deciding (margin 1); every device but the last holds a credential on every
 * server, so the hub must judge each node's votes by the standing that node vouched for: the last
 * device's votes are kept everywhere and count nowhere.
 *
 * A failure names its seed and the steps that touched the records in question. The seed fixes the
 * sequence of actions, not the timing of the nodes' syncs: rerun a seed with
 * `VERNACULAR_FUZZ_SEED=<seed> npx vitest run --project federation test/federation/convergence.test.ts`
 * (and `VERNACULAR_FUZZ_STEPS=<n>` to change the length) a few times to reproduce a race.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { consensus, DEFAULT_CONSENSUS, type ContributionInput, type StatusResponse, type SyncResponse } from '../../federation/protocol/index.ts';
import {
  compare,
  evalItem,
  idiom,
  instruction,
  norm,
  review,
  rewrite,
  rule,
  translation,
  withdrawal,
  person,
} from '../support/contributions.ts';
import { signedPost } from '../support/device-requests.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { type FedNode, held, type HeldRecord, type Hub, send, startHub, startNode, waitFor } from '../support/federation.ts';
import type { RunningServer } from '../support/server.ts';
import { mulberry32 } from '../support/random.ts';

const DEFAULT_SEEDS = [20261128, 7, 1337];
const SEEDS = process.env.VERNACULAR_FUZZ_SEED !== undefined ? [Number(process.env.VERNACULAR_FUZZ_SEED)] : DEFAULT_SEEDS;
const STEPS = Number(process.env.VERNACULAR_FUZZ_STEPS ?? 150);
const DEVICES = 5;
/** Process restarts (hub or node) per seed: each costs about a second. */
const MAX_OUTAGES = 6;

/** The seeded PRNG (mulberry32) with the choices the fuzz makes. */
function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const weighted = <K extends string>(w: Record<K, number>): K => {
    const entries = Object.entries(w) as [K, number][];
    let r = next() * entries.reduce((s, [, n]) => s + n, 0);
    for (const [k, n] of entries) if ((r -= n) < 0) return k;
    return entries[entries.length - 1]![0];
  };
  return { next, int, pick, weighted };
}

type ServerKey = 'a' | 'b' | 'hub';
const SERVERS: readonly ServerKey[] = ['a', 'b', 'hub'];

type Envelope = { campaign: string; contributor: string; deviceSeq: number; createdAt: string; revisionOf?: string };
/** The national campaign the fuzz contributes to (made on the hub, pulled by the nodes). */
const CAMPAIGN = 'fuzz';
const BUILDERS: Record<string, (o: Envelope) => ContributionInput> = {
  idiom: (o) => idiom(o),
  instruction: (o) => instruction(o),
  rewrite: (o) => rewrite(o),
  compare: (o) => compare(o),
  translation: (o) => translation(o),
  norm: (o) => norm(o),
  rule: (o) => rule(o),
  eval: (o) => evalItem(o),
};
const KINDS = Object.keys(BUILDERS);

/** The item a review, revision or withdrawal names. */
function targetOf(c: ContributionInput): string | undefined {
  if (c.kind === 'review') return c.data.target;
  if (c.kind === 'withdrawal') return c.data.scope === 'item' ? c.data.target : undefined;
  return c.revisionOf;
}

interface Device {
  name: string;
  id: string;
  contributor: string;
  seq: number;
  at: ServerKey;
}

/** A content item as the model sees it. */
interface Item {
  id: string;
  kind: string;
  contributor: string;
  holder: ServerKey;
  createdAt: number;
  root: string;
  /** Latest vote per reviewer. */
  votes: Map<string, 'up' | 'down' | 'flag'>;
}

interface Withdrawal {
  id: string;
  contributor: string;
  /** The item named, or null for everything. */
  target: string | null;
  createdAt: number;
  server: ServerKey;
}

/** Everything accepted, and where a device sent it. */
class Model {
  readonly records = new Map<string, { kind: string; server: ServerKey; target?: string }>();
  readonly items = new Map<string, Item>();
  readonly withdrawals: Withdrawal[] = [];
  /** Chain root → its revisions, in the order they were made. */
  readonly chains = new Map<string, string[]>();

  withdrawn(item: Item): boolean {
    return this.withdrawals.some(
      (w) =>
        w.contributor === item.contributor &&
        (w.target === null ? w.createdAt >= item.createdAt : this.items.get(w.target)?.root === item.root),
    );
  }

  superseded(item: Item): boolean {
    const chain = this.chains.get(item.root)!;
    return chain[chain.length - 1] !== item.id;
  }

  /** Keys whose votes count (a credential on every server). */
  readonly credentialed = new Set<string>();

  tally(item: Item): { up: number; down: number; flags: number } {
    const t = { up: 0, down: 0, flags: 0 };
    for (const [voter, v] of item.votes) {
      if (!this.credentialed.has(voter)) continue;
      if (v === 'up') t.up++;
      else if (v === 'down') t.down++;
      else t.flags++;
    }
    return t;
  }

  status(item: Item): string {
    if (this.withdrawn(item)) return 'withdrawn';
    if (this.superseded(item)) return 'superseded';
    return consensus(this.tally(item), DEFAULT_CONSENSUS, 1);
  }

  /** What a server should hold: what was sent to it, and (a node) every withdrawal made elsewhere. */
  expectedAt(server: ServerKey): Set<string> {
    const out = new Set<string>();
    for (const [id, r] of this.records) {
      if (server === 'hub' || r.server === server || r.kind === 'withdrawal') out.add(id);
    }
    return out;
  }
}

interface World {
  pg: FreshDatabase;
  hub: Hub;
  nodes: Record<'a' | 'b', FedNode>;
  nodeIds: Record<'a' | 'b', string>;
}

/** One hub and two nodes for every seed: each seed has its own devices and contributors, so seeds
 * do not interact, and records of earlier seeds are left out of a seed's comparison. */
let world: World | undefined;
const earlierSeeds = new Set<string>();
let dirty = false;

async function tearDown(): Promise<void> {
  const w = world;
  world = undefined;
  await w?.nodes.a.dispose();
  await w?.nodes.b.dispose();
  await w?.hub.dispose();
  await w?.pg.drop();
}

interface LinkStatus {
  node: { id: string };
  state: string;
  backlog: number;
  lastPullAt?: string;
}

async function linkStatus(node: FedNode): Promise<LinkStatus> {
  return JSON.parse((await node.cli(['node', 'status', '--json'])).stdout) as LinkStatus;
}

async function setUp(): Promise<World> {
  const pg = await freshDatabase();
  const hub = await startHub({ database: pg.url });
  const made = await hub.cli(['campaign', 'create', '--slug', CAMPAIGN, '--title', 'Fuzz', '--languages', 'sw', '--kinds', KINDS.join(','), '--margin', '1', '--credentials-only']);
  if (made.code !== 0) throw new Error(`campaign create failed: ${made.stderr}`);
  const a = await startNode(hub, 'Library of Arusha', { every: 0.2 });
  const b = await startNode(hub, 'School of Mombasa', { every: 0.2 });
  for (const node of [a, b]) await waitFor('the node to pull the national campaign', async () => (await fetch(`${node.url}/api/v1/campaigns/${CAMPAIGN}`)).ok);
  const [sa, sb] = await Promise.all([linkStatus(a), linkStatus(b)]);
  return { pg, hub, nodes: { a, b }, nodeIds: { a: sa.node.id, b: sb.node.id } };
}

async function runSeed(seed: number): Promise<void> {
  const rng = prng(seed);
  // A seed that failed may leave the hub holding what it should not: the next starts afresh.
  if (dirty) {
    await tearDown();
    world = await setUp();
    earlierSeeds.clear();
    dirty = false;
  }
  const w = world!;
  const earlier = new Set(earlierSeeds);
  const server = (k: ServerKey): RunningServer => (k === 'hub' ? w.hub : w.nodes[k]);
  const model = new Model();
  const trace: string[] = [];
  /** Fails naming the seed, with the steps that mention any of `about` (ids, device names) and the last few. */
  const fail = (message: string, about: readonly string[] = []): never => {
    const related = trace.filter((line) => about.some((a) => line.includes(a)));
    throw new Error(
      `seed ${seed}: ${message}\nsteps about ${about.join(', ') || 'it'}:\n${related.slice(-60).join('\n')}\nlast steps:\n${trace.slice(-10).join('\n')}`,
    );
  };

  const devices: Device[] = Array.from({ length: DEVICES }, (_, i) => ({
    name: `dev${i}`,
    id: uuidv4(),
    contributor: person().contributor,
    seq: 0,
    at: rng.pick(SERVERS),
  }));
  const who = new Map(devices.map((d) => [d.contributor, d.name]));
  // Every device but the last is granted a credential on each server, as staff there would.
  for (const d of devices.slice(0, -1)) {
    await Promise.all(
      [w.hub, w.nodes.a, w.nodes.b].map(async (s) => {
        const r = await s.cli(['reviewer', 'grant', '--campaign', CAMPAIGN, d.contributor]);
        if (r.code !== 0) fail(`reviewer grant failed: ${r.stderr}`);
      }),
    );
    model.credentialed.add(d.contributor);
  }
  const epoch = Date.now() - 86_400_000;
  let clock = 0;
  const iso = (t: number) => new Date(epoch + t * 1000).toISOString();

  /** Server → step at which it comes back. */
  const down = new Map<ServerKey, number>();
  let outages = 0;
  const up = (k: ServerKey) => !down.has(k);
  const sent: { server: ServerKey; device: Device; items: ContributionInput[] }[] = [];

  let step = 0;
  const log = (line: string) => trace.push(`#${step} ${line}`);

  async function deliver(device: Device, k: ServerKey, items: ContributionInput[]): Promise<void> {
    let answer: SyncResponse;
    try {
      answer = await send(server(k), items, device.id);
    } catch (err) {
      return fail(`step ${step}: sending to ${k} failed: ${(err as Error).message}`);
    }
    answer.results.forEach((r, i) => {
      if (r.status !== 'accepted') {
        const c = items[i]!;
        const target = targetOf(c);
        const named = target !== undefined ? model.items.get(target) : undefined;
        const about = [c.id, device.name, ...(target !== undefined ? [target] : []), ...(named !== undefined ? [named.root, who.get(named.contributor)!] : [])];
        fail(`step ${step}: ${k} answered ${JSON.stringify(r)} for ${c.kind} ${c.id}`, about);
      }
    });
    sent.push({ server: k, device, items });
    for (const c of items) {
      const target = targetOf(c);
      model.records.set(c.id, { kind: c.kind, server: k, ...(target !== undefined ? { target } : {}) });
      earlierSeeds.add(c.id);
    }
  }

  function newItem(device: Device, kind: string, revisionOf?: Item): ContributionInput {
    const t = ++clock;
    const c = BUILDERS[kind]!({
      campaign: CAMPAIGN,
      contributor: device.contributor,
      deviceSeq: ++device.seq,
      createdAt: iso(t),
      ...(revisionOf !== undefined ? { revisionOf: revisionOf.id } : {}),
    });
    const root = revisionOf?.root ?? c.id;
    model.items.set(c.id, { id: c.id, kind, contributor: device.contributor, holder: device.at, createdAt: t, root, votes: new Map() });
    if (!model.chains.has(root)) model.chains.set(root, []);
    model.chains.get(root)!.push(c.id);
    return c;
  }

  const live = (i: Item) => !model.withdrawn(i);
  /** The item last reviewed or edited. */
  let touched: Item | undefined;

  async function act(): Promise<void> {
    // Bring back what is due.
    for (const [k, at] of [...down]) {
      if (step >= at) {
        await server(k).restart();
        down.delete(k);
        log(`${k} back up`);
      }
    }
    const device = rng.pick(devices);
    if (!up(device.at)) device.at = rng.pick(SERVERS.filter(up));
    const action = rng.weighted({
      contribute: 24,
      review: 28,
      edit: 10,
      withdraw: 6,
      withdrawTouched: 4,
      withdrawAll: 2,
      resend: 8,
      move: 6,
      hubDown: 2,
      nodeKill: 3,
      nodeStop: 1,
      pause: 5,
    });
    switch (action) {
      case 'contribute': {
        const items = Array.from({ length: 1 + rng.int(3) }, () => newItem(device, rng.pick(KINDS)));
        log(`${device.name} → ${device.at}: contribute ${items.map((c) => `${c.kind} ${c.id}`).join(', ')}`);
        await deliver(device, device.at, items);
        return;
      }
      case 'review': {
        const candidates = [...model.items.values()].filter((i) => i.holder === device.at && i.contributor !== device.contributor && live(i));
        if (candidates.length === 0) return;
        // Mostly items that already have votes, so that some reach a consensus.
        const voted = candidates.filter((i) => i.votes.size > 0 && !i.votes.has(device.contributor));
        const target = voted.length > 0 && rng.next() < 0.8 ? rng.pick(voted) : rng.pick(candidates);
        const vote = rng.weighted({ up: 6, down: 3, flag: 1 });
        const c = review(target.id, {
          campaign: CAMPAIGN,
          contributor: device.contributor,
          deviceSeq: ++device.seq,
          createdAt: iso(++clock),
          data: vote === 'flag' ? { action: 'flag', reason: 'spam' } : { action: vote },
        });
        log(`${device.name} → ${device.at}: review ${vote} of ${who.get(target.contributor)}'s ${target.id} (review ${c.id})`);
        await deliver(device, device.at, [c]);
        target.votes.set(device.contributor, vote);
        touched = target;
        return;
      }
      case 'edit': {
        const own = [...model.items.values()].filter((i) => i.contributor === device.contributor && up(i.holder) && live(i) && !model.superseded(i));
        if (own.length === 0) return;
        const target = rng.pick(own);
        device.at = target.holder;
        const c = newItem(device, target.kind, target);
        log(`${device.name} → ${device.at}: edit ${target.id} as ${c.id}`);
        await deliver(device, device.at, [c]);
        touched = model.items.get(c.id);
        return;
      }
      case 'withdraw':
      case 'withdrawTouched':
      case 'withdrawAll': {
        const k = rng.pick(SERVERS.filter(up));
        if (action !== 'withdrawAll') {
          // withdrawTouched: the author of the item last reviewed or edited withdraws it at once,
          // racing the vote or the edit to the hub.
          const target = action === 'withdrawTouched' ? touched : rng.pick([...model.items.values()].filter((i) => i.contributor === device.contributor));
          if (target === undefined) return;
          const author = devices.find((d) => d.contributor === target.contributor)!;
          const t = ++clock;
          const c = withdrawal(target.id, { contributor: author.contributor, deviceSeq: ++author.seq, createdAt: iso(t) });
          log(`${author.name} → ${k}: withdraw ${target.id} (held by ${target.holder}; withdrawal ${c.id})`);
          await deliver(author, k, [c]);
          model.withdrawals.push({ id: c.id, contributor: author.contributor, target: target.id, createdAt: t, server: k });
        } else {
          const t = ++clock;
          const c = withdrawal('all', { contributor: device.contributor, deviceSeq: ++device.seq, createdAt: iso(t) });
          log(`${device.name} → ${k}: withdraw everything (withdrawal ${c.id}, t=${t})`);
          await deliver(device, k, [c]);
          model.withdrawals.push({ id: c.id, contributor: device.contributor, target: null, createdAt: t, server: k });
        }
        return;
      }
      case 'resend': {
        const earlier = sent.filter((s) => up(s.server));
        if (earlier.length === 0) return;
        const batch = rng.pick(earlier);
        log(`${batch.device.name} → ${batch.server}: resend ${batch.items.map((c) => c.id).join(', ')}`);
        const answer = await send(server(batch.server), batch.items, batch.device.id);
        answer.results.forEach((r, i) => {
          if (r.status !== 'duplicate') fail(`step ${step}: a resend to ${batch.server} was answered ${JSON.stringify(r)} for ${batch.items[i]!.id}`);
        });
        return;
      }
      case 'move':
        device.at = rng.pick(SERVERS.filter(up));
        log(`${device.name} now talks to ${device.at}`);
        return;
      case 'hubDown':
        if (down.size > 0 || outages >= MAX_OUTAGES) return;
        outages++;
        await w.hub.stop();
        down.set('hub', step + 3 + rng.int(10));
        log(`hub stopped until step ${down.get('hub')}`);
        return;
      case 'nodeKill':
      case 'nodeStop': {
        if (down.size > 0 || outages >= MAX_OUTAGES) return;
        outages++;
        const k = rng.pick(['a', 'b'] as const);
        // A short random delay first, so the kill lands anywhere in a push or a pull.
        await new Promise((r) => setTimeout(r, rng.int(300)));
        if (action === 'nodeKill') w.nodes[k].kill();
        else await w.nodes[k].stop();
        down.set(k, step + rng.int(8));
        log(`node ${k} ${action === 'nodeKill' ? 'killed (-9)' : 'stopped'} until step ${down.get(k)}`);
        return;
      }
      case 'pause': {
        const ms = 100 + rng.int(400);
        log(`pause ${ms} ms`);
        await new Promise((r) => setTimeout(r, ms));
        return;
      }
    }
  }

  try {
    for (step = 1; step <= STEPS; step++) await act();
  } finally {
    for (const k of [...down.keys()]) {
      await server(k).restart();
      log(`${k} back up`);
    }
    down.clear();
  }

  // Quiescence: both nodes have pushed everything, then both have pulled after that.
  const quiet = async (what: string, ok: (s: LinkStatus) => boolean) => {
    try {
      return await waitFor(what, async () => {
        const s = await Promise.all([linkStatus(w.nodes.a), linkStatus(w.nodes.b)]);
        return s.every(ok) ? s : undefined;
      }, 60_000);
    } catch (err) {
      const s = await Promise.all([linkStatus(w.nodes.a), linkStatus(w.nodes.b)]).catch(() => []);
      return fail(`${(err as Error).message}; node statuses: ${JSON.stringify(s)}`);
    }
  };
  await quiet('both nodes to have pushed everything', (s) => s.state === 'ok' && s.backlog === 0);
  const pushed = Date.now();
  await quiet('both nodes to pull after the last push', (s) => s.state === 'ok' && s.backlog === 0 && Date.parse(s.lastPullAt ?? '') > pushed + 50);

  const holdings: Record<ServerKey, Map<string, HeldRecord>> = {
    hub: await held({ dataDir: w.hub.dataDir, database: w.pg.url }),
    a: await held({ dataDir: w.nodes.a.dataDir }),
    b: await held({ dataDir: w.nodes.b.dataDir }),
  };

  const problems: string[] = [];
  const ids = new Set<string>();
  const problem = (id: string, line: string) => {
    problems.push(line);
    ids.add(id);
  };
  for (const k of SERVERS) {
    const expected = model.expectedAt(k);
    const h = holdings[k];
    for (const id of expected) if (!h.has(id)) problem(id, `${k} lacks ${model.records.get(id)!.kind} ${id} (sent to ${model.records.get(id)!.server})`);
    for (const id of h.keys()) if (!expected.has(id) && !earlier.has(id)) problem(id, `${k} holds ${h.get(id)!.kind} ${id}, which nobody sent there`);
  }
  // (1) the hub's origins: the node a device sent it to, or null for what came straight to the hub.
  for (const [id, r] of model.records) {
    const got = holdings.hub.get(id);
    const origin = r.server === 'hub' ? null : w.nodeIds[r.server];
    if (got !== undefined && got.origin !== origin) problem(id, `hub: ${id} has origin ${got.origin}, expected ${origin}`);
  }
  // (2, 3) every item's status, on the hub and on the node holding it, is the model's.
  for (const item of model.items.values()) {
    const want = model.status(item);
    for (const k of new Set<ServerKey>(['hub', item.holder])) {
      const got = holdings[k].get(item.id)?.status;
      if (got !== undefined && got !== want) problem(item.id, `${k}: ${item.kind} ${item.id} of ${who.get(item.contributor)} is ${got}, expected ${want}`);
    }
  }
  // ... and so are its votes, as each server's status endpoint tells a device.
  for (const k of SERVERS) {
    const held = [...model.items.values()].filter((i) => k === 'hub' || i.holder === k);
    // Each author asks about their own items, signed with their key (nobody else is told).
    const byAuthor = new Map<string, typeof held>();
    for (const i of held) byAuthor.set(i.contributor, [...(byAuthor.get(i.contributor) ?? []), i]);
    for (const [author, mine] of byAuthor) for (let at = 0; at < mine.length; at += 500) {
      const page = mine.slice(at, at + 500);
      const answer = (await (await signedPost(server(k).url, '/api/v1/status', { ids: page.map((i) => i.id) }, person(author))).json()) as StatusResponse;
      answer.items.forEach((entry, n) => {
        const item = page[n]!;
        const want = model.tally(item);
        const got = entry.votes ?? { up: 0, down: 0, flags: 0 };
        if (got.up !== want.up || got.down !== want.down || got.flags !== want.flags) {
          problem(item.id, `${k}: ${item.kind} ${item.id} of ${who.get(item.contributor)} has votes ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
        }
      });
    }
  }
  if (problems.length > 0) {
    const about = [...ids].flatMap((id) => {
      const item = model.items.get(model.records.get(id)?.target ?? id);
      return item === undefined ? [id] : [id, item.id, item.root, who.get(item.contributor)!];
    });
    const refusals = (['a', 'b'] as const).flatMap((k) =>
      w.nodes[k].output().split('\n').filter((line) => /refused/.test(line)).map((line) => `node ${k}: ${line}`),
    );
    fail(`${problems.length} disagreements:\n${problems.slice(0, 30).join('\n')}\nwhat the nodes logged of refusals:\n${refusals.slice(-20).join('\n')}`, [...new Set(about)]);
  }

  // The seed exercised what it checks: votes that count (node-cast ones judged on the hub by the
  // node's word) and votes that never count.
  const counted = (i: Item) => Object.values(model.tally(i)).some((n) => n > 0);
  expect([...model.items.values()].filter(counted).length, `seed ${seed}: items with counted votes`).toBeGreaterThan(0);
  expect([...model.items.values()].some((i) => [...i.votes.keys()].some((v) => !model.credentialed.has(v))), `seed ${seed}: uncounted votes`).toBe(true);

  // (4) every batch the hub holds still verifies.
  const verify = await w.hub.cli(['hub', 'verify']);
  expect(verify.code, `seed ${seed}: hub verify: ${verify.stdout}${verify.stderr}`).toBe(0);
  expect(verify.stdout, `seed ${seed}`).toMatch(/every signature verifies/);
}

describe('convergence fuzz: devices, two nodes on SQLite and a hub on PostgreSQL', () => {
  beforeAll(async () => {
    world = await setUp();
  });
  afterAll(tearDown);
  for (const seed of SEEDS) {
    it(`seed ${seed}: ${STEPS} random steps end with the hub, the nodes and the model agreeing`, async () => {
      try {
        await runSeed(seed);
      } catch (err) {
        dirty = true;
        throw err;
      }
    }, 200_000);
  }
});
