/**
 * Edits and withdrawals in real Chromium against a real node: an edit is a new revision that
 * replaces the original (in the list, on the node and in the export); a withdrawal made offline
 * reaches the node later and removes the item from the next export; "withdraw everything" does
 * that for all of a contributor's items.
 */
import { describe, expect, it } from 'vitest';
import { useSession } from './browser.ts';
import { acceptConsent, chooseLanguage, saveIdiom, waitForWaiting } from './app.ts';
import { acceptByVotes, axe, exportText, outbox, statuses } from './steps.ts';

describe('editing and withdrawing one’s own contributions', () => {
  const s = useSession();
  const ids: Record<string, string> = {};

  const entry = (id: string) => s.page.locator(`[data-testid="entries"] li[data-id="${id}"]`);

  it('replaces the original with the edit: in the list, on the node and in the export', async () => {
    await s.page.goto(s.server.url);
    await acceptConsent(s.page);
    await chooseLanguage(s.page, 'sw');
    await saveIdiom(s.page, { expression: 'Pole pole ndio mwendo', meaning: 'Slowly is the way (first wording).', example: 'Pole pole ndio mwendo, usikimbie.' });
    await saveIdiom(s.page, { expression: 'Maji yakimwagika hayazoleki', meaning: 'Spilt water cannot be gathered.', example: 'Fikiri kwanza; maji yakimwagika hayazoleki.' });
    await saveIdiom(s.page, { expression: 'Akili ni nywele', meaning: 'Wisdom is like hair: everyone has their own.', example: 'Msikilize; akili ni nywele.' });
    await waitForWaiting(s.page, 0);
    const saved = (await outbox(s.page)).map((e) => e.contribution);
    Object.assign(ids, { edited: saved[0]!.id, withdrawn: saved[1]!.id, kept: saved[2]!.id });
    await acceptByVotes(s.server, saved);
    expect(await exportText(s.server)).toContain('first wording');

    await s.page.getByRole('link', { name: 'My contributions' }).click();
    await entry(ids.edited!).getByRole('button', { name: 'Edit' }).click();
    const meaning = s.page.getByLabel('Meaning');
    expect(await meaning.inputValue()).toBe('Slowly is the way (first wording).');
    expect(await axe(s.page)).toEqual([]);
    await meaning.fill('Slowly is the way: patience gets you there.');
    await s.page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await outbox(s.page)).length).toBe(4);
    await waitForWaiting(s.page, 0);
    const edit = (await outbox(s.page)).map((e) => e.contribution).at(-1)!;
    expect(edit).toMatchObject({ kind: 'idiom', revisionOf: ids.edited, data: { expression: 'Pole pole ndio mwendo', meaning: 'Slowly is the way: patience gets you there.' } });
    ids.edit = edit.id;

    await expect.poll(() => entry(ids.edited!).getAttribute('data-shown')).toBe('replaced');
    await expect.poll(() => entry(ids.edit!).getAttribute('data-shown')).toBe('pending');
    expect(await entry(ids.edited!).getByRole('button', { name: 'Edit' }).count()).toBe(0);
    const status = await statuses(s.server, [ids.edited!, ids.edit]);
    expect(status[ids.edited!]!.status).toBe('superseded');
    expect(status[ids.edit]!.status).toBe('pending');
    await acceptByVotes(s.server, [edit]);
    const text = await exportText(s.server);
    expect(text).toContain('patience gets you there');
    expect(text).not.toContain('first wording');
  });

  it('sends a withdrawal made offline once back, and the next export leaves the item out', async () => {
    await s.server.stop();
    await s.context.setOffline(true);
    await expect.poll(() => s.page.getByTestId('online-state').textContent()).toBe('Offline');
    await entry(ids.withdrawn!).getByRole('button', { name: 'Withdraw' }).click();
    const dialog = s.page.getByRole('dialog');
    await dialog.getByText('Withdraw this contribution?').waitFor();
    expect(await axe(s.page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Withdraw it' }).click();
    await expect.poll(() => entry(ids.withdrawn!).getAttribute('data-shown')).toBe('withdrawn');
    expect(await entry(ids.withdrawn!).getByTestId('item-status').textContent()).toBe('Withdrawn');
    await waitForWaiting(s.page, 1);
    expect(await exportText(s.server)).toContain('Spilt water cannot be gathered');

    await s.server.restart();
    await s.context.setOffline(false);
    await waitForWaiting(s.page, 0);
    const last = (await outbox(s.page)).at(-1)!;
    expect(last).toMatchObject({ status: 'sent', contribution: { kind: 'withdrawal', data: { scope: 'item', target: ids.withdrawn } } });
    expect((await statuses(s.server, [ids.withdrawn!]))[ids.withdrawn!]!.status).toBe('withdrawn');
    const text = await exportText(s.server);
    expect(text).not.toContain('Spilt water cannot be gathered');
    expect(text).toContain('everyone has their own');
  });

  it('withdraws everything from Settings after a confirmation, and the export holds none of it', async () => {
    await s.page.getByRole('link', { name: 'Settings' }).click();
    await s.page.getByRole('button', { name: 'Withdraw everything' }).click();
    const dialog = s.page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await waitForWaiting(s.page, 0);
    expect((await outbox(s.page)).filter((e) => e.contribution.kind === 'withdrawal')).toHaveLength(1);
    await s.page.getByRole('button', { name: 'Withdraw everything' }).click();
    await dialog.getByRole('button', { name: 'Yes, withdraw everything' }).click();
    await s.page.getByText('Withdrawal saved.').waitFor();
    await expect.poll(async () => (await outbox(s.page)).filter((e) => e.contribution.kind === 'withdrawal').length).toBe(2);
    await waitForWaiting(s.page, 0);
    const status = await statuses(s.server, [ids.edit!, ids.kept!]);
    expect([status[ids.edit!]!.status, status[ids.kept!]!.status]).toEqual(['withdrawn', 'withdrawn']);
    const text = await exportText(s.server);
    expect(text).not.toContain('patience gets you there');
    expect(text).not.toContain('everyone has their own');
    await s.page.getByRole('link', { name: 'My contributions' }).click();
    await expect.poll(() => s.page.locator('[data-testid="entries"] li[data-shown="withdrawn"]').count()).toBe(4);
  });
});
