import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import * as Y from 'yjs';
import { parse as parseYaml } from 'yaml';
import { Contribution } from '../protocol/index.ts';
import { addTerm, removeTerm, setConventions, termsMap } from '../protocol/glossary.doc.ts';
import { syncDoc } from '../../test/support/glossary.ts';
import type { Store } from '../store/index.ts';
import { type BackendStore, type ReleaseBackend, releaseBackends, TEST_PSEUDONYM_KEY } from './backends.contract.ts';
import { openGlossaryStore } from '../glossary/store.ts';
import { idiom } from '../../test/support/contributions.ts';
import { readWithHyparquet } from '../../test/support/parquet.ts';
import { parseReleaseConfig } from './config.ts';
import { buildRelease, type ReleaseManifest } from './pipeline.ts';

let dir: string;
let store: Store;

/** Each test a fresh store of `backend` (SQLite and PostgreSQL), holding one idiom. */
function useBackend(backend: ReleaseBackend): void {
  let backing: BackendStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-release-glossary-'));
    backing = await backend.store(join(dir, 'data'));
    store = await backing.open();
    await store.ingest(uuidv4(), [Contribution.parse(idiom())]);
  });
  afterEach(async () => {
    await store.close();
    await backing.drop();
    rmSync(dir, { recursive: true, force: true });
  });
}

/** Stores a device's glossary document on the node, as the sync endpoint does. */
async function push(campaign: string, doc: Y.Doc): Promise<void> {
  await syncDoc(openGlossaryStore(store.db), campaign, doc);
}

/** A term written field by field, without the editor's checks (as another replica might send it). */
function rawTerm(doc: Y.Doc, id: string, fields: Record<string, string>): void {
  doc.transact(() => {
    const entry = new Y.Map<string>();
    for (const [k, v] of Object.entries(fields)) entry.set(k, v);
    termsMap(doc).set(id, entry);
  });
}

const build = (name: string, overrides: Record<string, unknown> = {}): Promise<ReleaseManifest> =>
  buildRelease({ store, config: parseReleaseConfig({ name: 'Glossary test', version: '1.0.0', includePending: true, language: { check: false }, ...overrides }), outDir: join(dir, name), snapshot: 'test', pseudonymKey: TEST_PSEUDONYM_KEY });

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Two campaigns' glossaries: one term with an e-mail in its notes, one untidy, one with no text once cleaned. */
async function twoGlossaries(): Promise<void> {
  const general = new Y.Doc();
  addTerm(general, 'g1', { term: 'asante', rendering: 'thank you', language: 'sw', notes: 'Ask amina.juma@example.org about the coastal forms.' });
  rawTerm(general, 'g2', { term: 'zam\u202eani\u0007', rendering: 'long   ago', language: 'SW', notes: 'cafe\u0301 talk' });
  rawTerm(general, 'g3', { term: '\u202e\u0007 ', rendering: 'nothing', language: '', notes: '' });
  addTerm(general, 'gone', { term: 'removed', rendering: '', language: '', notes: '' });
  removeTerm(general, 'gone');
  setConventions(general, 'Conventions are not terms.');
  const drive = new Y.Doc();
  addTerm(drive, 'd1', { term: 'shamba', rendering: 'farm', language: 'sw-KE', notes: '' });
  // Stored in the other order: the release orders campaigns by slug, not by arrival.
  await push('library-drive', drive);
  await push('general', general);
}

for (const backend of releaseBackends()) describe(`the glossary config of a release (${backend.name})`, () => {
  useBackend(backend);

  it('writes every campaign\'s terms, cleaned, as glossary/train.jsonl and its Parquet shard with the same rows in a fixed order', async () => {
    await twoGlossaries();
    const manifest = await build('r');
    const out = join(dir, 'r');
    const expected = [
      { campaign: 'general', term: 'asante', rendering: 'thank you', language: 'sw', notes: 'Ask [EMAIL] about the coastal forms.' },
      { campaign: 'general', term: 'zamani', rendering: 'long ago', language: 'sw', notes: 'café talk' },
      { campaign: 'library-drive', term: 'shamba', rendering: 'farm', language: 'sw-KE', notes: '' },
    ];
    expect(lines(join(out, 'glossary', 'train.jsonl'))).toEqual(expected);
    expect(readdirSync(join(out, 'glossary')).sort()).toEqual(['train-00000-of-00001.parquet', 'train.jsonl']);
    expect(await readWithHyparquet([join(out, 'glossary', 'train-00000-of-00001.parquet')])).toEqual(expected);

    expect(manifest.counts.glossary).toEqual({ train: 3 });
    expect(manifest.glossary).toEqual({
      campaigns: 2, read: 4, kept: 3,
      excluded: { empty: 1 },
      changed: { normalised: 1, personal_data: 1 },
      personalData: { email: 1 },
    });
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReleaseManifest;
    expect(report.glossary).toEqual(manifest.glossary);
    for (const path of ['glossary/train.jsonl', 'glossary/train-00000-of-00001.parquet']) {
      const file = manifest.files.find((f) => f.path === path);
      expect(file, path).toMatchObject({ config: 'glossary', split: 'train', rows: 3, sha256: sha256(join(out, path)) });
    }
  });

  it('is in the card (YAML configs, files that exist, its description and figures), croissant.json and report.html', async () => {
    await twoGlossaries();
    await build('r');
    const out = join(dir, 'r');
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    const meta = parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(card)![1]!) as { configs: { config_name: string; data_files: { split: string; path: string }[] }[] };
    const config = meta.configs.find((c) => c.config_name === 'glossary');
    expect(config?.data_files).toEqual([{ split: 'train', path: 'glossary/train-00000-of-00001.parquet' }]);
    for (const f of config!.data_files) expect(existsSync(join(out, f.path))).toBe(true);
    expect(card).toContain('## Glossary');
    expect(card).toContain('| `glossary` | 3 | 0 | 0 |');
    expect(card).toContain('4 terms read from 2 campaign glossaries, 3 written; 1 left out (empty: 1), 2 changed and kept (normalised: 1, personal data: 1)');

    const doc = JSON.parse(readFileSync(join(out, 'croissant.json'), 'utf8')) as { distribution: Record<string, unknown>[]; recordSet: { '@id': string; field: { name: string }[] }[] };
    for (const path of ['glossary/train.jsonl', 'glossary/train-00000-of-00001.parquet']) {
      expect(doc.distribution.find((d) => d['@id'] === path), path).toMatchObject({ '@type': 'cr:FileObject', sha256: sha256(join(out, path)) });
    }
    const records = doc.recordSet.find((r) => r['@id'] === 'glossary');
    expect(records?.field.map((f) => f.name)).toEqual(['split', 'campaign', 'term', 'rendering', 'language', 'notes']);

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<td><code>glossary</code></td>');
    expect(html).toContain('The <code>glossary</code> config (train only): 4 terms read');
  });

  it('leaves out a term with personal data when the config drops such items', async () => {
    await twoGlossaries();
    const manifest = await build('r', { personalData: { action: 'drop' } });
    expect((lines(join(dir, 'r', 'glossary', 'train.jsonl')) as { term: string }[]).map((r) => r.term)).toEqual(['zamani', 'shamba']);
    expect(manifest.glossary).toMatchObject({ read: 4, kept: 2, excluded: { empty: 1, personal_data: 1 }, changed: { normalised: 1 }, personalData: { email: 1 } });
    expect(manifest.counts.glossary).toEqual({ train: 2 });
  });

  it('writes no glossary files, counts or section when no campaign has a glossary', async () => {
    const manifest = await build('r');
    expect(existsSync(join(dir, 'r', 'glossary'))).toBe(false);
    expect(manifest.counts.glossary).toBeUndefined();
    expect(manifest.glossary).toBeUndefined();
    expect(manifest.files.filter((f) => f.config === 'glossary')).toEqual([]);
    const card = readFileSync(join(dir, 'r', 'README.md'), 'utf8');
    expect(card).not.toContain('config_name: glossary');
    expect(card).not.toContain('## Glossary');
  });
});
