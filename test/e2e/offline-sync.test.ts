/**
 * The spine, end to end, in real Chromium against the real built app served by a real
 * `vernacular serve` process: install, go offline, contribute, come back, arrive exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { exportDataset, startServer, type RunningServer } from '../support/server.ts';
import { launch, phoneContext } from './browser.ts';
import { acceptConsent, chooseLanguage, idioms, saveIdiom, waitForServiceWorker, waitForWaiting, waitingCount } from './app.ts';

describe('offline contribution reaches the node exactly once', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const firstThree = idioms('offline', 3);
  const nextFive = idioms('server-down', 5);

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    context = await phoneContext(browser);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('registers the service worker on the first visit and serves a valid manifest', async () => {
    await page.goto(server.url);
    await waitForServiceWorker(page);
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(manifestHref).toBeTruthy();
    const res = await page.request.get(new URL(manifestHref!, server.url).href);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('application/manifest+json');
    const manifest = await res.json();
    expect(manifest).toMatchObject({ name: 'Vernacular', start_url: '/', display: 'standalone' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    for (const size of [192, 512]) {
      const icon = manifest.icons.find((i: { sizes: string }) => i.sizes === `${size}x${size}`);
      expect(icon, `icon ${size}`).toBeTruthy();
      const png = await page.request.get(new URL(icon.src, server.url).href);
      expect(png.headers()['content-type']).toBe('image/png');
      const bytes = await png.body();
      // PNG signature, then IHDR width and height (big-endian) at bytes 16 and 20.
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([size, size]);
    }
    const scriptURL = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
    expect(scriptURL).toBe(`${server.url}/sw.js`);
  });

  it('opens from the cache with no network, keeps 3 idioms saved offline across a reload', async () => {
    await acceptConsent(page);
    await chooseLanguage(page, 'sw');
    await server.stop();
    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => page.getByTestId('online-state').textContent()).toBe('Offline');
    for (const idiom of firstThree) await saveIdiom(page, idiom);
    await waitForWaiting(page, 3);
    await page.reload();
    await page.getByTestId('waiting-count').waitFor();
    await waitForWaiting(page, 3);
    expect(await page.getByTestId('current-language').getAttribute('data-tag')).toBe('sw');
  });

  it('drains the outbox when back online, and a lost acknowledgement re-sent leaves exactly 3', async () => {
    await server.restart();
    // The first answer from the node is lost on the way back: the node has stored the batch,
    // the phone does not know, and must re-send it.
    const bodies: string[] = [];
    let dropped = 0;
    await page.route('**/api/v1/sync', async (route) => {
      bodies.push(route.request().postData() ?? '');
      const response = await route.fetch();
      if (dropped++ === 0) await route.abort('connectionreset');
      else await route.fulfill({ response });
    });
    await context.setOffline(false);
    await waitForWaiting(page, 0);
    await page.unroute('**/api/v1/sync');
    expect(dropped).toBeGreaterThanOrEqual(2);
    const rows = await exportDataset(server.dataDir);
    expect(rows.map((r) => r.expression).sort()).toEqual(firstThree.map((i) => i.expression).sort());

    // The very same batch once more, straight at the node: every item is a duplicate.
    const again = await fetch(`${server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies[0],
    });
    const answer = (await again.json()) as { results: Array<{ status: string }> };
    expect(answer.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await exportDataset(server.dataDir)).toHaveLength(3);
  });

  it('lists them as sent under My contributions and exports them as JSON', async () => {
    await page.getByRole('link', { name: 'My contributions' }).click();
    await expect.poll(() => page.locator('[data-testid="entries"] li[data-status="sent"]').count()).toBe(3);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export all as JSON' }).click()]);
    const text = await (await download.createReadStream()).toArray();
    const doc = JSON.parse(Buffer.concat(text).toString('utf8'));
    expect(doc.format).toBe('vernacular-contributions');
    expect(doc.contributions).toHaveLength(3);
    expect(doc.contributions.every((c: { status: string }) => c.status === 'sent')).toBe(true);
    await page.getByRole('link', { name: 'Contribute' }).click();
  });

  it('keeps 5 saved while the node is down and delivers each once after it restarts', async () => {
    await server.stop();
    for (const idiom of nextFive) await saveIdiom(page, idiom);
    await waitForWaiting(page, 5);
    // The app notices the node is unreachable and schedules retries by itself.
    await expect.poll(() => page.getByTestId('sync-error').isVisible(), { timeout: 30_000 }).toBe(true);
    await page.waitForTimeout(3_000);
    expect(await waitingCount(page)).toBe(5);
    await server.restart();
    await waitForWaiting(page, 0, 90_000);
    const rows = await exportDataset(server.dataDir);
    const expressions = rows.map((r) => r.expression);
    expect(expressions).toHaveLength(8);
    expect(new Set(expressions).size).toBe(8);
    expect(expressions.sort()).toEqual([...firstThree, ...nextFive].map((i) => i.expression).sort());
  });
});
