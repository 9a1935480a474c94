/**
 * A library drive in real Chromium: a librarian prints a campaign's poster (A4, a QR code of its
 * join link) and puts the QR code full screen for a room; a phone that opens the link — as a
 * camera app does after a scan — agrees and is in that campaign, also when the link was opened
 * before consent. Screenshots (poster as printed on A4, the wall screen at 1920×1080, the phone)
 * go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'uqr';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type RunningServer } from '../support/server.ts';
import { launch, phoneContext } from './browser.ts';
import { axe } from './steps.ts';
import { acceptConsent, idioms, saveIdiom, waitForWaiting } from './app.ts';

const SHOTS = join(import.meta.dirname, '../../test-results');
const LINK = /^(http:\/\/\S+\/#\/staff\/welcome\/[A-Za-z0-9_-]{43})$/m;

/** The dark modules of a QR code as our component draws them, from the library directly. */
function expectedPath(text: string): string {
  const qr = encode(text, { border: 4, ecc: 'M' });
  let d = '';
  for (let y = 0; y < qr.size; y++) for (let x = 0; x < qr.size; x++) if (qr.data[y]![x]) d += `M${x} ${y}h1v1h-1z`;
  return d;
}

describe('a library drive: poster, a QR code for the room, phones joining by link', () => {
  let server: RunningServer;
  let browser: Browser;
  let librarian: Page;
  let code = '';
  let phone: Page;

  beforeAll(async () => {
    server = await startServer();
    const made = await runCli(['campaign', 'create', '--slug', 'maktaba-drive', '--title', 'Maktaba ya Kisumu: methali', '--languages', 'sw,luo', '--kinds', 'idiom,translation', '--goal', 'idiom=500', '--data', server.dataDir]);
    expect(made.code, made.stderr).toBe(0);
    code = /join code (\w+)/.exec(made.stdout)![1]!;
    browser = await launch();
    mkdirSync(SHOTS, { recursive: true });
    const added = await runCli(['user', 'add', '--role', 'librarian', '--name', 'Amina Njeri', '--origin', server.url, '--data', server.dataDir]);
    librarian = await (await phoneContext(browser, { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 })).newPage();
    await librarian.goto(LINK.exec(added.stdout)![1]!);
    await librarian.getByLabel('New passphrase').fill('mti mkavu hauzai tunda');
    await librarian.getByRole('button', { name: 'Set passphrase and sign in' }).click();
    await librarian.getByTestId('staff-who').getByText('Signed in as Amina Njeri (Librarian)').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('prints a poster with the title, the goal, the code and a QR code of the join link', async () => {
    await librarian.locator('[data-slug="maktaba-drive"]').getByRole('link', { name: 'Poster to print' }).click();
    const poster = librarian.getByTestId('poster');
    await poster.getByRole('heading', { name: 'Maktaba ya Kisumu: methali' }).waitFor();
    const link = `${server.url}/#/join/${code}`;
    expect(await librarian.getByTestId('poster-code').textContent()).toBe(code);
    expect(await librarian.getByTestId('poster-link').textContent()).toBe(link);
    expect(await poster.textContent()).toContain('Goal — Idiom: 500');
    const qr = poster.getByTestId('qr');
    expect(await qr.getAttribute('aria-label')).toBe('QR code to join Maktaba ya Kisumu: methali');
    expect(await qr.locator('path').getAttribute('d')).toBe(expectedPath(link));
    expect(await axe(librarian)).toEqual([]);
    // As printed: A4, nothing of the app around it.
    await librarian.emulateMedia({ media: 'print' });
    await librarian.setViewportSize({ width: 794, height: 1123 });
    expect(await librarian.locator('header.top').isVisible()).toBe(false);
    expect(await librarian.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    const box = (await qr.boundingBox())!;
    expect(box.width).toBeGreaterThan(300); // 9 cm at 96 dpi is 340 px
    expect(box.y + box.height).toBeLessThan(1123);
    await librarian.screenshot({ path: join(SHOTS, 'drive-poster-a4.png') });
    const pdf = await librarian.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? []).length).toBe(1);
    await librarian.emulateMedia({ media: 'screen' });
  });

  it('shows the QR code as large as a wall screen', async () => {
    await librarian.setViewportSize({ width: 1920, height: 1080 });
    await librarian.getByRole('link', { name: 'Show the QR code full size' }).click();
    const show = librarian.getByTestId('show-qr');
    await show.waitFor();
    expect(await librarian.getByTestId('show-code').textContent()).toBe(code);
    const box = (await show.getByTestId('qr').boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThan(1080 * 0.6);
    // Nothing of the app around it, and the code readable without scrolling.
    expect(await show.boundingBox()).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
    expect(await librarian.evaluate(() => document.elementFromPoint(20, 20)?.closest('[data-testid="show-qr"]') !== null)).toBe(true);
    expect(await librarian.getByTestId('show-code').isVisible()).toBe(true);
    expect((await librarian.getByTestId('show-code').boundingBox())!.y).toBeLessThan(1080);
    expect(await axe(librarian)).toEqual([]);
    await librarian.screenshot({ path: join(SHOTS, 'drive-qr-wall-1920.png') });
  });

  it('a phone opening the join link agrees and is in the campaign; a bad code says so', async () => {
    phone = await (await phoneContext(browser)).newPage();
    await phone.goto(`${server.url}/#/join/${code}`);
    await acceptConsent(phone);
    await phone.getByLabel('Language you are writing in').selectOption('sw');
    await phone.getByRole('button', { name: 'Use this language' }).click();
    await expect.poll(() => phone.getByTestId('join-notice').textContent()).toBe('You joined Maktaba ya Kisumu: methali.');
    await phone.getByText('Campaign: Maktaba ya Kisumu: methali').waitFor();
    expect(phone.url()).toMatch(/#\/contribute$/);
    await phone.screenshot({ path: join(SHOTS, 'drive-joined-390.png') });
    // The same phone scanning another poster later, with a code that does not exist.
    await phone.goto(`${server.url}/#/join/ZZZZZZ`);
    await expect.poll(() => phone.getByTestId('join-notice').textContent()).toBe('No campaign has this code. Check it and try again.');
    await phone.getByText('Campaign: Maktaba ya Kisumu: methali').waitFor();
    // Two idioms from this phone, sent to the node.
    for (const idiom of idioms('drive', 2)) await saveIdiom(phone, idiom);
    await waitForWaiting(phone, 0);
  });

  it('the contributor opts in to the campaign’s leaderboard under a nickname, and out again', async () => {
    await phone.getByRole('link', { name: 'My contributions' }).click();
    const panel = phone.getByTestId('leaderboard');
    await panel.getByRole('heading', { name: 'Leaderboard: Maktaba ya Kisumu: methali' }).waitFor();
    await panel.getByText('Nobody shows here yet.', { exact: false }).waitFor();
    await panel.getByLabel('Nickname').fill('simba@example.org');
    await panel.getByRole('button', { name: 'Show me under this nickname' }).click();
    await expect.poll(() => panel.getByRole('alert').textContent()).toContain('looks like personal data');
    await panel.getByLabel('Nickname').fill('Simba wa Kisumu');
    await panel.getByRole('button', { name: 'Show me under this nickname' }).click();
    await expect.poll(() => panel.getByTestId('leaderboard-me').textContent()).toBe('You show as “Simba wa Kisumu”.');
    expect(await panel.locator('ol li').allTextContents()).toEqual(['1 Simba wa Kisumu 2 contributions']);
    expect(await axe(phone)).toEqual([]);
    await phone.screenshot({ path: join(SHOTS, 'drive-leaderboard-390.png'), fullPage: true });
    await panel.getByRole('button', { name: 'Stop showing me' }).click();
    await panel.getByText('Nobody shows here yet.', { exact: false }).waitFor();
  });

  it('the live dashboard counts the drive, on a phone and on a wall screen', async () => {
    await librarian.setViewportSize({ width: 390, height: 844 });
    await librarian.goto(`${server.url}/#/staff/dashboard/maktaba-drive`);
    const board = librarian.getByTestId('dashboard');
    await board.getByRole('heading', { name: 'Maktaba ya Kisumu: methali: live' }).waitFor();
    await expect.poll(() => librarian.getByTestId('tile-contributions').locator('.big').textContent()).toBe('2');
    expect(await librarian.getByTestId('tile-contributors').locator('.big').textContent()).toBe('1');
    expect(await librarian.getByTestId('tile-backlog').locator('.big').textContent()).toBe('2');
    expect(await librarian.getByTestId('tile-flagged').locator('.big').textContent()).toBe('0');
    expect(await board.locator('[data-kind="idiom"] [data-testid="goal-text"]').textContent()).toBe('2 of 500');
    expect(await board.locator('[data-kind="idiom"] [data-language="sw"]').textContent()).toContain('2');
    // The last hour's bar holds the two; the others none.
    const bars = await board.getByTestId('per-hour-chart').locator('rect.bar').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
    expect(bars).toHaveLength(12);
    expect(bars.at(-1)).toBe(2);
    expect(bars.slice(0, -1).every((n) => n === 0)).toBe(true);
    expect(await librarian.getByTestId('sync-state').textContent()).toContain('This node is not linked to a hub');
    expect(await axe(librarian)).toEqual([]);
    await librarian.screenshot({ path: join(SHOTS, 'drive-dashboard-390.png'), fullPage: true });
    await librarian.setViewportSize({ width: 1920, height: 1080 });
    expect((await board.boundingBox())!.width).toBeGreaterThan(1400);
    await librarian.screenshot({ path: join(SHOTS, 'drive-dashboard-1920.png') });
  });
});
