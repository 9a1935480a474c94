/**
 * Ingest benchmark (`npm run bench`): contributions/s through POST /api/v1/sync against raw
 * better-sqlite3 inserts of the same rows, side by side in one run of this program.
 *
 * - raw: the same table (the DDL of migrations 0001 and 0009: columns, key and signature, unique id, index), the same pragmas
 *   (WAL, synchronous=FULL), one prepared INSERT per row, one transaction per 500 rows, rows
 *   prepared beforehand (content hash and JSON included): the physical limit of storing them.
 * - api (the target): the real `vernacular serve` as a child process on 127.0.0.1, as a node
 *   runs; bodies of 500 idioms, encoded beforehand, POSTed through fetch (undici, keep-alive)
 *   by DEVICES simulated devices, each sending its next batch when its last is answered. Every
 *   answer is checked to be 500 × accepted and the stored rows are counted at the end.
 * - api in-process (for information): createApp + @hono/node-server inside this process, one
 *   device, decoding inline (no decoder thread); the client shares the server's JavaScript
 *   thread, so its cost counts against the API.
 *
 * Each side keeps one database (and the servers keep running) for the whole run, as a node does;
 * a warm-up of WARM_UP_ROWS per side is not counted. Then rounds alternate the three sides, each
 * storing ROWS_PER_ROUND new rows. The report gives medians and the ratio to raw, and replaces
 * this benchmark's section of docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { v4 as uuidv4 } from 'uuid';
import {
  Contribution,
  type ContributionInput,
  LIMITS,
  PROTOCOL_VERSION,
} from '../../federation/protocol/index.ts';
import * as migration from '../../federation/store/migrations/0001_contributions.ts';
import { toRow } from '../../federation/store/rows.ts';
import { openStore, sqlitePath } from '../../federation/store/index.ts';
import { createApp } from '../../federation/server/app.ts';
import { NO_RATE_LIMITS } from '../../federation/server/ratelimit.ts';
import { BENCH_NO_RATE_LIMITS } from './limits.ts';
import { listen } from '../../federation/server/listen.ts';
import { syntheticIdioms } from './corpus.ts';
import { generateContributorSigner } from '../../federation/trust/contributors.ts';
import * as signatures from '../../federation/store/migrations/0009_signatures.ts';
import { packageRoot } from '../../federation/package.ts';

const BATCH = LIMITS.maxBatchItems; // 500
const WARM_UP_ROWS = 80_000;
const ROWS_PER_ROUND = 40_000;
const ROUNDS = 7;
const DEVICES = 4;
const TARGET_RATIO = 0.3;
const ROOT = packageRoot();
const BIN = join(ROOT, 'bin', 'vernacular.js');

function generate(count: number): ContributionInput[] {
  return syntheticIdioms(count, generateContributorSigner('ES256'));
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

const COLUMNS = [
  'id', 'kind', 'campaign', 'language', 'contributor', 'device_id', 'device_seq', 'created_at',
  'received_at', 'licence', 'consent_version', 'data', 'content_hash', 'key', 'signature',
] as const;

function countRows(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM contributions').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A side of the comparison: stores rows made from these contributions, answers seconds taken. */
interface Side {
  store(items: readonly ContributionInput[], deviceId: string): Promise<number>;
  /** Rows it holds. */
  count(): Promise<number>;
  close(): Promise<void>;
}

async function rawSide(dir: string): Promise<Side> {
  const file = join(dir, 'raw.sqlite');
  const schema = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
  await migration.up(schema);
  await signatures.up(schema);
  await schema.destroy();

  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const insert = db.prepare(
    `INSERT INTO contributions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertBatch = db.transaction((rows: unknown[][]) => {
    for (const row of rows) insert.run(row);
  });
  return {
    store(items, deviceId) {
      const receivedAt = new Date().toISOString();
      const rows = items.map((item) => {
        const row = toRow(Contribution.parse(item), deviceId, receivedAt);
        return COLUMNS.map((c) => row[c]);
      });
      const batches = chunk(rows, BATCH);
      const start = performance.now();
      for (const batch of batches) insertBatch(batch);
      return Promise.resolve((performance.now() - start) / 1000);
    },
    count: () => Promise.resolve(countRows(file)),
    close: () => Promise.resolve(void db.close()),
  };
}

/** Request bodies, serialised and UTF-8 encoded before the clock starts, as a device's outbox holds them. */
function bodies(items: readonly ContributionInput[], deviceId: string): Uint8Array<ArrayBuffer>[] {
  const utf8 = new TextEncoder();
  return chunk(items, BATCH).map((contributions) =>
    utf8.encode(JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: deviceId }, contributions })),
  );
}

/**
 * POSTs a body, once more if the server closed the kept-alive socket just as it was reused (after
 * an idle gap near the server's 5 s keep-alive timeout): a sync is idempotent, as a device's re-send is.
 */
async function post(url: string, body: Uint8Array<ArrayBuffer>): Promise<Response> {
  const send = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  try {
    return await send();
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw err;
    return send();
  }
}

/** Sends every body, `devices` at a time, each device one request after another; seconds. */
async function sendAll(url: string, all: readonly Uint8Array<ArrayBuffer>[], devices: number): Promise<number> {
  let next = 0;
  const device = async () => {
    while (next < all.length) {
      const body = all[next++]!;
      const res = await post(url, body);
      const answer = (await res.json()) as { results?: Array<{ status: string }> };
      const accepted = answer.results?.filter((r) => r.status === 'accepted').length ?? 0;
      if (res.status !== 200 || accepted !== BATCH) {
        throw new Error(`sync answered ${res.status}, ${accepted} accepted: ${JSON.stringify(answer).slice(0, 300)}`);
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: devices }, device));
  return (performance.now() - start) / 1000;
}

async function childSide(dir: string): Promise<Side> {
  const dataDir = join(dir, 'child');
  // The bench is a flood from one address on purpose: its own explicit option turns the limits off.
  const args = [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, ...BENCH_NO_RATE_LIMITS];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /listening on http:\/\/\S+:(\d+) /.exec(out);
      if (m) resolvePort(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
  });
  const url = `http://127.0.0.1:${port}/api/v1/sync`;
  return {
    store: (items, deviceId) => sendAll(url, bodies(items, deviceId), DEVICES),
    count: () => Promise.resolve(countRows(sqlitePath(dataDir))),
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function inProcessSide(dir: string): Promise<Side> {
  const store = await openStore({ dataDir: join(dir, 'in-process') });
  const app = createApp({ store, role: 'node', version: 'bench', webRoot: join(dir, 'no-web'), rateLimits: NO_RATE_LIMITS });
  const server = await listen(app, { port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${server.port}/api/v1/sync`;
  return {
    store: (items, deviceId) => sendAll(url, bodies(items, deviceId), 1),
    count: async () => (await store.counts()).total,
    async close() {
      await server.close();
      await store.close();
    },
  };
}

/** Row size as stored: the sum of the column values' UTF-8 bytes. */
function bytesPerRow(items: readonly ContributionInput[]): number {
  const rows = items.map((item) => toRow(Contribution.parse(item), uuidv4(), new Date().toISOString()));
  const bytes = rows.reduce((n, r) => n + COLUMNS.reduce((m, c) => m + Buffer.byteLength(String(r[c])), 0), 0);
  return bytes / rows.length;
}

interface Results {
  raw: number[];
  api: number[];
  inProcess: number[];
  bytesPerRow: number;
}

function report({ raw, api, inProcess, bytesPerRow }: Results): { section: string; pass: boolean } {
  const ratio = median(api) / median(raw);
  const pass = ratio >= TARGET_RATIO;
  const cpu = cpus();
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  const section = [
    '<!-- bench:ingest:start -->',
    '## Ingest: POST /api/v1/sync vs raw better-sqlite3',
    '',
    'Written by `npm run bench` (test/bench/ingest.bench.ts, which describes the method). Both sides',
    `store the same kind of generated idioms (~${Math.round(bytesPerRow)} bytes per row) in the same table`,
    `(migration 0001) with the same pragmas (WAL, synchronous=FULL), ${BATCH} rows per transaction.`,
    'Raw: one prepared INSERT per row, rows prepared beforehand. API: the real `vernacular serve`',
    `child process on loopback; batches of ${BATCH} POSTed through fetch with keep-alive by ${DEVICES}`,
    'simulated devices. API in-process (for information): the same app inside the benchmark process,',
    'decoding inline, one device, client and server sharing one thread. One database per side for',
    `the whole run after a ${fmt(WARM_UP_ROWS)}-row warm-up; medians of ${ROUNDS} alternating rounds.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| date | ${new Date().toISOString().slice(0, 10)} |`,
    `| machine | ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'} |`,
    `| node | ${process.version} |`,
    `| rows | ${fmt(ROWS_PER_ROUND)} per round per side |`,
    `| raw better-sqlite3 | ${fmt(median(raw))} contributions/s (rounds: ${raw.map(fmt).join(', ')}) |`,
    `| API | ${fmt(median(api))} contributions/s (rounds: ${api.map(fmt).join(', ')}) |`,
    `| API in-process | ${fmt(median(inProcess))} contributions/s (${pct(median(inProcess) / median(raw))} of raw) |`,
    `| ratio API / raw | ${pct(ratio)} (median of the per-round ratios: ${pct(median(api.map((a, i) => a / raw[i]!)))}) |`,
    `| target: API ≥ ${pct(TARGET_RATIO)} of raw | ${pass ? '**pass**' : '**FAIL**'} |`,
    '<!-- bench:ingest:end -->',
  ].join('\n');
  return { section, pass };
}

function writeReport(section: string): string {
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nSide-by-side measurements. The sections between `bench:` markers are rewritten by the\nbenchmark that owns them on every run; the notes after them are written by hand.\n';
  const pattern = /<!-- bench:ingest:start -->[\s\S]*?<!-- bench:ingest:end -->/;
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  return file;
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'server', 'federation', 'cli', 'main.js'))) {
    throw new Error('Build the server first: npm run build:server');
  }
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-bench-'));
  const sides: Record<'raw' | 'api' | 'inProcess', Side> = {
    raw: await rawSide(dir),
    api: await childSide(dir),
    inProcess: await inProcessSide(dir),
  };
  const results: Results = { raw: [], api: [], inProcess: [], bytesPerRow: bytesPerRow(generate(1000)) };
  try {
    for (const side of Object.values(sides)) await side.store(generate(WARM_UP_ROWS), uuidv4());
    for (let round = 1; round <= ROUNDS; round++) {
      const line: string[] = [];
      for (const name of ['raw', 'api', 'inProcess'] as const) {
        const seconds = await sides[name].store(generate(ROWS_PER_ROUND), uuidv4());
        results[name].push(ROWS_PER_ROUND / seconds);
        line.push(`${name} ${Math.round(ROWS_PER_ROUND / seconds)}/s`);
      }
      const ratio = (results.api.at(-1)! / results.raw.at(-1)!) * 100;
      console.log(`round ${round}/${ROUNDS}: ${line.join(', ')} (api/raw ${ratio.toFixed(1)}%)`);
    }
    const expected = WARM_UP_ROWS + ROUNDS * ROWS_PER_ROUND;
    for (const [name, side] of Object.entries(sides)) {
      const stored = await side.count();
      if (stored !== expected) throw new Error(`${name} holds ${stored} rows, expected ${expected}`);
    }
  } finally {
    for (const side of Object.values(sides)) await side.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const { section, pass } = report(results);
  const file = writeReport(section);
  console.log(`\n${section}\n\nWritten to ${file}`);
  if (!pass) process.exitCode = 1;
}

await main();
