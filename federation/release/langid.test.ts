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
  // A capital sigma lower-cases by what follows it (final or not); punctuation after it is cleaned away.
  'ΟΔΟΣ.ΑΘΗΝΑΣ ΚΑΙ ΘΕΣ\'ΣΑΛΟΝΙΚΗ: ΤΑΣ1ΣΑΣ ΕΙΝΑΙ ΕΔΩ ΣΗΜΕΡΑ',
  'La palabra griega ΟΔΟΣ.ΑΘΗΝΑ y también οδος αθηνα quieren decir el camino de la ciudad',
  'İSTANBUL İÇİN İYİ BİR GÜN, İNSANLAR İŞTE',
  // Many different trigrams, most in no profile (the counting's own tables fill up and collide);
  // high code units (b·2¹⁶ + c beyond int32's positive range).
  ...soup(),
];

/** Deterministic character soup from several scripts, up to beyond the 2,048-character cut. */
function soup(): string[] {
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const ranges: [number, number][] = [[0x61, 0x7a], [0xe0, 0xff], [0x430, 0x44f], [0x627, 0x64a], [0x905, 0x939], [0x20, 0x40], [0xac00, 0xac40], [0xff10, 0xff5a]];
  return [30, 200, 1500, 3000].flatMap((length) =>
    ranges.map((_, r) =>
      Array.from({ length }, () => {
        const [lo, hi] = next() < 0.7 ? ranges[r]! : ranges[Math.floor(next() * ranges.length)]!;
        return String.fromCharCode(lo + Math.floor(next() * (hi - lo + 1)));
      }).join(''),
    ),
  );
}
const onlies: string[][] = [
  [],
  ['eng', 'fra', 'spa', 'swh', 'rus', 'arb', 'hin', 'cmn', 'amh'],
  ['swh'],
  ['yor', 'ibo', 'hau', 'eng', 'xyz'],
];

describe('francAllFast', () => {
  it('may lower-case before cleaning: no character lower-cases to or from a space-like one', () => {
    const spaceLike = /[\u0021-\u0040\s]/u;
    let checked = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp < 0xe000) continue;
      const ch = String.fromCodePoint(cp);
      const lower = ch.toLowerCase();
      if (spaceLike.test(ch)) expect(lower).toBe(ch);
      else if (spaceLike.test(lower)) expect.fail(`U+${cp.toString(16)} lower-cases to ${JSON.stringify(lower)}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(1_000_000);
  });

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
