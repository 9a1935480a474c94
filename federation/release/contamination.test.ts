import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { evalItem, idiom } from '../../test/support/contributions.ts';
import { parseReleaseConfig } from './config.ts';
import { contamination, evalIndex, overlap, words, wordsByExpression } from './contamination.ts';
import { buildRelease, type ReleaseManifest } from './pipeline.ts';
import { TEST_PSEUDONYM_KEY } from './backends.contract.ts';
import type { WorkTable } from './work.ts';
import { mulberry32 } from '../../test/support/random.ts';
import { workRow, workTables } from '../../test/support/work.ts';

const QUESTION = 'Kwa nini wakulima wa kijiji cha Mbeya walihamia mjini baada ya mvua kunyesha kwa wiki tatu mfululizo?';
/** Quotes eight consecutive words of the question (other case and punctuation). */
const QUOTES_EIGHT = 'Nilisikia habari hii: Wakulima wa kijiji cha Mbeya, walihamia mjini baada ya kuona hasara kubwa.';
/** Shares only five consecutive words with it. */
const SHARES_FIVE = 'Wakulima wa kijiji cha Mbeya hulima mahindi na maharagwe kila mwaka bila kuchoka hata kidogo.';

describe('words and n-grams', () => {
  it('splits on punctuation, lower-cases, keeps inner apostrophes', () => {
    expect(words('Ng’ombe wa BABU, "alikula" nyasi—leo!')).toEqual(["ng'ombe", 'wa', 'babu', 'alikula', 'nyasi', 'leo']);
  });

  it('finds exactly the words the regular expression finds, on random text of every kind of character', () => {
    // Letters of several scripts, combining marks, digits, apostrophes (inner, doubled, at the
    // ends), punctuation, spaces, letters and symbols outside the BMP, and lone surrogates.
    const pieces = ['a', 'Z', 'ß', 'İ', 'ç', 'ﬁ', 'é', '\u0301', '\u0651', 'ب', 'ي', 'क', '\u093f', 'ㄱ', '中', '٣', '7', '½', "'", '’', 'ʼ', '-', '.', ',', ' ', '\n', '"', '—',
      '𝐀', '𞤀', '😀', '\ud800', '\udc00', 'ǅ', 'Σ', 'ς'];
    let state = 20261129;
    const random = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    for (let k = 0; k < 3000; k++) {
      let text = '';
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      expect(words(text), JSON.stringify(text)).toEqual(wordsByExpression(text));
    }
  });
});

const row = (seq: number, kind: string, text: string) => workRow(seq, text, { kind });

describe('overlap against an index of eval n-grams', () => {
  const table = workTables('overlap');
  it('finds, for random texts, the first n-gram any eval item holds and the earliest eval item holding it, as a brute-force search does', () => {
    // Texts from a vocabulary of twelve words, so that n-grams repeat and texts often share some.
    const vocabulary = ['maji', 'ya', 'mvua', 'Shamba', 'la', 'babu', 'ng’ombe', 'wa', 'kijiji', 'mjini', '2026', 'éa'];
    const random = mulberry32(7);
    const text = () => Array.from({ length: 3 + Math.floor(random() * 14) }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(random() < 0.5 ? ' ' : ', ');
    for (const n of [2, 3, 4]) {
      const evals = Array.from({ length: 40 }, (_, i) => row(i + 1, 'eval', text()));
      const work = table(evals);
      const earliest = new Map<string, string>();
      for (const e of evals) {
        const ws = words(e.text);
        for (let s = 0; s + n <= ws.length; s++) {
          const gram = ws.slice(s, s + n).join(' ');
          if (!earliest.has(gram)) earliest.set(gram, e.id);
        }
      }
      const index = evalIndex(work, n);
      let hits = 0;
      for (let k = 0; k < 400; k++) {
        const t = text();
        const ws = words(t);
        let expected: { evalId: string; gram: string } | undefined;
        for (let s = 0; s + n <= ws.length && expected === undefined; s++) {
          const gram = ws.slice(s, s + n).join(' ');
          const id = earliest.get(gram);
          if (id !== undefined) expected = { evalId: id, gram };
        }
        if (expected !== undefined) hits++;
        expect(overlap(index, t), `${n}: ${t}`).toEqual(expected);
      }
      expect(hits).toBeGreaterThan(20);
    }
  });
});

describe('the contamination stage over the work table', () => {
  const table = workTables('contamination');
  let work: WorkTable;
  beforeEach(() => {
    work = table();
  });

  it('removes from train an item quoting 8 words of an eval question, names the eval item; keeps one sharing 5; leaves other splits alone', async () => {
    work.insert([row(1, 'eval', `${QUESTION}\nKwa sababu mashamba yalifurika.\nLazima ataje mafuriko.`), row(2, 'idiom', QUOTES_EIGHT), row(3, 'idiom', SHARES_FIVE), row(4, 'idiom', QUOTES_EIGHT), row(5, 'eval', QUESTION)]);
    work.db.prepare("UPDATE items SET split = CASE seq WHEN 4 THEN 'validation' WHEN 1 THEN 'test' WHEN 5 THEN 'test' ELSE 'train' END").run();
    const index = evalIndex(work, 8);
    expect(overlap(index, QUOTES_EIGHT)).toEqual({ evalId: 'item-1', gram: 'wakulima wa kijiji cha mbeya walihamia mjini baada' });
    expect(overlap(index, SHARES_FIVE)).toBeUndefined();
    await contamination.run(work, parseReleaseConfig({ version: '1' }));
    const rows = work.db.prepare('SELECT seq, stage, rule, detail FROM items ORDER BY seq').all() as { seq: number; stage: string | null; rule: string | null; detail: string | null }[];
    expect(rows.filter((r) => r.stage !== null).map((r) => [r.seq, r.stage, r.rule])).toEqual([[2, 'contamination', 'eval_overlap']]);
    expect(rows[1]!.detail).toContain('eval item item-1');
  });

  it('with 5-word n-grams, the 5-word overlap is caught too', async () => {
    work.insert([row(1, 'eval', QUESTION), row(2, 'idiom', SHARES_FIVE)]);
    work.db.prepare("UPDATE items SET split = 'train'").run();
    await contamination.run(work, parseReleaseConfig({ version: '1', splits: { contaminationWords: 5 } }));
    expect(work.db.prepare('SELECT rule FROM items WHERE seq = 2').pluck().get()).toBe('eval_overlap');
    expect(work.db.prepare('SELECT stage FROM items WHERE seq = 1').pluck().get()).toBeNull();
  });
});

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('near duplicates and contamination in a release', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-release-nc-'));
    store = await openStore({ dataDir: join(dir, 'data') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ingest = (...items: ContributionInput[]) => store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
  const build = (name: string): Promise<ReleaseManifest> =>
    buildRelease({
      store,
      config: parseReleaseConfig({ version: '1.0.0', includePending: true, language: { check: false }, splits: { validation: 0, test: 0 } }),
      outDir: join(dir, name),
      snapshot: 'test',
      pseudonymKey: TEST_PSEUDONYM_KEY,
    });

  it('reports near-duplicate clusters and contaminated items at their stages; eval items only in eval/test', async () => {
    const base = 'Mvua kubwa ilinyesha usiku kucha katika kijiji chetu na wakulima wote walifurahi kwa sababu mashamba yao yalikuwa yamekauka sana mno';
    const author = uuidv4();
    const question = evalItem({ contributor: author, data: { question: QUESTION } });
    const first = idiom({ data: { expression: 'Mvua ya baraka', example: base } });
    const edit = idiom({ data: { expression: 'Mvua ya baraka', example: base.replace('wakulima', 'wafugaji') } });
    const otherLanguage = idiom({ language: 'zu', data: { expression: 'Mvua ya baraka', example: base.replace('wakulima', 'wavuvi') } });
    const quotes = idiom({ data: { expression: 'Habari za Mbeya', example: QUOTES_EIGHT } });
    const five = idiom({ data: { expression: 'Kilimo cha Mbeya', example: SHARES_FIVE } });
    const own = idiom({ contributor: author, data: { expression: 'Pole pole ndio mwendo', example: 'Ukienda taratibu utafika salama na kwa wakati unaofaa.' } });
    await ingest(question, first, edit, otherLanguage, quotes, five, own);

    const manifest = await build('r');
    const report = JSON.parse(readFileSync(join(dir, 'r', 'report.json'), 'utf8')) as ReleaseManifest;
    expect(report.stages).toEqual(manifest.stages);
    const names = report.stages.map((s) => s.stage);
    const at = (name: string) => names.indexOf(name);
    expect(at('duplicates')).toBeGreaterThan(at('personal_data'));
    expect(at('splits')).toBeGreaterThan(at('duplicates'));
    if (at('abuse') >= 0) expect(at('abuse')).toBe(at('duplicates') + 1);
    expect(at('contamination')).toBe(at('splits') + 1);
    const stage = Object.fromEntries(report.stages.map((s) => [s.stage, s]));
    expect(stage.duplicates).toMatchObject({ in: 7, excluded: { near_duplicate: 1 }, figures: { exact_clusters: 0, near_clusters: 1 } });
    expect(stage.contamination).toMatchObject({ in: 6, excluded: { eval_overlap: 1 } });

    const rejected = readFileSync(join(dir, 'r', 'rejected.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(rejected.map((r) => [r.id, r.stage, r.rule])).toEqual([[edit.id, 'duplicates', 'near_duplicate'], [quotes.id, 'contamination', 'eval_overlap']]);
    expect(rejected[0]!.cluster).toBe(first.id);
    expect(rejected[0]!.detail).toContain(first.id);
    expect(rejected[1]!.detail).toContain(question.id);

    const out = files(join(dir, 'r'));
    expect(out.get('eval/test.jsonl')).toContain(question.id);
    const train = [...out].filter(([path]) => path.includes('train') && path.endsWith('.jsonl'));
    expect(train.length).toBeGreaterThan(0);
    for (const [path, text] of train) {
      expect(text, path).not.toContain(question.id);
      expect(text, path).not.toContain(quotes.id);
      expect(text, path).toContain(five.id);
    }
    expect(out.get('README.md')).toContain('near clusters: 1');
    expect(manifest.counts.eval).toEqual({ test: 1 });
  });
});
