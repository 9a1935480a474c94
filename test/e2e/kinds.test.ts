/**
 * Every kind of contribution, end to end in real Chromium against a real node: a campaign made
 * with the CLI (seeds imported from CSV) is joined by its code, its seeds are cached, and one item
 * of each kind is written with the node down and the network off, then arrives with exactly the
 * data that was typed and shown.
 */
import { describe, expect, it } from 'vitest';
import type { Contribution } from '../../federation/protocol/index.ts';
import { useSession } from './browser.ts';
import { acceptConsent, chooseLanguage, waitForServiceWorker, waitForWaiting } from './app.ts';
import { axe, createCampaign, importSeeds, joinCampaign, outbox, pickKind, save, shown, statuses, storedItems } from './steps.ts';

const SEEDS = [
  { id: 'p1', type: 'prompt', prompt: 'Ni dalili gani za malaria?' },
  { id: 'd1', type: 'draft', prompt: 'Ninaendaje sokoni?', draft: 'Nenda moja kwa moja kisha kushoto.' },
  { id: 'd2', type: 'draft', prompt: 'Saa ngapi duka linafunguliwa?', draft: 'Duka hufunguliwa saa mbili.' },
  { id: 'c1', type: 'pair', prompt: 'Nisalimie kwa heshima.', answerA: 'Shikamoo, mzee.', answerB: 'Mambo vipi!', sourceA: 'elder-style', sourceB: 'model-draft' },
  { id: 't1', type: 'pivot', text: 'The clinic opens at eight.', sourceLanguage: 'en' },
];
const KINDS = ['idiom', 'instruction', 'rewrite', 'compare', 'translation', 'norm', 'rule', 'eval'];

describe('every kind, offline, in a campaign joined by code', () => {
  const s = useSession();
  /** The goals as shown: "Kind: collected of goal". */
  const goals = async () => s.page.locator('[data-testid="campaign-goals"] .goal > span:first-child').allTextContents();
  const seen: { draft?: string; a?: string; b?: string } = {};

  it('joins a campaign made with the CLI by its code and caches its seeds for offline use', async () => {
    const code = await createCampaign(s.server, 'drive', KINDS, ['sw', 'en'], ['--goal', 'idiom=20', '--goal', 'translation=5']);
    await importSeeds(s.server, 'drive', SEEDS);
    await s.page.goto(s.server.url);
    await waitForServiceWorker(s.page);
    await acceptConsent(s.page);
    await chooseLanguage(s.page, 'sw');
    await s.page.getByRole('button', { name: 'Switch campaign' }).click();
    await s.page.getByLabel('Join code').fill('ZZZZZZ');
    await s.page.getByRole('button', { name: 'Join', exact: true }).click();
    await s.page.getByText('No campaign has this code.').waitFor();
    expect(await axe(s.page)).toEqual([]);
    await s.page.getByRole('button', { name: 'Close' }).click();
    await joinCampaign(s.page, code);
    expect(await s.page.getByTestId('current-campaign').getAttribute('data-slug')).toBe('drive');
    // The campaign's goals, with what the node holds toward them.
    await expect.poll(() => goals(), { timeout: 20_000 }).toEqual(['Idiom: 0 of 20', 'Translate: 0 of 5']);
    // The seeds arrive in the background; the seeded forms show them once cached.
    await pickKind(s.page, 'Compare two answers');
    await s.page.getByTestId('context-a').waitFor({ timeout: 20_000 });
    const options = await s.page.getByLabel('What would you like to teach?').locator('option').allTextContents();
    expect(options).toHaveLength(8);
    expect(await axe(s.page)).toEqual([]);
  });

  it('keeps one of each kind (and a translation of a typed sentence) saved with the node down and the network off', async () => {
    await s.server.stop();
    await s.context.setOffline(true);
    await s.page.reload();
    await expect.poll(() => s.page.getByTestId('online-state').textContent()).toBe('Offline');
    const page = s.page;

    await pickKind(page, 'Idiom');
    await page.getByLabel('Expression').fill('Bandu bandu huisha gogo');
    await page.getByLabel('Meaning').fill('Chip by chip the log is finished.');
    await page.getByLabel('Example of use').fill('Endelea kidogo kidogo; bandu bandu huisha gogo.');
    await save(page);

    await pickKind(page, 'Question and answer');
    expect(await shown(page, 'context-prompt')).toBe('Ni dalili gani za malaria?');
    await page.getByLabel('A good answer').fill('Homa, kutetemeka na maumivu ya kichwa.');
    await page.getByLabel('Topic').selectOption('health');
    await save(page);

    await pickKind(page, 'Improve an answer');
    seen.draft = await shown(page, 'context-draft');
    await page.getByLabel('Your rewrite').fill('Fuata barabara hii, kisha pinda kushoto.');
    await page.getByLabel('2 — poor').check();
    await save(page);
    // That draft is used: the next one offered is the other.
    await expect.poll(() => shown(page, 'context-draft')).not.toBe(seen.draft);

    await pickKind(page, 'Compare two answers');
    seen.a = await shown(page, 'context-a');
    seen.b = await shown(page, 'context-b');
    expect([seen.a, seen.b].sort()).toEqual(['Mambo vipi!', 'Shikamoo, mzee.']);
    await page.getByLabel('Answer B is better').check();
    await page.getByLabel('More polite or appropriate').check();
    await page.getByLabel('Better follows local norms').check();
    await page.getByLabel('Comment (optional)').fill('Heshima kwa wazee.');
    await save(page);
    await page.getByTestId('no-seeds').waitFor();

    await pickKind(page, 'Translate');
    expect(await shown(page, 'context-source')).toBe('The clinic opens at eight.');
    await page.getByLabel('Your translation').fill('Zahanati hufunguliwa saa mbili.');
    await save(page);
    // No pivot sentence left: the contributor types one, with its language.
    await pickKind(page, 'Translate');
    await page.getByLabel('Language of the sentence').fill('fr');
    await page.getByLabel('Sentence to translate').fill('Le marché ferme à midi.');
    await page.getByLabel('Your translation').fill('Soko hufungwa saa sita mchana.');
    await save(page);

    await pickKind(page, 'Custom or norm');
    await page.getByLabel('Situation').fill('Kukutana na mzee njiani.');
    await page.getByLabel('What people here expect').fill('Kumsalimia kwanza kwa heshima.');
    await page.getByLabel('Example of a good response').fill('Shikamoo.');
    await page.getByLabel('Example of a poor response').fill('Mambo!');
    await save(page);

    await pickKind(page, 'Rule or law');
    // An empty form names each problem next to its field, with no accessibility violations.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Please fix the highlighted fields.').waitFor();
    expect(await page.getByLabel('Source or citation').getAttribute('aria-invalid')).toBe('true');
    expect(await axe(page)).toEqual([]);
    await page.getByLabel('The rule', { exact: true }).fill('Hairuhusiwi kuuza dawa bila cheti cha daktari.');
    await page.getByLabel('Kind of rule').selectOption('regulation');
    await page.getByLabel('Source or citation').fill('Kanuni za Dawa 2020, kif. 12');
    await page.getByLabel('Where it applies').fill('Tanzania');
    await page.getByLabel('Example that follows the rule').fill('Naomba cheti chako kwanza.');
    await page.getByLabel('Example that breaks the rule').fill('Chukua tu, hakuna shida.');
    await save(page);

    await pickKind(page, 'Test question');
    await page.getByLabel('Question', { exact: true }).fill('Mji mkuu wa Tanzania ni upi?');
    await page.getByLabel('Expected answer').fill('Dodoma.');
    await page.getByLabel('How to grade an answer').fill('Dodoma ni sahihi; Dar es Salaam si sahihi.');
    await save(page);

    await waitForWaiting(page, 9);
    await page.reload();
    await waitForWaiting(page, 9);
    // Offline, the goals are shown as last counted.
    expect(await goals()).toEqual(['Idiom: 0 of 20', 'Translate: 0 of 5']);
  });

  it('delivers all nine once the node is back, each with exactly what was typed and shown', async () => {
    await s.server.restart();
    await s.context.setOffline(false);
    await waitForWaiting(s.page, 0, 60_000);
    const saved = (await outbox(s.page)).map((e) => e.contribution);
    expect(saved.map((c) => c.kind)).toEqual([...KINDS.slice(0, 5), 'translation', ...KINDS.slice(5)]);
    const stored = await storedItems(s.server, 'drive', 'sw');
    const byId = new Map(stored.map((c) => [c.id, c]));
    for (const c of saved) expect(byId.get(c.id)).toEqual({ ...c, signature: expect.any(String) });
    expect(stored).toHaveLength(saved.length);
    const byKind = Object.fromEntries(saved.map((c) => [c.kind, c])) as Record<string, Contribution>;
    const [seededTranslation, typedTranslation] = saved.filter((c) => c.kind === 'translation');

    expect(byKind.instruction!.data).toEqual({ prompt: 'Ni dalili gani za malaria?', answer: 'Homa, kutetemeka na maumivu ya kichwa.', domain: 'health', seed: 'p1' });
    const rewrite = byKind.rewrite!.data as Extract<Contribution, { kind: 'rewrite' }>['data'];
    const draftSeed = SEEDS.find((x) => x.draft === seen.draft)!;
    expect(rewrite).toEqual({
      prompt: draftSeed.prompt,
      draft: seen.draft,
      draftSource: { type: 'seed', seed: draftSeed.id },
      rewrite: 'Fuata barabara hii, kisha pinda kushoto.',
      draftRating: 2,
    });
    const compare = byKind.compare!.data as Extract<Contribution, { kind: 'compare' }>['data'];
    const label = (text: string) => (text === 'Shikamoo, mzee.' ? 'elder-style' : 'model-draft');
    expect(compare).toEqual({
      prompt: 'Nisalimie kwa heshima.',
      a: { text: seen.a, source: { type: 'seed', seed: 'c1', label: label(seen.a!) } },
      b: { text: seen.b, source: { type: 'seed', seed: 'c1', label: label(seen.b!) } },
      choice: 'b',
      reasons: ['more_polite', 'local_norms'],
      comment: 'Heshima kwa wazee.',
      seed: 'c1',
    });
    expect(seededTranslation!.data).toEqual({ source: 'The clinic opens at eight.', sourceLanguage: 'en', seed: 't1', translation: 'Zahanati hufunguliwa saa mbili.' });
    expect(typedTranslation!.data).toEqual({ source: 'Le marché ferme à midi.', sourceLanguage: 'fr', translation: 'Soko hufungwa saa sita mchana.' });
    expect(byKind.rule!.data).toMatchObject({ ruleType: 'regulation', jurisdiction: 'Tanzania' });
    expect(stored.every((c) => c.campaign === 'drive' && c.language === 'sw')).toBe(true);

    const status = await statuses(s.server, saved.map((c) => c.id));
    expect(Object.values(status).map((x) => x.status)).toEqual(saved.map(() => 'pending'));
    // Counted again after the sync: the idiom and both translations, none reviewed yet.
    // The node recounts at most every 20× the last count's time; on a loaded machine the count the
    // phone asked for right after its sync may predate it, so look again (a reload asks anew).
    const expected = ['Idiom: 1 of 20', 'Translate: 2 of 5'];
    await expect.poll(async () => {
      const now = await goals();
      if (JSON.stringify(now) !== JSON.stringify(expected)) await s.page.reload();
      return now;
    }, { timeout: 60_000, interval: 3000 }).toEqual(expected);
    await s.page.getByTestId('campaign-goals').waitFor();
    expect(await s.page.getByTestId('campaign-goals').textContent()).toContain('none accepted by review yet');
    expect(await axe(s.page)).toEqual([]);
  });

  it('lists every kind under My contributions, in review', async () => {
    await s.page.getByRole('link', { name: 'My contributions' }).click();
    const items = s.page.locator('[data-testid="entries"] li');
    await expect.poll(() => items.count()).toBe(9);
    await expect.poll(() => s.page.locator('[data-testid="entries"] li[data-shown="pending"]').count()).toBe(9);
  });
});
