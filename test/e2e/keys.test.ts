/**
 * Contributor keys in real Chromium: the key made at consent signs everything the phone sends
 * (the node verifies it), and moves to a new phone only through a recovery code protected by a
 * passphrase — saved as a file in one browser context and restored in another, or opened there as
 * the QR code's link. The restored phone signs as the same contributor: it can withdraw what the
 * old phone gave (that another key cannot is test/federation/forgery.test.ts's).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useSession, phoneContext } from './browser.ts';
import { acceptConsent, chooseLanguage, saveIdiom, waitForWaiting } from './app.ts';
import { axe, contributorId, outbox, statuses } from './steps.ts';
import { storedContributions } from '../support/store.ts';

const PASSPHRASE = 'mvua ya masika huanza polepole';

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Moving to a new phone' }).waitFor();
}

describe('contributor keys and moving to a new phone', () => {
  const s = useSession();
  let itemId = '';
  let oldId = '';
  let file = '';
  let link = '';

  it('signs what the phone sends with a key the node verifies, and makes a recovery file and QR code', async () => {
    await s.page.goto(s.server.url);
    await acceptConsent(s.page);
    await chooseLanguage(s.page, 'sw');
    await saveIdiom(s.page, { expression: 'Mwenye pupa hadiriki kula tamu', meaning: 'The greedy never taste the sweet.', example: 'Subiri; mwenye pupa hadiriki kula tamu.' });
    await waitForWaiting(s.page, 0);
    const [sent] = (await outbox(s.page)).map((e) => e.contribution);
    itemId = sent!.id;
    oldId = await contributorId(s.page);
    // What the node stored is signed, by a key whose derived id is the phone's.
    const [stored] = storedContributions(s.server.dataDir, 'general', 'sw');
    expect(stored).toMatchObject({ id: itemId, contributor: oldId, key: expect.stringMatching(/^(Ed25519|ES256)\./), signature: expect.any(String) });
    // The private key is not extractable: the page itself cannot export it.
    const exportable = await s.page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('vernacular');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const stored = await new Promise<{ privateKey: CryptoKey }>((resolve) => {
        const req = db.transaction('meta').objectStore('meta').get('contributorKey');
        req.onsuccess = () => resolve(req.result as { privateKey: CryptoKey });
      });
      db.close();
      return stored.privateKey.extractable;
    });
    expect(exportable).toBe(false);

    await openSettings(s.page);
    await s.page.getByLabel(/A passphrase to protect it/).fill('too short');
    await s.page.getByLabel('The same passphrase again').fill('too short');
    await s.page.getByRole('button', { name: 'Make recovery code' }).click();
    await expect.poll(() => s.page.getByTestId('recovery-make-error').textContent()).toContain('at least 12');
    await s.page.getByLabel(/A passphrase to protect it/).fill(PASSPHRASE);
    await s.page.getByLabel('The same passphrase again').fill(PASSPHRASE);
    await s.page.getByRole('button', { name: 'Make recovery code' }).click();
    await s.page.getByTestId('recovery-made').waitFor();
    expect(await s.page.getByTestId('recovery-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    const download = s.page.waitForEvent('download');
    await s.page.getByTestId('recovery-file').click();
    file = (await (await download).path())!;
    const text = await readFile(file, 'utf8');
    link = /https?:\/\/\S+#\/restore\/\S+/.exec(text)![0];
    expect(text).not.toContain(PASSPHRASE);
    expect(await axe(s.page)).toEqual([]);
  });

  it('restores the key in another browser from the file: the new phone withdraws what the old one gave', async () => {
    const context = await phoneContext(s.browser);
    const page = await context.newPage();
    await page.goto(s.server.url);
    await acceptConsent(page);
    await chooseLanguage(page, 'sw');
    expect(await contributorId(page)).not.toBe(oldId);
    await openSettings(page);
    await page.getByLabel('Recovery file').setInputFiles(file);
    await page.getByLabel('Passphrase', { exact: true }).fill('not the passphrase at all');
    await page.getByRole('button', { name: 'Restore my key' }).click();
    await expect.poll(() => page.getByTestId('recovery-restore-error').textContent()).toContain('does not open');
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Restore my key' }).click();
    await expect.poll(() => page.getByTestId('recovery-restored').textContent()).toContain('restored');
    expect(await contributorId(page)).toBe(oldId);

    await page.getByRole('button', { name: 'Withdraw everything' }).click();
    await page.getByRole('button', { name: 'Yes, withdraw everything' }).click();
    await waitForWaiting(page, 0);
    await expect.poll(async () => (await statuses(s.server, [itemId]))[itemId]!.status).toBe('withdrawn');
    await context.close();
  });

  it('opens the QR code’s link on a new phone, after consent, with the code filled in', async () => {
    const context = await phoneContext(s.browser);
    const page = await context.newPage();
    await page.goto(link);
    await acceptConsent(page);
    await page.getByRole('heading', { name: 'Moving to a new phone' }).waitFor();
    expect(await page.getByLabel('Or paste the recovery code').inputValue()).toMatch(/^VRC1\./);
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Restore my key' }).click();
    await expect.poll(() => page.getByTestId('recovery-restored').textContent()).toContain('restored');
    expect(await contributorId(page)).toBe(oldId);
    expect(await axe(page)).toEqual([]);
    await context.close();
  });
});
