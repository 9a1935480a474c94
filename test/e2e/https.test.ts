/**
 * The PWA from a library node's HTTPS name, as a phone on the library's network gets it, with no
 * internet: Pebble (the test CA) issued the node's certificate through the hub (DNS-01), Chromium
 * trusts Pebble's chain and resolves the node's name to this machine. The app installs (service
 * worker), keeps working offline, and goes on across a certificate renewal; what was saved
 * offline reaches the node and the hub. Screenshot at 390×844 in test-results/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPebble, spkiHash, type Pebble } from '../support/pebble.ts';
import { type FedNode, held, type Hub, startHub, startNode, waitFor } from '../support/federation.ts';
import { exportDataset, freePort } from '../support/server.ts';
import { launch, phoneContext } from './browser.ts';
import { acceptConsent, chooseLanguage, idioms, saveIdiom, waitForServiceWorker, waitForWaiting } from './app.ts';

const SHOTS = join(import.meta.dirname, '../../test-results');
const SECURE_LINE = /Secure address for phones and tablets: (https:\/\/(n-[a-z2-7]{16}\.lib\.test):\d+)/;

describe('the PWA from a node’s HTTPS name, certificate from Pebble through the hub', () => {
  let pebble: Pebble;
  let hub: Hub;
  let node: FedNode;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    pebble = await startPebble();
    hub = await startHub({ args: ['--domain', 'lib.test', '--acme-directory', pebble.directoryUrl, '--acme-ca', pebble.listenerCaFile, '--dns', `challtestsrv:${pebble.challtestsrvUrl}`, '--cert-orders-per-week', '1000'] });
    // Renews at every check (renew-before longer than any test certificate's life), every 4 s.
    node = await startNode(hub, 'Kisumu public library', {
      every: 0.5,
      args: ['--https-port', String(await freePort()), '--lan-address', '127.0.0.1', '--cert-check-every', '4', '--cert-renew-before', '36500'],
    });
    const match = await waitFor('the node’s secure address', async () => SECURE_LINE.exec(node.output()) ?? undefined, 60_000);
    origin = match[1]!;
    const trusted = [spkiHash(await pebble.intermediate()), spkiHash(await pebble.root())].join(',');
    browser = await launch([`--host-resolver-rules=MAP ${match[2]} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${trusted}`]);
    context = await phoneContext(browser);
    page = await context.newPage();
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await node?.dispose();
    await hub?.dispose();
    await pebble?.stop();
  });

  it('opens as a secure context and installs its service worker', async () => {
    await page.goto(`${origin}/`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    expect(await page.evaluate(() => typeof crypto.randomUUID)).toBe('function');
    await waitForServiceWorker(page);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL)).toBe(`${origin}/sw.js`);
    await acceptConsent(page);
    await chooseLanguage(page, 'sw');
    await page.screenshot({ path: join(SHOTS, 'https-node-390.png') });
    // The same browser without Pebble's chain trusted refuses the name: the trust is what made it work.
    const untrusting = await launch([`--host-resolver-rules=MAP ${new URL(origin).hostname} 127.0.0.1`]);
    try {
      const other = await (await phoneContext(untrusting)).newPage();
      await expect(other.goto(`${origin}/`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await untrusting.close();
    }
  });

  it('works offline, and what was saved offline arrives after a certificate renewal', async () => {
    const renewals = () => (node.output().match(/certificate: renewed the certificate/g) ?? []).length;
    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => page.getByTestId('online-state').textContent()).toBe('Offline');
    const saved = idioms('https-offline', 2);
    for (const idiom of saved) await saveIdiom(page, idiom);
    await waitForWaiting(page, 2);
    const before = renewals();
    await waitFor('a renewal while the phone is offline', async () => renewals() > before || undefined, 60_000);
    await context.setOffline(false);
    await page.reload();
    await waitForWaiting(page, 0);
    const rows = await exportDataset(node.dataDir);
    expect(rows.map((r) => r.expression).sort()).toEqual(saved.map((i) => i.expression).sort());
    await waitFor('the hub to hold them', async () => ((await held(hub)).size >= 2 ? true : undefined), 30_000);
  });
});
