import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addTerm,
  GlossaryDocError,
  getTerm,
  listTerms,
  readConventions,
  removeTerm,
  setConventions,
  termsMap,
  updateTerm,
} from './glossary.doc.ts';

const input = (term: string, extra: Partial<{ rendering: string; language: string; notes: string }> = {}) => ({
  term,
  rendering: extra.rendering ?? '',
  language: extra.language ?? '',
  notes: extra.notes ?? '',
});

function exchange(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('glossary document', () => {
  it('adds, lists sorted by term then language then id, and reads a term back', () => {
    const doc = new Y.Doc();
    addTerm(doc, 'b', input('zebra'));
    addTerm(doc, 'c', input('apple', { language: 'sw' }));
    addTerm(doc, 'a', input('apple', { language: 'en' }));
    addTerm(doc, 'd', input('Banana'));
    expect(listTerms(doc).map((t) => t.id)).toEqual(['d', 'a', 'c', 'b']);
    expect(getTerm(doc, 'c')).toEqual({ id: 'c', term: 'apple', rendering: '', language: 'sw', notes: '' });
  });

  it('normalizes text (trim, NFC) and canonicalizes the language tag', () => {
    const doc = new Y.Doc();
    const t = addTerm(doc, 'x', input('  cafe\u0301 ', { language: 'PT-br', rendering: ' café ' }));
    expect(t).toMatchObject({ term: 'café', rendering: 'café', language: 'pt-BR' });
  });

  it('rejects an empty term, an over-long field and an invalid language with invalid_term', () => {
    const doc = new Y.Doc();
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof GlossaryDocError ? [e.code, e.field] : ['other'];
      }
      return ['none'];
    };
    expect(codeOf(() => addTerm(doc, 'x', input('  ')))).toEqual(['invalid_term', 'term']);
    expect(codeOf(() => addTerm(doc, 'x', input('t', { notes: 'n'.repeat(1001) })))).toEqual(['invalid_term', 'notes']);
    expect(codeOf(() => addTerm(doc, 'x', input('t', { language: 'not a tag!' })))).toEqual(['invalid_term', 'language']);
    expect(termsMap(doc).size).toBe(0);
  });

  it('updates and removes, and refuses an unknown id with unknown_term', () => {
    const doc = new Y.Doc();
    addTerm(doc, 'x', input('kitabu'));
    updateTerm(doc, 'x', input('kitabu', { rendering: 'book' }));
    expect(getTerm(doc, 'x')?.rendering).toBe('book');
    removeTerm(doc, 'x');
    expect(listTerms(doc)).toEqual([]);
    expect(() => updateTerm(doc, 'x', input('k'))).toThrow(expect.objectContaining({ code: 'unknown_term' }));
    expect(() => removeTerm(doc, 'x')).toThrow(expect.objectContaining({ code: 'unknown_term' }));
  });

  it('keeps both concurrent edits to different fields of one term', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    addTerm(a, 'x', input('kitabu'));
    exchange(a, b);
    updateTerm(a, 'x', input('kitabu', { rendering: 'book' }));
    updateTerm(b, 'x', input('kitabu', { notes: 'plural vitabu' }));
    exchange(a, b);
    expect(listTerms(a)).toEqual(listTerms(b));
    expect(getTerm(a, 'x')).toMatchObject({ rendering: 'book', notes: 'plural vitabu' });
  });

  it('leaves out entries that do not match the term schema', () => {
    const doc = new Y.Doc();
    addTerm(doc, 'ok', input('fine'));
    const bad = new Y.Map<unknown>();
    bad.set('term', 42);
    (termsMap(doc) as unknown as Y.Map<unknown>).set('bad', bad);
    (termsMap(doc) as unknown as Y.Map<unknown>).set('scalar', 'not a map');
    expect(listTerms(doc).map((t) => t.id)).toEqual(['ok']);
  });

  it('changes conventions by a minimal diff, so concurrent typing in two places merges', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    setConventions(a, 'Write dates as day month year.');
    exchange(a, b);
    setConventions(a, 'NOTE: Write dates as day month year.');
    setConventions(b, 'Write dates as day month year. Use the comma for decimals.');
    exchange(a, b);
    expect(readConventions(a)).toBe('NOTE: Write dates as day month year. Use the comma for decimals.');
    expect(readConventions(b)).toBe(readConventions(a));
  });

  it('records a minimal conventions edit as one small change, not a rewrite', () => {
    const doc = new Y.Doc();
    setConventions(doc, 'x'.repeat(2000));
    const before = Y.encodeStateVector(doc);
    setConventions(doc, `${'x'.repeat(1000)}y${'x'.repeat(1000)}`);
    expect(Y.encodeStateAsUpdate(doc, before).byteLength).toBeLessThan(60);
  });
});
