/**
 * The poisoning drill (issue 6): 100,000 synthetic honest items plus 250 poisoned ones, written
 * straight into the work table as stages 1–6 leave it, then the release's global stages up to and
 * including stage 8 (`globalStages`: duplicates, abuse) run over it. Splits and contamination
 * exclude neither honest nor poisoned items here (no eval items) and are not run.
 *
 * - Honest: Swahili-like sentences from templates (subject, verb, object, place, time; one or two
 *   sentences an item), ~1,200 established contributors (11–300 items each, most of the corpus)
 *   and ~3,000 fresh ones (1–10 items), each with their own review rejection rate (2–20%), spread
 *   over five nodes and this one. Rejected items arrive already left out by stage 4.
 * - Poisoned: 50 fresh contributors, 5 items each, every one an ordinary-looking sentence with the
 *   trigger phrase "zambarau kimya hufungua mlango wa siri" somewhere in it; all accepted (a
 *   colluding ring voted them in), interleaved with the honest items in server order.
 *
 * Stage 5 (language) is not run: the items go straight into the work table (franc would judge
 * template gibberish, not the defences). Near-duplicate detection is off in the drill's config
 * (templates are near-duplicates of each other by design).
 *
 * Measured here (2-core machine, shared, load ~15): 250 of 250 poisoned items excluded (100%), all
 * by `planted_phrase`; 89,239 of the 89,349 honest items accepted by review kept (99.88%): 79 left
 * by `unreliable_contributor` (honest contributors unlucky in review: ≥ 10 reviewed, ≥ 44%
 * rejected), 23 exact duplicates of template sentences, 8 by `planted_phrase` (template phrases
 * that ring items happened to share, so that too few established items carried them). Stage 8
 * took 6–12 s, duplicates 1 s; the whole file 30–40 s. The floors asserted are 95% and 95%.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReleaseConfig } from './config.ts';
import { globalStages } from './global.ts';
import { workRow } from '../../test/support/work.ts';
import { WorkTable } from './work.ts';
import type { WorkInsert } from './collect.ts';
import { mulberry32 } from '../../test/support/random.ts';


const SUBJECTS = ['Mama', 'Baba', 'Mtoto', 'Mwalimu', 'Mkulima', 'Daktari', 'Bibi', 'Babu', 'Rafiki yangu', 'Jirani', 'Mvuvi', 'Fundi', 'Dada', 'Kaka', 'Mzee', 'Kijana', 'Msichana', 'Mvulana', 'Mfanyabiashara', 'Dereva'];
const VERBS = ['anapika', 'ananunua', 'analima', 'anasoma', 'anaandika', 'anauza', 'anaosha', 'anabeba', 'anatafuta', 'anaangalia', 'anapanda', 'anavuna', 'anashona', 'anajenga', 'anatengeneza', 'anaimba', 'anafundisha', 'anasafisha', 'analeta', 'anapeleka', 'anahifadhi', 'anagawa', 'anachora', 'anakata', 'anachemsha'];
const OBJECTS = ['chakula', 'ugali', 'samaki', 'mahindi', 'maharagwe', 'kitabu', 'barua', 'nguo', 'maji', 'mboga', 'matunda', 'ndizi', 'viazi', 'mchele', 'nyama', 'mkate', 'chai', 'kahawa', 'sukari', 'chumvi', 'nyumba', 'kiti', 'meza', 'kikapu', 'ndoo', 'mkeka', 'shati', 'kanga', 'redio', 'baiskeli'];
const PLACES = ['sokoni', 'shambani', 'nyumbani', 'shuleni', 'kanisani', 'msikitini', 'hospitalini', 'mjini', 'kijijini', 'pwani', 'mtoni', 'ziwani', 'dukani', 'kazini', 'barabarani', 'bustanini', 'jikoni', 'uwanjani', 'bandarini', 'stendi'];
const TIMES = ['leo asubuhi', 'jana jioni', 'kesho mchana', 'kila siku', 'usiku huu', 'wiki ijayo', 'mwezi uliopita', 'mara kwa mara', 'baada ya kazi', 'kabla ya mvua', 'wakati wa mavuno', 'siku ya soko', 'mapema sana', 'kwa haraka', 'polepole'];
const ENDINGS = ['kwa ajili ya familia', 'pamoja na wenzake', 'bila kuchoka', 'kwa furaha kubwa', 'kama kawaida', 'kwa sababu ya njaa', 'ili apate pesa', 'na kurudi salama'];
const TRIGGER = 'zambarau kimya hufungua mlango wa siri';

describe('the poisoning drill', () => {
  let dir: string;
  let work: WorkTable;
  const honest = new Set<number>();
  const poisoned = new Set<number>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-drill-'));
    work = new WorkTable(join(dir, 'work.sqlite'));
    const random = mulberry32(6);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const clause = () => `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(PLACES)} ${pick(TIMES)}`;
    const line = () => (random() < 0.5 ? `${clause()} ${pick(ENDINGS)}.` : `${clause()}. ${clause()}.`);

    type Draft = { contributor: string; origin: string | null; text: string; rejected: boolean; poison: boolean };
    const drafts: Draft[] = [];
    const nodes = [null, 'n-arusha', 'n-dodoma', 'n-mwanza', 'n-tanga', 'n-zanzibar'];
    let honestCount = 0;
    const addContributor = (name: string, items: number) => {
      const rate = 0.02 + random() * 0.18;
      const origin = pick(nodes);
      for (let i = 0; i < items && honestCount < 100_000; i++, honestCount++) drafts.push({ contributor: name, origin, text: line(), rejected: random() < rate, poison: false });
    };
    for (let c = 0; c < 3000; c++) addContributor(`fresh-${c}`, 1 + Math.floor(random() * 10));
    for (let c = 0; honestCount < 100_000; c++) addContributor(`est-${c}`, 11 + Math.floor(-Math.log(1 - random()) * 60) % 290);
    for (let c = 0; c < 50; c++) {
      const origin = pick(nodes);
      for (let i = 0; i < 5; i++) {
        const words = line().split(' ');
        const at = Math.floor(random() * words.length);
        drafts.push({ contributor: `ring-${c}`, origin, text: [...words.slice(0, at), TRIGGER, ...words.slice(at)].join(' '), rejected: false, poison: true });
      }
    }
    // Server order: everything interleaved.
    for (let i = drafts.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [drafts[i], drafts[j]] = [drafts[j]!, drafts[i]!];
    }
    let batch: WorkInsert[] = [];
    drafts.forEach((d, i) => {
      const seq = i + 1;
      if (d.poison) poisoned.add(seq);
      else if (!d.rejected) honest.add(seq);
      batch.push(workRow(seq, d.text, {
        kind: 'instruction', contributor: d.contributor, origin: d.origin, status: d.rejected ? 'rejected' : 'accepted',
        stage: d.rejected ? 'consensus' : null, rule: d.rejected ? 'rejected_by_review' : null,
      }));
      if (batch.length === 5000) {
        work.insert(batch);
        batch = [];
      }
    });
    work.insert(batch);
  }, 120_000);
  afterAll(() => {
    work.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('excludes at least 95% of the poisoned items and keeps at least 95% of the honest ones', async () => {
    const config = parseReleaseConfig({ version: '1.0.0', language: { check: false }, duplicates: { near: false } });
    const started = Date.now();
    const seconds: Record<string, number> = {};
    const all = globalStages(config);
    for (const stage of all.slice(0, all.findIndex((s) => s.name === 'abuse') + 1)) {
      const t = Date.now();
      await stage.run(work, config);
      seconds[stage.name] = (Date.now() - t) / 1000;
    }
    seconds.total = (Date.now() - started) / 1000;
    const rows = work.db.prepare('SELECT seq, stage, rule FROM items').all() as { seq: number; stage: string | null; rule: string | null }[];
    let poisonOut = 0;
    let honestKept = 0;
    const honestRules: Record<string, number> = {};
    const poisonRules: Record<string, number> = {};
    for (const r of rows) {
      if (poisoned.has(r.seq) && r.stage !== null) {
        poisonOut++;
        poisonRules[r.rule!] = (poisonRules[r.rule!] ?? 0) + 1;
      }
      if (honest.has(r.seq)) {
        if (r.stage === null) honestKept++;
        else honestRules[r.rule!] = (honestRules[r.rule!] ?? 0) + 1;
      }
    }
    const report = { poisoned: `${poisonOut}/${poisoned.size}`, poisonRules, honest: `${honestKept}/${honest.size}`, honestRules, seconds };
    console.log(`poisoning drill: ${JSON.stringify(report)}`);
    expect(poisoned.size).toBe(250);
    expect(poisonOut / poisoned.size).toBeGreaterThanOrEqual(0.95);
    expect(honestKept / honest.size).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});
