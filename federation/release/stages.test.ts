import { describe, expect, it } from 'vitest';
import { Contribution } from '../protocol/index.ts';
import { canonicalLanguageTag, SUGGESTED_LANGUAGES } from '../protocol/index.ts';
import { compare, idiom, rewrite, rule as ruleItem, translation } from '../../test/support/contributions.ts';
import { LANGUAGE_SAMPLES } from '../../test/fixtures/checks/languages.ts';
import { parseReleaseConfig } from './config.ts';
import { type Candidate, itemStages } from './stages.ts';

function personalData(action: 'redact' | 'drop') {
  const config = parseReleaseConfig({ version: '1', personalData: { action } });
  return itemStages({ config, quarantined: new Set() }).find((s) => s.name === 'personal_data')!;
}

const candidate = (raw: unknown, text: string): Candidate => ({ contribution: Contribution.parse(raw), status: 'accepted', origin: null, text, notes: {} });

describe('the personal-data stage', () => {
  it('leaves an item without personal data as it is', () => {
    const c = candidate(idiom({ data: { expression: 'Haraka haraka haina baraka', meaning: 'Hurry has no blessing' } }), 'Haraka haraka haina baraka\nHurry has no blessing');
    const before = c.contribution;
    expect(personalData('redact').apply(c)).toBeUndefined();
    expect(c.contribution).toBe(before);
    expect(c.notes).toEqual({});
  });

  it('redacts every free-text field, the pivot sentence of a translation included, and the text; counts what it found in the order found', () => {
    const raw = translation({ data: { sourceLanguage: 'en', source: 'Mail amina@example.org', translation: 'Piga +255 712 345 678 au andika kwa juma@example.org na amina@example.org' } });
    const c = candidate(raw, 'Mail amina@example.org\nPiga +255 712 345 678 au andika kwa juma@example.org na amina@example.org');
    expect(personalData('redact').apply(c)).toBeUndefined();
    // In the order found (the notes are written as JSON): the fields in stage 2's order.
    expect(JSON.stringify(c.notes.personalData)).toBe('{"email":3,"phone":1}');
    expect(c.text).toBe('Mail [EMAIL]\nPiga [PHONE] au andika kwa [EMAIL] na [EMAIL]');
    const data = c.contribution.data as { source: string; translation: string; sourceLanguage: string };
    expect(data).toMatchObject({ source: 'Mail [EMAIL]', translation: 'Piga [PHONE] au andika kwa [EMAIL] na [EMAIL]', sourceLanguage: 'en' });
  });

  it('redacts a rule\'s jurisdiction and a compare\'s answers, and leaves their sources as they are', () => {
    const rule = candidate(ruleItem({ data: { jurisdiction: 'Kaunti ya Mombasa, simu 0712 345 678' } }), '');
    expect(personalData('redact').apply(rule)).toBeUndefined();
    expect((rule.contribution.data as { jurisdiction: string }).jurisdiction).toBe('Kaunti ya Mombasa, simu [PHONE]');
    const model = { type: 'model', model: 'tiny-llama', revision: 'abc123', dtype: 'q4', settings: { temperature: 0.7 } } as const;
    const pair = candidate(compare({ data: { a: { text: 'Andika kwa amina@example.org', source: model }, b: { text: 'Hapana.', source: { type: 'seed', seed: 's-1' } } } }), '');
    expect(personalData('redact').apply(pair)).toBeUndefined();
    const d = pair.contribution.data as { a: { text: string; source: unknown }; b: { source: unknown } };
    expect(d.a).toEqual({ text: 'Andika kwa [EMAIL]', source: model });
    expect(d.b.source).toEqual({ type: 'seed', seed: 's-1' });
  });

  it('leaves out, whatever the action, an item with personal data where it cannot be redacted: a seed id, a model, a setting, a campaign', () => {
    const seeded = (seed: string) => candidate(compare({ data: { a: { text: 'Ndiyo.', source: { type: 'seed', seed } }, b: { text: 'Hapana.', source: { type: 'seed', seed: 's-2' } } } }), '');
    for (const action of ['redact', 'drop'] as const) {
      const c = seeded('4111111111111111');
      expect(personalData(action).apply(c)).toEqual({ rule: 'personal_data', detail: 'card in data.a.source.seed, which is not free text' });
      // Nothing in the detail repeats what was found.
      expect(JSON.stringify(c.notes)).not.toContain('4111');
    }
    const settings = candidate(rewrite({ data: { draftSource: { type: 'model', model: 'm', revision: 'r', settings: { 'amina@example.org': 1 } } } }), '');
    expect(personalData('redact').apply(settings)).toMatchObject({ rule: 'personal_data', detail: 'email in data.draftSource.settings.*key, which is not free text' });
    const named = candidate(rewrite({ data: { draftSource: { type: 'model', model: 'juma@example.org/tiny', revision: 'r' } } }), '');
    expect(personalData('redact').apply(named)).toMatchObject({ rule: 'personal_data', detail: 'email in data.draftSource.model, which is not free text' });
    const campaign = candidate(idiom({ campaign: '0712345678' }), '');
    expect(personalData('redact').apply(campaign)).toMatchObject({ rule: 'personal_data', detail: 'phone in campaign, which is not free text' });
    expect(personalData('redact').apply(seeded('s-1'))).toBeUndefined();
  });

  it('drops an item with personal data, naming the types found', () => {
    const c = candidate(idiom({ data: { expression: 'Haraka haraka haina baraka', meaning: 'Write to amina@example.org or @amina_j' } }), '');
    expect(personalData('drop').apply(c)).toEqual({ rule: 'personal_data', detail: 'email, handle' });
    expect(c.notes.personalData).toEqual({ email: 1, handle: 1 });
  });
});

describe('the language stage', () => {
  const stage = itemStages({ config: parseReleaseConfig({ version: '1' }), quarantined: new Set() }).find((s) => s.name === 'language')!;
  const item = (language: string, expression: string, example: string) =>
    candidate(idiom({ language, data: { expression, example, meaning: 'Explained in English for learners.' } }), '');

  it('keeps a Tagalog item, which the app stores as fil', () => {
    expect(canonicalLanguageTag('tl')).toBe('fil');
    expect(SUGGESTED_LANGUAGES).toContain('tl');
    const tagalog = item('fil', 'Maagang nagbubukas ang palengke', 'Maagang nagbubukas ang palengke tuwing Sabado ng umaga.');
    expect(stage.apply(tagalog)).toBeUndefined();
    const english = item('fil', 'The early bird catches the worm', 'Get up early and you will find the best things before the others do.');
    expect(stage.apply(english)).toMatchObject({ rule: 'wrong_language' });
  });

  it('keeps items in each listed language of the labelled set, under their stored tags', () => {
    for (const listed of SUGGESTED_LANGUAGES) {
      const sentences = LANGUAGE_SAMPLES[listed];
      if (sentences === undefined) continue; // the rest: worker/language.test.ts
      const tag = canonicalLanguageTag(listed)!;
      const kept = sentences.filter((s) => stage.apply(item(tag, s, s)) === undefined).length;
      expect(kept, `${listed}: ${kept} of ${sentences.length}`).toBeGreaterThanOrEqual(sentences.length / 2);
    }
  });
});
