/**
 * Peer review in real Chromium against a real node: three contributors on one node, two of them
 * granted a reviewer credential by the librarian (`vernacular reviewer grant`). Nobody is offered
 * their own items; reviews (also made offline) travel through the outbox like any contribution;
 * the credentialed reviewers' votes count, and with two more credentialed votes (the default
 * policy wants a lead of four) the item is accepted and its author sees so; the queue shows no
 * tallies; "Improve" saves a new item that names the original.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { runCli, startServer, type RunningServer } from '../support/server.ts';
import { send } from '../support/federation.ts';
import { person, review } from '../support/contributions.ts';
import { launch } from './browser.ts';
import { saveIdiom, waitForWaiting } from './app.ts';
import { axe, contributor, outbox, statuses, storedItems } from './steps.ts';

/** Two more reviewers with credentials, voting from devices of their own (not in a browser here). */
const EXTRA = [person(), person()];

describe('reviewing each other’s contributions', () => {
  let server: RunningServer;
  let browser: Browser;
  const people: Record<'author' | 'first' | 'second', { page: Page; id: string; context: import('playwright-core').BrowserContext }> = {} as never;
  const ids: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    people.author = await contributor(browser, server);
    people.first = await contributor(browser, server);
    people.second = await contributor(browser, server);
    // Given in person, as a librarian does: the reviewers' ids are in their apps' settings.
    for (const reviewer of [people.first.id, people.second.id, ...EXTRA.map((p) => p.contributor)]) {
      const granted = await runCli(['reviewer', 'grant', '--campaign', 'general', reviewer, '--data', server.dataDir]);
      expect(granted.code, granted.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openReview(page: Page) {
    await page.getByRole('link', { name: 'Review' }).click();
    await page.getByRole('heading', { name: 'Review' }).waitFor();
  }

  async function shownItem(page: Page): Promise<string> {
    const item = page.getByTestId('review-item');
    await item.waitFor({ timeout: 20_000 });
    return (await item.getAttribute('data-id'))!;
  }

  /** Presses a review button and waits until the item it was about has left the screen. */
  async function press(page: Page, name: string): Promise<void> {
    const before = await shownItem(page);
    await page.getByRole('button', { name, exact: true }).click();
    await expect
      .poll(async () => ((await page.getByTestId('review-item').count()) ? page.getByTestId('review-item').getAttribute('data-id') : null))
      .not.toBe(before);
  }

  it('never offers contributors their own items, in the app', async () => {
    const { page } = people.author;
    await saveIdiom(page, { expression: 'Asiyesikia la mkuu', meaning: 'Who does not listen to elders…', example: 'Asiyesikia la mkuu huvunjika guu.' });
    await saveIdiom(page, { expression: '<b>Mchelea mwana</b> kulia', meaning: 'Who fears a child’s tears…', example: 'Mchelea mwana kulia hulia yeye.' });
    await waitForWaiting(page, 0);
    ids.push(...(await outbox(page)).map((e) => e.contribution.id));
    // The node is asked with the author's signature (its refusal of one's own items is tested in
    // federation/server/campaigns.http.test.ts); here the app shows none.
    await openReview(page);
    await page.getByTestId('review-empty').waitFor();
    expect(await page.getByTestId('review-item').count()).toBe(0);
  });

  it('lets a second contributor vote and report offline; the reviews arrive once back online', async () => {
    const { page, context } = people.first;
    await openReview(page);
    const firstShown = await shownItem(page);
    expect(ids).toContain(firstShown);
    // Contributed text is text: the markup in the expression is not rendered.
    expect(await page.getByTestId('review-item').locator('b').count()).toBe(0);
    // No tallies: each reviewer judges on their own.
    expect(await page.getByTestId('review-item').textContent()).not.toMatch(/good ·/);
    await context.setOffline(true);
    await expect.poll(() => page.getByTestId('online-state').textContent()).toBe('Offline');
    await page.getByTestId('review-offline').waitFor();
    await press(page, 'Good');
    await page.getByText('Thank you. Your review is saved').waitFor();
    const secondShown = await shownItem(page);
    expect(secondShown).not.toBe(firstShown);
    await page.getByRole('button', { name: 'Report' }).click();
    await page.getByLabel('Why are you reporting it?').selectOption('duplicate');
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByTestId('review-empty').waitFor();
    await waitForWaiting(page, 2);
    await context.setOffline(false);
    await waitForWaiting(page, 0);
    const reviews = (await outbox(page)).map((e) => e.contribution);
    expect(reviews.map((r) => [r.kind, r.data])).toEqual([
      ['review', { target: firstShown, action: 'up' }],
      ['review', { target: secondShown, action: 'flag', reason: 'duplicate' }],
    ]);
    const status = await statuses(server, [firstShown, secondShown]);
    expect(status[firstShown]).toMatchObject({ status: 'pending', votes: { up: 1, down: 0, flags: 0 } });
    expect(status[secondShown]).toMatchObject({ status: 'pending', votes: { flags: 1 } });
    ids.splice(0, ids.length, firstShown, secondShown);
  });

  it('makes an item accepted with a second reviewer’s up-vote, and shows the author so', async () => {
    const { page } = people.second;
    const [upVoted, flagged] = ids as [string, string];
    await openReview(page);
    // The second reviewer is offered both; vote up the one the first reviewer voted up.
    while ((await shownItem(page)) !== upVoted) await press(page, 'Not good');
    await press(page, 'Good');
    await waitForWaiting(page, 0);
    expect((await statuses(server, [upVoted]))[upVoted]).toMatchObject({ status: 'pending', votes: { up: 2, down: 0 } });
    // Two more credentialed reviewers agree (from their own devices): a lead of four decides.
    const answer = await send(server, EXTRA.map((p) => review(upVoted, { contributor: p.contributor })));
    expect(answer.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const status = await statuses(server, [upVoted, flagged]);
    expect(status[upVoted]).toMatchObject({ status: 'accepted', votes: { up: 4, down: 0 } });
    expect(status[flagged]!.status).toBe('pending');

    const author = people.author.page;
    await author.getByRole('link', { name: 'My contributions' }).click();
    const li = author.locator(`[data-testid="entries"] li[data-id="${upVoted}"]`);
    await expect.poll(() => li.getAttribute('data-shown'), { timeout: 20_000 }).toBe('accepted');
    expect(await li.getByTestId('item-status').textContent()).toBe('Accepted');
  });

  it('saves “Improve” as a new item naming the original, which stays the author’s', async () => {
    const [, flagged] = ids as [string, string];
    const third = await contributor(browser, server);
    await openReview(third.page);
    while ((await shownItem(third.page)) !== flagged) await press(third.page, 'Good');
    await third.page.getByRole('button', { name: 'Improve' }).click();
    const meaning = third.page.getByLabel('Meaning');
    // Which of the author's two items the first reviewer flagged depends on their own queue order.
    const original = (await storedItems(server, 'general', 'sw')).find((c) => c.id === flagged)!;
    expect(await meaning.inputValue()).toBe((original.data as { meaning: string }).meaning);
    await meaning.fill('Who fears a child’s tears will weep himself.');
    await third.page.getByRole('button', { name: /^Save/ }).click();
    await expect.poll(async () => (await outbox(third.page)).some((e) => e.contribution.kind === 'idiom')).toBe(true);
    await waitForWaiting(third.page, 0);
    const improvement = (await outbox(third.page)).map((e) => e.contribution).find((c) => c.kind === 'idiom')!;
    expect(improvement).toMatchObject({ revisionOf: flagged, contributor: third.id, data: { meaning: 'Who fears a child’s tears will weep himself.' } });
    const stored = await storedItems(server, 'general', 'sw');
    expect(stored.find((c) => c.id === improvement.id)).toMatchObject(improvement);
    expect((await statuses(server, [flagged]))[flagged]!.status).toBe('pending');
    await third.context.close();
  });
});
