import { describe, expect, it } from 'vitest';
import { Contribution } from '../protocol/index.ts';
import { idiom, translation } from '../../test/support/contributions.ts';
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
