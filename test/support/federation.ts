/**
 * Test support for federation: a hub and nodes as real processes on loopback, devices sending to
 * them over HTTP, and ways to look at what each one holds.
 */
import { v4 as uuidv4 } from 'uuid';
import { join } from 'node:path';
import { PROTOCOL_VERSION, type ContributionInput, type SyncResponse } from '../../federation/protocol/index.ts';
import { openStore, type Store } from '../../federation/store/index.ts';
import { runCli, startServer, tempDir, type RunningServer, type StartServerOptions } from './server.ts';

/** The compiled clock-skew module (`npm run build:server` makes it), for `node --import`. */
export const CLOCK_SKEW_MODULE = join(import.meta.dirname, '../../dist/server/test/support/clock-skew.js');

export interface Hub extends RunningServer {
  /** The hub's database (a PostgreSQL URL, or undefined for SQLite in its data folder). */
  readonly database: string | undefined;
  /** Runs `vernacular hub …` against this hub's store. */
  cli(args: string[]): ReturnType<typeof runCli>;
  token(name: string): Promise<string>;
}

function storeArgs(dataDir: string, database: string | undefined): string[] {
  return ['--data', dataDir, ...(database !== undefined ? ['--database', database] : [])];
}

export async function startHub(options: { database?: string; args?: string[] } = {}): Promise<Hub> {
  const dataDir = await tempDir('hub');
  const server = await startServer({
    role: 'hub',
    dataDir,
    args: [...(options.database !== undefined ? ['--database', options.database] : []), ...(options.args ?? [])],
  });
  const cli = (args: string[]) => runCli([...args, ...storeArgs(dataDir, options.database)]);
  return Object.assign(Object.create(server) as RunningServer, {
    database: options.database,
    cli,
    async token(name: string) {
      const r = await cli(['hub', 'token', 'create', '--name', name]);
      if (r.code !== 0) throw new Error(`hub token create failed: ${r.stderr}`);
      return r.stdout.trim();
    },
  }) as Hub;
}

export interface NodeOptions extends Omit<StartServerOptions, 'role' | 'dataDir'> {
  /** Seconds between syncs (default 0.2). */
  every?: number;
  batch?: number;
  /** Clock skew of the node's process, ms. */
  skewMs?: number;
}

export interface FedNode extends RunningServer {
  cli(args: string[]): ReturnType<typeof runCli>;
}

/** Enrols a fresh node with the hub (a token from it), then starts it federating. */
export async function startNode(hub: Hub, name: string, options: NodeOptions = {}): Promise<FedNode> {
  const dataDir = await tempDir('node');
  const token = await hub.token(name);
  const enrol = await runCli(['node', 'enroll', '--hub', hub.url, '--token', token, '--data', dataDir]);
  if (enrol.code !== 0) throw new Error(`node enroll failed: ${enrol.stderr}`);
  const { every = 0.2, batch, skewMs, ...rest } = options;
  const server = await startServer({
    ...rest,
    dataDir,
    args: ['--federate-every', String(every), ...(batch !== undefined ? ['--federate-batch', String(batch)] : []), ...(rest.args ?? [])],
    ...(skewMs !== undefined
      ? { nodeArgs: ['--import', CLOCK_SKEW_MODULE], env: { ...rest.env, VERNACULAR_CLOCK_SKEW_MS: String(skewMs) } }
      : {}),
  });
  return Object.assign(Object.create(server) as RunningServer, {
    cli: (args: string[]) => runCli([...args, '--data', dataDir]),
  }) as FedNode;
}

/** A device sending a batch to a server's sync endpoint; answers the statuses. */
export async function send(server: { url: string }, items: readonly ContributionInput[], deviceId = uuidv4()): Promise<SyncResponse> {
  const response = await fetch(`${server.url}/api/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: deviceId }, contributions: items }),
  });
  if (!response.ok) throw new Error(`sync answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SyncResponse;
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface HeldRecord {
  id: string;
  kind: string;
  origin: string | null;
  contentHash: string;
  status: string;
}

/** What a store holds, read through the store itself (opened alongside the running server). */
export async function held(where: { dataDir: string; database?: string | undefined }): Promise<Map<string, HeldRecord>> {
  const store: Store = await openStore({ dataDir: where.dataDir, ...(where.database !== undefined ? { database: where.database } : {}), mustExist: true });
  try {
    const out = new Map<string, HeldRecord>();
    for await (const s of store.contributions()) {
      if (out.has(s.contribution.id)) throw new Error(`${s.contribution.id} is held twice`);
      out.set(s.contribution.id, { id: s.contribution.id, kind: s.contribution.kind, origin: s.origin, contentHash: s.contentHash, status: s.status });
    }
    return out;
  } finally {
    await store.close();
  }
}
