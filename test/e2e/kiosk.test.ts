/**
 * Kiosk mode on a library's shared tablet, in real Chromium: a librarian turns the tablet into a
 * kiosk for a campaign (and is signed out of it); two visitors in turn each agree and get a fresh
 * key; the second sees and can touch nothing of the first's; the first's unsent items stay in
 * the outbox and reach the node signed with the first visitor's own key, whose take-home code
 * restores it on their phone; a visit nobody ends clears itself after the idle time.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type RunningServer } from '../support/server.ts';
import { SQLITE_FILE } from '../../federation/store/index.ts';
import { launch, phoneContext } from './browser.ts';
import { acceptConsent, chooseLanguage, idioms, saveIdiom, waitForWaiting } from './app.ts';
import { axe, contributorId } from './steps.ts';

const LINK = /^(http:\/\/\S+\/#\/staff\/welcome\/[A-Za-z0-9_-]{43})$/m;
const SHOTS = join(import.meta.dirname, '../../test-results');
const PASSPHRASE = 'haba na haba hujaza kibaba';

describe('a shared tablet in kiosk mode', () => {
  let server: RunningServer;
  let browser: Browser;
  let tablet: BrowserContext;
  let page: Page;
  const first = idioms('kiosk visitor one', 2);
  const second = idioms('kiosk visitor two', 1);
  let firstId = '';
  let secondId = '';
  let takeHome = '';

  beforeAll(async () => {
    server = await startServer();
    expect((await runCli(['campaign', 'create', '--slug', 'maktaba', '--title', 'Maktaba drive', '--languages', 'sw', '--kinds', 'idiom', '--data', server.dataDir])).code).toBe(0);
    const added = await runCli(['user', 'add', '--role', 'librarian', '--name', 'Amina Njeri', '--origin', server.url, '--data', server.dataDir]);
    browser = await launch();
    tablet = await phoneContext(browser, { viewport: { width: 800, height: 1280 } });
    page = await tablet.newPage();
    await page.goto(LINK.exec(added.stdout)![1]!);
    await page.getByLabel('New passphrase').fill('mti mkavu hauzai tunda');
    await page.getByRole('button', { name: 'Set passphrase and sign in' }).click();
    await page.getByTestId('staff-who').getByText('Signed in as Amina Njeri (Librarian)').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('a librarian turns the tablet into a kiosk for a campaign and is signed out of it', async () => {
    await page.goto(`${server.url}/#/staff/poster/maktaba`);
    await page.getByLabel('Clear after no touch for').selectOption('2');
    await page.getByRole('button', { name: 'Make this device a kiosk' }).click();
    await page.getByRole('button', { name: 'I agree, start' }).waitFor();
    expect(page.url()).toMatch(/#\/contribute$/);
    await page.goto(`${server.url}/#/staff`);
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    await page.goto(`${server.url}/#/contribute`);
  });

  it('the first visitor agrees, saves two idioms offline, and takes their key home', async () => {
    await tablet.setOffline(true);
    await acceptConsent(page);
    await chooseLanguage(page, 'sw');
    await page.getByText('Campaign: Maktaba drive').waitFor();
    for (const idiom of first) await saveIdiom(page, idiom);
    await waitForWaiting(page, 2);
    firstId = await contributorId(page);
    await page.getByRole('link', { name: 'My contributions' }).click();
    await page.getByText(first[0]!.expression).waitFor();
    // Their own progress: two items, a first badge, three more to the next.
    expect(await page.getByTestId('progress-items').textContent()).toBe('2');
    expect(await page.getByTestId('progress-streak').textContent()).toBe('1 day');
    expect(await page.getByTestId('badges').locator('li').evaluateAll((l) => l.map((e) => e.getAttribute('data-badge')))).toEqual(['first']);
    expect(await page.getByTestId('next-badge').textContent()).toBe('Next badge, “Five contributions”: 3 more to go.');
    await page.getByRole('button', { name: 'I’m done' }).click();
    const end = page.getByTestId('kiosk-end');
    await expect.poll(() => end.textContent()).toContain('You saved 2 contributions. 2 are still waiting and will be sent by this device.');
    await end.getByLabel(/A passphrase to protect it/).fill(PASSPHRASE);
    await end.getByRole('button', { name: 'Make my take-home code' }).click();
    takeHome = (await end.getByTestId('qr').getAttribute('data-text'))!;
    expect(takeHome).toMatch(new RegExp(`^${server.url}/#/restore/`));
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'kiosk-end-800.png') });
    await end.getByRole('button', { name: 'Finish and clear this device' }).click();
    await page.getByRole('button', { name: 'I agree, start' }).waitFor();
  });

  it('the second visitor starts fresh and sees nothing of the first’s', async () => {
    await acceptConsent(page);
    await chooseLanguage(page, 'sw');
    secondId = await contributorId(page);
    expect(secondId).not.toBe(firstId);
    await page.getByRole('link', { name: 'My contributions' }).click();
    await page.getByRole('heading', { name: 'My contributions' }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('kiosk visitor one');
    expect(await page.getByTestId('progress-items').textContent()).toBe('0');
    expect(await page.getByTestId('badges').count()).toBe(0);
    await page.getByRole('link', { name: 'Contribute' }).click();
    for (const idiom of second) await saveIdiom(page, idiom);
    await waitForWaiting(page, 3);
  });

  it('both visitors’ items reach the node, each under its own key', async () => {
    await tablet.setOffline(false);
    await page.reload();
    await waitForWaiting(page, 0);
    const db = new Database(join(server.dataDir, SQLITE_FILE), { readonly: true });
    try {
      const rows = db.prepare('SELECT contributor, count(*) AS n FROM contributions GROUP BY contributor ORDER BY n DESC').all() as { contributor: string; n: number }[];
      expect(rows).toEqual([{ contributor: firstId, n: 2 }, { contributor: secondId, n: 1 }]);
    } finally {
      db.close();
    }
  });

  it('the take-home code restores the first visitor’s key on their own phone', async () => {
    const phone = await (await phoneContext(browser)).newPage();
    await phone.goto(takeHome);
    await acceptConsent(phone);
    await phone.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await phone.getByRole('button', { name: 'Restore my key' }).click();
    await expect.poll(() => phone.getByTestId('recovery-restored').textContent()).toContain('restored');
    expect(await contributorId(phone)).toBe(firstId);
  });

  it('a visit nobody ends clears itself after the idle time, with a warning first', async () => {
    await page.clock.install();
    await page.reload();
    await page.getByRole('button', { name: 'I’m done' }).waitFor();
    await page.clock.fastForward(2 * 60_000 + 2000);
    await page.getByTestId('kiosk-idle').getByRole('heading', { name: 'Are you still there?' }).waitFor();
    await page.clock.fastForward(31_000);
    await page.getByRole('button', { name: 'I agree, start' }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('kiosk visitor two');
  });
});
