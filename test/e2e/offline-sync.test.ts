/**
 * The spine, end to end, in real Chromium against the real built app served by a real
 * `vernacular serve` process: install, go offline, contribute, come back, arrive exactly once.
 */
import { describe, expect, it } from 'vitest';
import { exportDataset } from '../support/server.ts';
import { useSession } from './browser.ts';
import { acceptConsent, chooseLanguage, idioms, saveIdiom, waitForServiceWorker, waitForWaiting, waitingCount } from './app.ts';

describe('offline contribution reaches the node exactly once', () => {
  const session = useSession();
  const firstThree = idioms('offline', 3);
  const nextFive = idioms('server-down', 5);

  it('registers the service worker on the first visit and serves a valid manifest', async () => {
    await session.page.goto(session.server.url);
    await waitForServiceWorker(session.page);
    const manifestHref = await session.page.locator('link[rel="manifest"]').getAttribute('href');
    expect(manifestHref).toBeTruthy();
    const res = await session.page.request.get(new URL(manifestHref!, session.server.url).href);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('application/manifest+json');
    const manifest = await res.json();
    expect(manifest).toMatchObject({ name: 'Vernacular', start_url: '/', display: 'standalone' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    for (const size of [192, 512]) {
      const icon = manifest.icons.find((i: { sizes: string }) => i.sizes === `${size}x${size}`);
      expect(icon, `icon ${size}`).toBeTruthy();
      const png = await session.page.request.get(new URL(icon.src, session.server.url).href);
      expect(png.headers()['content-type']).toBe('image/png');
      const bytes = await png.body();
      // PNG signature, then IHDR width and height (big-endian) at bytes 16 and 20.
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([size, size]);
    }
    const scriptURL = await session.page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
    expect(scriptURL).toBe(`${session.server.url}/sw.js`);
  });

  it('opens from the cache with no network, keeps 3 idioms saved offline across a reload', async () => {
    await acceptConsent(session.page);
    await chooseLanguage(session.page, 'sw');
    await session.server.stop();
    await session.context.setOffline(true);
    await session.page.reload();
    await expect.poll(() => session.page.getByTestId('online-state').textContent()).toBe('Offline');
    for (const idiom of firstThree) await saveIdiom(session.page, idiom);
    await waitForWaiting(session.page, 3);
    await session.page.reload();
    await session.page.getByTestId('waiting-count').waitFor();
    await waitForWaiting(session.page, 3);
    expect(await session.page.getByTestId('current-language').getAttribute('data-tag')).toBe('sw');
  });

  it('drains the outbox when back online, and a lost acknowledgement re-sent leaves exactly 3', async () => {
    await session.server.restart();
    // The first answer from the node is lost on the way back: the node has stored the batch,
    // the phone does not know, and must re-send it.
    const bodies: string[] = [];
    let dropped = 0;
    await session.page.route('**/api/v1/sync', async (route) => {
      bodies.push(route.request().postData() ?? '');
      const response = await route.fetch();
      if (dropped++ === 0) await route.abort('connectionreset');
      else await route.fulfill({ response });
    });
    await session.context.setOffline(false);
    await waitForWaiting(session.page, 0);
    await session.page.unroute('**/api/v1/sync');
    expect(dropped).toBeGreaterThanOrEqual(2);
    const rows = await exportDataset(session.server.dataDir);
    expect(rows.map((r) => r.expression).sort()).toEqual(firstThree.map((i) => i.expression).sort());

    // The very same batch once more, straight at the node: every item is a duplicate.
    const again = await fetch(`${session.server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bodies[0],
    });
    const answer = (await again.json()) as { results: Array<{ status: string }> };
    expect(answer.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await exportDataset(session.server.dataDir)).toHaveLength(3);
  });

  it('lists them as sent under My contributions and exports them as JSON', async () => {
    await session.page.getByRole('link', { name: 'My contributions' }).click();
    await expect.poll(() => session.page.locator('[data-testid="entries"] li[data-status="sent"]').count()).toBe(3);
    const [download] = await Promise.all([session.page.waitForEvent('download'), session.page.getByRole('button', { name: 'Export all as JSON' }).click()]);
    const text = await (await download.createReadStream()).toArray();
    const doc = JSON.parse(Buffer.concat(text).toString('utf8'));
    expect(doc.format).toBe('vernacular-contributions');
    expect(doc.contributions).toHaveLength(3);
    expect(doc.contributions.every((c: { status: string }) => c.status === 'sent')).toBe(true);
    await session.page.getByRole('link', { name: 'Contribute' }).click();
  });

  it('keeps 5 saved while the node is down and delivers each once after it restarts', async () => {
    await session.server.stop();
    for (const idiom of nextFive) await saveIdiom(session.page, idiom);
    await waitForWaiting(session.page, 5);
    // The app notices the node is unreachable and schedules retries by itself.
    await expect.poll(() => session.page.getByTestId('sync-error').isVisible(), { timeout: 30_000 }).toBe(true);
    await session.page.waitForTimeout(3_000);
    expect(await waitingCount(session.page)).toBe(5);
    await session.server.restart();
    await waitForWaiting(session.page, 0, 90_000);
    const rows = await exportDataset(session.server.dataDir);
    const expressions = rows.map((r) => r.expression);
    expect(expressions).toHaveLength(8);
    expect(new Set(expressions).size).toBe(8);
    expect(expressions.sort()).toEqual([...firstThree, ...nextFive].map((i) => i.expression).sort());
  });
});
