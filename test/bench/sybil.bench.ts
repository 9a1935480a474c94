/**
 * Sybil drill at full scale (`npm run bench`, issue 12): the drill of test/support/sybil.ts over a
 * real SQLite store — 5,000 honest items and 100 honest reviewers (5% of their votes wrong); an
 * attacker with 1,000 fresh keys, and separately one with 20 keys that earned eligibility on gold
 * like anyone, each trying to get 200 spam items accepted and 200 honest items hidden — first with
 * the default reviewer policy, then the same drills with the defences off (every key counted,
 * served or not, the consensus rule alone), so the report shows the drill can fail.
 *
 * Targets (the default policy): at most 1% of spam accepted, at most 1% of honest items rejected
 * or hidden (all of them, and of the 200 targeted), honest items decided within 10% of the rounds
 * they take without the attack (mean over honest items). The report replaces this benchmark's
 * section of docs/benchmarks.md. `SYBIL_BENCH_SEEDS=12,13` runs more seeds (default 12);
 * `SYBIL_BENCH_DRY=1` prints the report without writing it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../federation/store/index.ts';
import { packageRoot } from '../../federation/package.ts';
import { type Attack, type DrillResult, FULL_DRILL, runDrill } from '../support/sybil.ts';

const ROOT = packageRoot();
const SEEDS = (process.env.SYBIL_BENCH_SEEDS ?? String(FULL_DRILL.seed)).split(',').map(Number);
const RUNS: Array<{ attack: Attack; defences: boolean }> = [
  { attack: 'none', defences: true },
  { attack: 'fresh', defences: true },
  { attack: 'eligible', defences: true },
  { attack: 'none', defences: false },
  { attack: 'fresh', defences: false },
  { attack: 'eligible', defences: false },
];

async function drill(seed: number, attack: Attack, defences: boolean): Promise<DrillResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-sybil-'));
  const store = await openStore({ dataDir: dir });
  try {
    return await runDrill(store, { ...FULL_DRILL, seed, attack, defences }, (line) => process.stderr.write(`  seed ${seed} ${attack}/${defences ? 'on' : 'off'}: ${line}\n`));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (n: number, of: number) => `${n} (${((100 * n) / of).toFixed(1)}%)`;

interface Verdict {
  spam: boolean;
  honest: boolean;
  targets: boolean;
  time: boolean;
}

function verdict(r: DrillResult, base: DrillResult): Verdict {
  return {
    spam: r.spamAccepted <= r.config.spam / 100,
    honest: r.honestLost + r.undecided <= r.config.honestItems / 100,
    targets: r.targetsLost <= r.config.targets / 100,
    time: r.meanRounds <= base.meanRounds * 1.1,
  };
}

function report(results: DrillResult[]): { section: string; pass: boolean } {
  const cpu = cpus();
  const rows: string[] = [];
  let pass = true;
  for (const r of results) {
    const base = results.find((b) => b.config.seed === r.config.seed && b.config.attack === 'none' && b.config.defences === r.config.defences)!;
    const v = verdict(r, base);
    const ok = v.spam && v.honest && v.targets && v.time;
    if (r.config.defences) pass &&= ok;
    const mark = (good: boolean, text: string) => (good ? text : `**${text}**`);
    rows.push(
      `| ${r.config.seed} | ${r.config.attack} | ${r.config.defences ? 'on' : 'off'} | ${mark(v.spam, pct(r.spamAccepted, r.config.spam))} | ` +
        `${mark(v.honest, pct(r.honestLost, r.config.honestItems))} | ${mark(v.targets, pct(r.targetsLost, r.config.targets))} | ${r.undecided} | ` +
        `${r.meanRounds.toFixed(2)} | ${r.p90Rounds} | ${mark(v.time, `${(r.meanRounds / base.meanRounds).toFixed(3)}×`)} | ${r.targetsMeanRounds.toFixed(2)} | ` +
        `${r.eligibleHonest}/${r.config.honestReviewers}, ${r.eligibleAttackers}/${r.config.attack === 'eligible' ? r.config.eligibleAttackers : 0} | ${r.reviews.toLocaleString('en')} | ${(r.ms / 1000).toFixed(0)} s | ${ok ? 'pass' : 'FAIL'} |`,
    );
  }
  const c = FULL_DRILL;
  const section = [
    '<!-- bench:sybil:start -->',
    '## Sybil drill: review that strangers cannot forge (`test/bench/sybil.bench.ts`)',
    '',
    `The drill of \`test/support/sybil.ts\` at full scale over a real SQLite store (ingest, review queue, gold, standing and consensus as a node runs them): ${c.honestItems.toLocaleString('en')} honest items by ${c.honestContributors} contributors and ${c.honestReviewers} honest reviewers who vote wrong ${100 * c.errorRate}% of the time (on gold too); ${c.goldItems} gold items served one in ${c.goldEvery}; ${c.spam} spam items and ${c.targets} targeted honest items. Attack \`fresh\`: ${c.freshKeys.toLocaleString('en')} new keys, each in one round asking the queue for a page (spam up, targets flagged, the rest at random) and voting up spam and flagging targets by id, unserved. Attack \`eligible\`: ${c.eligibleAttackers} keys that review like honest ones from the start (earning standing on gold) but vote every spam item up and flag every targeted item the queue serves them. Everyone asks one page of ${c.pageSize} per round; a round is ${c.roundMinutes} simulated minutes, so the default cap of 300 new items a key a day is everyone's pace. Time is the round in which an honest item was first decided, compared with the same seed without the attack (same policy). Defences off: every key holds a credential (counted served or not) and the consensus rule alone decides (margin 1) — the drill as it ran before reviewer policies.`,
    '',
    `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${process.version}, load average ${loadavg()[0]!.toFixed(2)} at the end; ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| seed | attack | defences | spam accepted (≤ 1%) | honest rejected or hidden (≤ 1%) | targets rejected or hidden (≤ 1%) | honest undecided | mean rounds | p90 rounds | time vs no attack (≤ 1.1×) | targets: mean rounds | eligible at the end (honest, attackers) | reviews | wall | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Default policy: ${pass ? '**every target met**' : '**a target missed**'} (bold marks a figure beyond its target).`,
    '<!-- bench:sybil:end -->',
  ].join('\n');
  return { section, pass };
}

function writeReport(section: string): string {
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const pattern = /<!-- bench:sybil:start -->[\s\S]*?<!-- bench:sybil:end -->/;
  writeFileSync(file, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`);
  return file;
}

async function main(): Promise<void> {
  const results: DrillResult[] = [];
  for (const seed of SEEDS) {
    for (const { attack, defences } of RUNS) {
      process.stderr.write(`sybil drill: seed ${seed}, attack ${attack}, defences ${defences ? 'on' : 'off'}\n`);
      results.push(await drill(seed, attack, defences));
    }
  }
  const { section, pass } = report(results);
  process.stdout.write(`${section}\n`);
  if (process.env.SYBIL_BENCH_DRY === undefined) process.stdout.write(`written to ${writeReport(section)}\n`);
  if (!pass) process.exitCode = 1;
}

await main();
