import { describe, expect, it } from 'vitest';
import { Contribution } from '../protocol/index.ts';
import { compare, idiom, translation } from '../../test/support/contributions.ts';
import { normaliseContribution, normaliseText } from './normalise.ts';

describe('normalising text', () => {
  it('composes to NFC, drops control and bidi-override characters, tidies whitespace', () => {
    expect(normaliseText('Cafe\u0301')).toBe('Café');
    expect(normaliseText('pay \u202eevil\u202c now')).toBe('pay evil now');
    expect(normaliseText('a\u0000b\u0007c')).toBe('abc');
    expect(normaliseText('  two   spaces\t\there  \r\n\r\n\r\n\r\nnext ')).toBe('two spaces here\n\nnext');
    expect(normaliseText('\ufeffbom')).toBe('bom');
    expect(normaliseText('مرحبا\u200fبك')).toBe('مرحبا\u200fبك');
  });

  it('gives the same text as every step run on every text, whether or not the text needed tidying', () => {
    // The full sequence of steps, as normaliseText ran them before it learned to skip tidy texts.
    const everyStep = (text: string) =>
      text
        .normalize('NFC')
        .replace(/\r\n?/g, '\n')
        .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
        .split('\n')
        .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim();
    const parts = ['a', 'b', 'ß', 'e\u0301', '😀', '\ud800', ' ', ' ', '\t', '\n', '\n', '\r', '\u00a0', '\u2028', '\u3000', '\u2003', '\u000b', '\u0085', '\u0007', '\u202e', '\ufeff', '\u200f'];
    let seed = 11;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let untouched = 0;
    for (let i = 0; i < 20000; i++) {
      // Mostly letters and single spaces (tidy texts), sometimes anything.
      const messy = next() < 0.5;
      const text = Array.from({ length: Math.floor(next() * 12) }, () => (messy ? parts[Math.floor(next() * parts.length)]! : next() < 0.7 ? 'ab'[Math.floor(next() * 2)]! : ' \n'[Math.floor(next() * 2)]!)).join('');
      const want = everyStep(text);
      expect(normaliseText(text), JSON.stringify(text)).toBe(want);
      if (want === text) untouched++;
    }
    expect(untouched).toBeGreaterThan(2000);
  });

  it('counts a prose field\'s length in code points', () => {
    const item = Contribution.parse(idiom({ data: { expression: '😀😀 ab', meaning: 'Hurry has no blessing', example: 'Mfano.' } }));
    expect(normaliseContribution(item, { minChars: 6, maxChars: 100 }).outOfBounds).toMatchObject({ field: 'data.expression', length: 5, bound: 'min' });
  });

  it('normalises the prose of an item, leaves its ids and tags, and reports text outside the bounds', () => {
    // Stored before ingest refused bidi overrides (protocol/text.ts): stage 2 still removes them.
    const parsed = Contribution.parse(idiom({ data: { expression: 'Haraka  haraka', meaning: 'Hurry has no blessing', example: 'Mfano.' } }));
    const item = { ...parsed, data: { ...parsed.data, meaning: 'Hurry\u202e has no blessing' } } as Contribution;
    const n = normaliseContribution(item, { minChars: 2, maxChars: 100 });
    expect(n.contribution.data).toMatchObject({ expression: 'Haraka haraka', meaning: 'Hurry has no blessing' });
    expect(n.contribution.id).toBe(item.id);
    expect(n.text).toContain('Haraka haraka');
    expect(n.outOfBounds).toBeUndefined();
    expect(normaliseContribution(item, { minChars: 2, maxChars: 10 }).outOfBounds).toMatchObject({ bound: 'max' });
    const t = Contribution.parse(translation());
    expect(normaliseContribution(t, { minChars: 2, maxChars: 8000 }).contribution.data).toMatchObject({ sourceLanguage: (t.data as { sourceLanguage: string }).sourceLanguage });
    // A compare's one-letter choice is a code, not prose: never "too short".
    const c = Contribution.parse(compare({ data: { choice: 'a' } }));
    expect(normaliseContribution(c, { minChars: 2, maxChars: 8000 }).outOfBounds).toBeUndefined();
  });
});
