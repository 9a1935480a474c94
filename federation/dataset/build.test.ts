import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import * as Y from 'yjs';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { type BackendStore, type ReleaseBackend, releaseBackends, TEST_PSEUDONYM_KEY } from '../release/backends.contract.ts';
import { addTerm } from '../protocol/glossary.doc.ts';
import { syncDoc } from '../../test/support/glossary.ts';
import { openGlossaryStore } from '../glossary/store.ts';
import { buildDataset, DATASET_FILES, DATASET_VERSION, type IdiomRecord, type PreferenceRecord, type SftRecord } from './index.ts';
import { sizeCategory } from './card.ts';
import { Pseudonyms } from '../release/pseudonyms.ts';
import { ReleaseRegistry } from '../release/registry.ts';
import { credentialed } from '../../test/support/reviewers.ts';
import { compare, everyKind, idiom, idioms, review, rewrite, withdrawal, signedBatch } from '../../test/support/contributions.ts';

let dir: string;
let store: Store;
/** Keys holding a reviewer credential in `general`: their votes count. */
let reviewers: string[];

/** Each test a fresh store of `backend` (SQLite and PostgreSQL: `dataset build` reads the live store). */
function useBackend(backend: ReleaseBackend): void {
  let backing: BackendStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-dataset-'));
    backing = await backend.store(join(dir, 'data'));
    store = await backing.open();
    reviewers = await credentialed(store, 'general', 4);
  });
  afterEach(async () => {
    await store.close();
    await backing.drop();
    rmSync(dir, { recursive: true, force: true });
  });
}

const ingest = (items: ContributionInput[]) => store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
/** Up-votes of four reviewers holding a credential: accepted under the default reviewer policy (a lead of four). */
const accept = (items: Array<{ id: string }>) => ingest(items.flatMap((i) => reviewers.map((contributor) => review(i.id, { contributor }))));
const build = (out: string, options: { includePending?: boolean } = { includePending: true }) =>
  buildDataset({ store, outDir: join(dir, out), pseudonymKey: TEST_PSEUDONYM_KEY, ...options });
const lines = <T>(file: string): T[] =>
  readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);
const read = (out: string, file: string) => readFileSync(join(out, file), 'utf8');
const pseudonyms = new Pseudonyms(TEST_PSEUDONYM_KEY);

for (const backend of releaseBackends()) describe(`dataset build (${backend.name})`, () => {
  useBackend(backend);

  describe('buildDataset (the release pipeline with the permissive built-in config)', () => {
    it('writes one idiom record per contribution, in server order, with every field', async () => {
      const first = idiom({ data: { region: 'Pwani', register: 'informal' } });
      const second = idiom({ language: 'yo', campaign: 'library-drive', consent: { version: '2026-11-1', licence: 'CC-BY-4.0' }, data: { expression: 'Ile la ni ile eni' } });
      await store.saveCampaign({ slug: 'library-drive', title: 'Library drive', description: '', languages: ['yo'], kinds: ['idiom'], goals: [], licence: 'CC-BY-4.0', consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 } });
      await ingest([first]);
      await ingest([second]);
      const out = join(dir, 'out');
      await build('out');

      const records = lines<IdiomRecord>(join(out, DATASET_FILES.idioms));
      expect(records).toEqual([
        {
          id: first.id,
          language: 'sw',
          expression: first.data.expression,
          meaning: first.data.meaning,
          example: first.data.example,
          region: 'Pwani',
          register: 'informal',
          licence: 'CC0-1.0',
          contributor: pseudonyms.of(first.contributor),
          campaign: 'general',
          created_at: first.createdAt,
          revision_of: null,
        },
        expect.objectContaining({ id: second.id, language: 'yo', region: null, register: null, licence: 'CC-BY-4.0', campaign: 'library-drive' }),
      ]);
      expect(Object.keys(records[1]!)).toEqual(Object.keys(records[0]!));
    });

    it('writes one chat per idiom: the question about the expression, the answer from its meaning and example', async () => {
      const item = idiom({ data: { expression: 'Bandu bandu huisha gogo', meaning: 'Little by little the log is finished.', example: 'Soma kila siku; bandu bandu huisha gogo.' } });
      await ingest([item]);
      const out = join(dir, 'out');
      await build('out');
      const [chat] = lines<SftRecord>(join(out, DATASET_FILES.sft));
      expect(chat).toEqual({
        messages: [
          { role: 'user', content: 'What does the expression "Bandu bandu huisha gogo" mean, and how is it used?' },
          { role: 'assistant', content: 'Little by little the log is finished.\n\nFor example: Soma kila siku; bandu bandu huisha gogo.' },
        ],
        id: item.id,
        language: 'sw',
        kind: 'idiom',
      });
    });

    it('returns the counts it wrote', async () => {
      await ingest([...idioms(3, { language: 'sw' }), ...signedBatch(idioms(2, { language: 'pt-BR' }).map((x, i) => ({ ...x, data: { ...x.data, expression: `Provérbio ${i}` } })))]);
      const counts = await build('out');
      expect(counts).toMatchObject({
        items: 5,
        configs: { idioms: 5, sft: 5, preference: 0, translation: 0, norms: 0, rules: 0, eval: 0, glossary: 0 },
        languages: { 'pt-BR': 2, sw: 3 },
        licences: { 'CC0-1.0': 5 },
        quarantined: 0,
      });
    });

    it('gives the same bytes when built twice from the same store', async () => {
      await ingest([...idioms(20), ...everyKind()]);
      await build('a');
      await build('b');
      for (const file of Object.values(DATASET_FILES)) expect(read(join(dir, 'a'), file)).toBe(read(join(dir, 'b'), file));
    });

    it('streams a store larger than one page', async () => {
      for (let i = 0; i < 5; i++) await ingest(signedBatch(idioms(500).map((x, j) => ({ ...x, data: { ...x.data, expression: `Methali ${i}-${j}` } }))));
      const counts = await build('out');
      expect(counts.configs.idioms).toBe(2500);
      expect(lines<IdiomRecord>(join(dir, 'out', DATASET_FILES.idioms))).toHaveLength(2500);
    });

    it('writes empty files and says so in the card when the node holds nothing', async () => {
      const out = join(dir, 'out');
      expect(await buildDataset({ store, outDir: out, pseudonymKey: TEST_PSEUDONYM_KEY })).toMatchObject({ items: 0, configs: { idioms: 0, sft: 0 } });
      expect(read(out, DATASET_FILES.idioms)).toBe('');
      expect(read(out, DATASET_FILES.card)).toContain('It holds **0** items');
    });

    it('leaves no partial files behind', async () => {
      await ingest(idioms(2));
      const out = join(dir, 'out');
      await build('out');
      const all = readdirSync(out, { recursive: true }).map(String);
      expect(all.filter((f) => /partial|\.work/.test(f))).toEqual([]);
      for (const file of ['README.md', 'rejected.jsonl', 'report.json', 'contributors.txt', ...Object.values(DATASET_FILES)]) expect(existsSync(join(out, file))).toBe(true);
      expect(readdirSync(join(out, 'idioms')).filter((f) => f.endsWith('.jsonl'))).toEqual(['train.jsonl']);
      expect(readdirSync(join(out, 'eval')).filter((f) => f.endsWith('.jsonl'))).toEqual(['test.jsonl']);
    });

    it('puts every kind where it belongs', async () => {
      const items = everyKind();
      await ingest(items);
      await accept(items);
      const counts = await buildDataset({ store, outDir: join(dir, 'out'), pseudonymKey: TEST_PSEUDONYM_KEY });
      // idiom, instruction, rewrite, translation, norm → sft; rewrite and compare (choice a) → preference.
      expect(counts.configs).toEqual({ idioms: 1, sft: 5, preference: 2, translation: 1, norms: 1, rules: 1, eval: 1, glossary: 0 });
      expect(counts.items).toBe(8);
      const sft = lines<SftRecord>(join(dir, 'out', DATASET_FILES.sft));
      expect(sft.map((r) => r.kind)).toEqual(['idiom', 'instruction', 'rewrite', 'translation', 'norm']);
      expect(sft.some((r) => r.id === items[7]!.id)).toBe(false); // eval stays held out
    });

    it('counts no item for a compare that makes no pair (a tie)', async () => {
      const tie = compare({ data: { choice: 'tie' } });
      await ingest([tie]);
      expect(await build('out')).toMatchObject({ items: 0, languages: {}, configs: { preference: 0 } });
    });
  });

  describe('what an export holds', () => {
    it('holds only accepted items by default, and pending ones too when asked', async () => {
      const [pending, accepted, rejected, hidden] = idioms(4);
      await ingest([pending!, accepted!, rejected!, hidden!]);
      await accept([accepted!]);
      await ingest(reviewers.map((contributor) => review(rejected!.id, { contributor, data: { action: 'down' } })));
      await store.moderate(hidden!.id, 'hide');
      await buildDataset({ store, outDir: join(dir, 'accepted'), pseudonymKey: TEST_PSEUDONYM_KEY });
      expect(lines<IdiomRecord>(join(dir, 'accepted', DATASET_FILES.idioms)).map((r) => r.id)).toEqual([accepted!.id]);
      await build('all');
      expect(lines<IdiomRecord>(join(dir, 'all', DATASET_FILES.idioms)).map((r) => r.id)).toEqual([pending!.id, accepted!.id]);
    });

    it('holds the latest edit, never the revision it replaced', async () => {
      const original = rewrite();
      await ingest([original]);
      await accept([original]);
      const edit = rewrite({ contributor: original.contributor, revisionOf: original.id, data: { rewrite: 'Nzuri, asante sana.' } });
      await ingest([edit]);
      await accept([edit]);
      await buildDataset({ store, outDir: join(dir, 'out'), pseudonymKey: TEST_PSEUDONYM_KEY });
      const pairs = lines<PreferenceRecord>(join(dir, 'out', DATASET_FILES.preference));
      expect(pairs.map((p) => [p.id, p.revision_of, p.chosen[0]!.content])).toEqual([[edit.id, original.id, 'Nzuri, asante sana.']]);
    });

    it('is the release pipeline: exact duplicates kept once and traced, nothing recorded, no snapshot taken', async () => {
      const first = idiom();
      const again = idiom({ data: { expression: `  ${first.data.expression.toUpperCase()} ` } });
      await ingest([first, again]);
      const counts = await build('out');
      expect(lines<IdiomRecord>(join(dir, 'out', DATASET_FILES.idioms)).map((r) => r.id)).toEqual([first.id]);
      expect(lines<{ id: string; stage: string; rule: string }>(join(dir, 'out', 'rejected.jsonl'))).toEqual([expect.objectContaining({ id: again.id, stage: 'duplicates', rule: 'exact_duplicate' })]);
      expect(counts.manifest.version).toBe(DATASET_VERSION);
      expect(counts.manifest.counts.idioms).toEqual({ train: 1 });
      expect(await new ReleaseRegistry(store.db).list()).toEqual([]);
      expect(existsSync(join(dir, 'data', 'snapshots'))).toBe(false);
    });

    it('leaves out what was withdrawn, item by item or all at once', async () => {
      const contributor = uuidv4();
      const [kept, withdrawnOne] = idioms(2);
      const all = [idiom({ contributor }), compare({ contributor })];
      await ingest([kept!, withdrawnOne!, ...all]);
      await accept([kept!, withdrawnOne!, ...all]);
      await ingest([withdrawal(withdrawnOne!.id, { contributor: withdrawnOne!.contributor }), withdrawal('all', { contributor })]);
      const counts = await build('out');
      expect(lines<IdiomRecord>(join(dir, 'out', DATASET_FILES.idioms)).map((r) => r.id)).toEqual([kept!.id]);
      expect(counts.configs.preference).toBe(0);
    });

    it('writes the campaigns\' glossaries as the pipeline\'s glossary config, listed in the card; an empty file when there are none', async () => {
      await build('out');
      expect(read(join(dir, 'out'), DATASET_FILES.glossary)).toBe('');
      expect(read(join(dir, 'out'), DATASET_FILES.card)).not.toContain('config_name: glossary');

      const doc = new Y.Doc();
      addTerm(doc, 't1', { term: 'shamba', rendering: 'farm', language: 'sw', notes: '' });
      await syncDoc(openGlossaryStore(store.db), 'general', doc);
      // What builds before wrote at the root goes: the glossary is in its config's folder now.
      writeFileSync(join(dir, 'out', 'glossary.jsonl'), 'stale\n');
      const counts = await build('out');
      expect(counts.configs.glossary).toBe(1);
      expect(lines(join(dir, 'out', DATASET_FILES.glossary))).toEqual([{ campaign: 'general', term: 'shamba', rendering: 'farm', language: 'sw', notes: '' }]);
      expect(existsSync(join(dir, 'out', 'glossary.jsonl'))).toBe(false);
      expect(read(join(dir, 'out'), DATASET_FILES.card)).toContain('- config_name: glossary\n  data_files:\n  - split: train\n    path: glossary/train-00000-of-00001.parquet\n');
    });
  });

  describe('the dataset card', () => {
    const frontMatter = (card: string) => card.split('---\n')[1]!;

    it('has Hugging Face metadata: licence, languages, size, creators and both configs', async () => {
      await ingest([...idioms(2, { language: 'sw-KE' }), idiom({ language: 'sw' }), idiom({ language: 'yo', data: { expression: 'Ile la ni ile eni' } })]);
      const out = join(dir, 'out');
      await build('out');
      const card = read(out, DATASET_FILES.card);
      expect(card.startsWith('---\n')).toBe(true);
      const meta = frontMatter(card);
      expect(meta).toContain('license: cc0-1.0\n');
      expect(meta).toContain('language:\n- sw\n- yo\n');
      expect(meta).toContain('size_categories:\n- n<1K\n');
      expect(meta).toContain('annotations_creators:\n- crowdsourced\n');
      // Only the configs that hold records are listed (the empty files exist for old scripts).
      expect(meta).toMatch(/configs:\n- config_name: idioms\n {2}data_files:\n {2}- split: train\n {4}path: idioms\/train[^\n]*\n/);
      expect(meta).toMatch(/- config_name: sft\n {2}data_files:\n {2}- split: train\n {4}path: sft\/train/);
      expect(meta).not.toContain('config_name: preference');
      expect(card).toContain('| `idioms` | 4 | 0 | 0 |');
      expect(card).toContain('items still pending review');
      expect(card).toContain('| sw-KE | 2 |');
      expect(card).toContain('| yo | 1 |');
    });

    it('says "other" and lists each licence when records have different ones', async () => {
      await ingest([idiom(), idiom({ consent: { version: '2026-11-1', licence: 'CC-BY-SA-4.0' }, data: { expression: 'Bandu bandu huisha gogo' } })]);
      const out = join(dir, 'out');
      await build('out');
      const card = read(out, DATASET_FILES.card);
      expect(frontMatter(card)).toContain('license: other\nlicense_name: mixed-open-licences\n');
      expect(card).toContain('Records are under different licences (CC-BY-SA-4.0, CC0-1.0)');
    });
  });
});
describe('sizeCategory', () => {
  it('uses the Hub size buckets', () => {
    expect(sizeCategory(0)).toBe('n<1K');
    expect(sizeCategory(999)).toBe('n<1K');
    expect(sizeCategory(1000)).toBe('1K<n<10K');
    expect(sizeCategory(99_999)).toBe('10K<n<100K');
    expect(sizeCategory(2_500_000)).toBe('1M<n<10M');
    expect(sizeCategory(5e12)).toBe('n>1T');
  });
});
