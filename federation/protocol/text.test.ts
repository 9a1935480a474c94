import { describe, expect, it } from 'vitest';
import { cleanGeneratedText, codePointLength, normaliseText, text, textProblem } from './index.ts';

describe('codePointLength', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀')).toBe(1);
    expect(codePointLength('𝄞𝄞')).toBe(2);
    expect(codePointLength('')).toBe(0);
  });
});

describe('textProblem', () => {
  it('accepts ordinary text in any script', () => {
    for (const s of ['Haraka haraka', 'Ọ̀rọ̀ àgbà', 'مرحبا', '你好', 'tab\tand\nnewline\r\n']) {
      expect(textProblem(s)).toBeNull();
    }
  });
  it('refuses lone surrogates and control characters', () => {
    for (const s of ['\ud800', 'x\udc00', '\u0000', '\u0008', '\u000b', '\u000c', '\u001f', '\u007f', '\u009f']) {
      expect(textProblem(s)).toBe('invalid_text');
    }
  });
  it('refuses bidirectional embeddings, overrides and isolates, and accepts the directional marks', () => {
    // LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI: each alone, and hiding a reordered span.
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']) {
      expect(textProblem(`pay ${c}evil${c} now`), c.codePointAt(0)!.toString(16)).toBe('invalid_text');
    }
    // LRM, RLM and ALM reorder nothing; Arabic and Hebrew keyboards type them.
    for (const s of ['\u200fשלום\u200e 2024', 'مرحبا\u061c 5', 'a\u200eb']) expect(textProblem(s)).toBeNull();
  });
});

describe('normaliseText', () => {
  it('composes to NFC, unifies line ends and trims', () => {
    expect(normaliseText('  e\u0301\r\nb\rc\t')).toBe('\u00e9\nb\nc');
  });
});

describe('text()', () => {
  it('applies its own minimum and maximum', () => {
    const optionalShort = text(3, { min: 0 });
    expect(optionalShort.safeParse('').success).toBe(true);
    expect(optionalShort.safeParse('abcd').success).toBe(false);
  });
  it('does not normalise text it rejects', () => {
    const result = text(10).safeParse('\u0007');
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
  });
});

describe('cleanGeneratedText', () => {
  it('drops the control characters a model may emit, repairs lone surrogates and normalises, so the text is acceptable', () => {
    const cleaned = cleanGeneratedText(' a\u0001b\u007f\u0085c\ud800 e\u0301\tf\u202e\u2066g\u2069\r\n ');
    expect(cleaned).toBe('abc\ufffd é\tfg');
    expect(textProblem(cleaned)).toBeNull();
  });
});
