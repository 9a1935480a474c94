import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { compare, evalItem, idiom, instruction, norm, rewrite, rule, translation } from '../../test/support/contributions.ts';
import { normalise, parquetInfo, readWithDuckDb, readWithHyparquet } from '../../test/support/parquet.ts';
import { parseReleaseConfig } from './config.ts';
import { buildRelease, type ReleaseManifest } from './pipeline.ts';
import { TEST_PSEUDONYM_KEY } from './backends.contract.ts';
import { COLUMNS } from './parquet.ts';
import { OpenAiDpo, OpenAiSft, TrlConversationalSft, TrlExplicitPreference, TrlUnpairedPreference } from './formats.ts';
import type { LlamaFactoryDataset } from './views.ts';

const WORDS = ['habari', 'asubuhi', 'rafiki', 'mvua', 'shamba', 'mzee', 'chakula', 'safari', 'kijiji', 'maji', 'watoto', 'shule', 'kazi', 'soko', 'njia', 'jua', 'usiku', 'mama', 'baba', 'ndugu', 'nyumba', 'mti', 'ndege', 'samaki'];

/** A small fixed corpus: ten contributors (fixed ids, so fixed splits), each with several items of every kind. */
function corpus(): ContributionInput[] {
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const text = (n: number) => Array.from({ length: n }, () => WORDS[next() % WORDS.length]).join(' ');
  const items: ContributionInput[] = [];
  // Enough people that each split holds some (splits go by a keyed hash of the contributor).
  for (let c = 0; c < 16; c++) {
    const contributor = `00000000-0000-4000-8000-${String(c).padStart(12, '0')}`;
    for (let j = 0; j < 3; j++) {
      const o = { contributor, deviceSeq: j + 1 };
      const tag = `${c}-${j}`;
      items.push(
        idiom({ ...o, data: { expression: `${text(4)} ${tag}`, meaning: `${text(8)} ${tag}.`, example: `${text(9)} ${tag}.` } }),
        instruction({ ...o, data: { prompt: `${text(6)} ${tag}?`, answer: `${text(12)} ${tag}.` } }),
        rewrite({ ...o, data: { prompt: `${text(5)} ${tag}?`, draft: `${text(7)} ${tag}.`, rewrite: `${text(8)} ${tag}.` } }),
        compare({ ...o, data: { prompt: `${text(5)} ${tag}?`, a: { text: `${text(6)} ${tag}.`, source: { type: 'seed', seed: `p-${tag}` } }, b: { text: `${text(6)} ${tag} b.`, source: { type: 'model', model: 'tiny', revision: '1', dtype: 'q4', settings: { temperature: 0.7 } } }, choice: j % 2 === 0 ? 'a' : 'b' } }),
        translation({ ...o, data: { source: `Good morning number ${tag}.`, translation: `${text(5)} ${tag}.` } }),
        norm({ ...o, data: { situation: `${text(6)} ${tag}.`, goodExample: `${text(4)} ${tag}.`, poorExample: `${text(4)} ${tag} x.` } }),
        rule({ ...o, data: { rule: `${text(8)} ${tag}.`, compliantExample: `${text(5)} ${tag}.`, violatingExample: `${text(5)} ${tag} y.` } }),
        evalItem({ ...o, data: { question: `${text(7)} ${tag}?`, referenceAnswer: `${text(6)} ${tag}.` } }),
      );
    }
  }
  return items;
}

function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

const jsonl = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const JSON_COLUMNS = Object.fromEntries(Object.entries(COLUMNS).map(([c, cols]) => [c, cols.filter(([, t]) => t === 'json?').map(([n]) => n)]));

describe('the release’s Parquet shards and training-tool views', () => {
  let dir: string;
  let store: Store;
  let manifest: ReleaseManifest;
  let out: string;
  const build = (name: string, overrides: Record<string, unknown> = {}) =>
    buildRelease({
      store,
      config: parseReleaseConfig({ name: 'Vernacular Kiswahili', version: '1.0.0', includePending: true, language: { check: false }, duplicates: { near: false }, splits: { validation: 0.3, test: 0.2 }, ...overrides }),
      outDir: join(dir, name),
      snapshot: 'test',
      pseudonymKey: TEST_PSEUDONYM_KEY,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-release-outputs-'));
    store = await openStore({ dataDir: join(dir, 'data') });
    await store.ingest('00000000-0000-4000-8000-0000000000ff', corpus().map((i) => Contribution.parse(i)));
    manifest = await build('a');
    out = join(dir, 'a');
  }, 120_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const dataFiles = (ext: string) => manifest.files.filter((f) => f.config !== '' && f.path.endsWith(ext));

  it('writes every config and split as Parquet shards that hyparquet and DuckDB read back as the JSONL, row for row', async () => {
    const jsonlFiles = dataFiles('.jsonl');
    expect(new Set(jsonlFiles.map((f) => f.config))).toEqual(new Set(['idioms', 'sft', 'preference', 'kto', 'translation', 'norms', 'rules', 'eval']));
    expect(new Set(manifest.files.filter((f) => f.config === 'sft').map((f) => f.split))).toEqual(new Set(['train', 'validation', 'test']));
    for (const f of jsonlFiles) {
      const shards = dataFiles('.parquet').filter((p) => p.config === f.config && p.split === f.split);
      expect(shards.map((s) => s.path), f.path).toEqual([`${f.config}/${f.split}-00000-of-00001.parquet`]);
      const expected = jsonl(join(out, f.path));
      expect(expected.length).toBe(f.rows);
      expect(shards.reduce((n, s) => n + s.rows, 0)).toBe(f.rows);
      const paths = shards.map((s) => join(out, s.path));
      const json = JSON_COLUMNS[f.config]!;
      expect((await readWithHyparquet(paths)).map((r) => normalise(r, json)), f.path).toEqual(expected);
      expect((await readWithDuckDb(paths)).map((r) => normalise(r, json)), f.path).toEqual(expected);
      expect(parquetInfo(paths[0]!).kv).toEqual({ 'vernacular.release': 'Vernacular Kiswahili', 'vernacular.version': '1.0.0', 'vernacular.config': f.config, 'vernacular.split': f.split });
    }
  });

  it('lists every file in the manifest with its size and sha256, and the card points its configs at the Parquet files', () => {
    for (const f of manifest.files) {
      const bytes = readFileSync(join(out, f.path));
      expect(f.bytes, f.path).toBe(bytes.length);
      expect(f.sha256, f.path).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    const listed = new Set(manifest.files.map((f) => f.path));
    for (const path of tree(out).keys()) if (path.endsWith('.parquet') || path.startsWith('openai/') || path.startsWith('llamafactory/') || path.startsWith('kto/')) expect(listed.has(path), path).toBe(true);
    expect(listed.has('dataset_info.json')).toBe(true);
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    const yaml = card.split('---')[1]!;
    expect(yaml).toContain('- config_name: kto');
    expect(card).toContain('## Files and formats');
    expect(card).toContain('are JSON strings');
    const paths = [...yaml.matchAll(/path: (\S+)/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(10);
    for (const p of paths) {
      expect(p).toMatch(/\.parquet$/);
      expect(existsSync(join(out, p)), p).toBe(true);
    }
    expect(manifest.counts.kto).toEqual(Object.fromEntries(Object.entries(manifest.counts.preference!).map(([s, n]) => [s, 2 * n])));
  });

  it('every line of sft, preference and kto has TRL’s shape; the OpenAI views have OpenAI’s', () => {
    const check = (path: string, schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }) => {
      const rows = jsonl(join(out, path));
      expect(rows.length, path).toBeGreaterThan(0);
      for (const [i, row] of rows.entries()) {
        const r = schema.safeParse(row);
        expect(r.success, `${path}:${i + 1} ${String(r.error)}`).toBe(true);
      }
      return rows;
    };
    for (const split of ['train', 'validation', 'test']) {
      check(`sft/${split}.jsonl`, TrlConversationalSft);
      check(`preference/${split}.jsonl`, TrlExplicitPreference);
      const kto = check(`kto/${split}.jsonl`, TrlUnpairedPreference);
      const pairs = jsonl(join(out, `preference/${split}.jsonl`));
      expect(kto.map((r) => [r.id, r.label, r.completion])).toEqual(pairs.flatMap((p) => [[p.id, true, p.chosen], [p.id, false, p.rejected]]));
    }
    for (const split of ['train', 'validation'] as const) {
      const suffix = split === 'train' ? '' : '-validation';
      const sft = check(`openai/sft${suffix}.jsonl`, OpenAiSft);
      expect(sft).toEqual(jsonl(join(out, `sft/${split}.jsonl`)).map((r) => ({ messages: r.messages })));
      const dpo = check(`openai/dpo${suffix}.jsonl`, OpenAiDpo);
      expect(dpo).toEqual(jsonl(join(out, `preference/${split}.jsonl`)).map((r) => ({ input: { messages: r.prompt }, preferred_output: r.chosen, non_preferred_output: r.rejected })));
    }
    // The test split stays held out of the views.
    expect(readdirSync(join(out, 'openai')).sort()).toEqual(['dpo-validation.jsonl', 'dpo.jsonl', 'sft-validation.jsonl', 'sft.jsonl']);
  });

  it('dataset_info.json describes the sft and preference files for LLaMA-Factory, with columns and tags that are in them', () => {
    const info = JSON.parse(readFileSync(join(out, 'dataset_info.json'), 'utf8')) as Record<string, LlamaFactoryDataset>;
    expect(Object.keys(info).sort()).toEqual(['vernacular_kiswahili_preference', 'vernacular_kiswahili_preference_validation', 'vernacular_kiswahili_sft', 'vernacular_kiswahili_sft_validation']);
    for (const [name, d] of Object.entries(info)) {
      expect(d.formatting).toBe('sharegpt');
      const rows = jsonl(join(out, d.file_name));
      expect(rows.length, name).toBeGreaterThan(0);
      const { role_tag: role, content_tag: content } = d.tags;
      for (const row of rows) {
        const messages = row[d.columns.messages!] as Record<string, string>[];
        expect(messages.length).toBeGreaterThan(0);
        for (const m of messages) {
          expect([d.tags.user_tag, d.tags.assistant_tag, d.tags.system_tag]).toContain(m[role]);
          expect(typeof m[content]).toBe('string');
        }
        if (d.ranking) {
          // LLaMA-Factory: the conversation ends with the user's turn; chosen and rejected are one assistant message each.
          expect(messages.at(-1)![role]).toBe(d.tags.user_tag);
          for (const side of [d.columns.chosen!, d.columns.rejected!]) {
            const m = row[side] as Record<string, string>;
            expect(m[role]).toBe(d.tags.assistant_tag);
            expect(typeof m[content]).toBe('string');
          }
        } else {
          expect(messages.at(-1)![role]).toBe(d.tags.assistant_tag);
        }
      }
    }
    expect(info.vernacular_kiswahili_sft!.file_name).toBe('sft/train.jsonl');
    expect(info.vernacular_kiswahili_preference!.ranking).toBe(true);
  });

  it('with a tiny maxShardBytes, writes several shards under it whose rows together are the JSONL', async () => {
    const max = 4096;
    const small = await build('small', { maxShardBytes: max });
    const base = join(dir, 'small');
    for (const f of small.files.filter((x) => x.config !== '' && x.path.endsWith('.jsonl'))) {
      const shards = small.files.filter((p) => p.config === f.config && p.split === f.split && p.path.endsWith('.parquet'));
      const n = String(shards.length).padStart(5, '0');
      expect(shards.map((s) => s.path)).toEqual(shards.map((_, i) => `${f.config}/${f.split}-${String(i).padStart(5, '0')}-of-${n}.parquet`));
      for (const s of shards) expect(statSync(join(base, s.path)).size, s.path).toBeLessThanOrEqual(max);
      const paths = shards.map((s) => join(base, s.path));
      const json = JSON_COLUMNS[f.config]!;
      expect((await readWithHyparquet(paths)).map((r) => normalise(r, json))).toEqual(jsonl(join(base, f.path)));
      if (f.config === 'sft' && f.split === 'train') {
        expect(shards.length).toBeGreaterThan(2);
        expect((await readWithDuckDb(paths)).map((r) => normalise(r, json))).toEqual(jsonl(join(base, f.path)));
      }
    }
    // The card names a split's shards with a pattern.
    expect(readFileSync(join(base, 'README.md'), 'utf8')).toContain('path: sft/train-*.parquet');
  });

  it('writes byte-identical Parquet files and views on a second build', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    await build('b');
    const a = tree(out);
    const b = tree(join(dir, 'b'));
    const ours = (p: string) => p.endsWith('.parquet') || p.startsWith('openai/') || p.startsWith('llamafactory/') || p.startsWith('kto/') || p === 'dataset_info.json';
    const mine = [...a.keys()].filter(ours).sort();
    expect(mine.length).toBeGreaterThan(20);
    expect([...b.keys()].filter(ours).sort()).toEqual(mine);
    for (const p of mine) expect(b.get(p)!.equals(a.get(p)!), p).toBe(true);
  });
});
