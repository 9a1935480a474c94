import { describe, expect, it } from 'vitest';
import { Contribution } from '../protocol/index.ts';
import { canonicalLanguageTag, SUGGESTED_LANGUAGES } from '../protocol/index.ts';
import { idiom, translation } from '../../test/support/contributions.ts';
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

  it('redacts every prose field and the text, counts what it found in the order found, and leaves the source alone', () => {
    const raw = translation({ data: { sourceLanguage: 'en', source: 'Mail amina@example.org', translation: 'Piga +255 712 345 678 au andika kwa juma@example.org na amina@example.org' } });
    const c = candidate(raw, 'Mail amina@example.org\nPiga +255 712 345 678 au andika kwa juma@example.org na amina@example.org');
    expect(personalData('redact').apply(c)).toBeUndefined();
    // In the order found (the notes are written as JSON).
    expect(JSON.stringify(c.notes.personalData)).toBe('{"phone":1,"email":2}');
    expect(c.text).toBe('Mail [EMAIL]\nPiga [PHONE] au andika kwa [EMAIL] na [EMAIL]');
    const data = c.contribution.data as { source: string; translation: string };
    expect(data.translation).toBe('Piga [PHONE] au andika kwa [EMAIL] na [EMAIL]');
    expect(data.source).toBe('Mail amina@example.org'); // a key the stage never reads
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
