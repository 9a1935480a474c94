import { describe, expect, it } from 'vitest';
import { LIMITS, shapeProblem, unstorableText } from './index.ts';

const nestedArrays = (levels: number) => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`) as unknown;

describe('shapeProblem', () => {
  it('takes the values the protocol sends', () => {
    expect(shapeProblem({ a: [1, 'two', { b: null, c: true }], 'ключ': 'значение 😀' })).toBeNull();
    expect(shapeProblem('tab\tnewline\n')).toBeNull();
    expect(shapeProblem(nestedArrays(LIMITS.maxJsonDepth))).toBeNull();
  });

  it('refuses nesting past the limit, naming where it starts, without overflowing the stack', () => {
    expect(shapeProblem(nestedArrays(LIMITS.maxJsonDepth + 1))).toMatchObject({ code: 'nesting_too_deep' });
    const problem = shapeProblem({ data: { expression: nestedArrays(2_000_000) } });
    expect(problem).toMatchObject({ code: 'nesting_too_deep' });
    expect(problem!.field.startsWith('data.expression.0.0')).toBe(true);
    expect(shapeProblem({ a: { b: 1 } }, 1)).toMatchObject({ code: 'nesting_too_deep', field: 'a' });
  });

  it('refuses a NUL or a lone surrogate in any string or key, naming the field', () => {
    expect(shapeProblem({ deviceId: 'dev\u0000ice' })).toEqual({ code: 'invalid_text', field: 'deviceId', message: expect.any(String) });
    expect(shapeProblem({ a: [{ b: 'x\ud800' }] })).toMatchObject({ code: 'invalid_text', field: 'a.0.b' });
    expect(shapeProblem({ settings: { 'k\u0000': 1 } })).toMatchObject({ code: 'invalid_text', field: 'settings.k\\u0000' });
    expect(shapeProblem({ settings: { '\udc00': 1 } })).toMatchObject({ code: 'invalid_text', field: 'settings.\ufffd' });
  });

  it('tells storable text from unstorable', () => {
    expect(unstorableText('a surrogate pair 😀 is fine')).toBe(false);
    expect(unstorableText('\u0000')).toBe(true);
    expect(unstorableText('\udfff')).toBe(true);
    expect(unstorableText('\u0001 other controls are the schema’s business')).toBe(false);
  });
});
