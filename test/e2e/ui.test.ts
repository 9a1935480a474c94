/**
 * The app as people use it: keyboard only, screen-reader labels (axe), form validation with the
 * server's own schema, contributed text shown as text, right-to-left text, phone and desktop.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { exportDataset, startServer } from '../support/server.ts';
import { launch, phoneContext, useSession } from './browser.ts';
import { chooseLanguage, saveIdiom, waitForWaiting } from './app.ts';

async function axe(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('the app for a contributor', () => {
  const session = useSession();

  it('shows the consent screen first, with no accessibility violations, and works by keyboard', async () => {
    await session.page.goto(session.server.url);
    await session.page.getByRole('heading', { name: 'Before you start' }).waitFor();
    expect(await session.page.getByText('CC0-1.0').count()).toBeGreaterThan(0);
    expect(await axe(session.page)).toEqual([]);
    const agree = session.page.getByRole('button', { name: 'I agree, start' });
    expect(await agree.isDisabled()).toBe(true);
    await session.page.getByRole('checkbox').focus();
    await session.page.keyboard.press('Space');
    expect(await agree.isDisabled()).toBe(false);
    await agree.focus();
    await session.page.keyboard.press('Enter');
    await session.page.getByLabel('Language you are writing in').waitFor();
    expect(await axe(session.page)).toEqual([]);
  });

  it('refuses a language code that is not BCP 47 and accepts a valid one typed by hand', async () => {
    await session.page.getByLabel('Language you are writing in').selectOption('__other');
    await session.page.getByLabel(/Language code/).fill('not a language');
    await session.page.getByRole('button', { name: 'Use this language' }).click();
    await session.page.getByText('Not a valid language code').waitFor();
    await session.page.getByLabel(/Language code/).fill('ar-eg');
    await session.page.getByRole('button', { name: 'Use this language' }).click();
    expect(await session.page.getByTestId('current-language').getAttribute('data-tag')).toBe('ar-EG');
    expect(await axe(session.page)).toEqual([]);
  });

  it('validates the form with the session.server schema and names each problem next to its field', async () => {
    await session.page.getByRole('button', { name: 'Save' }).click();
    await session.page.getByText('Please fix the highlighted fields.').waitFor();
    for (const label of ['Expression', 'Meaning', 'Example of use']) {
      expect(await session.page.getByLabel(label).getAttribute('aria-invalid')).toBe('true');
    }
    expect(await session.page.locator('#expression-error').textContent()).toContain('required');
    await session.page.getByLabel('Expression').fill('x'.repeat(201));
    await session.page.getByRole('button', { name: 'Save' }).click();
    await session.page.getByText('Too long: at most 200 characters.').waitFor();
    expect(await axe(session.page)).toEqual([]);
    expect(await session.page.getByTestId('waiting-count').getAttribute('data-count')).toBe('0');
  });

  it('shows contributed text as text, never as HTML, and right-to-left text right to left', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    await saveIdiom(session.page, { expression: hostile, meaning: 'يد واحدة لا تصفق', example: 'قالها جدي: يد واحدة لا تصفق.' });
    await waitForWaiting(session.page, 0);
    await session.page.getByRole('link', { name: 'My contributions' }).click();
    const item = session.page.locator('[data-testid="entries"] li').first();
    await item.waitFor();
    expect(await item.locator('strong').textContent()).toBe(hostile);
    expect(await item.locator('img, b').count()).toBe(0);
    expect(await session.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const meaning = item.locator('p[dir="auto"]');
    expect(await meaning.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    expect(await axe(session.page)).toEqual([]);
    const rows = await exportDataset(session.server.dataDir);
    expect(rows.map((r) => r.expression)).toEqual([hostile]);
    expect(rows[0]!.language).toBe('ar-EG');
  });

  it('keeps its layout usable on a desktop window and in a right-to-left document', async () => {
    await session.page.setViewportSize({ width: 1280, height: 800 });
    await session.page.getByRole('link', { name: 'Settings' }).click();
    await session.page.getByRole('heading', { name: 'Settings' }).waitFor();
    expect(await session.page.getByTestId('persist-state').getAttribute('data-state')).not.toBe('unknown');
    expect(await axe(session.page)).toEqual([]);
    await session.page.evaluate(() => (document.documentElement.dir = 'rtl'));
    await session.page.getByRole('link', { name: 'Contribute' }).click();
    // Logical properties: in RTL the brand sits at the right edge, the status at the left.
    const brand = await session.page.locator('.brand').boundingBox();
    const status = await session.page.getByTestId('sync-status').boundingBox();
    expect(brand!.x).toBeGreaterThan(status!.x);
    await session.page.evaluate(() => (document.documentElement.dir = 'ltr'));
  });
});

describe('a second contributor on the same node', () => {
  it('gets a different pseudonymous id, and the node keeps both apart', async () => {
    const server = await startServer();
    const browser = await launch();
    try {
      const ids: string[] = [];
      for (const n of [1, 2]) {
        const context = await phoneContext(browser);
        const page = await context.newPage();
        await page.goto(server.url);
        await page.getByRole('checkbox').check();
        await page.getByRole('button', { name: 'I agree, start' }).click();
        await chooseLanguage(page, 'yo');
        await saveIdiom(page, { expression: `Ọ̀rọ̀ ${n}`, meaning: 'Ọ̀rọ̀ àgbà ni, ó ní ìtumọ̀ jíjìn.', example: 'Bàbá mi máa ń sọ ọ̀rọ̀ yìí fún wa lójoojúmọ́.' });
        await waitForWaiting(page, 0);
        await page.getByRole('link', { name: 'Settings' }).click();
        ids.push((await page.locator('code').textContent())!);
        await context.close();
      }
      expect(ids[0]).not.toBe(ids[1]);
      const rows = await exportDataset(server.dataDir);
      // Two people, each named in the export only by a keyed pseudonym, never by their id.
      expect(new Set(rows.map((r) => r.contributor)).size).toBe(2);
      for (const r of rows) expect(ids).not.toContain(r.contributor);
      expect(rows.map((r) => r.expression).sort()).toEqual(['Ọ̀rọ̀ 1'.normalize('NFC'), 'Ọ̀rọ̀ 2'.normalize('NFC')]);
    } finally {
      await browser.close();
      await server.stop();
    }
  });
});

describe('what the device can run a model on (model worker probe)', () => {
  async function probeWith(args: string[]) {
    const server = await startServer();
    const browser = await launch(args);
    try {
      const page = await (await phoneContext(browser)).newPage();
      await page.goto(server.url);
      await page.getByRole('checkbox').check();
      await page.getByRole('button', { name: 'I agree, start' }).click();
      await page.goto(`${server.url}/#/settings`);
      const probe = page.getByTestId('device-probe');
      await expect.poll(() => probe.getAttribute('data-preferred'), { timeout: 30_000 }).not.toBe('');
      return {
        preferred: await probe.getAttribute('data-preferred'),
        text: await probe.textContent(),
        isolated: await page.evaluate(() => crossOriginIsolated),
      };
    } finally {
      await browser.close();
      await server.stop();
    }
  }

  it('finds WebGPU when the browser offers an adapter (SwiftShader here)', async () => {
    const r = await probeWith(['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']);
    expect(r.preferred).toBe('webgpu');
    expect(r.text).toContain('software fallback');
    expect(r.isolated).toBe(true);
  });

  it('falls back to WebAssembly, multi-threaded because the node makes the page cross-origin isolated', async () => {
    const r = await probeWith([]);
    expect(r.preferred).toBe('wasm');
    expect(r.text).toContain('multi-threaded');
  });
});
