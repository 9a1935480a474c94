import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parquetInfo, readWithDuckDb, readWithHyparquet } from '../../test/support/parquet.ts';
import { COLUMNS, ParquetShards } from './parquet.ts';

const WORDS = ['habari', 'asubuhi', 'rafiki', 'mvua', 'shamba', 'mzee', 'chakula', 'safari', 'kijiji', 'maji', 'watoto', 'shule', 'kazi', 'soko', 'njia', 'jua', 'usiku', 'mama', 'baba', 'ndugu'];

/** Varied rows (a seeded generator: same rows every run), some non-ASCII. */
function sftRows(n: number): Record<string, unknown>[] {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const text = (words: number) => Array.from({ length: words }, () => WORDS[next() % WORDS.length]).join(' ');
  return Array.from({ length: n }, (_, i) => ({
    messages: [{ role: 'user', content: `${text(6)} ${i}?` }, { role: 'assistant', content: `${text(3 + (next() % 30))} — ${i} ✓` }],
    id: `item-${String(i).padStart(6, '0')}`,
    language: i % 3 === 0 ? 'sw' : 'yo',
    kind: 'instruction',
  }));
}

describe('Parquet shards', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-parquet-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function write(name: string, rows: Record<string, unknown>[], maxShardBytes: number) {
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    const shards = new ParquetShards({ dir: folder, prefix: name, split: 'train', columns: COLUMNS.sft!, maxShardBytes, metadata: { 'vernacular.version': '1.0.0' } });
    for (const row of rows) shards.write(row);
    const files = await shards.finish();
    return { files: files.map((f) => ({ ...f, full: join(dir, f.path) })), oversized: shards.oversized };
  }

  it('splits a split into shards under the size limit, named i-of-N, whose rows together are the rows written, in order (hyparquet and DuckDB)', async () => {
    const rows = sftRows(3000);
    const max = 48 * 1024;
    const { files, oversized } = await write('sft', rows, max);
    expect(oversized).toBe(0);
    expect(files.length).toBeGreaterThan(3);
    const n = String(files.length).padStart(5, '0');
    expect(files.map((f) => f.path)).toEqual(files.map((_, i) => `sft/train-${String(i).padStart(5, '0')}-of-${n}.parquet`));
    expect(readdirSync(join(dir, 'sft')).sort()).toEqual(files.map((f) => f.path.slice(4)).sort()); // no partial files left
    for (const f of files) {
      expect(statSync(f.full).size).toBeLessThanOrEqual(max);
      // Well filled: the bound is conservative but not wasteful.
      if (f !== files.at(-1)) expect(statSync(f.full).size).toBeGreaterThan(max / 4);
      expect(parquetInfo(f.full).rows).toBe(f.rows);
      expect(parquetInfo(f.full).rowGroups).toBeGreaterThan(1);
    }
    expect(files.reduce((a, f) => a + f.rows, 0)).toBe(rows.length);
    expect(await readWithHyparquet(files.map((f) => f.full))).toEqual(rows);
    expect(await readWithDuckDb(files.map((f) => f.full))).toEqual(rows);
  });

  it('writes the same bytes twice, with the release in its metadata and no time', async () => {
    const rows = sftRows(500);
    const a = await write('a', rows, 1024 * 1024);
    await new Promise((r) => setTimeout(r, 1100));
    const b = await write('b', rows, 1024 * 1024);
    expect(a.files).toHaveLength(1);
    expect(readFileSync(a.files[0]!.full).equals(readFileSync(b.files[0]!.full))).toBe(true);
    const info = parquetInfo(a.files[0]!.full);
    expect(info.kv).toEqual({ 'vernacular.version': '1.0.0' });
    expect(info.createdBy).not.toMatch(/\d{4}-\d\d-\d\d/);
  });

  it('refuses a record whose fields are not the columns', async () => {
    const shards = new ParquetShards({ dir, prefix: 'sft', split: 'train', columns: COLUMNS.sft!, maxShardBytes: 1 << 20, metadata: {} });
    expect(() => shards.write({ id: 'x', messages: [], language: 'sw', kind: 'idiom' })).toThrow(/not the Parquet columns/);
    await shards.abort();
  });

  it('puts a row bigger than the limit alone in its own shard', async () => {
    const rows = sftRows(20);
    (rows[5]!.messages as { content: string }[])[1]!.content = Array.from({ length: 3000 }, (_, i) => ((i * 7919) % 10007).toString(36)).join(' ');
    const { files, oversized } = await write('big', rows, 4096);
    expect(oversized).toBe(1);
    expect(files.reduce((a, f) => a + f.rows, 0)).toBe(20);
    expect(files.filter((f) => statSync(f.full).size > 4096).map((f) => f.rows)).toEqual([1]);
    for (const f of files) if (f.rows > 1) expect(statSync(f.full).size).toBeLessThanOrEqual(4096);
    expect(await readWithHyparquet(files.map((f) => f.full))).toEqual(rows);
  });
});
