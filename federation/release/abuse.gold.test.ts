/**
 * Reviewers measured on gold items (reliability.ts): through the whole release pipeline on a real
 * store (SQLite and PostgreSQL), and stage 4's own regrading when the caller hands it the gold regrade.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { type BackendStore, releaseBackends, TEST_PSEUDONYM_KEY } from './backends.contract.ts';
import { goldItems, importGold, type GoldInput } from '../store/gold.ts';
import { idiom, person, review } from '../../test/support/contributions.ts';
import { credentialed, RULE_ONLY } from '../../test/support/reviewers.ts';
import { parseReleaseConfig, type ReleaseConfig } from './config.ts';
import { buildRelease, type ReleaseManifest } from './pipeline.ts';
import { goldRegrade } from './reliability.ts';
import { Pseudonyms } from './pseudonyms.ts';
import { type Candidate, itemStages } from './stages.ts';

const config = (abuse: Record<string, unknown> = {}): ReleaseConfig =>
  parseReleaseConfig({ version: '1.0.0', abuse: { minGold: 5, goldDisagreement: 0.5, ...abuse }, language: { check: false }, duplicates: { near: false } });

const WORDS = ['mama', 'baba', 'mtoto', 'shamba', 'mvua', 'jua', 'kesho', 'leo', 'sokoni', 'nyumbani', 'shule', 'maji'];
const phrase = (i: number) => `${WORDS[i % 12]} ${WORDS[(i * 5 + 1) % 12]} ${WORDS[(i * 7 + 3) % 12]} namba ${i}`;

const goldRow = (i: number, expected: 'good' | 'bad'): GoldInput => ({
  kind: 'idiom',
  language: 'sw',
  data: { expression: `Dhahabu ${phrase(100 + i)}`, meaning: `Maana ya ${phrase(200 + i)}.`, example: `Mfano: ${phrase(300 + i)}.` },
  expected,
});

type Rejected = { id: string; stage: string; rule: string; detail: string };

for (const backend of releaseBackends()) describe(`release: reviewers measured on gold items (${backend.name})`, () => {
  let dir: string;
  let store: Store;
  let backing: BackendStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-gold-release-'));
    backing = await backend.store(join(dir, 'data'));
    store = await backing.open();
    await store.saveCampaign({
      slug: 'shule', title: 'Shule', description: '', languages: ['sw'], kinds: ['idiom'], goals: [], licence: 'CC0-1.0',
      consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 },
      // The rule alone decides among credentialed reviewers: the node counts every vote here, and
      // it is the release that measures reviewers on gold.
      reviewers: RULE_ONLY,
    });
  });
  afterEach(async () => {
    await store.close();
    await backing.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const ingest = async (...items: ContributionInput[]) => {
    const answers = await store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
    expect(answers).toEqual(items.map(() => 'accepted'));
  };
  const item = (i: number) => idiom({ campaign: 'shule', data: { expression: `Methali ${phrase(i)}`, meaning: `Maana ya ${phrase(i + 50)}.`, example: `Mfano ${phrase(i + 90)}.` } });
  const vote = (target: string, contributor: string, action: 'up' | 'down' | 'flag') =>
    review(target, { campaign: 'shule', contributor, data: action === 'flag' ? { action, reason: 'spam' } : { action } });
  const build = async (name: string, cfg: ReleaseConfig) => {
    const out = join(dir, name);
    const manifest = await buildRelease({ store, config: cfg, outDir: out, snapshot: 'test', pseudonymKey: TEST_PSEUDONYM_KEY });
    const rejected = readFileSync(join(out, 'rejected.jsonl'), 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Rejected);
    return { manifest, rejected, out };
  };
  const kept = (m: ReleaseManifest) => Object.values(m.counts.idioms ?? {}).reduce((a, b) => a + b, 0);
  const stage = (m: ReleaseManifest, name: string) => m.stages.find((s) => s.stage === name)!;

  /** Three reviewers who vote on gold as `gold` says; two reliable ones who always agree with it. */
  async function corpus(unreliableOnGold: boolean) {
    const bad = [person().contributor, person().contributor, person().contributor];
    const [h1, h2] = [person().contributor, person().contributor];
    for (const reviewer of [...bad, h1, h2]) await store.reviewers.grant({ campaign: 'shule', reviewer, by: 'test' });
    await importGold(store.db, 'shule', [...Array.from({ length: 6 }, (_, i) => goldRow(i, 'good')), goldRow(6, 'bad'), goldRow(7, 'bad')]);
    const gold = await goldItems(store.db);
    const goodItems = [item(1), item(2)]; // rejected only by the three down votes
    const carried = item(3); // accepted only thanks to two up votes
    const solid = item(4); // accepted either way
    await ingest(...goodItems, carried, solid);
    const goldVotes = gold.flatMap((g) => [
      ...bad.map((b) => vote(g.item.id, b, (g.expected === 'good') === unreliableOnGold ? 'down' : 'up')),
      vote(g.item.id, h1, g.expected === 'good' ? 'up' : 'down'),
      vote(g.item.id, h2, g.expected === 'good' ? 'up' : 'flag'),
    ]);
    await ingest(
      ...goldVotes,
      ...goodItems.flatMap((g) => [...bad.map((b) => vote(g.id, b, 'down')), vote(g.id, h1, 'up'), vote(g.id, h2, 'up')]),
      vote(carried.id, bad[0]!, 'up'), vote(carried.id, bad[1]!, 'up'), vote(carried.id, h1, 'down'),
      vote(solid.id, h1, 'up'), vote(solid.id, h2, 'up'), vote(solid.id, bad[2]!, 'down'),
    );
    return { bad, gold, goodItems, carried, solid };
  }

  it('restores good items rejected only by reviewers who fail gold, and leaves out one accepted only thanks to them', async () => {
    const { bad, gold, goodItems, carried } = await corpus(true);
    expect((await store.statuses(goodItems.map((g) => g.id))).map((s) => s.status)).toEqual(['rejected', 'rejected']);
    const { manifest, rejected, out } = await build('r', config());
    // The good items are back in the release; the carried one is out, traceably.
    expect(rejected.map((r) => r.id)).not.toContain(goodItems[0]!.id);
    expect(rejected.map((r) => r.id)).not.toContain(goodItems[1]!.id);
    const out1 = rejected.filter((r) => r.rule === 'unreliable_votes');
    expect(out1.map((r) => [r.id, r.stage])).toEqual([[carried.id, 'consensus']]);
    expect(out1[0]!.detail).toMatch(/^pending \(was accepted\) without the votes of 2 unreliable reviewers \(/);
    // Named by their pseudonyms, never their ids (pseudonyms.ts).
    for (const b of bad.slice(0, 2)) expect(out1[0]!.detail).toContain(new Pseudonyms(TEST_PSEUDONYM_KEY).of(b));
    for (const b of bad) expect(out1[0]!.detail).not.toContain(b);
    expect(stage(manifest, 'consensus').excluded).toEqual({ unreliable_votes: 1 });
    expect(stage(manifest, 'abuse').figures).toMatchObject({ gold_items: 8, gold_votes: 40, reviewers_measured_on_gold: 5, unreliable_reviewers: 3, restored_by_gold: 2 });
    expect(kept(manifest)).toBe(3);
    // In whichever split their contributors' hashes put them.
    const idioms = readdirSync(join(out, 'idioms')).filter((f) => f.endsWith('.jsonl')).map((f) => readFileSync(join(out, 'idioms', f), 'utf8')).join('');
    for (const g of goodItems) expect(idioms).toContain(g.id);
    // Gold items are in no file of the release, nor counted as read items.
    expect(manifest.read.idiom).toBe(4);
    const files = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));
    for (const f of files(out)) {
      const text = readFileSync(f, 'latin1');
      for (const g of gold) expect(text.includes(g.item.id), `${f} names gold item ${g.item.id}`).toBe(false);
    }
    // The card says how gold was used.
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/measured on 8 gold items .* the votes of the 3 of them who disagreed .* 2 left out by their votes came back .* 1 accepted only thanks to them were left out/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('measured on 8 gold items');
  });

  it('changes nothing when every reviewer agrees with gold: the same release as without measuring', async () => {
    const { goodItems } = await corpus(false);
    const measured = await build('measured', config());
    const unmeasured = await build('unmeasured', config({ minGold: 1000 }));
    expect(stage(measured.manifest, 'abuse').figures).toMatchObject({ unreliable_reviewers: 0, restored_by_gold: 0, reviewers_measured_on_gold: 5 });
    expect(measured.rejected).toEqual(unmeasured.rejected);
    expect(measured.manifest.counts).toEqual(unmeasured.manifest.counts);
    expect(measured.rejected.filter((r) => r.rule === 'rejected_by_review').map((r) => r.id).sort()).toEqual(goodItems.map((g) => g.id).sort());
  });

  it('keeps the votes of a reviewer with too few gold votes to judge', async () => {
    await corpus(true);
    const { manifest, rejected } = await build('r', config({ minGold: 9 }));
    expect(stage(manifest, 'abuse').figures).toMatchObject({ reviewers_measured_on_gold: 0, unreliable_reviewers: 0 });
    expect(rejected.filter((r) => r.rule === 'rejected_by_review')).toHaveLength(2);
  });

  it('no longer takes moderated items for gold: disagreeing with moderators makes nobody unreliable', async () => {
    const [reviewer] = await credentialed(store, 'shule', 1);
    const items = Array.from({ length: 6 }, (_, i) => item(20 + i));
    await ingest(...items);
    await ingest(...items.map((g) => vote(g.id, reviewer!, 'down')));
    for (const g of items) await store.moderate(g.id, 'clear');
    const regrade = await goldRegrade(store, config());
    expect(regrade).toMatchObject({ unreliable: {}, goldVotes: 0, measured: 0 });
  });

  it('regrades at stage 4 when handed the gold regrade: back in, or out with rule unreliable_votes; stage 8 then adds nothing', async () => {
    const { goodItems, carried, solid } = await corpus(true);
    const regrade = await goldRegrade(store, config());
    expect(Object.keys(regrade.items).sort()).toEqual([...goodItems.map((g) => g.id), carried.id].sort());
    const stages = itemStages({ config: config(), quarantined: new Set(), gold: regrade });
    const judge = async (id: string) => {
      let stored;
      for await (const s of store.contributions()) if (s.contribution.id === id) stored = s;
      const candidate: Candidate = { contribution: stored!.contribution, status: stored!.status, origin: null, text: '', notes: {} };
      for (const s of stages) {
        const verdict = s.apply(candidate);
        if (verdict !== undefined) return { stage: s.name, ...verdict, notes: candidate.notes };
      }
      return { stage: null, notes: candidate.notes };
    };
    expect(await judge(goodItems[0]!.id)).toMatchObject({ stage: null, notes: { gold: { was: 'rejected', status: 'accepted' } } });
    expect(await judge(carried.id)).toMatchObject({ stage: 'consensus', rule: 'unreliable_votes' });
    expect(await judge(solid.id)).toEqual({ stage: null, notes: {} });
  });
});
