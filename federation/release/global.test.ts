import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/random.ts';
import { workRow, workTables } from '../../test/support/work.ts';
import { exactDuplicates, exactDuplicateSeqs } from './global.ts';
import { parseReleaseConfig } from './config.ts';

/** A row with the given hash (and, if given, already excluded at `stage`). */
const row = (seq: number, hash: string, stage: string | null = null) => workRow(seq, 'x', { hash, stage, rule: stage === null ? null : 'some_rule' });
const hex = (random: () => number, n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');

describe('exact duplicates', () => {
  const table = workTables('exact');

  it('pairs each later kept item with the earliest kept one of its hash, as a GROUP BY over the hashes does', () => {
    const random = mulberry32(11);
    // 3,000 hashes drawn from 1,200 (so many repeats), some rows already excluded.
    const pool = Array.from({ length: 1200 }, () => hex(random, 64));
    const work = table(Array.from({ length: 3000 }, (_, i) => row(i * 3 + 1, pool[Math.floor(random() * pool.length)]!, random() < 0.1 ? 'validate' : null)));
    const bySql = work.db
      .prepare(
        `SELECT i.seq AS seq, d.seq AS first FROM items i JOIN (
           SELECT hash, min(seq) AS seq FROM items WHERE stage IS NULL GROUP BY hash HAVING count(*) > 1
         ) d ON d.hash = i.hash WHERE i.stage IS NULL AND i.seq <> d.seq ORDER BY i.seq`,
      )
      .all();
    expect(bySql.length).toBeGreaterThan(1000);
    expect(exactDuplicateSeqs(work)).toEqual(bySql);
  });

  it('tells apart different hashes that share their first 52 bits', () => {
    const prefix = 'abcdef0123456';
    const [a, b, c] = ['1', '2', '3'].map((d) => `${prefix}${d.repeat(51)}`) as [string, string, string];
    const work = table([row(1, a), row(2, b), row(3, a), row(4, b), row(5, c), row(6, b), row(7, c)]);
    expect(exactDuplicateSeqs(work)).toEqual([
      { seq: 3, first: 1 },
      { seq: 4, first: 2 },
      { seq: 6, first: 2 },
      { seq: 7, first: 5 },
    ]);
  });

  it('excludes the later copies, each pointing at the earliest one by id', async () => {
    const work = table([row(1, 'f'.repeat(64)), row(2, 'e'.repeat(64)), row(3, 'f'.repeat(64)), row(4, 'f'.repeat(64), 'consensus')]);
    await exactDuplicates.run(work, parseReleaseConfig({ version: '1' }));
    expect(work.db.prepare('SELECT seq, stage, rule, detail, cluster FROM items ORDER BY seq').all()).toEqual([
      { seq: 1, stage: null, rule: null, detail: null, cluster: null },
      { seq: 2, stage: null, rule: null, detail: null, cluster: null },
      { seq: 3, stage: 'duplicates', rule: 'exact_duplicate', detail: 'same text as item-1', cluster: 'item-1' },
      { seq: 4, stage: 'consensus', rule: 'some_rule', detail: null, cluster: null },
    ]);
  });
});
