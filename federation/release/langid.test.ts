import { describe, expect, it } from 'vitest';
import { francAll } from 'franc';
import { LANGUAGE_SAMPLES } from '../../test/fixtures/checks/languages.ts';
import { francAllFast } from './langid.ts';

const sentences = Object.values(LANGUAGE_SAMPLES).flat();
const texts = [
  ...sentences,
  // Longer texts (several sentences, several languages), beyond franc's 2,048-character cut.
  ...Object.values(LANGUAGE_SAMPLES).map((s) => s.join(' ')),
  sentences.join(' '),
  `${LANGUAGE_SAMPLES.en!.join(' ')} ${LANGUAGE_SAMPLES.sw!.join(' ')}`,
  // Too short, digits only, punctuation, mixed scripts, repeated trigrams, personal-data placeholders.
  '',
  'short',
  '1234567890 1234567890',
  '!!!??? ... ,,,, ;;;;',
  'Привет, how are you today, my friend?',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'Andika kwa [EMAIL] au piga simu [PHONE] kwa maelezo zaidi.',
  // Astral characters (surrogate pairs): emoji, CJK extension B, Ugaritic.
  'Habari za asubuhi 😀 rafiki yangu, karibu sana nyumbani',
  '𠀀𠀁𠀂 漢字の文章です 𠀃𠀄 これは日本語',
  '𐎀𐎁𐎂 ελληνικά κείμενα εδώ 🎉',
];
const onlies: string[][] = [
  [],
  ['eng', 'fra', 'spa', 'swh', 'rus', 'arb', 'hin', 'cmn', 'amh'],
  ['swh'],
  ['yor', 'ibo', 'hau', 'eng', 'xyz'],
];

describe('francAllFast', () => {
  it("gives franc's answers, tuple for tuple, with and without an `only` list", () => {
    let compared = 0;
    for (const text of texts) {
      for (const only of onlies) {
        for (const minLength of [10, 3]) {
          expect(francAllFast(text, { minLength, only }), `${JSON.stringify(text.slice(0, 60))} only=${only.join(',')}`).toEqual(francAll(text, { minLength, only }));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });
});
