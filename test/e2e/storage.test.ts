/**
 * When the device runs out of storage, saving fails with a clear sentence, the typed text stays
 * in the form, and nothing saved before is lost. The full disk is injected at the browser's
 * IndexedDB boundary (IDBObjectStore.add throws QuotaExceededError, as Chromium does when the
 * origin's quota is used up); CDP's quota override does not apply to incognito contexts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../support/server.ts';
import { launch, phoneContext } from './browser.ts';
import { acceptConsent, chooseLanguage, idioms, saveIdiom, waitForWaiting } from './app.ts';

describe('storage running out', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

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

  it('says the device is full, keeps the typed text, and loses nothing already saved', async () => {
    await page.goto(server.url);
    await acceptConsent(page);
    await chooseLanguage(page, 'ha');
    await server.stop(); // keep everything waiting in the outbox
    const [first, second] = idioms('quota', 2);
    await saveIdiom(page, first!);
    await waitForWaiting(page, 1);

    await page.evaluate(() => {
      const add = IDBObjectStore.prototype.add;
      (window as unknown as { __restoreAdd: () => void }).__restoreAdd = () => (IDBObjectStore.prototype.add = add);
      IDBObjectStore.prototype.add = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    await page.getByLabel('Expression').fill(second!.expression + ' '.repeat(10) + 'x'.repeat(150));
    await page.getByLabel('Meaning').fill('m'.repeat(1500));
    await page.getByLabel('Example of use').fill('e'.repeat(1500));
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('storage_full');
    expect(await alert.textContent()).toContain('out of storage space');
    expect(await page.getByLabel('Meaning').inputValue()).toBe('m'.repeat(1500));

    expect(await page.getByTestId('waiting-count').getAttribute('data-count')).toBe('1');
    await page.reload();
    await waitForWaiting(page, 1);
    await page.getByRole('link', { name: 'My contributions' }).click();
    expect(await page.locator('[data-testid="entries"] li strong').allTextContents()).toEqual([first!.expression]);
  });

  it('explains when the browser refuses storage altogether (private mode), instead of a dead screen', async () => {
    await server.restart();
    const ctx = await phoneContext(browser);
    await ctx.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    const p = await ctx.newPage();
    await p.goto(server.url);
    const alert = p.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('storage_unavailable');
    expect(await alert.textContent()).toContain('private browsing');
    await ctx.close();
  });
});
