/**
 * The Sybil drill at small scale (test/support/sybil.ts; the full scale is `npm run bench`,
 * test/bench/sybil.bench.ts, reported in docs/benchmarks.md), over the real store: honest items
 * reviewed by honest reviewers (5% of whose votes are wrong), while an attacker with fresh keys, or
 * with eligible keys that earned standing on gold like anyone, tries to get spam accepted and
 * honest items hidden. The default reviewer policy must hold the targets — at most 1% of
 * spam accepted, at most 1% of honest items rejected or hidden (all of them, and of those
 * targeted), honest items decided within 10% of the rounds they take without the attack — and the
 * same drills with the defences off must miss them, so the drill can tell. The drill is
 * deterministic from its seed; PostgreSQL must give exactly SQLite's figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, type Store } from './index.ts';
import { type Attack, type DrillConfig, type DrillResult, runDrill } from '../../test/support/sybil.ts';
import { usePostgresStores } from '../../test/support/postgres-stores.ts';

/** The full drill's proportions (one eligible attacker key in six honest ones), a twelfth of its size. */
const SMALL: Omit<DrillConfig, 'attack' | 'defences'> = {
  seed: 7,
  honestItems: 400,
  honestContributors: 40,
  honestReviewers: 24,
  spam: 40,
  targets: 40,
  freshKeys: 100,
  freshRounds: 8,
  eligibleAttackers: 4,
  goldItems: 40,
  goldEvery: 10,
  errorRate: 0.05,
  pageSize: 10,
  roundMinutes: 48,
  maxRounds: 80,
};
const TIMEOUT = 180_000;

const sqliteResults = new Map<string, DrillResult>();
const key = (attack: Attack, defences: boolean) => `${attack}/${defences ? 'on' : 'off'}`;
/** What must be the same on every backend (the wall time is not). */
const figures = ({ ms: _ms, ...r }: DrillResult) => r;

function checkTargets(r: DrillResult, base: DrillResult): void {
  expect(r.spamAccepted, 'spam accepted').toBeLessThanOrEqual(Math.floor(r.config.spam / 100));
  expect(r.targetsLost, 'targeted honest items rejected or hidden').toBeLessThanOrEqual(Math.floor(r.config.targets / 100));
  expect(r.honestLost + r.undecided, 'honest items rejected, hidden or undecided').toBeLessThanOrEqual(Math.floor(r.config.honestItems / 100));
  expect(r.meanRounds / base.meanRounds, 'honest items’ time against no attack').toBeLessThanOrEqual(1.1);
}

async function withSqlite<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-drill-'));
  const store = await openStore({ dataDir: dir });
  try {
    return await work(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the Sybil drill, small scale, on SQLite', () => {
  const run = (attack: Attack, defences = true) =>
    withSqlite(async (store) => {
      const result = await runDrill(store, { ...SMALL, attack, defences });
      sqliteResults.set(key(attack, defences), result);
      return result;
    });

  it('decides every honest item without an attack', { timeout: TIMEOUT }, async () => {
    const base = await run('none');
    expect(base.undecided).toBe(0);
    // A few honest reviewers may fall below 80% on gold by their 5% of mistakes, for a while.
    expect(base.eligibleHonest).toBeGreaterThanOrEqual(0.9 * SMALL.honestReviewers);
    checkTargets(base, base);
  });

  it('holds against 100 fresh keys', { timeout: TIMEOUT }, async () => {
    const r = await run('fresh');
    checkTargets(r, sqliteResults.get(key('none', true))!);
    expect(r.eligibleAttackers).toBe(0);
  });

  it('holds against 4 keys that earned standing on gold (one eligible key in seven)', { timeout: TIMEOUT }, async () => {
    const r = await run('eligible');
    expect(r.eligibleAttackers).toBe(SMALL.eligibleAttackers);
    checkTargets(r, sqliteResults.get(key('none', true))!);
  });

  it('fails with the defences off: the same attacks accept spam and hide honest items', { timeout: TIMEOUT }, async () => {
    const fresh = await run('fresh', false);
    expect(fresh.spamAccepted, 'fresh keys: spam accepted').toBeGreaterThan(SMALL.spam / 100);
    expect(fresh.targetsLost, 'fresh keys: targets lost').toBeGreaterThan(SMALL.targets / 100);
    const eligible = await run('eligible', false);
    expect(eligible.spamAccepted, 'eligible keys: spam accepted').toBeGreaterThan(SMALL.spam / 100);
  });
});

describe('the Sybil drill on PostgreSQL', () => {
  const stores = usePostgresStores();
  /** Smaller still: what is compared here is the two backends, figure for figure. */
  const TINY: DrillConfig = { ...SMALL, honestItems: 150, honestContributors: 15, honestReviewers: 12, eligibleAttackers: 2, spam: 15, targets: 15, goldItems: 30, attack: 'eligible', defences: true };
  it('gives exactly SQLite’s figures for the same seed', { timeout: TIMEOUT }, async () => {
    const { url, drop } = await stores.freshSchema();
    const store = await openStore({ dataDir: '/nonexistent/vernacular-data', database: url });
    try {
      const result = await runDrill(store, TINY);
      expect(result.eligibleAttackers).toBe(TINY.eligibleAttackers);
      expect(figures(result)).toEqual(figures(await withSqlite((s) => runDrill(s, TINY))));
    } finally {
      await store.close();
      await drop();
    }
  });
});
