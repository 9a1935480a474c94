/**
 * When the device runs out of storage, saving fails with a clear sentence, the typed text stays
 * in the form, and nothing saved before is lost. The full disk is injected at the browser's
 * IndexedDB boundary (IDBObjectStore.add throws QuotaExceededError, as Chromium does when the
 * origin's quota is used up); CDP's quota override does not apply to incognito contexts.
 */
import { describe, expect, it } from 'vitest';
import { phoneContext, useSession } from './browser.ts';
import { acceptConsent, chooseLanguage, idioms, saveIdiom, waitForWaiting } from './app.ts';

describe('storage running out', () => {
  const session = useSession();

  it('says the device is full, keeps the typed text, and loses nothing already saved', async () => {
    await session.page.goto(session.server.url);
    await acceptConsent(session.page);
    await chooseLanguage(session.page, 'ha');
    await session.server.stop(); // keep everything waiting in the outbox
    const [first, second] = idioms('quota', 2);
    await saveIdiom(session.page, first!);
    await waitForWaiting(session.page, 1);

    await session.page.evaluate(() => {
      const add = IDBObjectStore.prototype.add;
      (window as unknown as { __restoreAdd: () => void }).__restoreAdd = () => (IDBObjectStore.prototype.add = add);
      IDBObjectStore.prototype.add = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    await session.page.getByLabel('Expression').fill(second!.expression + ' '.repeat(10) + 'x'.repeat(150));
    await session.page.getByLabel('Meaning').fill('m'.repeat(1500));
    await session.page.getByLabel('Example of use').fill('e'.repeat(1500));
    await session.page.getByRole('button', { name: 'Save' }).click();
    const alert = session.page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('storage_full');
    expect(await alert.textContent()).toContain('out of storage space');
    expect(await session.page.getByLabel('Meaning').inputValue()).toBe('m'.repeat(1500));

    expect(await session.page.getByTestId('waiting-count').getAttribute('data-count')).toBe('1');
    await session.page.reload();
    await waitForWaiting(session.page, 1);
    await session.page.getByRole('link', { name: 'My contributions' }).click();
    expect(await session.page.locator('[data-testid="entries"] li strong').allTextContents()).toEqual([first!.expression]);
  });

  it('explains when the session.browser refuses storage altogether (private mode), instead of a dead screen', async () => {
    await session.server.restart();
    const ctx = await phoneContext(session.browser);
    await ctx.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    const p = await ctx.newPage();
    await p.goto(session.server.url);
    const alert = p.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('storage_unavailable');
    expect(await alert.textContent()).toContain('private browsing');
    await ctx.close();
  });
});
