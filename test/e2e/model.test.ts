/**
 * The on-device model in real Chromium, from a real node: the built model worker (the same
 * bundle the app starts, served by the node) loads the committed tiny model that
 * `vernacular models import` put on the node and greedy-generates, on WASM and on WebGPU
 * (SwiftShader), giving exactly the tokens onnxruntime-node gives (test/support/model/reference.ts).
 * Every request of the page and of the worker goes to the node's origin; a model whose file is
 * corrupt on the node fails with `model_broken` instead of hanging.
 *
 * The first block drives the worker through its RPC wire protocol from a small test-only page that
 * the test serves at the node's origin with `page.route` (to reach WebGPU, fallback-free loads and
 * error codes directly); service workers are blocked there so that the route reaches the page.
 * The second block goes through the app's real "Models on this device" section in Settings.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ModelsResponse } from '../../federation/protocol/index.ts';
import { launch, phoneContext, useSession } from './browser.ts';
import { acceptConsent } from './app.ts';
import { axe } from './steps.ts';
import { runCli, startServer, type RunningServer } from '../support/server.ts';
import { REFERENCE_GREEDY_TOKENS, REFERENCE_PROMPT, TINY_MODEL_ID } from '../support/model/reference.ts';
import { nodeGreedyText } from '../support/model/greedy.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/models', TINY_MODEL_ID);
const BROKEN_ID = 'tiny-llama-broken';
const TEST_PAGE = '/__test__/model-worker.html';

interface Reply {
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
  events: { type: string; [k: string]: unknown }[];
}

/** A page that starts the built model worker and exposes its RPC as `window.call`. */
function testPage(workerUrl: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>model worker</title><script>
const worker = new Worker(${JSON.stringify(workerUrl)}, { name: 'model', type: 'module' });
let next = 0;
const pending = new Map();
worker.addEventListener('message', (e) => {
  const m = e.data;
  const p = pending.get(m && m.id);
  if (!p) return;
  if ('event' in m) { p.events.push(m.event); p.onEvent?.(m.event); return; }
  pending.delete(m.id);
  p.resolve({ ok: m.ok, result: m.result, error: m.error, events: p.events });
});
window.call = (method, params) => new Promise((resolve) => {
  const id = next++;
  pending.set(id, { resolve, events: [] });
  worker.postMessage({ id, method, params });
});
// Starts a generation and asks the worker to interrupt it once \`after\` tokens have streamed.
window.generateThenInterrupt = (params, after) => new Promise((resolve) => {
  const id = next++;
  let seen = 0;
  const onEvent = (event) => {
    if (event.type !== 'token' || ++seen !== after) return;
    const stop = next++;
    pending.set(stop, { resolve: () => {}, events: [] });
    worker.postMessage({ id: stop, method: 'interrupt', params: {} });
  };
  pending.set(id, { resolve, events: [], onEvent });
  worker.postMessage({ id, method: 'generate', params });
});
</script></html>`;
}

async function builtWorkerUrl(): Promise<string> {
  const assets = await readdir(join(ROOT, 'dist/web/assets'));
  const file = assets.find((f) => /^model\.worker-[\w-]+\.js$/.test(f));
  if (!file) throw new Error('dist/web has no model worker bundle: run `npm run build:web`');
  return `/assets/${file}`;
}

const call = (page: Page, method: string, params: unknown): Promise<Reply> =>
  page.evaluate(([m, p]) => (window as unknown as { call(m: string, p: unknown): Promise<Reply> }).call(m, p), [method, params] as const);

describe('the model worker runs the node’s model in the browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    for (const id of [TINY_MODEL_ID, BROKEN_ID]) {
      const imported = await runCli(['models', 'import', FIXTURE, '--id', id, '--data', server.dataDir]);
      expect(imported.code, imported.stderr).toBe(0);
    }
    // Corrupt the broken model's graph on the node's disk (same size, garbage bytes), as a bad
    // disk or an interrupted copy would: the manifest still lists it, but it cannot load.
    const manifest = (await (await fetch(`${server.url}/api/v1/models`)).json()) as ModelsResponse;
    const broken = manifest.models.find((m) => m.id === BROKEN_ID)!;
    const graph = broken.files.find((f) => f.path === 'onnx/model.onnx')!;
    await writeFile(join(server.dataDir, 'models', BROKEN_ID, broken.revision, 'onnx', 'model.onnx'), Buffer.alloc(graph.size, 0xa7));

    const workerUrl = await builtWorkerUrl();
    browser = await launch(['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']);
    context = await phoneContext(browser, { serviceWorkers: 'block' });
    context.on('request', (r) => requests.push(r.url()));
    await context.route(`${server.url}${TEST_PAGE}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: testPage(workerUrl) }),
    );
    page = await context.newPage();
    await page.goto(`${server.url}${TEST_PAGE}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads on WASM with download progress, and greedy-generates the same tokens as onnxruntime-node', async () => {
    const loaded = await call(page, 'load', { model: TINY_MODEL_ID, device: 'wasm' });
    expect(loaded.error).toBeUndefined();
    expect(loaded.result).toMatchObject({ model: TINY_MODEL_ID, device: 'wasm', dtype: 'fp32' });
    const progress = loaded.events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ loaded: loaded.result!.size, total: loaded.result!.size });

    const out = await call(page, 'generate', { messages: REFERENCE_PROMPT, max_new_tokens: REFERENCE_GREEDY_TOKENS.length });
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ tokens: REFERENCE_GREEDY_TOKENS, device: 'wasm', finish: 'length' });
    const streamed = out.events.filter((e) => e.type === 'token').flatMap((e) => e.ids as number[]);
    expect(streamed).toEqual(REFERENCE_GREEDY_TOKENS);
    const text = out.events.filter((e) => e.type === 'text').map((e) => e.text).join('');
    expect(text).toBe(out.result!.text);
  });

  it('loads on WebGPU (SwiftShader) without fp16, and greedy-generates the same tokens', async () => {
    const probe = await call(page, 'probe', {});
    expect(probe.result).toMatchObject({ preferred: 'webgpu', webgpu: { shaderF16: false } });
    expect((await call(page, 'unload', {})).result).toEqual({ unloaded: true });

    const loaded = await call(page, 'load', { model: TINY_MODEL_ID, device: 'auto' });
    expect(loaded.error).toBeUndefined();
    expect(loaded.result).toMatchObject({ device: 'webgpu', dtype: 'fp32' });
    expect(loaded.result).not.toHaveProperty('fallback');
    const out = await call(page, 'generate', { messages: REFERENCE_PROMPT, max_new_tokens: REFERENCE_GREEDY_TOKENS.length });
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ tokens: REFERENCE_GREEDY_TOKENS, device: 'webgpu' });
  });

  it('stops a running generation on interrupt, keeping the greedy tokens made so far', async () => {
    const maxNewTokens = 200;
    expect((await call(page, 'load', { model: TINY_MODEL_ID, device: 'wasm' })).error).toBeUndefined();
    const out = await page.evaluate(
      ([params, after]) =>
        (window as unknown as { generateThenInterrupt(p: unknown, n: number): Promise<Reply> }).generateThenInterrupt(params, after),
      [{ messages: REFERENCE_PROMPT, max_new_tokens: maxNewTokens }, 3] as const,
    );
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ finish: 'interrupted' });
    const tokens = out.result!.tokens as number[];
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    expect(tokens.length).toBeLessThan(maxNewTokens);
    expect(tokens.slice(0, REFERENCE_GREEDY_TOKENS.length)).toEqual(REFERENCE_GREEDY_TOKENS.slice(0, tokens.length));
  });

  it('loads the downloaded model again while offline, from the device’s caches, and generates the same tokens', async () => {
    expect((await call(page, 'unload', {})).error).toBeUndefined();
    const failed: string[] = [];
    const onFailed = (r: { url(): string }) => failed.push(new URL(r.url()).pathname);
    context.on('requestfailed', onFailed);
    await context.setOffline(true);
    try {
      expect(await page.evaluate(() => fetch('/api/v1/models', { cache: 'no-store' }).then(() => 'online', () => 'offline'))).toBe('offline');
      const loaded = await call(page, 'load', { model: TINY_MODEL_ID, device: 'wasm' });
      expect(loaded.error).toBeUndefined();
      const out = await call(page, 'generate', { messages: REFERENCE_PROMPT, max_new_tokens: REFERENCE_GREEDY_TOKENS.length });
      expect(out.result).toMatchObject({ tokens: REFERENCE_GREEDY_TOKENS });
      // The page's probe fetch and the worker's manifest fetch both failed: the load used the caches.
      expect(failed.filter((p) => p === '/api/v1/models').length).toBeGreaterThanOrEqual(2);
    } finally {
      await context.setOffline(false);
      context.off('requestfailed', onFailed);
    }
  });

  it('made every request of the page and the worker to the node’s own origin, model and runtime files included', () => {
    const origin = new URL(server.url).origin;
    const foreign = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
    expect(foreign).toEqual([]);
    const paths = requests.map((u) => new URL(u).pathname);
    expect(paths).toContain('/api/v1/models');
    expect(paths.some((p) => p.startsWith(`/models/${TINY_MODEL_ID}/resolve/`) && p.endsWith('/onnx/model.onnx'))).toBe(true);
    expect(paths.some((p) => /^\/ort\/[^/]+\/ort-wasm[^/]*\.wasm$/.test(p))).toBe(true);
  });

  it('answers model_broken, promptly, for a model whose graph is corrupt on the node', async () => {
    const started = Date.now();
    const reply = await call(page, 'load', { model: BROKEN_ID, device: 'wasm' });
    expect(reply.ok).toBe(false);
    expect(reply.error?.code).toBe('model_broken');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('answers model_not_found for a model the node does not have, and not_loaded for generate after a failed load', async () => {
    expect((await call(page, 'load', { model: 'no-such-model', device: 'wasm' })).error?.code).toBe('model_not_found');
    expect((await call(page, 'generate', { prompt: 'Habari' })).error?.code).toBe('not_loaded');
  });
});

describe('Models on this device, in Settings', () => {
  const s = useSession();

  it('shows the model’s size and origin before any download, then downloads it and streams the same greedy answer as Node', async () => {
    const imported = await runCli(['models', 'import', FIXTURE, '--id', TINY_MODEL_ID, '--data', s.server.dataDir]);
    expect(imported.code, imported.stderr).toBe(0);
    const requests: string[] = [];
    s.context.on('request', (r) => requests.push(r.url()));
    const page = s.page;
    await page.goto(s.server.url);
    await acceptConsent(page);
    await page.goto(`${s.server.url}/#/settings`);

    const entry = page.locator('[data-testid="device-models"] li[data-model="tiny-llama"]');
    await entry.waitFor();
    const manifest = (await (await fetch(`${s.server.url}/api/v1/models`)).json()) as ModelsResponse;
    expect(await entry.textContent()).toContain(`Comes from: ${new URL(s.server.url).origin}`);
    expect(await entry.textContent()).toMatch(/Download size: \d/);
    expect(manifest.models[0]!.size).toBeGreaterThan(0);
    expect(requests.filter((u) => new URL(u).pathname.startsWith('/models/'))).toEqual([]);

    await page.getByRole('button', { name: 'Download tiny-llama' }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('model-ready').getAttribute('data-device')).toBe('wasm');

    const content = REFERENCE_PROMPT[0]!.content;
    await page.getByLabel('Try it: ask the model something').fill(content);
    await page.getByRole('button', { name: 'Try it', exact: true }).click();
    const answer = page.getByTestId('model-answer');
    await expect.poll(() => answer.getAttribute('data-done'), { timeout: 60_000 }).toBe('false');
    await expect.poll(() => answer.getAttribute('data-done'), { timeout: 60_000 }).toBe('true');
    // The Node reference for what the "Try it" box generates: greedy, 128 new tokens, on onnxruntime-node.
    const expected = await nodeGreedyText(content, 128);
    expect(expected.length).toBeGreaterThan(0);
    expect(await answer.textContent()).toBe(expected);
    expect(await page.getByTestId('model-error').textContent()).toBe('');
    expect(await axe(page)).toEqual([]);

    const origin = new URL(s.server.url).origin;
    expect(requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin)).toEqual([]);
  });
});
