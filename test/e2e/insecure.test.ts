/**
 * A phone reaching the node at a plain-HTTP network address (not a secure context: no WebCrypto,
 * no service worker) gets a page that says so plainly and what the librarian should do, instead
 * of an app that fails silently; the same node at http://localhost runs the app. The node's
 * start-up output names which of its addresses are secure. Screenshots at 390×844 go to
 * test-results/ (looked at by a person when the page changes).
 */
import { mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../support/server.ts';
import { launch, phoneContext } from './browser.ts';

const SHOTS = join(import.meta.dirname, '../../test-results');
const NAME = 'node.library.test';

/** The machine's own IPv4 addresses on the network (not loopback). */
const lan = Object.values(networkInterfaces()).flat().filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal).map((a) => a!.address);

describe('a page that is not a secure context', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    // A name for the node as a phone would use one (mapped to this machine), besides its LAN address.
    browser = await launch([`--host-resolver-rules=MAP ${NAME} 127.0.0.1`]);
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  async function open(url: string): Promise<{ page: Page; secure: boolean; errors: string[] }> {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    return { page, secure: await page.evaluate(() => window.isSecureContext), errors };
  }

  const addresses = () => [`http://${NAME}:${server.port}/`, ...lan.map((a) => `http://${a}:${server.port}/`)];

  it('says plainly that the address is not secure and what the librarian should do, with no accessibility violations', async () => {
    for (const [i, url] of addresses().entries()) {
      const { page, secure, errors } = await open(url);
      expect(secure, url).toBe(false);
      await page.getByRole('heading', { name: 'This address is not secure' }).waitFor();
      expect(await page.getByTestId('unusable').getAttribute('data-reason')).toBe('insecure_context');
      const text = await page.getByTestId('unusable').innerText();
      expect(text).toContain(new URL(url).origin);
      expect(text).toContain('Please show this page to the librarian or teacher.');
      expect(text).toContain('https://');
      expect(text).toContain('http://localhost');
      // No app underneath: no consent screen, no service worker, no uncaught error.
      expect(await page.getByRole('button', { name: 'I agree, start' }).count()).toBe(0);
      expect(await page.evaluate(() => navigator.serviceWorker?.controller ?? null)).toBeNull();
      expect(errors).toEqual([]);
      const violations = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(violations.violations.map((v) => v.id)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `insecure-${i === 0 ? 'name' : 'lan'}-390x844.png`), fullPage: true });
      await page.context().close();
    }
  });

  it('runs the app on the same node at http://localhost', async () => {
    const { page, secure, errors } = await open(server.url);
    expect(secure).toBe(true);
    await page.getByRole('heading', { name: 'Before you start' }).waitFor();
    expect(await page.getByTestId('unusable').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('is named by the node at start-up: localhost secure, network addresses not', () => {
    const output = server.output();
    expect(output).toContain(`Secure (the full app, offline and saving): http://localhost:${server.port}`);
    for (const address of lan) expect(output).toContain(`http://${address}:${server.port}`);
    if (lan.length > 0) expect(output).toMatch(/Not secure \(plain HTTP; phones there get a page saying so, and cannot save\): http:\/\//);
  });
});
