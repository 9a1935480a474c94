/**
 * Compare items whose answers the campaign's models write on this device, end to end: a node with
 * the committed tiny model, campaigns naming it as their compare model (`--compare-model`), joined
 * by code. (1) One model against a seed pair's reference answer; (2) two revisions of one model
 * against each other. The app shows the download size and origin but no model name, the model
 * worker (WASM) writes the answers — exactly the greedy text onnxruntime-node gives — shown in a
 * random order as "Answer A" / "Answer B"; the contributor picks the model's answer with a reason,
 * the item syncs with each answer's source, two strangers accept it, and the dataset build exports
 * a preference pair naming the provenance of chosen and rejected.
 */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Contribution, ModelsResponse } from '../../federation/protocol/index.ts';
import { cleanGeneratedText } from '../../federation/protocol/text.ts';
import { acceptConsent, chooseLanguage } from './app.ts';
import { phoneContext, useSession } from './browser.ts';
import { acceptByVotes, axe, createCampaign, importSeeds, joinCampaign, storedItems } from './steps.ts';
import { runCli, tempDir, type RunningServer } from '../support/server.ts';
import { TINY_MODEL_ID } from '../support/model/reference.ts';
import { nodeGreedyText } from '../support/model/greedy.ts';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/models', TINY_MODEL_ID);
const PROMPT = 'Nisalimie kwa heshima.';
const REFERENCE = 'Shikamoo, mzee.';
const GREEDY = { max_new_tokens: 128, do_sample: false };

async function importModel(server: RunningServer, dir: string): Promise<string> {
  const imported = await runCli(['models', 'import', dir, '--id', TINY_MODEL_ID, '--data', server.dataDir]);
  expect(imported.code, imported.stderr).toBe(0);
  const manifest = (await (await fetch(`${server.url}/api/v1/models`)).json()) as ModelsResponse;
  const revisions = manifest.models.filter((m) => m.id === TINY_MODEL_ID).map((m) => m.revision);
  return revisions.at(-1)!;
}

async function modelRevisions(server: RunningServer): Promise<string[]> {
  const manifest = (await (await fetch(`${server.url}/api/v1/models`)).json()) as ModelsResponse;
  return manifest.models.filter((m) => m.id === TINY_MODEL_ID).map((m) => m.revision);
}

/**
 * Writes both answers on the device and returns them as shown: [Answer A, Answer B]. `hidden`
 * (a seed's answer) must not be on the screen while the answers are written: both appear at once.
 */
async function writeAnswers(page: Page, hidden?: string): Promise<[string, string]> {
  const panel = page.getByTestId('model-compare');
  await page.getByTestId('model-compare-download').waitFor();
  expect(await page.getByTestId('model-compare-download').textContent()).toMatch(/Download size: \d/);
  await page.getByRole('button', { name: 'Write the answers on this device' }).click();
  if (hidden !== undefined) {
    // Until the compare form shows both answers, the panel shows neither, only how much is written.
    let sawCount = false;
    while ((await page.getByTestId('context-a').count()) === 0) {
      const shown = (await panel.textContent().catch(() => null)) ?? '';
      expect(shown).not.toContain(hidden);
      if (/\d+ characters? written/.test(shown)) sawCount = true;
      await page.waitForTimeout(50);
    }
    expect(sawCount).toBe(true);
  }
  await page.getByTestId('context-a').waitFor({ timeout: 120_000 });
  expect(await panel.count()).toBe(0);
  const a = (await page.getByTestId('context-a').locator('.context-text').textContent()) ?? '';
  const b = (await page.getByTestId('context-b').locator('.context-text').textContent()) ?? '';
  return [a, b];
}

/** Saves, confirming the language when the on-device checks ask (a short answer may not read as Swahili). */
async function saveWithChecks(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Save/ }).click();
  const state = async () => {
    if ((await page.getByTestId('no-seeds').count()) > 0) return 'saved';
    const notice = page.getByTestId('save-notice');
    if ((await notice.count()) > 0 && /^Saved/.test((await notice.first().textContent())?.trim() ?? '')) return 'saved';
    return (await page.getByRole('button', { name: 'Save anyway' }).count()) > 0 ? 'checks' : '';
  };
  await expect.poll(state, { timeout: 30_000 }).not.toBe('');
  if ((await state()) === 'checks') await page.getByRole('button', { name: 'Save anyway' }).click();
  await expect.poll(state, { timeout: 30_000 }).toBe('saved');
}

async function exportedPair(server: RunningServer, item: Contribution): Promise<Record<string, unknown> | undefined> {
  await acceptByVotes(server, [item]);
  const out = await tempDir('export');
  const built = await runCli(['dataset', 'build', '--out', out, '--data', server.dataDir]);
  expect(built.code, built.stderr).toBe(0);
  const files = (await readdir(join(out, 'preference'), { recursive: true })).map(String).filter((f) => f.endsWith('.jsonl'));
  const lines = (await Promise.all(files.map((f) => readFile(join(out, 'preference', f), 'utf8'))))
    .flatMap((text) => text.split('\n').filter((l) => l.trim() !== ''))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return lines.find((l) => l.id === item.id);
}

describe('compare answers written by the campaign’s models on this device', () => {
  const s = useSession();
  let expected = '';

  it('pairs the model’s greedy answer with the seed’s reference answer, sources hidden, and exports the preference with the model’s provenance', async () => {
    const revision = await importModel(s.server, FIXTURE);
    const code = await createCampaign(s.server, 'model-compare', ['compare'], ['sw'], ['--compare-model', TINY_MODEL_ID]);
    await importSeeds(s.server, 'model-compare', [{ id: 'c1', type: 'pair', prompt: PROMPT, answerA: REFERENCE, answerB: 'Mambo vipi!', sourceA: 'elder-style' }]);
    const served = (await (await fetch(`${s.server.url}/api/v1/campaigns/model-compare`)).json()) as { models?: unknown };
    expect(served.models).toEqual({ compare: [{ id: TINY_MODEL_ID }] });
    expected = cleanGeneratedText(await nodeGreedyText(PROMPT, 128));
    expect(expected.length).toBeGreaterThan(0);

    const requests: string[] = [];
    s.context.on('request', (r) => requests.push(new URL(r.url()).pathname));
    const page = s.page;
    await page.goto(s.server.url);
    await acceptConsent(page);
    await chooseLanguage(page, 'sw');
    await joinCampaign(page, code);

    // Size and origin before anything is downloaded; no model name anywhere on the compare screen.
    await page.getByTestId('model-compare-download').waitFor();
    expect(await page.getByTestId('model-compare-download').textContent()).toContain(`Comes from: ${new URL(s.server.url).origin}`);
    expect(await page.locator('main').textContent()).not.toContain(TINY_MODEL_ID);
    expect(requests.filter((p) => p.startsWith('/models/'))).toEqual([]);
    expect(await axe(page)).toEqual([]);

    const shownAnswers = await writeAnswers(page, REFERENCE);
    expect([...shownAnswers].sort()).toEqual([expected, REFERENCE].sort());
    expect(await page.locator('main').textContent()).not.toContain(TINY_MODEL_ID);
    expect(await axe(page)).toEqual([]);
    const modelSlot = shownAnswers.indexOf(expected) === 0 ? 'A' : 'B';
    await page.getByLabel(`Answer ${modelSlot} is better`).check();
    await page.getByLabel('More natural').check();
    await saveWithChecks(page);
    // The only seed is used: nothing left to compare against.
    await page.getByTestId('no-seeds').waitFor();

    await expect.poll(async () => (await storedItems(s.server, 'model-compare', 'sw')).length, { timeout: 30_000 }).toBe(1);
    const [item] = await storedItems(s.server, 'model-compare', 'sw');
    const modelAnswer = { text: expected, source: { type: 'model', model: TINY_MODEL_ID, revision, dtype: 'fp32', device: 'wasm', settings: GREEDY } };
    const seedAnswer = { text: REFERENCE, source: { type: 'seed', seed: 'c1', label: 'elder-style' } };
    expect(item!.kind).toBe('compare');
    expect(item!.data).toEqual({
      prompt: PROMPT,
      a: modelSlot === 'A' ? modelAnswer : seedAnswer,
      b: modelSlot === 'A' ? seedAnswer : modelAnswer,
      choice: modelSlot === 'A' ? 'a' : 'b',
      reasons: ['more_natural'],
      seed: 'c1',
    });

    expect(await exportedPair(s.server, item!)).toMatchObject({
      kind: 'compare',
      prompt: [{ role: 'user', content: PROMPT }],
      chosen: [{ role: 'assistant', content: expected }],
      rejected: [{ role: 'assistant', content: REFERENCE }],
      reasons: ['more_natural'],
      chosen_source: `model:${TINY_MODEL_ID}@${revision}`,
      rejected_source: 'seed:c1',
      chosen_generation: { dtype: 'fp32', device: 'wasm', settings: GREEDY },
      rejected_generation: null,
    });
  });

  it('pairs two revisions of one model on a typed question, and the export names each revision', async () => {
    // A second revision of the same weights: a changed byte in a config file is a new revision.
    const copy = join(await tempDir('model'), TINY_MODEL_ID);
    await cp(FIXTURE, copy, { recursive: true });
    await writeFile(join(copy, 'generation_config.json'), `${await readFile(join(copy, 'generation_config.json'), 'utf8')}\n`);
    expected ||= cleanGeneratedText(await nodeGreedyText(PROMPT, 128));
    const first = (await modelRevisions(s.server))[0]!;
    await importModel(s.server, copy);
    const second = (await modelRevisions(s.server)).find((r) => r !== first)!;
    expect(second).toMatch(/^[0-9a-f]{32}$/);
    const code = await createCampaign(s.server, 'checkpoints', ['compare'], ['sw'], ['--compare-model', `${TINY_MODEL_ID}@${first}`, '--compare-model', `${TINY_MODEL_ID}@${second}`]);

    const page = s.page;
    await joinCampaign(page, code);
    await page.getByLabel('Question or request for the answers').fill(PROMPT);
    expect(await writeAnswers(page)).toEqual([expected, expected]);
    // New answers to the same typed question: it is kept, and the answers are written again.
    await page.getByRole('button', { name: 'Write new answers' }).click();
    expect(await page.getByLabel('Question or request for the answers').inputValue()).toBe(PROMPT);
    expect(await writeAnswers(page)).toEqual([expected, expected]);
    await page.getByLabel('Answer A is better').check();
    await page.getByLabel('Better follows local norms').check();
    await saveWithChecks(page);
    // Ready for the next question.
    await page.getByRole('button', { name: 'Write the answers on this device' }).waitFor();

    await expect.poll(async () => (await storedItems(s.server, 'checkpoints', 'sw')).length, { timeout: 30_000 }).toBe(1);
    const [item] = await storedItems(s.server, 'checkpoints', 'sw');
    const data = item!.data as Extract<Contribution, { kind: 'compare' }>['data'];
    const revisionOf = (side: typeof data.a) => (side.source.type === 'model' ? side.source.revision : '');
    expect([revisionOf(data.a), revisionOf(data.b)].sort()).toEqual([first, second].sort());
    expect(data.seed).toBeUndefined();
    expect(await exportedPair(s.server, item!)).toMatchObject({
      chosen: [{ role: 'assistant', content: expected }],
      chosen_source: `model:${TINY_MODEL_ID}@${revisionOf(data.a)}`,
      rejected_source: `model:${TINY_MODEL_ID}@${revisionOf(data.b)}`,
    });
  });

  it('asks before downloading on a metered connection, without naming the models, and writes the answers once confirmed', async () => {
    const context = await phoneContext(s.browser);
    try {
      // This page's `navigator.connection` says: saving data, cellular, 3G. A fresh context has no cached model.
      await context.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'connection', {
          configurable: true,
          get: () => ({ saveData: true, type: 'cellular', effectiveType: '3g', addEventListener() {}, removeEventListener() {} }),
        });
      });
      const modelRequests: string[] = [];
      context.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/models/')) modelRequests.push(r.url());
      });
      const page = await context.newPage();
      await page.goto(s.server.url);
      await acceptConsent(page);
      await chooseLanguage(page, 'sw');
      // Join codes are for staff only: the node's operator reads it at its command line.
      const listed = await runCli(['campaign', 'list', '--data', s.server.dataDir]);
      await joinCampaign(page, /^checkpoints\t(\w+)\t/m.exec(listed.stdout)![1]!);
      await page.getByLabel('Question or request for the answers').fill(PROMPT);
      const write = page.getByRole('button', { name: 'Write the answers on this device' });

      await write.click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('metered or slow connection');
      expect(await dialog.textContent()).not.toContain(TINY_MODEL_ID);
      expect(await axe(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(async () => (await page.getByTestId('model-compare-error').textContent())?.trim()).toMatch(/^Not downloaded/);
      expect(modelRequests).toEqual([]);

      await write.click();
      await dialog.getByRole('button', { name: 'Download now' }).click();
      await page.getByTestId('context-a').waitFor({ timeout: 120_000 });
      expect(await page.getByTestId('context-a').locator('.context-text').textContent()).toBe(expected);
      expect(modelRequests.length).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });
});
