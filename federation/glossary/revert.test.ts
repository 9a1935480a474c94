/**
 * What a revert and a restore bring back (restore.ts), through the store on SQLite: overwrites give
 * the earlier value back, text others typed next to the reverted author's stays, nothing is shown
 * twice after repeated reverts and restores, and a restored copy someone deletes stays deleted.
 * (The store's contract runs the basic cases on both backends.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, getTerm, listTerms, readConventions, removeTerm, setConventions, updateTerm } from '../protocol/glossary.doc.ts';
import { decodeServerAnswer } from '../protocol/glossary.sync.ts';
import { openStore, type Store } from '../store/index.ts';
import { person } from '../../test/support/contributions.ts';
import { syncDoc } from '../../test/support/glossary.ts';
import { type GlossaryStore, openGlossaryStore } from './store.ts';

const term = (t: string, rendering = `${t}!`) => ({ term: t, rendering, language: '', notes: '' });
const LIBRARIAN = { issuer: 'n-aaaaaaaaaaaaaaaa', actor: 'u-librarian0000000' };

let dir: string;
let store: Store;
let glossary: GlossaryStore;
const clock = { ms: 0 };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vernacular-glossary-revert-'));
  store = await openStore({ dataDir: dir });
  clock.ms = Date.parse('2026-12-01T09:00:00.000Z');
  glossary = openGlossaryStore(store.db, { now: () => new Date((clock.ms += 1000)) });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function device(name: string) {
  const signer = person(`revert-${name}`);
  const doc = new Y.Doc();
  let sv: Uint8Array | null = null;
  return {
    doc,
    contributor: signer.contributor,
    async sync() {
      const { answer } = await syncDoc(glossary, 'general', doc, sv, signer);
      const decoded = decodeServerAnswer(answer);
      Y.applyUpdate(doc, decoded.update);
      sv = decoded.stateVector;
    },
  };
}

const shown = async () => {
  const doc = await glossary.load('general');
  return { terms: listTerms(doc).map((t) => `${t.term}=${t.rendering}`), conventions: readConventions(doc) };
};

describe('reverting an author', () => {
  it('gives back the value an overwrite replaced, and keeps a later overwrite by someone else', async () => {
    const alice = device('alice');
    addTerm(alice.doc, 'a', term('maji', 'water'));
    addTerm(alice.doc, 'b', term('moto', 'fire'));
    await alice.sync();
    const mallory = device('mallory');
    await mallory.sync();
    updateTerm(mallory.doc, 'a', term('maji', 'SPAM'));
    updateTerm(mallory.doc, 'b', term('moto', 'SPAM'));
    await mallory.sync();
    const bob = device('bob');
    await bob.sync();
    updateTerm(bob.doc, 'b', term('moto', 'fire, flame'));
    await bob.sync();

    await glossary.revert('general', mallory.contributor, LIBRARIAN);
    expect((await shown()).terms).toEqual(['maji=water', 'moto=fire, flame']);
  });

  it('keeps text others typed next to the reverted author’s, and edits by the same device after it', async () => {
    const alice = device('alice');
    setConventions(alice.doc, 'Dates: day month year.');
    await alice.sync();
    const mallory = device('mallory');
    await mallory.sync();
    setConventions(mallory.doc, 'Dates: day month year. BUY NOW');
    addTerm(mallory.doc, 'spam', term('spam'));
    await mallory.sync();
    const bob = device('bob');
    await bob.sync();
    // Bob types right after Mallory's text, edits inside Mallory's term, then adds a term of his own.
    setConventions(bob.doc, 'Dates: day month year. BUY NOW Numbers in digits.');
    updateTerm(bob.doc, 'spam', { ...term('spam'), notes: 'seen' });
    addTerm(bob.doc, 'mine', term('mine'));
    await bob.sync();

    const result = await glossary.revert('general', mallory.contributor, LIBRARIAN);
    expect(result.changed).toBe(true);
    expect(await shown()).toEqual({ terms: ['mine=mine!'], conventions: 'Dates: day month year. Numbers in digits.' });
  });

  it('shows nothing twice: a second revert, a restore after a revert and a revert after a restore change nothing', async () => {
    const alice = device('alice');
    addTerm(alice.doc, 'a', term('maji'));
    setConventions(alice.doc, 'Long vowels are written double.');
    await alice.sync();
    const beforeWipe = new Date(clock.ms + 500);
    const mallory = device('mallory');
    await mallory.sync();
    mallory.doc.transact(() => {
      removeTerm(mallory.doc, 'a');
      setConventions(mallory.doc, '');
    });
    await mallory.sync();

    expect((await glossary.restore('general', beforeWipe, LIBRARIAN)).changed).toBe(true);
    const restored = await shown();
    expect(restored).toEqual({ terms: ['maji=maji!'], conventions: 'Long vowels are written double.' });
    expect((await glossary.revert('general', mallory.contributor, LIBRARIAN)).changed).toBe(false);
    expect((await glossary.restore('general', beforeWipe, LIBRARIAN)).changed).toBe(false);
    expect((await glossary.revert('general', mallory.contributor, LIBRARIAN)).changed).toBe(false);
    expect(await shown()).toEqual(restored);
  });

  it('leaves a restored term deleted once someone deletes it, however often the vandal is reverted', async () => {
    const alice = device('alice');
    addTerm(alice.doc, 'a', term('maji'));
    addTerm(alice.doc, 'b', term('moto'));
    await alice.sync();
    const mallory = device('mallory');
    await mallory.sync();
    removeTerm(mallory.doc, 'a');
    removeTerm(mallory.doc, 'b');
    await mallory.sync();
    await glossary.revert('general', mallory.contributor, LIBRARIAN);
    await alice.sync();
    expect(listTerms(alice.doc).map((t) => t.id)).toEqual(['a', 'b']);
    removeTerm(alice.doc, 'b'); // Alice really means to drop this one now.
    setConventions(alice.doc, 'x');
    await alice.sync();

    expect((await glossary.revert('general', mallory.contributor, LIBRARIAN)).changed).toBe(false);
    expect((await shown()).terms).toEqual(['maji=maji!']);
  });

  it('reverts the server’s own revert like any author’s: the vandalism shows again', async () => {
    const alice = device('alice');
    addTerm(alice.doc, 'a', term('maji'));
    await alice.sync();
    const mallory = device('mallory');
    await mallory.sync();
    removeTerm(mallory.doc, 'a');
    await mallory.sync();
    await glossary.revert('general', mallory.contributor, LIBRARIAN);
    expect((await shown()).terms).toEqual(['maji=maji!']);
    await glossary.revert('general', LIBRARIAN.issuer, LIBRARIAN);
    expect((await shown()).terms).toEqual([]);
  });
});

describe('restoring a time', () => {
  it('gives what the server held then, and any device that syncs gets there too', async () => {
    const alice = device('alice');
    addTerm(alice.doc, 'a', term('maji', 'water'));
    await alice.sync();
    const then = new Date(clock.ms + 500);
    updateTerm(alice.doc, 'a', term('maji', 'rain'));
    addTerm(alice.doc, 'b', term('moto'));
    setConventions(alice.doc, 'later');
    await alice.sync();

    await glossary.restore('general', then, LIBRARIAN);
    expect(await shown()).toEqual({ terms: ['maji=water'], conventions: '' });
    await alice.sync();
    expect(getTerm(alice.doc, 'a')?.rendering).toBe('water');
    expect(getTerm(alice.doc, 'b')).toBeNull();
    expect(readConventions(alice.doc)).toBe('');
  });
});
