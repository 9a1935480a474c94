/**
 * A new version of the app reaches a phone that has it open: it is announced, never forced. The
 * page reloads only when the contributor presses "Update now"; "Later" keeps them where they are.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Request } from 'playwright-core';
import { startServer, tempDir, type RunningServer } from '../support/server.ts';
import { launch, phoneContext } from './browser.ts';
import { acceptConsent, chooseLanguage, waitForServiceWorker } from './app.ts';

describe('app updates', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let webRoot: string;

  /** Publishes "a new version": the service worker's bytes change, as after a rebuild. */
  async function publishNewVersion(tag: string) {
    const sw = join(webRoot, 'sw.js');
    await writeFile(sw, `${await readFile(sw, 'utf8')}\n// ${tag}\n`);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
  }

  /** Where the page's service workers stand, for a failure message. */
  const workerStates = () =>
    page
      .evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration();
        return {
          installing: reg?.installing?.state ?? null,
          waiting: reg?.waiting?.state ?? null,
          active: reg?.active?.state ?? null,
          controlled: !!navigator.serviceWorker.controller,
          marker: (window as unknown as { marker?: number }).marker ?? null,
        };
      })
      .then((states) => ({ ...states, unfinishedRequests: [...pending] }))
      .catch((error: Error) => ({ unreadable: error.message, unfinishedRequests: [...pending] }));
  /** Requests started and not yet finished (the page's and its service workers'), for a failure message. */
  const pending = new Set<string>();

  beforeAll(async () => {
    webRoot = await tempDir('web');
    await cp(join(process.cwd(), 'dist', 'web'), webRoot, { recursive: true });
    server = await startServer({ webRoot });
    browser = await launch();
    const context = await phoneContext(browser);
    const label = (r: Request) => `${r.method()} ${r.url()}${r.serviceWorker() ? ' (service worker)' : ''} ${r.resourceType()}`;
    context.on('request', (r) => pending.add(label(r)));
    context.on('requestfinished', (r) => pending.delete(label(r)));
    context.on('requestfailed', (r) => pending.delete(label(r)));
    page = await context.newPage();
    await page.goto(server.url);
    await waitForServiceWorker(page);
    await acceptConsent(page);
    await chooseLanguage(page, 'sw');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('announces a new version without reloading, and "Later" keeps what is being typed', async () => {
    await page.getByLabel('Expression').fill('half-typed');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await publishNewVersion('v2');
    await page.getByText('A new version of Vernacular is ready.').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    expect(await page.getByLabel('Expression').inputValue()).toBe('half-typed');
    await page.getByRole('button', { name: 'Later' }).click();
    expect(await page.getByText('A new version of Vernacular is ready.').count()).toBe(0);
    expect(await page.getByLabel('Expression').inputValue()).toBe('half-typed');
  });

  it('"Update now" activates the new version and reloads into it (or, where Chromium parks the activation, offers the reload that finishes it)', async () => {
    await page.reload();
    await page.getByText('A new version of Vernacular is ready.').waitFor({ timeout: 30_000 });
    const before = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.scriptURL);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 2));
    // The page reloads into the new version: a new document loads (the marker set above is gone
    // with the old page). Waiting for the load event, rather than polling the page, names a crash
    // or a closed page as what it is.
    const reloaded = page.waitForEvent('load', { timeout: 60_000 }).then(
      () => 'reloaded' as const,
      () => 'no reload' as const,
    );
    await page.getByRole('button', { name: 'Update now' }).click();
    await page.getByText('Updating Vernacular…').waitFor({ timeout: 5_000 }).catch(() => {}); // gone already if it reloaded at once
    // Chromium parks a new worker whose activation met a request from the page (a burst of
    // fetches around the click parks it for minutes) until the next navigation; the prompt then
    // offers a reload, which finishes the update.
    const reloadButton = page.getByRole('button', { name: 'Reload' });
    const outcome = await Promise.race([reloaded, reloadButton.waitFor({ timeout: 60_000 }).then(() => 'parked' as const, () => 'no reload' as const)]);
    if (outcome === 'parked') {
      console.warn(`"Update now": the activation was parked; the prompt offers a reload: ${JSON.stringify(await workerStates())}`);
      expect(await page.getByText('The new version is installed. Reload to finish updating').count()).toBe(1);
      const navigated = page.waitForEvent('load', { timeout: 30_000 });
      await reloadButton.click();
      await navigated;
    } else if (outcome === 'no reload') {
      throw new Error(`"Update now" neither reloaded nor offered a reload within 60 s: ${JSON.stringify(await workerStates())}`);
    }
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBeUndefined();
    const state = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { waiting: !!reg?.waiting, active: reg?.active?.state, controlled: !!navigator.serviceWorker.controller };
    });
    expect(before).toBeTruthy();
    expect(state).toEqual({ waiting: false, active: 'activated', controlled: true });
    expect(await page.getByText('A new version of Vernacular is ready.').count()).toBe(0);
  });

  it('offers a reload when the new version has not taken over within 10 s, and keeps offering the update after it', async () => {
    // A version whose worker never acts on SKIP_WAITING stands in for one Chromium has parked:
    // told to skip waiting, still waiting.
    const sw = join(webRoot, 'sw.js');
    await writeFile(sw, `${await readFile(sw, 'utf8')}\nself.skipWaiting = () => Promise.resolve();\n// v3\n`);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await page.getByText('A new version of Vernacular is ready.').waitFor({ timeout: 30_000 });
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 3));
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Update now' }).click();
    await page.getByText('Updating Vernacular…').waitFor({ timeout: 5_000 });
    await page.getByRole('button', { name: 'Reload' }).waitFor({ timeout: 30_000 });
    expect(Date.now() - clicked).toBeGreaterThanOrEqual(10_000);
    expect(await page.getByText('The new version is installed. Reload to finish updating').count()).toBe(1);
    const navigated = page.waitForEvent('load', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Reload' }).click();
    await navigated;
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBeUndefined();
    // This worker still waits (it never skips), so the new page announces it again.
    await page.getByText('A new version of Vernacular is ready.').waitFor({ timeout: 30_000 });
  });
});
