/** The `vernacular` command as users run it: a real process, its output and its exit status. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { PROTOCOL_VERSION, type SyncResponse } from '../protocol/index.ts';
import { packageRoot, packageVersion } from '../package.ts';
import { exportDataset, runCli, startServer, tempDir, type RunningServer } from '../../test/support/server.ts';
import { countStored } from '../../test/support/store.ts';
import { idioms } from '../../test/support/contributions.ts';

const BIN = join(packageRoot(), 'bin', 'vernacular.js');

describe('vernacular (usage)', () => {
  it('prints help and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('serve');
    expect(stdout).toContain('dataset build');
  });

  it('prints its version', async () => {
    expect((await runCli(['--version'])).stdout.trim()).toBe(packageVersion());
  });

  it('prints each command’s help', async () => {
    expect((await runCli(['serve', '--help'])).stdout).toContain('--port <n>');
    expect((await runCli(['dataset', 'build', '--help'])).stdout).toContain('--out <dir>');
  });

  it.each([
    [[], /Usage: vernacular <command>/],
    [['launch'], /unknown command "launch"/],
    [['serve', '--bogus'], /Unknown option '--bogus'[\s\S]*vernacular serve --help/],
    [['serve', '--port', 'eighty'], /--port must be a number/],
    [['serve', '--port', '70000'], /--port must be a number from 0 to 65535/],
    [['serve', '--role', 'king'], /--role must be one of node, hub/],
    [['serve', 'now'], /Unexpected argument 'now'/],
    [['dataset'], /Usage: vernacular dataset build/],
    [['dataset', 'publish'], /unknown dataset command "publish"/],
    [['dataset', 'build'], /--out <dir> is required/],
  ])('refuses %j with a clear message and exit status 2', async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('refuses to export from a folder that holds no node data, exit status 1', async () => {
    const empty = await tempDir('empty');
    const { code, stderr } = await runCli(['dataset', 'build', '--out', join(empty, 'out'), '--data', join(empty, 'nothing')]);
    expect(code).toBe(1);
    expect(stderr).toContain('no Vernacular data');
  });
});

describe('vernacular serve', () => {
  it('picks a free port for --port 0, says where it listens, reports its role, and stops cleanly on SIGTERM', async () => {
    const data = await tempDir('serve');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', data, '--role', 'hub'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    await expect.poll(() => out, { timeout: 15_000 }).toMatch(/listening on http:\/\/localhost:\d+ /);
    const port = Number(/localhost:(\d+)/.exec(out)![1]);
    expect(port).toBeGreaterThan(0);
    expect(out).toContain(`Vernacular hub listening on http://localhost:${port} (data: ${join(data, 'vernacular.sqlite')})`);
    const health = (await (await fetch(`http://localhost:${port}/api/v1/health`)).json()) as { role: string };
    expect(health.role).toBe('hub');
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toContain('stopped');
  });

  it('says the port is taken instead of crashing, exit status 1', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, done));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr } = await runCli(['serve', '--port', String(port), '--data', await tempDir('busy')]);
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('finishes a sync already in flight when told to stop, and stores it', async () => {
    const server = await startServer();
    const body = new TextEncoder().encode(
      JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: uuidv4() }, contributions: idioms(20) }),
    );
    const half = Math.floor(body.byteLength / 2);
    let sendRest!: () => void;
    const restSent = new Promise<void>((done) => (sendRest = done));
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(body.slice(0, half));
        await restSent;
        controller.enqueue(body.slice(half));
        controller.close();
      },
    });
    const answer = fetch(`${server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await new Promise((r) => setTimeout(r, 300)); // the request is now inside the server
    const stopped = server.stop();
    await new Promise((r) => setTimeout(r, 300)); // …which has been told to stop
    sendRest();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(((await res.json()) as SyncResponse).results.every((r) => r.status === 'accepted')).toBe(true);
    await stopped;
    expect(countStored(server.dataDir)).toBe(20);
    await server.dispose();
  });
});

describe('vernacular dataset build', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('exports what the running node holds, and prints the counts', async () => {
    const sent = idioms(3, { language: 'yo' });
    await fetch(`${server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: uuidv4() }, contributions: sent }),
    });
    const rows = await exportDataset(server.dataDir);
    expect(rows.map((r) => r.id)).toEqual(sent.map((s) => s.id));
    const out = await tempDir('out');
    const pending = await runCli(['dataset', 'build', '--out', out, '--data', server.dataDir]);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain('Wrote 0 items to');
    const { code, stdout } = await runCli(['dataset', 'build', '--out', out, '--data', server.dataDir, '--include-pending']);
    expect(code).toBe(0);
    expect(stdout).toContain('Wrote 3 items (yo 3) to');
    expect(stdout).toContain(': idioms 3, sft 3, preference 0, translation 0, norms 0, rules 0, eval 0');
  });

  it('keeps a restarted node’s data, on the same port', async () => {
    const before = server.port;
    server.kill();
    await server.restart();
    expect(server.port).toBe(before);
    expect(await exportDataset(server.dataDir)).toHaveLength(3);
  });
});
