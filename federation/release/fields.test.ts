import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isTextField, text } from '../protocol/index.ts';
import { eachString, KIND_FIELDS } from './fields.ts';

const joined = (paths: readonly (readonly string[])[]) => paths.map((p) => p.join('.'));

describe('the strings of each kind, from its schema', () => {
  it('finds the free-text fields of every kind, in stage 2\'s order, the pivot sentence and the jurisdiction among them', () => {
    expect(Object.fromEntries(Object.entries(KIND_FIELDS).map(([kind, f]) => [kind, joined(f.text)]))).toEqual({
      idiom: ['example', 'expression', 'meaning', 'region'],
      instruction: ['answer', 'prompt'],
      rewrite: ['draft', 'prompt', 'rewrite'],
      compare: ['a.text', 'b.text', 'comment', 'prompt'],
      translation: ['source', 'translation'],
      norm: ['expectation', 'goodExample', 'poorExample', 'situation'],
      rule: ['citation', 'compliantExample', 'jurisdiction', 'rule', 'violatingExample'],
      eval: ['gradingNotes', 'question', 'referenceAnswer'],
    });
  });

  it('finds every other string: seeds, model names, settings (keys too), language tags; not closed lists', () => {
    expect(joined(KIND_FIELDS.translation.other)).toEqual(['seed', 'sourceLanguage']);
    expect(joined(KIND_FIELDS.rewrite.other)).toEqual([
      'draftSource.dtype', 'draftSource.label', 'draftSource.model', 'draftSource.revision', 'draftSource.seed', 'draftSource.settings.*', 'draftSource.settings.*key',
    ]);
    expect(joined(KIND_FIELDS.idiom.other)).toEqual([]); // register is a closed list
    expect(joined(KIND_FIELDS.compare.other)).toContain('b.source.settings.*key');
  });

  it('visits and replaces strings through records, their keys and arrays, and skips what is absent', () => {
    const data = { a: { settings: { 'x@y.org': 1, note: 'hi' } }, list: ['one', 'two'], b: undefined };
    const seen: string[] = [];
    eachString(data, ['a', 'settings', '*key'], (v, set) => (seen.push(v), set(v.toUpperCase())));
    eachString(data, ['a', 'settings', '*'], (v, set) => (seen.push(v), set(`${v}!`)));
    eachString(data, ['list', '[]'], (v, set) => (seen.push(v), set(v.length.toString())));
    eachString(data, ['b', 'c'], (v) => seen.push(v));
    expect(seen).toEqual(['x@y.org', 'note', 'hi', 'one', 'two']);
    expect(data).toEqual({ a: { settings: { 'X@Y.ORG': 1, NOTE: 'hi!' } }, list: ['3', '3'], b: undefined });
  });

  it('tells a text() field from a plain string', () => {
    expect(isTextField(text(10))).toBe(true);
    expect(isTextField(z.string())).toBe(false);
  });
});
