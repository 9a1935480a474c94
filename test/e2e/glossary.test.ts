/**
 * The shared glossary in real Chromium: two devices edit the campaign's glossary while the node
 * is down and they are offline, keep their edits across an offline reload (y-indexeddb), and
 * converge — identical terms and conventions on both, and on the node — once both have synced,
 * every sync signed with the device's contributor key (the node's log names each device's key as
 * the author of what it wrote). A phone whose key a campaign's glossary does not take yet keeps
 * its edits on the device and is told so in words.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { GlossaryView } from '../../federation/protocol/index.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, startServer, tempDir, type RunningServer } from '../support/server.ts';
import { launch, phoneContext } from './browser.ts';
import { acceptConsent, chooseLanguage, waitForServiceWorker } from './app.ts';
import { contributorId, createCampaign, joinCampaign } from './steps.ts';
import { grantOn } from '../support/reviewers.ts';

const CONVENTIONS = 'Spelling conventions and style notes';
const SYNCED = 'Saved on this device and shared with the node.';

interface Phone {
  context: BrowserContext;
  page: Page;
}

async function openGlossary(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Glossary' }).click();
  await page.getByTestId('glossary-count').waitFor();
}

async function addTerm(page: Page, term: { term: string; rendering: string; language?: string; notes?: string }): Promise<void> {
  const form = page.getByRole('region', { name: 'Add a term' });
  await form.getByLabel('Term', { exact: true }).fill(term.term);
  await form.getByLabel('Preferred rendering').fill(term.rendering);
  await form.getByLabel('Language code (optional)').fill(term.language ?? 'sw');
  await form.getByLabel('Notes (optional)').fill(term.notes ?? '');
  await form.getByRole('button', { name: 'Add term' }).click();
  await expect.poll(() => form.getByLabel('Term', { exact: true }).inputValue()).toBe('');
}

/** Types at the end of the conventions, key by key, as a person would. */
async function typeConventions(page: Page, text: string): Promise<void> {
  const area = page.getByLabel(CONVENTIONS);
  await area.click();
  await area.press('Control+End');
  await page.keyboard.type(text, { delay: 5 });
}

const termsOn = (page: Page) => page.getByTestId('glossary-term-text').allTextContents();
const conventionsOn = (page: Page) => page.getByLabel(CONVENTIONS).inputValue();
const syncLine = (page: Page) => page.getByTestId('glossary-sync').textContent();

async function snapshot(page: Page) {
  return { terms: await termsOn(page), conventions: await conventionsOn(page) };
}

async function syncNow(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect.poll(() => syncLine(page), { timeout: 30_000 }).toBe(SYNCED);
}

describe('two devices co-edit the glossary offline and converge', () => {
  let server: RunningServer;
  let browser: Browser;
  const phones: Phone[] = [];
  const a = () => phones[0]!;
  const b = () => phones[1]!;

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    for (let i = 0; i < 2; i++) {
      const context = await phoneContext(browser);
      phones.push({ context, page: await context.newPage() });
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('both open the glossary online and share a first term and a first line of conventions', async () => {
    for (const { page } of phones) {
      await page.goto(server.url);
      await waitForServiceWorker(page);
      await acceptConsent(page);
      // The librarian makes this phone's key an eligible reviewer of `general`: it may write the glossary.
      await grantOn(server, 'general', [await contributorId(page)]);
      await openGlossary(page);
      await expect.poll(() => syncLine(page), { timeout: 30_000 }).toBe(SYNCED);
    }
    await addTerm(a().page, { term: 'upepo', rendering: 'wind' });
    await typeConventions(a().page, 'Long vowels are written double.');
    await syncNow(a().page);
    await syncNow(b().page);
    expect(await termsOn(b().page)).toEqual(['upepo']);
    expect(await conventionsOn(b().page)).toBe('Long vowels are written double.');
    const axe = await new AxeBuilder({ page: b().page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });

  it('each edits while the node is down and both are offline, and an offline reload keeps the edits', async () => {
    await server.stop();
    for (const { context } of phones) await context.setOffline(true);
    await expect.poll(() => syncLine(a().page)).toContain('Offline');

    await addTerm(a().page, { term: 'maji', rendering: 'water', notes: 'Also "rain" in some dialects.' });
    await a().page.getByRole('button', { name: 'Edit upepo' }).click();
    await a().page.getByLabel('Preferred rendering').first().fill('wind, breeze');
    await a().page.getByRole('button', { name: 'Save changes' }).click();
    await typeConventions(a().page, ' Dates: day month year.');

    await addTerm(b().page, { term: 'moto', rendering: 'fire' });
    await addTerm(b().page, { term: 'jua', rendering: 'sun' });
    await b().page.getByRole('button', { name: 'Delete jua' }).click();
    await typeConventions(b().page, ' Numbers in digits.');

    const beforeReload = await snapshot(a().page);
    expect(beforeReload.terms).toEqual(['maji', 'upepo']);
    // y-indexeddb writes each update at once; give the IndexedDB transaction a moment to commit.
    await a().page.waitForTimeout(500);
    await a().page.reload();
    await a().page.getByTestId('glossary-count').waitFor();
    expect(await snapshot(a().page)).toEqual(beforeReload);
    expect(await a().page.getByTestId('glossary-rendering').allTextContents()).toEqual(['water', 'wind, breeze']);
  });

  it('after the node is back and both are online, both show identical content, and so does the node', async () => {
    await server.restart();
    for (const { context } of phones) await context.setOffline(false);
    for (const { page } of phones) await expect.poll(() => syncLine(page), { timeout: 60_000 }).toBe(SYNCED);
    // Each has sent its edits; one more exchange each brings in the other's.
    await syncNow(a().page);
    await syncNow(b().page);

    const onA = await snapshot(a().page);
    const onB = await snapshot(b().page);
    expect(onB).toEqual(onA);
    expect(onA.terms).toEqual(['maji', 'moto', 'upepo']);
    expect(onA.conventions).toContain('Long vowels are written double.');
    expect(onA.conventions).toContain(' Dates: day month year.');
    expect(onA.conventions).toContain(' Numbers in digits.');
    expect(onA.conventions.length).toBe('Long vowels are written double. Dates: day month year. Numbers in digits.'.length);

    const res = await fetch(`${server.url}/api/v1/glossary/general`);
    const node = GlossaryView.parse(await res.json());
    expect(node.terms.map((t) => t.term)).toEqual(onA.terms);
    expect(node.terms.find((t) => t.term === 'upepo')?.rendering).toBe('wind, breeze');
    expect(node.conventions).toBe(onA.conventions);
    // Each phone's syncs were signed with its own key: the log names two authors.
    const log = await runCli(['glossary', 'log', '--campaign', 'general', '--data', server.dataDir]);
    expect(log.code, log.stderr).toBe(0);
    const authors = new Set(log.stdout.trim().split('\n').slice(1).map((line) => line.split('\t')[2]));
    expect(authors.size).toBe(2);
  });

  it('exports the glossary with the dataset as its glossary config (glossary/train.jsonl)', async () => {
    const out = await tempDir('glossary-export');
    const result = await runCli(['dataset', 'build', '--out', out, '--data', server.dataDir]);
    expect(result.code, result.stderr).toBe(0);
    const lines = (await readFile(join(out, 'glossary', 'train.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { campaign: 'general', term: 'maji', rendering: 'water', language: 'sw', notes: 'Also "rain" in some dialects.' },
      { campaign: 'general', term: 'moto', rendering: 'fire', language: 'sw', notes: '' },
      { campaign: 'general', term: 'upepo', rendering: 'wind, breeze', language: 'sw', notes: '' },
    ]);
    expect(await readFile(join(out, 'README.md'), 'utf8')).toContain('- config_name: glossary\n');
  });
});

describe('a phone whose key the campaign\'s glossary does not take yet', () => {
  let server: RunningServer;
  let browser: Browser;
  let phone: Phone;

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    const context = await phoneContext(browser);
    phone = { context, page: await context.newPage() };
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('keeps its edits on the device, says so plainly, and the node stores nothing', async () => {
    const code = await createCampaign(server, 'shule', ['idiom'], ['sw']);
    const { page } = phone;
    await page.goto(server.url);
    await waitForServiceWorker(page);
    await acceptConsent(page);
    await chooseLanguage(page, 'sw');
    await joinCampaign(page, code);
    await openGlossary(page);
    await addTerm(page, { term: 'darasa', rendering: 'classroom' });
    await expect.poll(() => syncLine(page), { timeout: 30_000 }).toContain('kept on this device but not shared');
    expect(await page.getByTestId('glossary-sync').getAttribute('data-not-eligible')).toBe('true');
    const node = GlossaryView.parse(await (await fetch(`${server.url}/api/v1/glossary/shule`)).json());
    expect(node.terms).toEqual([]);
    await page.waitForTimeout(500);
    await page.reload();
    await page.getByTestId('glossary-count').waitFor();
    expect(await termsOn(page)).toEqual(['darasa']);
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
