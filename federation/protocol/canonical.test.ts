import { describe, expect, it } from 'vitest';
import { canonicalJson } from './index.ts';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
  });

  it('gives the same string for the same content built in a different order', () => {
    const one = { id: 'x', data: { meaning: 'm', expression: 'e' }, kind: 'idiom' };
    const two = { kind: 'idiom', data: { expression: 'e', meaning: 'm' }, id: 'x' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('leaves out undefined members', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it('sorts keys by UTF-16 code units, not locale', () => {
    expect(canonicalJson({ b: 1, B: 2, á: 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"á":3}');
  });

  it('escapes strings as JSON does and parses back to equal content', () => {
    const value = { text: 'quote " backslash \\ newline \n emoji 😀', n: 1.5, t: true, z: null };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  it('writes scalars as JSON does', () => {
    expect(canonicalJson('a')).toBe('"a"');
    expect(canonicalJson(3)).toBe('3');
    expect(canonicalJson(null)).toBe('null');
  });
});
