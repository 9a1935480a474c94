import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, removeTerm, setConventions } from '../protocol/glossary.doc.ts';
import { encodeClientRequest, decodeClientRequest } from '../protocol/glossary.sync.ts';
import { openStore, type Store } from '../store/index.ts';
import { writeGlossary } from './export.ts';
import { type GlossaryStore, openGlossaryStore } from './store.ts';

let dir: string;
let store: Store;
let glossary: GlossaryStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vernacular-glossary-export-'));
  store = await openStore({ dataDir: join(dir, 'data') });
  glossary = openGlossaryStore(store.db);
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function push(campaign: string, doc: Y.Doc): Promise<void> {
  await glossary.sync(campaign, decodeClientRequest(encodeClientRequest(doc, null)));
}

const lines = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);

describe('writeGlossary', () => {
  it('writes one line per live term, campaigns and terms in a fixed order, and the same bytes twice', async () => {
    const general = new Y.Doc();
    addTerm(general, 'g2', { term: 'zamani', rendering: 'long ago', language: 'sw', notes: '' });
    addTerm(general, 'g1', { term: 'asante', rendering: 'thank you', language: 'sw', notes: 'common' });
    addTerm(general, 'gone', { term: 'removed', rendering: '', language: '', notes: '' });
    removeTerm(general, 'gone');
    setConventions(general, 'Conventions are not terms.');
    const drive = new Y.Doc();
    addTerm(drive, 'd1', { term: 'shamba', rendering: 'farm', language: 'sw-KE', notes: '' });
    await push('library-drive', drive);
    await push('general', general);

    const result = await writeGlossary(glossary, dir);
    expect(result).toMatchObject({ config: 'glossary', files: [{ split: 'train', path: 'glossary.jsonl' }], count: 3 });
    expect(result.description).toContain('term');
    expect(await lines(join(dir, 'glossary.jsonl'))).toEqual([
      { campaign: 'general', term: 'asante', rendering: 'thank you', language: 'sw', notes: 'common' },
      { campaign: 'general', term: 'zamani', rendering: 'long ago', language: 'sw', notes: '' },
      { campaign: 'library-drive', term: 'shamba', rendering: 'farm', language: 'sw-KE', notes: '' },
    ]);
    const first = await readFile(join(dir, 'glossary.jsonl'));
    await writeGlossary(glossary, dir);
    expect((await readFile(join(dir, 'glossary.jsonl'))).equals(first)).toBe(true);
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('writes an empty file when no glossary exists', async () => {
    expect(await writeGlossary(glossary, dir)).toMatchObject({ count: 0 });
    expect(await readFile(join(dir, 'glossary.jsonl'), 'utf8')).toBe('');
  });
});
