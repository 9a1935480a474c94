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

  it('normalises the prose of an item, leaves its ids and tags, and reports text outside the bounds', () => {
    const item = Contribution.parse(idiom({ data: { expression: 'Haraka  haraka', meaning: 'Hurry\u202e has no blessing', example: 'Mfano.' } }));
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
