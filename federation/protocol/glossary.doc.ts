/**
 * The glossary document: operations over a Y.Doc in the layout of glossary.ts, shared by the
 * editor on the device, the node and the export. Pure (Yjs is an in-memory CRDT; no I/O).
 *
 * Each term is its own nested Y.Map, written field by field, so two people editing different
 * fields of one term offline both keep their change; editing the same field converges on one of
 * the two values (Yjs's last-writer rule, identical on every replica). The conventions text is a
 * Y.Text changed by minimal diffs, so concurrent typing in different places interleaves instead of
 * one side replacing the other.
 *
 * Whatever arrives from another replica is untrusted: `listTerms` returns only entries that pass
 * the `GlossaryTerm` schema, so a malformed or hostile entry is never shown or exported.
 */
import * as Y from 'yjs';
import { simpleDiffString } from 'lib0/diff';
import { GlossaryTerm } from './glossary.ts';
import { canonicalLanguageTag } from './language.ts';

export const TERMS_KEY = 'terms';
export const CONVENTIONS_KEY = 'conventions';

export type GlossaryDocErrorCode = 'invalid_term' | 'unknown_term';

export class GlossaryDocError extends Error {
  constructor(
    readonly code: GlossaryDocErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'GlossaryDocError';
  }
}

/** What an editor supplies for a term; the id is made by `addTerm`. */
export type GlossaryTermInput = Omit<GlossaryTerm, 'id'>;

const FIELDS = ['term', 'rendering', 'language', 'notes'] as const;

export function termsMap(doc: Y.Doc): Y.Map<Y.Map<string>> {
  return doc.getMap<Y.Map<string>>(TERMS_KEY);
}

export function conventionsText(doc: Y.Doc): Y.Text {
  return doc.getText(CONVENTIONS_KEY);
}

/** Trims and NFC-normalizes the text fields, canonicalizes the language tag, then validates. */
export function normalizeTerm(id: string, input: GlossaryTermInput): GlossaryTerm {
  const clean = (s: unknown) => (typeof s === 'string' ? s.normalize('NFC').trim() : s);
  const language = clean(input.language);
  let canonical = language;
  if (typeof language === 'string' && language !== '') {
    canonical = canonicalLanguageTag(language);
    if (canonical === null) {
      throw new GlossaryDocError('invalid_term', `"${language}" is not a valid language tag`, 'language');
    }
  }
  const parsed = GlossaryTerm.safeParse({
    id,
    term: clean(input.term),
    rendering: clean(input.rendering),
    language: canonical,
    notes: clean(input.notes),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = typeof issue?.path[0] === 'string' ? issue.path[0] : undefined;
    throw new GlossaryDocError('invalid_term', issue?.message ?? 'Invalid term', field);
  }
  return parsed.data;
}

/** Adds a term under `id` (the caller makes it: a UUID on the device). */
export function addTerm(doc: Y.Doc, id: string, input: GlossaryTermInput, now: Date = new Date()): GlossaryTerm {
  const term = normalizeTerm(id, input);
  const terms = termsMap(doc);
  if (terms.has(id)) throw new GlossaryDocError('invalid_term', `A term with id ${id} already exists`, 'id');
  doc.transact(() => {
    const entry = new Y.Map<string>();
    for (const f of FIELDS) entry.set(f, term[f]);
    entry.set('updatedAt', now.toISOString());
    terms.set(id, entry);
  });
  return term;
}

/** Writes only the fields whose value changed, so concurrent edits to other fields survive. */
export function updateTerm(doc: Y.Doc, id: string, input: GlossaryTermInput, now: Date = new Date()): GlossaryTerm {
  const entry = termsMap(doc).get(id);
  if (!(entry instanceof Y.Map)) throw new GlossaryDocError('unknown_term', `No term with id ${id}`);
  const term = normalizeTerm(id, input);
  doc.transact(() => {
    let changed = false;
    for (const f of FIELDS) {
      if (entry.get(f) !== term[f]) {
        entry.set(f, term[f]);
        changed = true;
      }
    }
    if (changed) entry.set('updatedAt', now.toISOString());
  });
  return term;
}

export function removeTerm(doc: Y.Doc, id: string): void {
  const terms = termsMap(doc);
  if (!terms.has(id)) throw new GlossaryDocError('unknown_term', `No term with id ${id}`);
  terms.delete(id);
}

function readTerm(id: string, value: unknown): GlossaryTerm | null {
  if (!(value instanceof Y.Map)) return null;
  const parsed = GlossaryTerm.safeParse({
    id,
    term: value.get('term'),
    rendering: value.get('rendering'),
    language: value.get('language'),
    notes: value.get('notes'),
  });
  return parsed.success ? parsed.data : null;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every valid term, sorted by term, then language, then id (code-unit order, so every replica
 * and every export agree whatever the locale).
 */
export function listTerms(doc: Y.Doc): GlossaryTerm[] {
  const out: GlossaryTerm[] = [];
  termsMap(doc).forEach((value, id) => {
    const term = readTerm(id, value);
    if (term) out.push(term);
  });
  return out.sort((a, b) => byCodePoint(a.term, b.term) || byCodePoint(a.language, b.language) || byCodePoint(a.id, b.id));
}

export function getTerm(doc: Y.Doc, id: string): GlossaryTerm | null {
  return readTerm(id, termsMap(doc).get(id));
}

export function readConventions(doc: Y.Doc): string {
  return conventionsText(doc).toString();
}

/**
 * Makes the conventions text equal `next` with one minimal change (the common prefix and suffix
 * are kept), never by deleting everything and inserting it again.
 */
export function setConventions(doc: Y.Doc, next: string): void {
  const text = conventionsText(doc);
  const current = text.toString();
  if (current === next) return;
  const diff = simpleDiffString(current, next);
  doc.transact(() => {
    if (diff.remove > 0) text.delete(diff.index, diff.remove);
    if (diff.insert.length > 0) text.insert(diff.index, diff.insert);
  });
}
