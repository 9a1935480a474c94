/**
 * The rewrite flow end to end with a draft from the on-device model: a node with the committed tiny
 * model, a campaign that names it as its draft model (`--draft-model`), joined by code; the app
 * shows the model before downloading it, the model worker (WASM) drafts an answer for the typed
 * question — exactly the greedy text onnxruntime-node gives — the contributor rewrites and rates
 * it, the item syncs with the model's provenance, two strangers accept it, and the dataset build
 * exports it as a preference pair: chosen = the rewrite, rejected = the model's draft.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelsResponse } from '../../federation/protocol/index.ts';
import { cleanGeneratedText } from '../../federation/protocol/text.ts';
import { acceptConsent, chooseLanguage } from './app.ts';
import { useSession } from './browser.ts';
import { acceptByVotes, axe, createCampaign, joinCampaign, shown, storedItems } from './steps.ts';
import { runCli, tempDir } from '../support/server.ts';
import { TINY_MODEL_ID } from '../support/model/reference.ts';
import { nodeGreedyText } from '../support/model/greedy.ts';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/models', TINY_MODEL_ID);
const SLUG = 'model-drafts';
const QUESTION = 'Habari, dunia! Ωμέγα';
const REWRITE = 'Habari yako, dunia nzima!';

describe('a rewrite drafted by the campaign’s model on this device', () => {
  const s = useSession();

  it('drafts the greedy answer on WASM, and the rewrite is exported as a preference pair naming the model and revision', async () => {
    const imported = await runCli(['models', 'import', FIXTURE, '--id', TINY_MODEL_ID, '--data', s.server.dataDir]);
    expect(imported.code, imported.stderr).toBe(0);
    const manifest = (await (await fetch(`${s.server.url}/api/v1/models`)).json()) as ModelsResponse;
    const revision = manifest.models.find((m) => m.id === TINY_MODEL_ID)!.revision;
    const code = await createCampaign(s.server, SLUG, ['rewrite'], ['sw'], ['--draft-model', TINY_MODEL_ID]);
    const served = (await (await fetch(`${s.server.url}/api/v1/campaigns/${SLUG}`)).json()) as { models?: unknown };
    expect(served.models).toEqual({ draft: { id: TINY_MODEL_ID } });

    const requests: string[] = [];
    s.context.on('request', (r) => requests.push(new URL(r.url()).pathname));
    const page = s.page;
    await page.goto(s.server.url);
    await acceptConsent(page);
    await chooseLanguage(page, 'sw');
    await joinCampaign(page, code);

    // Name, size and origin before anything is downloaded.
    const model = page.getByTestId('model-draft-model');
    await model.waitFor();
    expect(await model.textContent()).toContain(TINY_MODEL_ID);
    expect(await model.textContent()).toMatch(/Download size: \d/);
    expect(await model.textContent()).toContain(`Comes from: ${new URL(s.server.url).origin}`);
    expect(requests.filter((p) => p.startsWith('/models/'))).toEqual([]);
    expect(await axe(page)).toEqual([]);

    await page.getByLabel('Question or request for the model').fill(QUESTION);
    await page.getByRole('button', { name: 'Draft with the model on this device' }).click();
    await page.getByTestId('context-draft').waitFor({ timeout: 120_000 });
    // The form keeps the model's text as contributed text may be (control characters dropped, NFC).
    const expected = cleanGeneratedText(await nodeGreedyText(QUESTION, 128));
    expect(expected.length).toBeGreaterThan(0);
    expect(await shown(page, 'context-draft')).toBe(expected);
    expect(await shown(page, 'context-prompt')).toBe(QUESTION);
    expect(await axe(page)).toEqual([]);

    await page.getByLabel('Your rewrite').fill(REWRITE);
    await page.getByLabel('2 — poor').check();
    // Saved, or held for the on-device checks (a short rewrite may not read as Swahili): confirm.
    await page.getByRole('button', { name: /^Save/ }).click();
    const notice = page.getByTestId('save-notice');
    await expect.poll(async () => ((await notice.textContent())?.trim() ? 'saved' : (await page.getByRole('button', { name: 'Save anyway' }).count()) > 0 ? 'checks' : ''), { timeout: 30_000 }).not.toBe('');
    if (!(await notice.textContent())?.trim()) await page.getByRole('button', { name: 'Save anyway' }).click();
    await expect.poll(async () => (await notice.textContent())?.trim() ?? '', { timeout: 30_000 }).toMatch(/^Saved/);
    // Back to the drafter, ready for the next question, the notice saying the last one was saved.
    await page.getByRole('button', { name: 'Draft with the model on this device' }).waitFor();
    expect(await axe(page)).toEqual([]);

    await expect.poll(async () => (await storedItems(s.server, SLUG, 'sw')).length, { timeout: 30_000 }).toBe(1);
    const [item] = await storedItems(s.server, SLUG, 'sw');
    expect(item!.kind).toBe('rewrite');
    expect(item!.data).toEqual({
      prompt: QUESTION,
      draft: expected,
      draftSource: { type: 'model', model: TINY_MODEL_ID, revision, dtype: 'fp32', device: 'wasm', settings: { max_new_tokens: 128, do_sample: false } },
      rewrite: REWRITE,
      draftRating: 2,
    });

    await acceptByVotes(s.server, [item!]);
    const out = await tempDir('export');
    const built = await runCli(['dataset', 'build', '--out', out, '--data', s.server.dataDir]);
    expect(built.code, built.stderr).toBe(0);
    const files = (await readdir(join(out, 'preference'), { recursive: true })).map(String).filter((f) => f.endsWith('train.jsonl'));
    expect(files.length).toBeGreaterThan(0);
    const lines = (await Promise.all(files.map((f) => readFile(join(out, 'preference', f), 'utf8'))))
      .flatMap((text) => text.split('\n').filter((l) => l.trim() !== ''))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const pair = lines.find((l) => l.id === item!.id);
    expect(pair).toMatchObject({
      kind: 'rewrite',
      prompt: [{ role: 'user', content: QUESTION }],
      chosen: [{ role: 'assistant', content: REWRITE }],
      rejected: [{ role: 'assistant', content: expected }],
      chosen_source: 'contributor',
      rejected_source: `model:${TINY_MODEL_ID}@${revision}`,
      draft_rating: 2,
    });
  });
});
