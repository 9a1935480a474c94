import { describe, expect, it } from 'vitest';
import { data } from 'franc/data.js';
import { expressions } from 'franc/expressions.js';
import { canonicalLanguageTag, SUGGESTED_LANGUAGES } from '../federation/protocol/index.ts';
import { LANGUAGE_SAMPLES } from '../test/fixtures/checks/languages.ts';
import { acceptableCodes, detectLanguage, languageCode } from './language.ts';

/**
 * Sentences for the picker's languages the labelled set does not have (written for this test,
 * the same everyday topics; not part of the measured figures).
 */
const MORE_SAMPLES: Record<string, readonly string[]> = {
  it: ['Il mercato apre presto il sabato mattina.', 'Mia nonna racconta le storie più belle del vecchio villaggio.', 'Per favore chiudi la finestra prima che cominci a piovere.'],
  ms: ['Pasar dibuka awal pada pagi hari Sabtu.', 'Nenek saya selalu bercerita tentang kampung lama kami.', 'Tolong tutup tingkap sebelum hujan turun.'],
  nl: ['De markt gaat op zaterdagochtend vroeg open.', 'Mijn oma vertelt de mooiste verhalen over het oude dorp.', 'Doe alsjeblieft het raam dicht voordat het gaat regenen.'],
  pl: ['Targ otwiera się wcześnie w sobotę rano.', 'Moja babcia opowiada najpiękniejsze historie o starej wsi.', 'Zamknij proszę okno, zanim zacznie padać.'],
  so: ['Suuqa wuxuu furmaa goor hore subaxda Sabtida.', 'Ayeeyaday waxay sheekeysaa sheekooyinka ugu fiican ee tuulada.', 'Fadlan xir daaqadda intaanu roobku di’in.'],
  tl: ['Maagang nagbubukas ang palengke tuwing Sabado ng umaga.', 'Ang lola ko ay nagkukuwento ng pinakamagagandang kuwento tungkol sa lumang baryo.', 'Pakisara ang bintana bago umulan.'],
  wo: ['Marse bi dafay ubbeeku ci suba teel ci gaawu.', 'Sama maam dafay nettali ay léeb yu rafet ci dëkk bi.', 'Tëjal palanteer bi balaa taw bi di door.'],
  xh: ['Imarike ivula kwangoko ngomgqibelo kusasa.', 'Umakhulu wam ubalisa awona mabali amnandi ngelali endala.', 'Nceda uvale ifestile ngaphambi kokuba kunethe.'],
};

/** Accuracy and check behaviour over the labelled set: the figures docs/checks.md reports. */
function measure() {
  const languages = Object.keys(LANGUAGE_SAMPLES);
  const perLanguage: Record<string, { correct: number; matched: number; total: number }> = {};
  let correct = 0;
  let matched = 0;
  let total = 0;
  let mismatchesCaught = 0;
  let mismatchesTried = 0;
  for (const [language, sentences] of Object.entries(LANGUAGE_SAMPLES)) {
    const row = { correct: 0, matched: 0, total: 0 };
    for (const sentence of sentences) {
      const guess = detectLanguage(sentence, language);
      row.total++;
      if (guess.detected === language) row.correct++;
      if (guess.matches) row.matched++;
      for (const other of languages) {
        if (other === language) continue;
        mismatchesTried++;
        if (!detectLanguage(sentence, other).matches) mismatchesCaught++;
      }
    }
    perLanguage[language] = row;
    correct += row.correct;
    matched += row.matched;
    total += row.total;
  }
  return { accuracy: correct / total, accepted: matched / total, caught: mismatchesCaught / mismatchesTried, perLanguage, total };
}

describe('language check', () => {
  const figures = measure();
  if (process.env.PRINT_FIGURES) console.log(JSON.stringify(figures));

  it('covers at least 20 languages, right-to-left and non-Latin scripts among them, ten sentences each', () => {
    const languages = Object.keys(LANGUAGE_SAMPLES);
    expect(languages.length).toBeGreaterThanOrEqual(20);
    for (const rtl of ['ar', 'fa', 'he', 'ur']) expect(languages).toContain(rtl);
    for (const sentences of Object.values(LANGUAGE_SAMPLES)) expect(sentences.length).toBe(10);
  });

  it('names the right language for most short sentences (regression floor below the measured figure)', () => {
    expect(figures.accuracy).toBeGreaterThanOrEqual(0.82);
  });

  it('accepts text in the item’s own language almost always, so contributors are rarely asked for nothing', () => {
    expect(figures.accepted).toBeGreaterThanOrEqual(0.93);
  });

  it('catches text written in another language than the item’s', () => {
    expect(figures.caught).toBeGreaterThanOrEqual(0.98);
  });

  it('recognises every language with its own script on all of its sentences', () => {
    for (const language of ['he', 'bn', 'ta', 'th', 'zh', 'ja', 'ko', 'el']) {
      expect(figures.perLanguage[language]?.correct, language).toBe(10);
    }
  });

  it('says English written in a Swahili item does not match, and Swahili does', () => {
    const english = detectLanguage('The market opens early on Saturday mornings and closes at noon.', 'sw');
    expect(english).toMatchObject({ detected: 'en', matches: false });
    expect(detectLanguage('Soko linafunguliwa mapema kila Jumamosi asubuhi.', 'sw-KE')).toMatchObject({ detected: 'sw', matches: true });
  });

  it('does not guess on text too short to tell, and lets it through', () => {
    expect(detectLanguage('Asante', 'sw')).toEqual({ detected: null, score: 0, matches: true });
    expect(detectLanguage('', 'en')).toEqual({ detected: null, score: 0, matches: true });
  });

  it('accepts text in every language the picker lists, under the tag the app stores for it (tl is fil)', () => {
    for (const listed of SUGGESTED_LANGUAGES) {
      const tag = canonicalLanguageTag(listed)!;
      const sentences = LANGUAGE_SAMPLES[listed] ?? MORE_SAMPLES[listed];
      expect(sentences, `sentences in ${listed}`).toBeDefined();
      const accepted = sentences!.filter((s) => detectLanguage(s, tag).matches).length;
      expect(accepted, `${listed} (stored as ${tag}): ${accepted} of ${sentences!.length} accepted`).toBeGreaterThanOrEqual(sentences!.length / 2);
    }
    for (const s of MORE_SAMPLES.tl!) expect(detectLanguage(s, 'fil')).toMatchObject({ detected: 'tl', matches: true });
    expect(detectLanguage('The market opens early on Saturday mornings and closes at noon.', 'fil').matches).toBe(false);
  });

  it('can accept every language franc answers, under the canonical tag a contributor would have for it', () => {
    const answered = new Set([
      ...Object.values(data as Record<string, Record<string, string>>).flatMap((profiles) => Object.keys(profiles)),
      ...Object.keys(expressions).filter((k) => /^[a-z]{3}$/.test(k)),
    ]);
    expect(answered.size).toBeGreaterThan(150);
    for (const code of answered) {
      for (const spelling of [code, languageCode(code)]) {
        const tag = canonicalLanguageTag(spelling);
        if (tag === null) continue;
        // franc's best guess is the language itself: the check must call that a match.
        const guess = detectLanguage('a text long enough to be judged', tag, () => [[code, 1], ['eng', 0.5]]);
        expect(guess.matches, `${code} typed as ${spelling}, stored as ${tag}`).toBe(true);
        expect(acceptableCodes(tag)).toContain(languageCode(code));
      }
    }
  });

  it('does not contradict an item in a language franc has no profile of (it cannot tell)', () => {
    // Klingon: a valid tag a contributor can type under "Other"; franc knows nothing like it.
    expect(detectLanguage('The market opens early on Saturday mornings and closes at noon.', 'tlh')).toMatchObject({ detected: 'en', matches: true });
    // A known language is still checked.
    expect(detectLanguage('The market opens early on Saturday mornings and closes at noon.', 'sw').matches).toBe(false);
  });

  it('reads an item’s language tag by its primary subtag, three-letter codes included', () => {
    expect(languageCode('sw-KE')).toBe('sw');
    expect(languageCode('swa')).toBe('sw');
    expect(languageCode('zh-Hant-TW')).toBe('zh');
    expect(languageCode('yue')).toBe('yue');
  });
});
