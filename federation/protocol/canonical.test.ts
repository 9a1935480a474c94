import { describe, expect, it } from 'vitest';
import { canonicalJson } from './index.ts';
import { mulberry32 } from '../../test/support/random.ts';

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

  it('sorts index-like keys as text too, where JSON.stringify would put them first', () => {
    expect(canonicalJson({ b: 1, 10: 'x', 9: 'y', a: [{ 2: 0, 1: 0 }] })).toBe('{"10":"x","9":"y","a":[{"1":0,"2":0}],"b":1}');
  });

  it('is, on random nested values, what the definition says (entries sorted by code unit, undefined left out)', () => {
    const definition = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value);
      if (Array.isArray(value)) return `[${value.map(definition).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${definition(v)}`).join(',')}}`;
    };
    const random = mulberry32(20261128);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const keys = ['a', 'b', 'B', 'á', '😀', '10', '9', '0', '', 'data', 'id', 'key "q"', 'z\n'];
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.35) return pick(['x', 'quote " and \u2028', '', 0, -0, 1.5, 1e21, true, false, null, undefined, Number.NaN]);
      if (r < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 6) }, () => [pick(keys), value(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const v = value(0);
      expect(canonicalJson(v)).toBe(definition(v));
    }
  });
});

describe('canonicalJson at any depth', () => {
  const nested = (levels: number, leaf: unknown, wrap: (inner: unknown, i: number) => unknown) => {
    let value = leaf;
    for (let i = 0; i < levels; i++) value = wrap(value, i);
    return value;
  };

  it('writes 100,000 levels without overflowing the stack, as JSON.stringify would', () => {
    const text = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });

  it('writes deep mixed objects and arrays exactly as the recursive writer does at shallow depth', () => {
    const wrap = (inner: unknown, i: number) => (i % 2 === 0 ? { z: i, a: inner, m: [i, 'x'], u: undefined } : [inner, { b: null, a: true }]);
    // Past the recursion limit the iterative writer takes over: the output must be the same string
    // as JSON.stringify of the same value with its keys sorted (built here without recursion limits).
    const deep = nested(1000, 'leaf', wrap);
    const sortedCopy = (v: unknown): unknown => {
      if (v === null || typeof v !== 'object') return v;
      if (Array.isArray(v)) return v.map(sortedCopy);
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) out[k] = sortedCopy((v as Record<string, unknown>)[k]);
      return out;
    };
    expect(canonicalJson(deep)).toBe(JSON.stringify(sortedCopy(deep)));
    expect(JSON.parse(canonicalJson(deep))).toEqual(JSON.parse(JSON.stringify(sortedCopy(deep))));
  });
});
