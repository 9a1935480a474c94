/**
 * The steward's console on a hub, in real Chromium against real hub and node processes: the
 * steward sees the enrolled node with its last exchange and what it reported, revokes it (and
 * quarantines what it sent), and the node's own screen then says the hub refused it.
 * Screenshots of the console at 390×844 and 1920×1080 go to test-results/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/server.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FedNode, type Hub, send, startHub, startNode, waitFor } from '../support/federation.ts';
import { idioms } from '../support/contributions.ts';
import { launch, phoneContext } from './browser.ts';
import { acceptConsent } from './app.ts';
import { axe } from './steps.ts';

const SHOTS = join(import.meta.dirname, '../../test-results');
const LINK = /^(http:\/\/\S+\/#\/staff\/welcome\/[A-Za-z0-9_-]{43})$/m;

describe('the steward’s console', () => {
  let hub: Hub;
  let node: FedNode;
  let browser: Browser;
  let steward: Page;

  beforeAll(async () => {
    hub = await startHub();
    node = await startNode(hub, 'Kisumu public library', { every: 1 });
    await send(node, idioms(3));
    const added = await hub.cli(['user', 'add', '--role', 'steward', '--name', 'Neema Mwangi', '--origin', hub.url]);
    expect(added.code, added.stderr).toBe(0);
    browser = await launch();
    steward = await (await phoneContext(browser)).newPage();
    await steward.goto(LINK.exec(added.stdout)![1]!);
    await steward.getByLabel('New passphrase').fill('mti mkavu hauzai tunda');
    await steward.getByRole('button', { name: 'Set passphrase and sign in' }).click();
    await steward.getByTestId('staff-who').getByText('Signed in as Neema Mwangi (Steward)').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await node?.dispose();
    await hub?.dispose();
  });

  it('shows the node, its last exchange and what it reported once it synced', async () => {
    await steward.getByRole('link', { name: 'Nodes', exact: true }).click();
    const entry = steward.locator('[data-testid="staff-nodes"] li[data-node]');
    await entry.getByText('Kisumu public library').waitFor();
    // The node reports after each exchange; the list is read when the panel opens.
    await waitFor('the node’s report', async () => {
      await steward.reload();
      return (await entry.getByTestId('node-report').count()) > 0 || undefined;
    }, 90_000);
    expect(await entry.getByTestId('node-report').textContent()).toContain('Nothing waiting for the hub; none set aside.');
    expect(await entry.getByTestId('node-state').textContent()).toBe('Active');
    expect(await entry.textContent()).toMatch(/Last push (just now|.* ago); last pull (just now|.* ago)\./);
    // A release built on the hub, with its report.
    const config = join(await tempDir('release-config'), 'config.json');
    writeFileSync(config, JSON.stringify({ version: '2026.12.0', includePending: true, language: { check: false } }));
    const built = await hub.cli(['release', 'build', '--config', config, '--out', await tempDir('release-out')]);
    expect(built.code, built.stderr).toBe(0);
    await steward.reload();
    const release = steward.getByTestId('releases').locator('li');
    await expect.poll(() => release.first().textContent()).toContain('2026.12.0');
    // The node's three look alike: the duplicates stage keeps one.
    expect(await release.first().textContent()).toContain('1 item from 1 contributor');
    await release.first().getByText('Report: what each stage left out', { exact: false }).click();
    const report = await release.first().getByTestId('release-report').textContent();
    expect(report).toContain('duplicates: 2 left out (near_duplicate)');
    expect(report).toMatch(/idioms: (train|test|validation) 1/);
    expect(await axe(steward)).toEqual([]);
    await steward.screenshot({ path: join(SHOTS, 'steward-console-390.png'), fullPage: true });
  });

  it('revokes the node with its records quarantined; the node’s screen says the hub refused it', async () => {
    const entry = steward.locator('[data-testid="staff-nodes"] li[data-node]');
    await entry.getByRole('button', { name: 'Revoke' }).click();
    await entry.getByLabel('Also leave out of every release everything it ever sent').check();
    await entry.getByRole('button', { name: 'Revoke it' }).click();
    await expect.poll(() => entry.getByTestId('node-state').textContent()).toBe('Revoked · quarantined');
    await steward.setViewportSize({ width: 1920, height: 1080 });
    await steward.screenshot({ path: join(SHOTS, 'steward-console-1920.png') });

    const phone = await (await phoneContext(browser)).newPage();
    await phone.goto(node.url);
    await acceptConsent(phone);
    await phone.getByLabel('Language you are writing in').waitFor();
    await phone.goto(`${node.url}/#/settings`);
    await expect.poll(async () => {
      await phone.reload();
      return phone.getByTestId('hub-link').getAttribute('data-state');
    }, { timeout: 30_000 }).toBe('revoked');
    expect(await phone.getByTestId('hub-link').textContent()).toContain('The national hub no longer accepts this node.');
    // The audit log holds it, with who did it.
    await steward.getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => steward.locator('main').textContent()).toContain('node_revoke');
  });
});
