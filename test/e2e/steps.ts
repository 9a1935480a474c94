/**
 * Steps for the kinds, campaigns, review and revision browser tests: what a contributor does in
 * the app (fill each kind's form, join a campaign, review), and what a test reads back from the
 * node (statuses, the review queue as another reviewer sees it, the campaign CLI).
 */
import { AxeBuilder } from '@axe-core/playwright';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { CONSENT_VERSION, DEFAULT_LICENCE, DEFAULT_REVIEWER_POLICY, JOIN_CODE_ALPHABET, PROTOCOL_VERSION, type Contribution, type StatusResponse } from '../../federation/protocol/index.ts';
import { runCli, tempDir, type RunningServer } from '../support/server.ts';
import { storedContributions, storedStatuses } from '../support/store.ts';
import { person } from '../support/contributions.ts';
import { grantOn } from '../support/reviewers.ts';
import { signItems } from '../../federation/trust/contributors.ts';
import { acceptConsent, chooseLanguage } from './app.ts';
import { phoneContext } from './browser.ts';
import type { Browser } from 'playwright-core';

/** A fresh contributor: a new browser context, consent given, language chosen. */
export async function contributor(browser: Browser, server: RunningServer, language = 'sw'): Promise<{ context: BrowserContext; page: Page; id: string }> {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto(server.url);
  await acceptConsent(page);
  await chooseLanguage(page, language);
  return { context, page, id: await contributorId(page) };
}

/** The phone's contributor id, once consent has made its key (the write follows the click). */
export async function contributorId(page: Page): Promise<string> {
  const read = () =>
    page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('vernacular');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      try {
        const identity = await new Promise<{ contributorId?: string } | undefined>((resolve, reject) => {
          const req = db.transaction('meta').objectStore('meta').get('identity');
          req.onsuccess = () => resolve(req.result as { contributorId?: string } | undefined);
          req.onerror = () => reject(req.error);
        });
        return identity?.contributorId ?? null;
      } finally {
        db.close();
      }
    });
  // A plain loop: this also runs in beforeAll, where expect.poll is not allowed.
  for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 50))) {
    const id = await read().catch(() => null);
    if (id !== null) return id;
    if (Date.now() > deadline) throw new Error('The phone made no key after consent (no identity in IndexedDB).');
  }
}

export async function pickKind(page: Page, label: string): Promise<void> {
  await page.getByLabel('What would you like to teach?').selectOption({ label });
}

/** Saves the form on screen and waits until it was taken (the notice says so, nothing invalid). */
export async function save(page: Page): Promise<void> {
  const before = await page.getByTestId('waiting-count').getAttribute('data-count');
  await page.getByRole('button', { name: /^Save/ }).click();
  await expect.poll(async () => page.getByTestId('waiting-count').getAttribute('data-count'), { timeout: 10_000 }).not.toBe(before);
}

/** The text of a labelled context block on the form (prompt, draft, answers, sentence). */
export async function shown(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).locator('.context-text').textContent()) ?? '';
}

/** Creates a campaign with the real CLI and returns its join code. */
export async function createCampaign(
  server: RunningServer,
  slug: string,
  kinds: string[],
  languages = ['sw', 'en'],
  extra: string[] = [],
): Promise<string> {
  const r = await runCli(['campaign', 'create', '--slug', slug, '--title', `drive ${slug}`, '--languages', languages.join(','), '--kinds', kinds.join(','), ...extra, '--data', server.dataDir]);
  if (r.code !== 0) throw new Error(`campaign create failed (${r.code}):\n${r.stdout}${r.stderr}`);
  const code = new RegExp(`join code ([${JOIN_CODE_ALPHABET}]{6,12})`).exec(r.stdout)?.[1];
  if (!code) throw new Error(`no join code in:\n${r.stdout}`);
  return code;
}

/** Imports seed rows from a CSV file written from `rows` (header = the Seed field names). */
export async function importSeeds(server: RunningServer, slug: string, rows: ReadonlyArray<Record<string, string | undefined>>): Promise<void> {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | undefined) => (v === undefined ? '' : `"${v.replaceAll('"', '""')}"`);
  const csv = [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
  const file = join(await tempDir('seeds'), 'seeds.csv');
  await writeFile(file, csv, 'utf8');
  const r = await runCli(['campaign', 'seeds', 'import', slug, file, '--data', server.dataDir]);
  if (r.code !== 0) throw new Error(`seeds import failed (${r.code}):\n${r.stdout}${r.stderr}`);
}

export async function joinCampaign(page: Page, code: string): Promise<void> {
  await page.getByRole('link', { name: 'Contribute' }).click();
  await page.getByRole('button', { name: 'Switch campaign' }).click();
  await page.getByLabel('Join code').fill(code.toLowerCase());
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.getByTestId('current-campaign').waitFor();
}

/**
 * The node's derived status of items (read from its data folder: the status endpoint answers only
 * the author, whose key lives in the browser).
 */
export async function statuses(server: RunningServer, ids: string[]): Promise<Record<string, StatusResponse['items'][number]>> {
  return Object.fromEntries((await storedStatuses(server.dataDir, ids)).map((i) => [i.id, i]));
}

/** The content items the node stores for a campaign and language, whole (from its data folder). */
export async function storedItems(server: RunningServer, campaign: string, language: string): Promise<Contribution[]> {
  return Promise.resolve(storedContributions(server.dataDir, campaign, language));
}

/** The contributions this page saved, from its own outbox (what "My contributions" lists). */
export async function outbox(page: Page): Promise<Array<{ status: string; contribution: Contribution }>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('vernacular');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = await new Promise<Array<{ status: string; contribution: Contribution; seq: number }>>((resolve, reject) => {
      const req = db.transaction('outbox').objectStore('outbox').getAll();
      req.onsuccess = () => resolve(req.result as Array<{ status: string; contribution: Contribution; seq: number }>);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return all.sort((a, b) => a.seq - b.seq).map(({ status, contribution }) => ({ status, contribution }));
  });
}

/**
 * Reviewers the node's librarian granted vote each item up, straight through the sync API (as
 * their phones would), enough of them for the default margin, so that the items are accepted and
 * belong in the default export.
 */
export async function acceptByVotes(server: RunningServer, items: Array<{ id: string; campaign: string; language: string }>): Promise<void> {
  const voters = Array.from({ length: DEFAULT_REVIEWER_POLICY.margin }, () => person());
  for (const campaign of new Set(items.map((i) => i.campaign))) await grantOn(server, campaign, voters.map((v) => v.contributor));
  for (const voter of voters) {
    const contributions = signItems(voter, items.map((item, i) => ({
      id: uuidv7(),
      kind: 'review',
      campaign: item.campaign,
      language: item.language,
      contributor: voter.contributor,
      key: voter.key,
      deviceSeq: i + 1,
      createdAt: new Date().toISOString(),
      consent: { version: CONSENT_VERSION, licence: DEFAULT_LICENCE },
      data: { target: item.id, action: 'up' },
    })));
    const res = await fetch(`${server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: uuidv4() }, contributions }),
    });
    const body = (await res.json()) as { results: Array<{ status: string }> };
    expect(body.results.map((r) => r.status)).toEqual(items.map(() => 'accepted'));
  }
  const status = await statuses(server, items.map((i) => i.id));
  expect(items.map((i) => status[i.id]!.status)).toEqual(items.map(() => 'accepted'));
}

/**
 * Every line of every JSONL file `vernacular dataset build` writes by default (accepted items), as
 * text: whatever the layout per kind, an item's words are either in the export or not.
 */
export async function exportText(server: RunningServer): Promise<string> {
  const { readdir, readFile } = await import('node:fs/promises');
  const out = await tempDir('export');
  const r = await runCli(['dataset', 'build', '--out', out, '--data', server.dataDir]);
  if (r.code !== 0) throw new Error(`dataset build failed (${r.code}):\n${r.stdout}${r.stderr}`);
  const files = (await readdir(out, { recursive: true })).filter((f) => String(f).endsWith('.jsonl'));
  const texts = await Promise.all(files.map((f) => readFile(join(out, String(f)), 'utf8')));
  return texts.join('\n');
}

/** Accessibility violations on the page as it is now (WCAG 2.1 A and AA). */
export async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
