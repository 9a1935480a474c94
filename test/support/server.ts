/**
 * Test support: the real `vernacular` program as a child process, over real HTTP, with a free port
 * and a temporary data folder. Needs the server build (`npm run build:server`; `npm test` runs it).
 *
 * `stop()` keeps the data folder so `restart()` brings the same node back on the same port, as a
 * librarian restarting a laptop would; folders this helper created are removed when the test
 * process exits (or at once with `dispose()`).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IdiomRecord } from '../../federation/dataset/index.ts';
import { packageRoot } from '../../federation/package.ts';

const ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, 'bin', 'vernacular.js');
const BUILT_CLI = join(ROOT, 'dist', 'server', 'federation', 'cli', 'main.js');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

// Test-process housekeeping: what to clean up if a test forgets or fails half-way.
const liveChildren = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
});

function assertBuilt(): void {
  if (!existsSync(BUILT_CLI)) {
    throw new Error(
      `The server is not built (${BUILT_CLI} is missing): run \`npm run build:server\` first (\`npm test\` does).`,
    );
  }
}

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `vernacular-${prefix}-`));
  ownedDirs.add(dir);
  return dir;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

export interface StartServerOptions {
  /** Existing data folder; a fresh temporary one by default. */
  dataDir?: string;
  /** Port to listen on; a free one by default. */
  port?: number;
  /** Built web app folder (default: the package's dist/web). */
  webRoot?: string;
  role?: 'node' | 'hub';
  /** More `serve` options, e.g. ['--federate-every', '0.2'] or ['--database', url]. */
  args?: string[];
  /** Options for Node itself, e.g. ['--import', clockSkewModule] (see clock-skew.ts). */
  nodeArgs?: string[];
  /** Extra environment variables for the process. */
  env?: Record<string, string>;
}

export interface RunningServer {
  /** e.g. http://localhost:41234 */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** SIGTERM, and wait for the graceful shutdown to finish. Data is kept. */
  stop(): Promise<void>;
  /** SIGKILL: a crash or power cut. Returns at once; `restart()` waits for the exit. */
  kill(): void;
  /** Sends the process a signal (SIGHUP: reload). */
  signal(name: NodeJS.Signals): void;
  /** Starts the server again on the same port with the same data folder. */
  restart(): Promise<void>;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
  /** Stops it and removes the data folder if this helper created it. */
  dispose(): Promise<void>;
}

const LISTENING = /listening on http:\/\/\S+:(\d+) /;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

interface SpawnExtras {
  nodeArgs?: string[] | undefined;
  env?: Record<string, string> | undefined;
}

async function spawnServer(args: string[], log: string[], extras: SpawnExtras = {}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...(extras.nodeArgs ?? []), BIN, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...extras.env },
  });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));

  const port = await new Promise<number>((resolvePort, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vernacular serve did not start within ${START_TIMEOUT_MS} ms:\n${log.join('')}`));
    }, START_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      log.push(chunk);
      stdout += chunk;
      const match = LISTENING.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`vernacular serve exited (${code ?? signal}) before listening:\n${log.join('')}`));
    });
  });
  const health = await fetch(`http://localhost:${port}/api/v1/health`);
  if (!health.ok) throw new Error(`Health check answered ${health.status}:\n${log.join('')}`);
  return { child, port };
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  assertBuilt();
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await tempDir('data'));
  const log: string[] = [];
  const extra = [
    ...(options.webRoot !== undefined ? ['--web', options.webRoot] : []),
    ...(options.role !== undefined ? ['--role', options.role] : []),
    ...(options.args ?? []),
  ];
  const extras: SpawnExtras = { nodeArgs: options.nodeArgs, env: options.env };
  let { child, port } = await spawnServer(['--port', String(options.port ?? 0), '--data', dataDir, ...extra], log, extras);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await done;
    clearTimeout(timer);
  };

  return {
    get url() {
      return `http://localhost:${port}`;
    },
    get port() {
      return port;
    },
    dataDir,
    stop,
    kill: () => {
      child.kill('SIGKILL');
    },
    signal: (name: NodeJS.Signals) => {
      child.kill(name);
    },
    async restart() {
      await stop();
      ({ child, port } = await spawnServer(['--port', String(port), '--data', dataDir, ...extra], log, extras));
    },
    output: () => log.join(''),
    async dispose() {
      await stop();
      if (ownDir) {
        await rm(dataDir, { recursive: true, force: true });
        ownedDirs.delete(dataDir);
      }
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `vernacular ARGS` to completion. */
export function runCli(args: string[]): Promise<CliResult> {
  assertBuilt();
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      done({ code, stdout, stderr });
    });
  });
}

export interface ExportOptions {
  /** Also export items not yet accepted by review (default true: what the node holds). */
  includePending?: boolean;
  /** The node's PostgreSQL URL, when it is not on SQLite. */
  database?: string;
}

/** The records of one configuration file (e.g. `preference/train.jsonl`), through the real `vernacular dataset build`. */
export async function exportConfig<T = Record<string, unknown>>(
  dataDir: string,
  file: string,
  options: ExportOptions = {},
): Promise<T[]> {
  const outDir = await tempDir('export');
  try {
    const flags = [...(options.includePending === false ? [] : ['--include-pending']), ...(options.database !== undefined ? ['--database', options.database] : [])];
    const result = await runCli(['dataset', 'build', '--out', outDir, '--data', dataDir, ...flags]);
    if (result.code !== 0) {
      throw new Error(`vernacular dataset build failed (${result.code}):\n${result.stdout}${result.stderr}`);
    }
    const text = await readFile(join(outDir, file), 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as T);
  } finally {
    await rm(outDir, { recursive: true, force: true });
    ownedDirs.delete(outDir);
  }
}

/** The idioms a node holds (pending ones too unless told otherwise), through the real `vernacular dataset build`. */
export function exportDataset(dataDir: string, options: ExportOptions = {}): Promise<IdiomRecord[]> {
  return exportConfig<IdiomRecord>(dataDir, 'idioms/train.jsonl', options);
}
