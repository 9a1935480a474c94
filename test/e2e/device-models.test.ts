/**
 * Models on this device, as a contributor meets them in the real built app on a real node with the
 * committed tiny model: asked first before a download on a metered / save-data connection (both in
 * Settings and in the rewrite drafter), the cached models with their size, the storage estimate and
 * Remove (after which an offline load fails with a sentence, not a hang), the device override
 * (WebAssembly / WebGPU on SwiftShader), the visible WebGPU→WASM fallback when WebGPU fails at load
 * (still the Node reference's greedy text), and Stop during a long draft.
 *
 * The Network Information API is overridden in the page by an init script; WebGPU failing at load is
 * made by serving the built model worker with `GPUAdapter.prototype.requestDevice` rejecting
 * (service workers blocked so that the route sees the worker's script).
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch, phoneContext } from './browser.ts';
import { acceptConsent, chooseLanguage } from './app.ts';
import { axe, createCampaign, joinCampaign } from './steps.ts';
import { runCli, startServer, type RunningServer } from '../support/server.ts';
import { REFERENCE_PROMPT, TINY_MODEL_ID } from '../support/model/reference.ts';
import { nodeGreedyText } from '../support/model/greedy.ts';
import { cleanGeneratedText } from '../../federation/protocol/text.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/models', TINY_MODEL_ID);
/** A question whose greedy answer from the tiny model is among its longest (about 110 characters). */
const STORY = 'Tell me a long story';
const DRAFT_AGAIN = 'Make a new draft';
const WEBGPU = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/** Makes this page's `navigator.connection` say: saving data, cellular, 3G. */
const METERED = () => {
  Object.defineProperty(Navigator.prototype, 'connection', {
    configurable: true,
    get: () => ({ saveData: true, type: 'cellular', effectiveType: '3g', addEventListener() {}, removeEventListener() {} }),
  });
};

/** Serves the built model worker with `prefix` run first in it (test-only changes to its platform). */
async function patchWorker(context: BrowserContext, prefix: string): Promise<void> {
  const assets = await readdir(join(ROOT, 'dist/web/assets'));
  const workerFile = assets.find((f) => /^model\.worker-[\w-]+\.js$/.test(f));
  expect(workerFile, 'dist/web has no model worker bundle: run `npm run build:web`').toBeDefined();
  await context.route(`${server.url}/assets/${workerFile}`, async (route) => {
    const original = await route.fetch();
    await route.fulfill({ response: original, body: prefix + (await original.text()) });
  });
}

/** WebGPU that gives an adapter but cannot make a device: a load on WebGPU fails. */
const BREAK_WEBGPU =
  "if (typeof GPUAdapter !== 'undefined') GPUAdapter.prototype.requestDevice = function () { return Promise.reject(new Error('test: this GPU cannot make a device')); };\n";

/**
 * Phone speed for the tiny model: the worker yields one message-channel task before each decoding
 * step (worker/model.ts); delaying those messages by 60 ms makes a draft take seconds, long enough
 * for a person (or a test) to press Stop in the middle of it.
 */
const SLOW_STEPS =
  '{ const post = MessagePort.prototype.postMessage; MessagePort.prototype.postMessage = function (...args) { setTimeout(() => post.apply(this, args), 60); }; }\n';

let server: RunningServer;
const browsers: Browser[] = [];

beforeAll(async () => {
  server = await startServer();
  const imported = await runCli(['models', 'import', FIXTURE, '--id', TINY_MODEL_ID, '--data', server.dataDir]);
  expect(imported.code, imported.stderr).toBe(0);
});

afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

async function open(flags: string[] = [], init?: (context: BrowserContext) => Promise<unknown>): Promise<{ context: BrowserContext; page: Page; modelRequests: () => string[] }> {
  const browser = await launch(flags);
  browsers.push(browser);
  // Service workers blocked: the routes below and `setOffline` then see every request of the model worker.
  const context = await phoneContext(browser, { serviceWorkers: 'block' });
  await init?.(context);
  const requests: string[] = [];
  context.on('request', (r) => requests.push(new URL(r.url()).pathname));
  const page = await context.newPage();
  await page.goto(server.url);
  await acceptConsent(page);
  return { context, page, modelRequests: () => requests.filter((p) => p.startsWith('/models/')) };
}

const settings = async (page: Page) => {
  await page.goto(`${server.url}/#/settings`);
  await page.locator('[data-testid="device-models"] li[data-model="tiny-llama"]').waitFor();
};

const ready = (page: Page) => page.getByTestId('model-ready');

describe('Models on this device, on a metered connection', () => {
  it('asks before downloading, lists the cached model with its size, removes it, and then an offline load fails with a sentence', async () => {
    const { context, page, modelRequests } = await open([], (c) => c.addInitScript(METERED));
    await settings(page);
    expect(await page.getByTestId('cached-none').textContent()).toBe('No model is downloaded to this device.');
    // No adapter without the WebGPU flags: that choice is disabled, and the page says why.
    expect(await page.getByLabel('Graphics processor (WebGPU)').isDisabled()).toBe(true);
    await page.getByText('This browser offers no graphics processor to web pages').waitFor();

    // Declined: nothing is downloaded.
    await page.getByRole('button', { name: 'Download tiny-llama' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const question = (await dialog.textContent()) ?? '';
    expect(question).toContain('This phone is on a metered or slow connection');
    expect(question).toContain(TINY_MODEL_ID);
    expect(question).toMatch(/\(\d[\d.]* (kB|MB|byte)/);
    expect(question).toContain(new URL(server.url).origin);
    expect(await axe(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('models-notice').textContent()).toContain('Not downloaded');
    expect(modelRequests()).toEqual([]);

    // Confirmed: downloaded, then listed with its revision, dtype and a non-zero size.
    await page.getByRole('button', { name: 'Download tiny-llama' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Download now' }).click();
    await ready(page).waitFor({ timeout: 60_000 });
    expect(modelRequests().length).toBeGreaterThan(0);
    const cached = page.locator('[data-testid="cached-models"] li[data-model="tiny-llama"]');
    await cached.waitFor();
    const manifest = (await (await fetch(`${server.url}/api/v1/models`)).json()) as { models: { id: string; revision: string; size: number }[] };
    const entry = manifest.models.find((m) => m.id === TINY_MODEL_ID)!;
    expect(await cached.getAttribute('data-revision')).toBe(entry.revision);
    const size = Number(await cached.getAttribute('data-size'));
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(entry.size);
    expect(await cached.textContent()).toContain('fp32');
    expect(await page.locator('li[data-model="tiny-llama"][data-cached]').first().getAttribute('data-cached')).toBe('true');
    const estimate = page.getByTestId('models-estimate');
    await estimate.waitFor();
    expect(await estimate.textContent()).toMatch(/This app uses .+ of about .+ on this device\./);
    const usageBefore = Number(await estimate.getAttribute('data-usage'));
    expect(await axe(page)).toEqual([]);

    // Cached: loading it again needs no question.
    await page.getByRole('button', { name: 'Download tiny-llama' }).click();
    await ready(page).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('dialog').isVisible()).toBe(false);

    // Removed: gone from the list and from the cache, shown as not downloaded.
    await page.getByRole('button', { name: 'Remove tiny-llama' }).click();
    await page.getByTestId('cached-none').waitFor();
    expect(await page.getByTestId('models-notice').textContent()).toBe('tiny-llama was removed from this device.');
    expect(await ready(page).count()).toBe(0);
    expect(await page.locator('[data-testid="device-models"] li[data-model="tiny-llama"]').getAttribute('data-cached')).toBe('false');
    expect(await page.evaluate(async () => (await (await caches.open('transformers-cache')).keys()).filter((r) => r.url.includes('/models/')).length)).toBe(0);
    // The estimate is read again after the removal. Chromium lowers its Cache Storage figure lazily
    // (not within seconds while the worker holds the cache open), so only "not more" is asserted.
    await estimate.waitFor();
    expect(Number(await estimate.getAttribute('data-usage'))).toBeLessThanOrEqual(usageBefore);

    // Offline now: asked again (no longer cached), and the load fails promptly with a sentence.
    await context.setOffline(true);
    try {
      await page.getByRole('button', { name: 'Download tiny-llama' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Download now' }).click();
      const started = Date.now();
      await expect
        .poll(() => page.getByTestId('model-error').textContent(), { timeout: 15_000 })
        .toBe('The model could not be downloaded. Check your connection and try again.');
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(await ready(page).count()).toBe(0);
      await page.getByRole('button', { name: 'Download tiny-llama' }).waitFor();
    } finally {
      await context.setOffline(false);
    }
  });
});

describe('the device a model runs on', () => {
  it('loads on WebAssembly when that is chosen in a WebGPU-capable browser, and on WebGPU when that is chosen; the choice is kept', async () => {
    const { page } = await open(WEBGPU);
    await settings(page);
    await expect.poll(() => page.getByTestId('device-probe').getAttribute('data-preferred'), { timeout: 30_000 }).toBe('webgpu');
    expect(await page.getByLabel('Automatic (the best this device has)').isChecked()).toBe(true);

    await page.getByLabel('Processor (WebAssembly)').check();
    await page.getByRole('button', { name: 'Download tiny-llama' }).click();
    await ready(page).waitFor({ timeout: 60_000 });
    expect(await ready(page).getAttribute('data-device')).toBe('wasm');

    await page.getByLabel('Graphics processor (WebGPU)').check();
    await page.getByRole('button', { name: 'Download tiny-llama' }).click();
    await expect.poll(() => ready(page).getAttribute('data-device'), { timeout: 120_000 }).toBe('webgpu');
    expect(await page.getByText('The graphics processor could not run this model').count()).toBe(0);
    expect(await axe(page)).toEqual([]);

    await page.reload();
    await page.getByLabel('Graphics processor (WebGPU)').waitFor();
    await expect.poll(() => page.getByLabel('Graphics processor (WebGPU)').isChecked()).toBe(true);
  });

  it('falls back to WebAssembly, visibly, when WebGPU fails at load, and still answers with the Node reference’s greedy text', async () => {
    const { page } = await open(WEBGPU, (context) => patchWorker(context, BREAK_WEBGPU));
    await settings(page);
    await expect.poll(() => page.getByTestId('device-probe').getAttribute('data-preferred'), { timeout: 30_000 }).toBe('webgpu');
    await page.getByLabel('Graphics processor (WebGPU)').check();
    await page.getByRole('button', { name: 'Download tiny-llama' }).click();
    await ready(page).waitFor({ timeout: 120_000 });
    expect(await ready(page).getAttribute('data-device')).toBe('wasm');
    expect(await page.getByText('The graphics processor could not run this model, so it runs on the processor instead.').isVisible()).toBe(true);

    const content = REFERENCE_PROMPT[0]!.content;
    await page.getByLabel('Try it: ask the model something').fill(content);
    await page.getByRole('button', { name: 'Try it', exact: true }).click();
    const answer = page.getByTestId('model-answer');
    await expect.poll(() => answer.getAttribute('data-done'), { timeout: 60_000 }).toBe('false');
    await expect.poll(() => answer.getAttribute('data-done'), { timeout: 60_000 }).toBe('true');
    const expected = await nodeGreedyText(content, 128);
    expect(expected.length).toBeGreaterThan(0);
    expect(await answer.textContent()).toBe(expected);
    expect(await page.getByTestId('model-error').textContent()).toBe('');
  });
});

describe('drafting on a metered connection, and Stop', () => {
  it('asks before the drafter downloads the model, then Stop ends a long draft promptly, keeps its text and offers Draft again', async () => {
    const code = await createCampaign(server, 'long-drafts', ['rewrite'], ['sw'], ['--draft-model', TINY_MODEL_ID, '--draft-max-tokens', '1024']);
    const { page, modelRequests } = await open([], async (c) => {
      await c.addInitScript(METERED);
      await patchWorker(c, SLOW_STEPS);
    });
    await chooseLanguage(page, 'sw');
    await joinCampaign(page, code);
    await page.getByTestId('model-draft-model').waitFor();

    await page.getByLabel('Question or request for the model').fill(STORY);
    const draftButton = page.getByRole('button', { name: 'Draft with the model on this device' });
    await draftButton.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(TINY_MODEL_ID);
    expect(modelRequests()).toEqual([]);
    await dialog.getByRole('button', { name: 'Download now' }).click();

    // Stop a second and a half into the draft (some tokens made, far from the end).
    const text = page.getByTestId('model-draft-text');
    const stop = page.getByRole('button', { name: 'Stop' });
    await expect.poll(() => stop.isEnabled(), { timeout: 60_000 }).toBe(true);
    expect(await text.getAttribute('data-done')).toBe('false');
    await page.waitForTimeout(1500);
    await stop.click();
    const stoppedAt = Date.now();
    // The drafter hands the partial draft on to the rewrite form (it stays), and offers to draft again.
    await page.getByTestId('context-draft').waitFor({ timeout: 10_000 });
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    await page.getByRole('button', { name: DRAFT_AGAIN }).waitFor();
    const partial = (await page.getByTestId('context-draft').locator('.context-text').textContent()) ?? '';
    expect(partial.length).toBeGreaterThan(0);
    // Greedy: the partial draft is the start of the full 1024-token answer (the last characters may be a cut UTF-8 sequence).
    const full = cleanGeneratedText(await nodeGreedyText(STORY, 1024));
    expect(partial.length).toBeLessThan(full.length);
    expect(full.startsWith(partial.slice(0, -2))).toBe(true);
    expect(await axe(page)).toEqual([]);
  });
});
