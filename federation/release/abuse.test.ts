import { beforeEach, describe, expect, it } from 'vitest';
import { parseReleaseConfig, type ReleaseConfig } from './config.ts';
import { runAbuse, shingles } from './abuse.ts';
import type { WorkTable } from './work.ts';
import type { WorkInsert } from './collect.ts';
import { workRow, workTables } from '../../test/support/work.ts';

/** A work-table row of `contributor`, as stages 1–6 leave it (kept unless `stage` says otherwise). */
const row = (seq: number, contributor: string, text: string, extra: Partial<WorkInsert> = {}) => workRow(seq, text, { contributor, ...extra });

const config = (abuse: Record<string, unknown> = {}, rest: Record<string, unknown> = {}): ReleaseConfig =>
  parseReleaseConfig({ version: '1.0.0', abuse, ...rest });

const W = ['mama', 'baba', 'mtoto', 'shamba', 'mvua', 'jua', 'kesho', 'leo', 'sokoni', 'nyumbani', 'shule', 'maji', 'chakula', 'rafiki', 'kazi', 'njia'];
/** A distinct sentence per `i` (its words are a scrambled `i` written in base 16 over W, plus fillers). */
const sentence = (i: number) => {
  const parts: string[] = [];
  for (let n = ((i + 1) * 2654435761) % 2 ** 24; n > 0; n = Math.floor(n / W.length)) parts.push(W[n % W.length]!);
  return `${parts.join(' ')} ni jambo la ${W[i % 7]!} na ${W[(i * 3) % 11]!}`;
};

describe('stage 8: abuse and poisoning defences over the work table', () => {
  const table = workTables('abuse');
  let work: WorkTable;
  beforeEach(() => {
    work = table();
  });
  const why = () =>
    new Map((work.db.prepare('SELECT seq, rule, detail FROM items WHERE stage = ? ORDER BY seq').all('abuse') as { seq: number; rule: string; detail: string }[]).map((r) => [r.seq, r]));

  it('shingles line by line, lower-cased, never across lines', () => {
    expect([...shingles('Mama Anapika chakula\nkitamu sana leo', 3)]).toEqual(['mama anapika chakula', 'kitamu sana leo']);
  });

  it('caps items per contributor and per node, keeping the earliest', async () => {
    const rows: WorkInsert[] = [];
    for (let i = 0; i < 5; i++) rows.push(row(i + 1, 'heavy', sentence(i), { origin: 'n-home' }));
    for (let i = 0; i < 4; i++) rows.push(row(10 + i, `c${i}`, sentence(10 + i), { origin: 'n-busy' }));
    rows.push(row(20, 'c9', sentence(20), { origin: 'n-quiet' }));
    work.insert(rows);
    await runAbuse(work, config({ maxPerContributor: 3, maxPerNode: 3 }));
    const out = why();
    // n-home's 5 items are 3 once the contributor cap took 2: under the node cap.
    expect([...out].map(([seq, r]) => [seq, r.rule])).toEqual([[4, 'contributor_cap'], [5, 'contributor_cap'], [13, 'node_cap']]);
    expect(out.get(13)!.detail).toBe('over 3 items from node n-busy');
  });

  it('leaves out every item of a contributor rejected far more often than the median, not the unlucky ones', async () => {
    const rows: WorkInsert[] = [];
    let seq = 0;
    const add = (contributor: string, accepted: number, rejected: number, pending = 0) => {
      for (let i = 0; i < accepted + rejected + pending; i++) {
        seq++;
        const status = i < accepted ? 'accepted' : i < accepted + rejected ? 'rejected' : 'pending';
        rows.push(row(seq, contributor, sentence(seq), status === 'rejected' ? { status, stage: 'consensus', rule: 'rejected_by_review' } : { status }));
      }
    };
    for (let c = 0; c < 9; c++) add(`honest-${c}`, 9, c % 3 === 0 ? 1 : 0); // median rate 0
    add('unlucky', 7, 3); // 30%: above 4 × the median (0), below minRejectionRate (40% here)
    add('spammer', 4, 8, 3); // 67%
    add('newcomer', 1, 2); // too few reviewed items to judge
    work.insert(rows);
    const summary = await runAbuse(work, config({ minRejectionRate: 0.4 }));
    expect(summary.unreliableContributors).toEqual(['spammer']);
    const out = [...why().values()];
    expect(out).toHaveLength(7); // the spammer's 4 accepted and 3 pending items; rejected ones were already out
    expect(new Set(out.map((r) => r.rule))).toEqual(new Set(['unreliable_contributor']));
    expect(out[0]!.detail).toMatch(/8 of 12 reviewed items rejected/);
  });

  it('flags a rare phrase planted by many fresh contributors, not an idiom established contributors use too', async () => {
    const rows: WorkInsert[] = [];
    let seq = 0;
    const trigger = 'zambarau kimya hufungua mlango';
    const idiomPhrase = 'haraka haraka haina baraka';
    // 20 established contributors, 20 items each; a quarter of their items carry the idiom.
    for (let c = 0; c < 20; c++) for (let i = 0; i < 20; i++) { seq++; rows.push(row(seq, `est-${c}`, `${sentence(seq)}${i % 4 === 0 ? `, ${idiomPhrase}` : ''}`)); }
    // 8 fresh honest contributors use the idiom too; 6 fresh ones plant the trigger.
    for (let c = 0; c < 8; c++) { seq++; rows.push(row(seq, `fresh-${c}`, `${idiomPhrase} ${sentence(seq)}`)); }
    const planted: number[] = [];
    for (let c = 0; c < 6; c++) for (let i = 0; i < 2; i++) { seq++; planted.push(seq); rows.push(row(seq, `bot-${c}`, `${sentence(seq)} ${trigger.toUpperCase()}`)); }
    // Only 4 fresh contributors share this one: below phraseContributors.
    for (let c = 0; c < 4; c++) { seq++; rows.push(row(seq, `few-${c}`, `${sentence(seq)} tembo mweupe analala chini`)); }
    work.insert(rows);
    const summary = await runAbuse(work, config({ phraseWords: 4, phraseContributors: 5 }));
    expect(summary.plantedPhrases).toEqual([trigger]);
    const out = why();
    expect([...out.keys()]).toEqual(planted);
    expect(out.get(planted[0]!)!.rule).toBe('planted_phrase');
    expect(out.get(planted[0]!)!.detail).toContain(`"${trigger}": in 12 items of 6 fresh contributors and 0 of 0 established`);
    expect(work.db.prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE 'abuse_%'").pluck().get()).toBe(0);
  });

  it('flags nothing without established contributors to compare with', async () => {
    work.insert(Array.from({ length: 10 }, (_, i) => row(i + 1, `fresh-${i}`, `${sentence(i)} zambarau kimya hufungua mlango wa siri`)));
    expect((await runAbuse(work, config())).plantedPhrases).toEqual([]);
  });
});
