import { describe, expect, it } from 'vitest';
import { LANGUAGE_SAMPLES } from '../test/fixtures/checks/languages.ts';
import { detectLanguage, languageCode } from './language.ts';

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

  it('reads an item’s language tag by its primary subtag, three-letter codes included', () => {
    expect(languageCode('sw-KE')).toBe('sw');
    expect(languageCode('swa')).toBe('sw');
    expect(languageCode('zh-Hant-TW')).toBe('zh');
    expect(languageCode('yue')).toBe('yue');
  });
});
