import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { buildDataset, DATASET_FILES, type IdiomRecord, type SftRecord } from './index.ts';
import { sizeCategory } from './card.ts';
import { idiom, idioms } from '../../test/support/contributions.ts';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vernacular-dataset-'));
  store = await openStore({ dataDir: join(dir, 'data') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ingest = (items: ContributionInput[]) => store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
const lines = <T>(file: string): T[] =>
  readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);
const read = (out: string, file: string) => readFileSync(join(out, file), 'utf8');

describe('buildDataset', () => {
  it('writes one idiom record per contribution, in server order, with every field', async () => {
    const first = idiom({ data: { region: 'Pwani', register: 'informal' } });
    const second = idiom({ language: 'yo', campaign: 'library-drive', consent: { version: '2026-11-1', licence: 'CC-BY-4.0' } });
    await store.saveCampaign({ slug: 'library-drive', title: 'Library drive', description: '', languages: ['yo'], kinds: ['idiom'], goals: [], licence: 'CC-BY-4.0', consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 } });
    await ingest([first]);
    await ingest([second]);
    const out = join(dir, 'out');
    await buildDataset({ store, outDir: out });

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
        contributor: first.contributor,
        campaign: 'general',
        created_at: first.createdAt,
      },
      expect.objectContaining({ id: second.id, language: 'yo', region: null, register: null, licence: 'CC-BY-4.0', campaign: 'library-drive' }),
    ]);
    expect(Object.keys(records[1]!)).toEqual(Object.keys(records[0]!));
  });

  it('writes one chat per idiom: the question about the expression, the answer from its meaning and example', async () => {
    const item = idiom({ data: { expression: 'Bandu bandu huisha gogo', meaning: 'Little by little the log is finished.', example: 'Soma kila siku; bandu bandu huisha gogo.' } });
    await ingest([item]);
    const out = join(dir, 'out');
    await buildDataset({ store, outDir: out });
    const [chat] = lines<SftRecord>(join(out, DATASET_FILES.sft));
    expect(chat).toEqual({
      messages: [
        { role: 'user', content: 'What does the expression "Bandu bandu huisha gogo" mean, and how is it used?' },
        { role: 'assistant', content: 'Little by little the log is finished.\n\nFor example: Soma kila siku; bandu bandu huisha gogo.' },
      ],
      id: item.id,
      language: 'sw',
    });
  });

  it('returns the counts it wrote', async () => {
    await ingest([...idioms(3, { language: 'sw' }), ...idioms(2, { language: 'pt-BR' })]);
    const counts = await buildDataset({ store, outDir: join(dir, 'out') });
    expect(counts).toEqual({ idioms: 5, sft: 5, languages: { sw: 3, 'pt-BR': 2 }, licences: { 'CC0-1.0': 5 } });
  });

  it('gives the same bytes when built twice from the same store', async () => {
    await ingest(idioms(20));
    await buildDataset({ store, outDir: join(dir, 'a') });
    await buildDataset({ store, outDir: join(dir, 'b') });
    for (const file of Object.values(DATASET_FILES)) expect(read(join(dir, 'a'), file)).toBe(read(join(dir, 'b'), file));
  });

  it('streams a store larger than one page', async () => {
    for (let i = 0; i < 5; i++) await ingest(idioms(500));
    const counts = await buildDataset({ store, outDir: join(dir, 'out') });
    expect(counts.idioms).toBe(2500);
    expect(lines<IdiomRecord>(join(dir, 'out', DATASET_FILES.idioms))).toHaveLength(2500);
  });

  it('writes empty files and says so in the card when the node holds nothing', async () => {
    const out = join(dir, 'out');
    expect(await buildDataset({ store, outDir: out })).toMatchObject({ idioms: 0, sft: 0 });
    expect(read(out, DATASET_FILES.idioms)).toBe('');
    expect(read(out, DATASET_FILES.card)).toContain('The dataset is empty');
  });

  it('leaves no partial files behind', async () => {
    await ingest(idioms(2));
    const out = join(dir, 'out');
    await buildDataset({ store, outDir: out });
    expect(readdirSync(join(out, 'idioms'))).toEqual(['train.jsonl']);
    expect(readdirSync(join(out, 'sft'))).toEqual(['train.jsonl']);
    expect(existsSync(join(out, 'README.md'))).toBe(true);
  });
});

describe('the dataset card', () => {
  const frontMatter = (card: string) => card.split('---\n')[1]!;

  it('has Hugging Face metadata: licence, languages, size, creators and both configs', async () => {
    await ingest([...idioms(2, { language: 'sw-KE' }), ...idioms(1, { language: 'sw' }), ...idioms(1, { language: 'yo' })]);
    const out = join(dir, 'out');
    await buildDataset({ store, outDir: out });
    const card = read(out, DATASET_FILES.card);
    expect(card.startsWith('---\n')).toBe(true);
    const meta = frontMatter(card);
    expect(meta).toContain('license: cc0-1.0\n');
    expect(meta).toContain('language:\n- sw\n- yo\n');
    expect(meta).toContain('size_categories:\n- n<1K\n');
    expect(meta).toContain('annotations_creators:\n- crowdsourced\n');
    expect(meta).toContain(
      'configs:\n- config_name: idioms\n  data_files:\n  - split: train\n    path: idioms/train.jsonl\n' +
        '- config_name: sft\n  data_files:\n  - split: train\n    path: sft/train.jsonl\n',
    );
    expect(card).toContain('| `sw-KE` | 2 |');
    expect(card).toContain('| `yo` | 1 |');
  });

  it('says "other" and lists each licence when records have different ones', async () => {
    await ingest([idiom(), idiom({ consent: { version: '2026-11-1', licence: 'CC-BY-SA-4.0' } })]);
    const out = join(dir, 'out');
    await buildDataset({ store, outDir: out });
    const card = read(out, DATASET_FILES.card);
    expect(frontMatter(card)).toContain('license: other\nlicense_name: mixed-open-licences\n');
    expect(card).toContain('- **CC-BY-SA-4.0**: 1 records');
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
