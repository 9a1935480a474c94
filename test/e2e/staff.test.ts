/**
 * Staff in real Chromium against a real node: a librarian added with `vernacular user add` opens
 * the one-time link, registers a passkey (a CDP virtual authenticator: ctap2, internal, resident
 * key, user verification), signs out and in again with it, and creates an unlisted campaign whose
 * join code contributors never see in a public answer but can join with; then adds a teacher,
 * who sets a passphrase from their link and signs in with it; the audit log shows it all.
 * Screenshots of the sign-in and campaign screens on a 390×844 phone go to $STAFF_SCREENSHOTS.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runCli, startServer, type RunningServer } from '../support/server.ts';
import { launch, phoneContext } from './browser.ts';
import { axe } from './steps.ts';
import { acceptConsent } from './app.ts';

const LINK = /^(http:\/\/\S+\/#\/staff\/welcome\/[A-Za-z0-9_-]{43})$/m;

async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.STAFF_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

describe('staff in the app', () => {
  let server: RunningServer;
  let browser: Browser;
  let librarian: { context: BrowserContext; page: Page };
  let joinCode = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await virtualAuthenticator(context, page);
    librarian = { context, page };
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a librarian opens the link from `vernacular user add`, registers a passkey and is signed in', async () => {
    const added = await runCli(['user', 'add', '--role', 'librarian', '--name', 'Amina Njeri', '--origin', server.url, '--data', server.dataDir]);
    expect(added.code).toBe(0);
    const link = LINK.exec(added.stdout)![1]!;
    const { page } = librarian;
    await page.goto(link);
    await page.getByRole('heading', { name: 'Welcome, Amina Njeri' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await screenshot(page, 'staff-welcome');
    await page.getByRole('button', { name: 'Create a passkey' }).click();
    await expect.poll(() => page.getByTestId('staff-who').textContent(), { timeout: 20_000 }).toBe('Signed in as Amina Njeri (Librarian)');
    expect(page.url()).toMatch(/#\/staff\/campaigns$/);
    // The link is spent.
    const again = await fetch(`${server.url}/api/v1/staff/welcome/${link.split('/').pop()}`);
    expect(again.status).toBe(403);
  });

  it('signs out, and signs in again with the passkey alone', async () => {
    const { page } = librarian;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await screenshot(page, 'staff-sign-in');
    const cookies = await librarian.context.cookies();
    expect(cookies.find((c) => c.name === '__Host-vernacular-staff')).toBeUndefined();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.getByTestId('staff-who').textContent(), { timeout: 20_000 }).toBe('Signed in as Amina Njeri (Librarian)');
    const cookie = (await librarian.context.cookies()).find((c) => c.name === '__Host-vernacular-staff')!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
  });

  it('creates an unlisted campaign; its join code shows here and in no public answer, and a contributor joins with it', async () => {
    const { page } = librarian;
    await page.getByRole('heading', { name: 'Campaigns', exact: true }).waitFor();
    await page.getByLabel('Short name (in addresses)').fill('class-7b');
    await page.getByLabel('Title').fill('Darasa la 7B');
    await page.getByLabel('Languages').fill('sw, en');
    await page.getByLabel('Translate').check();
    await page.getByLabel('Who can find it').selectOption('unlisted');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const notice = page.getByTestId('staff-notice');
    await expect.poll(() => notice.textContent()).toMatch(/^Created Darasa la 7B\. Its join code is [2-9A-HJKMNP-Z]{6}\.$/);
    joinCode = /join code is (\w+)/.exec((await notice.textContent())!)![1]!;
    await expect.poll(() => page.locator('[data-slug="class-7b"] [data-testid="join-code"]').textContent()).toBe(joinCode);
    expect(await axe(page)).toEqual([]);
    await screenshot(page, 'staff-campaigns');

    const list = await (await fetch(`${server.url}/api/v1/campaigns`)).text();
    expect(list).not.toContain('class-7b');
    expect(list).not.toContain(joinCode);
    expect(await (await fetch(`${server.url}/api/v1/campaigns/class-7b`)).text()).not.toContain(joinCode);

    const contributor = await (await phoneContext(browser)).newPage();
    await contributor.goto(server.url);
    await acceptConsent(contributor);
    await contributor.getByLabel('Language you are writing in').selectOption('sw');
    await contributor.getByRole('button', { name: 'Use this language' }).click();
    await contributor.getByRole('button', { name: 'Switch campaign' }).click();
    await contributor.getByLabel('Join code').fill(joinCode.toLowerCase());
    await contributor.getByRole('button', { name: 'Join' }).click();
    await contributor.getByText('Campaign: Darasa la 7B').waitFor();
  });

  it('adds a teacher, who sets a passphrase from their link (refused when too short) and signs in with it', async () => {
    const { page } = librarian;
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('heading', { name: 'Staff accounts' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Baraka Otieno');
    await page.getByLabel('Classes (for a teacher)').fill('class-7b');
    await page.getByRole('button', { name: 'Add and make a sign-in link' }).click();
    const link = (await page.getByTestId('sign-in-link').textContent())!;
    expect(link).toMatch(LINK);
    expect(await axe(page)).toEqual([]);

    const teacher = await (await phoneContext(browser)).newPage();
    await teacher.goto(link);
    await teacher.getByRole('heading', { name: 'Welcome, Baraka Otieno' }).waitFor();
    await teacher.getByLabel('New passphrase').fill('too short');
    await teacher.getByRole('button', { name: 'Set passphrase and sign in' }).click();
    await expect.poll(() => teacher.getByTestId('staff-error').textContent()).toBe('The passphrase is too short: use at least 12 characters.');
    await teacher.getByLabel('New passphrase').fill('mti mkavu hauzai tunda');
    await teacher.getByRole('button', { name: 'Set passphrase and sign in' }).click();
    await expect.poll(() => teacher.getByTestId('staff-who').textContent()).toBe('Signed in as Baraka Otieno (Teacher)');
    // A teacher has no accounts or audit log, and sees their class with its code.
    expect(await teacher.getByRole('link', { name: 'Accounts' }).count()).toBe(0);
    await expect.poll(() => teacher.locator('[data-slug="class-7b"] [data-testid="join-code"]').textContent()).toBe(joinCode);

    await teacher.getByRole('button', { name: 'Sign out' }).click();
    await teacher.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    await teacher.getByLabel('Name', { exact: true }).fill('baraka otieno');
    await teacher.getByLabel('Passphrase').fill('wrong passphrase here');
    await teacher.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => teacher.getByTestId('staff-error').textContent()).toBe('Sign-in failed. Check the name and passphrase, or try your passkey again.');
    await teacher.getByLabel('Passphrase').fill('mti mkavu hauzai tunda');
    await teacher.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => teacher.getByTestId('staff-who').textContent()).toBe('Signed in as Baraka Otieno (Teacher)');
  });

  it('shows the librarian the audit log of all of it', async () => {
    const { page } = librarian;
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.locator('[data-action="campaign_create"]').first().waitFor();
    const actions = await page.locator('[data-action]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-action')}:${e.getAttribute('data-outcome')}`));
    for (const expected of ['sign_in:ok', 'sign_in:failed', 'welcome:ok', 'user_add:ok', 'campaign_create:ok', 'sign_out:ok']) expect(actions).toContain(expected);
    expect(await axe(page)).toEqual([]);
  });
});
