/**
 * Federation benchmark (`npm run bench`): a node pushing 100,000 contributions to a hub on
 * loopback, against raw inserts of the same rows into the hub's database, side by side in one run
 * of this program; the bytes that cross the wire; and a node catching up after the hub was down.
 *
 * Each round, for each hub database (SQLite in its data folder; PostgreSQL: a fresh database):
 * - raw: the store's own schema (every migration, via openStore), the same 17 columns the hub's
 *   ingestRelayed writes, rows prepared beforehand (canonical JSON and hash included), one
 *   transaction per BATCH rows. SQLite: better-sqlite3 with the store's pragmas (WAL,
 *   synchronous=FULL), one prepared INSERT per row. PostgreSQL: `pg`, one multi-row INSERT per
 *   transaction (synchronous_commit = on, the default and what the store sets).
 * - federated (the target): the hub is the real `vernacular serve --role hub` as a child process;
 *   the node is a SQLite store in this process, filled through `Store.ingest` before the clock
 *   starts (as devices would have), enrolled with a token from the hub's CLI, pushing with a
 *   `FederationAgent` (what `vernacular node sync` and a serving node run) over HTTP. Timed: one
 *   `syncOnce()` (cursor, signed brotli-compressed batches of BATCH, pull), which returns only after the hub
 *   answered the last batch, i.e. committed it; then the hub's rows are counted.
 * - bytes: every request and response body of that push, as they crossed the wire (fetch wrapped
 *   in this process: request bodies are the compressed bytes (brotli) signed and sent; responses are counted
 *   as received), against `gzip(JSON.stringify(contributions))` of the same 100,000 at the default
 *   level.
 * - catch-up: a node as a real `vernacular serve` process (federating every 0.2 s) is enrolled,
 *   then the hub is stopped; devices send 100,000 contributions to the node's sync API; then the
 *   hub is started again on the same port. Timed from the hub answering its health check to the
 *   hub holding all 100,000 and the node's backlog (its records after its push cursor) being 0.
 *
 * The same node store is pushed to both hubs (enrolling with another hub starts its cursors
 * again). The report gives medians and ratios and replaces this benchmark's section of
 * docs/benchmarks.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { v4 as uuidv4 } from 'uuid';
import {
  Contribution,
  PROTOCOL_VERSION,
} from '../../federation/protocol/index.ts';
import { canonicalOf, toRow } from '../../federation/store/rows.ts';
import { openStore, sqlitePath, type Store } from '../../federation/store/index.ts';
import { DEFAULT_BATCH_SIZE, FederationAgent } from '../../federation/node/agent.ts';
import { loadOrCreateNodeKey } from '../../federation/trust/keys.ts';
import { packageRoot } from '../../federation/package.ts';
import { startHub, startNode, type Hub } from '../support/federation.ts';
import { BENCH_NO_RATE_LIMITS } from './limits.ts';
import { tempDir } from '../support/server.ts';
import { freshDatabase } from '../support/postgres.ts';
import { syntheticIdioms } from './corpus.ts';
import { generateContributorSigner } from '../../federation/trust/contributors.ts';

const RECORDS = 100_000;
const BATCH = DEFAULT_BATCH_SIZE; // 1000 records per push, and per raw transaction
const DEVICE_BATCH = 500; // what a device sends at once
const DEVICES = 50; // records come from this many devices (2,000 each)
const ROUNDS = Number(process.env.FEDERATION_BENCH_ROUNDS ?? 3);
const TARGET_RATIO = 0.3;
const TARGET_BYTES = 1.2;
const ROOT = packageRoot();

const COLUMNS = [
  'id', 'kind', 'campaign', 'language', 'contributor', 'device_id', 'device_seq', 'created_at',
  'received_at', 'licence', 'consent_version', 'data', 'content_hash', 'revision_of', 'checks',
  'origin', 'origin_received_at', 'key', 'signature',
] as const;

/** One device's contributions, as in the ingest benchmark. */
interface DeviceItems {
  deviceId: string;
  items: Contribution[];
}

function generate(total: number, devices: number): DeviceItems[] {
  const per = total / devices;
  let n = 0;
  return Array.from({ length: devices }, () => {
    const items = syntheticIdioms(per, generateContributorSigner('ES256'), n).map((input) => Contribution.parse(input));
    n += per;
    return { deviceId: uuidv4(), items };
  });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The rows the hub stores for these records (relayed from `origin`), as value arrays. */
function rawRows(all: readonly DeviceItems[], origin: string): unknown[][] {
  const receivedAt = new Date().toISOString();
  return all.flatMap(({ deviceId, items }) =>
    items.map((item) => {
      const row = toRow(item, deviceId, receivedAt, canonicalOf(item), { origin, originReceivedAt: receivedAt });
      return COLUMNS.map((c) => row[c]);
    }),
  );
}

/** Raw better-sqlite3 inserts into a fresh store's table; seconds. */
async function rawSqlite(rows: readonly unknown[][]): Promise<number> {
  const dataDir = await tempDir('bench-raw');
  await (await openStore({ dataDir })).close();
  const db = new BetterSqlite3(sqlitePath(dataDir));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const insert = db.prepare(`INSERT INTO contributions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    const insertBatch = db.transaction((batch: unknown[][]) => {
      for (const row of batch) insert.run(row);
    });
    const batches = chunk(rows, BATCH);
    const start = performance.now();
    for (const batch of batches) insertBatch(batch);
    const seconds = (performance.now() - start) / 1000;
    const n = (db.prepare('SELECT count(*) AS n FROM contributions').get() as { n: number }).n;
    if (n !== rows.length) throw new Error(`raw SQLite holds ${n} rows, expected ${rows.length}`);
    return seconds;
  } finally {
    db.close();
  }
}

/** Raw `pg` multi-row INSERTs, one per transaction, into a fresh database with the store's schema; seconds. */
async function rawPostgres(rows: readonly unknown[][]): Promise<number> {
  const database = await freshDatabase('vern_bench_raw');
  try {
    await (await openStore({ dataDir: await tempDir('bench-raw-pg'), database: database.url })).close();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('SET synchronous_commit = on');
      const statements = chunk(rows, BATCH).map((batch) => ({
        text:
          `INSERT INTO contributions (${COLUMNS.join(', ')}) VALUES ` +
          batch.map((_, r) => `(${COLUMNS.map((_c, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`).join(', '),
        values: batch.flat(),
      }));
      const start = performance.now();
      for (const statement of statements) {
        await client.query('BEGIN');
        await client.query(statement.text, statement.values);
        await client.query('COMMIT');
      }
      const seconds = (performance.now() - start) / 1000;
      const n = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM contributions')).rows[0]!.n);
      if (n !== rows.length) throw new Error(`raw PostgreSQL holds ${n} rows, expected ${rows.length}`);
      return seconds;
    } finally {
      await client.end();
    }
  } finally {
    await database.drop();
  }
}

/** Rows the hub holds, read beside the running hub. */
async function hubCount(hub: Hub): Promise<number> {
  if (hub.database !== undefined) {
    const client = new pg.Client({ connectionString: hub.database });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM contributions')).rows[0]!.n);
    } finally {
      await client.end();
    }
  }
  const db = new BetterSqlite3(sqlitePath(hub.dataDir), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM contributions').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Bytes of the bodies exchanged with `origin` through fetch in this process, while counting. */
const wire = { origin: '', requests: 0, requestBytes: 0, responseBytes: 0, pushRequests: 0, pushBytes: 0 };
const plainFetch = globalThis.fetch;
globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const url = String(input instanceof Request ? input.url : input);
  if (wire.origin === '' || !url.startsWith(wire.origin)) return plainFetch(input, init);
  const body = init?.body;
  const sent = body instanceof Uint8Array ? body.byteLength : typeof body === 'string' ? Buffer.byteLength(body) : 0;
  wire.requests++;
  wire.requestBytes += sent;
  if (url.includes('/federation/v1/push')) {
    wire.pushRequests++;
    wire.pushBytes += sent;
  }
  const response = await plainFetch(input, init);
  const received = new Uint8Array(await response.arrayBuffer());
  wire.responseBytes += received.byteLength;
  return new Response(received, { status: response.status, statusText: response.statusText, headers: response.headers });
};

interface PushResult {
  seconds: number;
  bytes: { push: number; requests: number; responses: number; batches: number };
}

/** Enrols the node with a fresh hub process and times one sync of everything it holds. */
async function federatedPush(node: Store, nodeDir: string, database: string | undefined): Promise<PushResult> {
  const hub = await startHub({ args: BENCH_NO_RATE_LIMITS, ...(database !== undefined ? { database } : {}) });
  try {
    const agent = new FederationAgent({ store: node, key: loadOrCreateNodeKey(nodeDir), log: (line) => console.error(line) });
    const token = await hub.token('Bench library');
    // Once more if the first try meets a keep-alive socket the hub closed meanwhile (undici).
    await agent.enroll(hub.url, token).catch(() => agent.enroll(hub.url, token));
    Object.assign(wire, { origin: hub.url, requests: 0, requestBytes: 0, responseBytes: 0, pushRequests: 0, pushBytes: 0 });
    const start = performance.now();
    const { push } = await agent.syncOnce();
    const seconds = (performance.now() - start) / 1000;
    wire.origin = '';
    if (push.accepted !== RECORDS || push.problems !== 0) throw new Error(`the hub accepted ${push.accepted} of ${RECORDS} (${push.problems} problems)`);
    const held = await hubCount(hub);
    if (held !== RECORDS) throw new Error(`the hub holds ${held} rows, expected ${RECORDS}`);
    const status = await agent.status();
    if (status.backlog !== 0) throw new Error(`the node's backlog is ${status.backlog} after its push`);
    return {
      seconds,
      bytes: { push: wire.pushBytes, requests: wire.requestBytes, responses: wire.responseBytes, batches: wire.pushRequests },
    };
  } finally {
    await hub.dispose();
  }
}

/** Backlog of a node's SQLite store: its own records after its push cursor. */
function nodeBacklog(dataDir: string): number {
  const db = new BetterSqlite3(sqlitePath(dataDir), { readonly: true });
  try {
    const cursor = (db.prepare('SELECT push_cursor AS c FROM fed_link WHERE id = 1').get() as { c: number }).c;
    return (db.prepare("SELECT count(*) AS n FROM contributions WHERE seq > ? AND (origin IS NULL OR origin <> 'hub')").get(cursor) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A node process misses RECORDS while its hub is down; seconds from the hub being back to caught up. */
async function catchUp(all: readonly DeviceItems[], database: string | undefined): Promise<number> {
  const hub = await startHub({ args: BENCH_NO_RATE_LIMITS, ...(database !== undefined ? { database } : {}) });
  const node = await startNode(hub, 'Offline library', { every: 0.2, args: BENCH_NO_RATE_LIMITS });
  try {
    await hub.stop();
    for (const { deviceId, items } of all) {
      for (const contributions of chunk(items, DEVICE_BATCH)) {
        const response = await plainFetch(`${node.url}/api/v1/sync`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: deviceId }, contributions }),
        });
        if (!response.ok) throw new Error(`the node's sync answered ${response.status}`);
        await response.arrayBuffer();
      }
    }
    const waiting = nodeBacklog(node.dataDir);
    if (waiting !== RECORDS) throw new Error(`the node holds ${waiting} records for the hub, expected ${RECORDS}`);
    await hub.restart();
    const start = performance.now();
    for (;;) {
      if (nodeBacklog(node.dataDir) === 0 && (await hubCount(hub)) === RECORDS) break;
      if (performance.now() - start > 300_000) throw new Error('the node did not catch up within 5 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    return (performance.now() - start) / 1000;
  } finally {
    await node.dispose();
    await hub.dispose();
  }
}

type HubKind = 'sqlite' | 'postgres';

interface Results {
  raw: Record<HubKind, number[]>;
  federated: Record<HubKind, number[]>;
  catchUp: Record<HubKind, number[]>;
  /** Per round: push request bodies / the plain-JSON gzip, and all bodies / the same. */
  bytes: { push: number; all: number; plainGzip: number; plainGzipPerBatch: number; batches: number }[];
}

function report(r: Results): { section: string; pass: boolean } {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  const secs = (n: number) => `${n.toFixed(2)} s`;
  const ratio = (k: HubKind) => median(r.federated[k]) / median(r.raw[k]);
  const perRound = (k: HubKind) => median(r.federated[k].map((f, i) => f / r.raw[k][i]!));
  const b = r.bytes;
  const pushPerRecord = median(b.map((x) => x.push / RECORDS));
  const allPerRecord = median(b.map((x) => x.all / RECORDS));
  const plainPerRecord = median(b.map((x) => x.plainGzip / RECORDS));
  const plainBatchPerRecord = median(b.map((x) => x.plainGzipPerBatch / RECORDS));
  const bytesRatio = median(b.map((x) => x.push / x.plainGzip));
  const pass = ratio('sqlite') >= TARGET_RATIO && ratio('postgres') >= TARGET_RATIO && bytesRatio <= TARGET_BYTES;
  const cpu = cpus();
  const rounds = (xs: readonly number[]) => xs.map(fmt).join(', ');
  const section = [
    '<!-- bench:federation:start -->',
    '## Federation: a node pushing to a hub vs raw inserts',
    '',
    'Written by `npm run bench` (test/bench/federation.bench.ts, which describes the method).',
    `${fmt(RECORDS)} generated idioms from ${DEVICES} devices, pushed by a node (SQLite) to a fresh hub`,
    '(the real `vernacular serve --role hub` child process on loopback) in signed, brotli-compressed batches of',
    `${BATCH}, timed from the start of the node's sync to the hub's answer to its last batch (committed).`,
    'Raw: the same rows (the 17 columns the hub writes) into a fresh database with the store\'s schema,',
    `${BATCH} rows per transaction — better-sqlite3 (WAL, synchronous=FULL, one prepared INSERT per row)`,
    'or `pg` (one multi-row INSERT per transaction). Wire: the bodies of every request and response',
    'of the push as they crossed the wire, against the same contributions as one plain JSON array',
    'gzipped at the default level. Catch-up: a node process misses the records while its hub is',
    'down; timed from the hub answering again to the hub holding them all and the node\'s backlog 0.',
    `Medians of ${ROUNDS} rounds; each round measures every side once, one after another.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| date | ${new Date().toISOString().slice(0, 10)} |`,
    `| machine | ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, shared (load average at the end ${loadavg()[0]!.toFixed(1)}) |`,
    `| node | ${process.version} |`,
    `| raw better-sqlite3 | ${fmt(median(r.raw.sqlite))} records/s (rounds: ${rounds(r.raw.sqlite)}) |`,
    `| push SQLite → SQLite hub | ${fmt(median(r.federated.sqlite))} records/s (rounds: ${rounds(r.federated.sqlite)}) |`,
    `| ratio push / raw, SQLite | **${pct(ratio('sqlite'))}** (median of per-round ratios ${pct(perRound('sqlite'))}) |`,
    `| raw pg | ${fmt(median(r.raw.postgres))} records/s (rounds: ${rounds(r.raw.postgres)}) |`,
    `| push SQLite → PostgreSQL hub | ${fmt(median(r.federated.postgres))} records/s (rounds: ${rounds(r.federated.postgres)}) |`,
    `| ratio push / raw, PostgreSQL | **${pct(ratio('postgres'))}** (median of per-round ratios ${pct(perRound('postgres'))}) |`,
    `| push request bodies (as sent: brotli, signed) | ${pushPerRecord.toFixed(1)} bytes/record (${median(b.map((x) => x.batches))} batches) |`,
    `| every body of the sync, both ways | ${allPerRecord.toFixed(1)} bytes/record |`,
    `| plain JSON array, gzipped | ${plainPerRecord.toFixed(1)} bytes/record (in arrays of ${BATCH}: ${plainBatchPerRecord.toFixed(1)}) |`,
    `| ratio wire / plain gzip | **${bytesRatio.toFixed(2)}×** (every body both ways: ${(allPerRecord / plainPerRecord).toFixed(2)}×) |`,
    `| catch-up, SQLite hub | ${secs(median(r.catchUp.sqlite))} for ${fmt(RECORDS)} (rounds: ${r.catchUp.sqlite.map(secs).join(', ')}) |`,
    `| catch-up, PostgreSQL hub | ${secs(median(r.catchUp.postgres))} for ${fmt(RECORDS)} (rounds: ${r.catchUp.postgres.map(secs).join(', ')}) |`,
    `| targets: push ≥ ${pct(TARGET_RATIO)} of raw on both, wire ≤ ${TARGET_BYTES}× | ${pass ? '**pass**' : '**FAIL**'} |`,
    '<!-- bench:federation:end -->',
  ].join('\n');
  return { section, pass };
}

function writeReport(section: string): string {
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const pattern = /<!-- bench:federation:start -->[\s\S]*?<!-- bench:federation:end -->/;
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  return file;
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'server', 'federation', 'cli', 'main.js'))) {
    throw new Error('Build the server first: npm run build:server');
  }
  const results: Results = {
    raw: { sqlite: [], postgres: [] },
    federated: { sqlite: [], postgres: [] },
    catchUp: { sqlite: [], postgres: [] },
    bytes: [],
  };
  for (let round = 1; round <= ROUNDS; round++) {
    const all = generate(RECORDS, DEVICES);
    const contributions = all.flatMap((d) => d.items);
    const plainGzip = gzipSync(JSON.stringify(contributions)).byteLength;
    const plainGzipPerBatch = chunk(contributions, BATCH).reduce((n, c) => n + gzipSync(JSON.stringify(c)).byteLength, 0);

    // The node: a SQLite store holding what its devices sent.
    const nodeDir = await tempDir('bench-node');
    const node = await openStore({ dataDir: nodeDir });
    const key = loadOrCreateNodeKey(nodeDir);
    try {
      for (const { deviceId, items } of all) {
        for (const batch of chunk(items, DEVICE_BATCH)) await node.ingest(deviceId, batch);
      }
      const rows = rawRows(all, key.id);
      const line: string[] = [];
      for (const kind of ['sqlite', 'postgres'] as const) {
        const raw = RECORDS / (kind === 'sqlite' ? await rawSqlite(rows) : await rawPostgres(rows));
        const database = kind === 'postgres' ? await freshDatabase('vern_bench_hub') : undefined;
        let pushed: PushResult;
        try {
          pushed = await federatedPush(node, nodeDir, database?.url);
        } finally {
          await database?.drop();
        }
        const federated = RECORDS / pushed.seconds;
        results.raw[kind].push(raw);
        results.federated[kind].push(federated);
        if (kind === 'sqlite') {
          results.bytes.push({ push: pushed.bytes.push, all: pushed.bytes.requests + pushed.bytes.responses, plainGzip, plainGzipPerBatch, batches: pushed.bytes.batches });
        }
        line.push(`${kind}: raw ${Math.round(raw)}/s, push ${Math.round(federated)}/s (${((federated / raw) * 100).toFixed(1)}%)`);
      }
      const bytes = results.bytes.at(-1)!;
      line.push(`wire ${(bytes.push / RECORDS).toFixed(1)} B/record vs plain gzip ${(plainGzip / RECORDS).toFixed(1)} (${(bytes.push / plainGzip).toFixed(2)}×)`);
      for (const kind of ['sqlite', 'postgres'] as const) {
        const database = kind === 'postgres' ? await freshDatabase('vern_bench_catchup') : undefined;
        try {
          const seconds = await catchUp(all, database?.url);
          results.catchUp[kind].push(seconds);
          line.push(`catch-up ${kind} ${seconds.toFixed(2)} s`);
        } finally {
          await database?.drop();
        }
      }
      console.log(`round ${round}/${ROUNDS}: ${line.join('; ')}`);
    } finally {
      await node.close();
    }
  }
  const { section, pass } = report(results);
  const file = writeReport(section);
  console.log(`\n${section}\n\nWritten to ${file}`);
  if (!pass) process.exitCode = 1;
}

await main();
