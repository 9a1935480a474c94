import { describe, expect, it } from 'vitest';
import { canonicalLanguageTag, LanguageTag, primaryLanguage } from './index.ts';

describe('canonicalLanguageTag', () => {
  it('gives the canonical spelling of well-formed tags', () => {
    expect(canonicalLanguageTag('EN-gb')).toBe('en-GB');
    expect(canonicalLanguageTag('zh-hant-tw')).toBe('zh-Hant-TW');
    expect(canonicalLanguageTag('sw')).toBe('sw');
  });
  it('replaces deprecated tags with their modern form', () => {
    expect(canonicalLanguageTag('iw')).toBe('he');
  });
  it('answers null for tags that are not well-formed', () => {
    for (const tag of ['', 'en_GB', 'en-', '123', 'a'.repeat(36)]) expect(canonicalLanguageTag(tag)).toBeNull();
  });
});

describe('primaryLanguage', () => {
  it('is the ISO 639 primary subtag', () => {
    expect(primaryLanguage('sw-KE')).toBe('sw');
    expect(primaryLanguage('zh-Hant-TW')).toBe('zh');
    expect(primaryLanguage('yo')).toBe('yo');
  });
});

describe('LanguageTag', () => {
  it('accepts only the canonical spelling, so a language has one spelling in the store', () => {
    expect(LanguageTag.safeParse('pt-BR').success).toBe(true);
    expect(LanguageTag.safeParse('pt-br').success).toBe(false);
  });
});
