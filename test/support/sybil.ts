/**
 * The Sybil drill (issue 12): a campaign of honest items reviewed by honest reviewers, while an
 * attacker tries to get spam accepted and honest items hidden — run over the real store (its
 * ingest, review queue, gold, standing and consensus code; either backend), so what it measures
 * is what a node does. Used at small scale by federation/store/sybil.drill.test.ts (both
 * backends) and at full scale by test/bench/sybil.bench.ts (docs/benchmarks.md).
 *
 * - Honest reviewers vote right with probability 1 − `errorRate` (on gold too); on a bad item a
 *   fifth of their right votes are flags.
 * - Attack `fresh`: `freshKeys` new keys, each active in one round: it asks the queue for a page
 *   and votes on what it gets — spam up, targeted honest items flagged, the rest at random — and
 *   sends flags and up-votes on spam and targets it never was served, by id.
 * - Attack `eligible`: `eligibleAttackers` keys that behave like honest reviewers from the start
 *   (earning standing on gold like them) but never vote right on the attack: up on every spam
 *   item, a flag on every targeted honest item the queue serves them.
 * - Everyone works at the same pace: one page of `pageSize` items per round, a round being
 *   `roundMinutes` of simulated time, so the campaign's daily serve cap is what keeps a key to it.
 * - Time is counted in rounds: an honest item's time is the round in which it was first decided.
 * - `defences: false` runs the same drill as before reviewer policies: every key counts (each
 *   holds a credential), served or not, and the consensus rule alone decides (margin 1).
 *
 * Deterministic from the seed: item, review and gold ids and all times come from it.
 */
import { v7 as uuidv7 } from 'uuid';
import { Contribution, type ContributionInput, DEFAULT_LICENCE, type ReviewerPolicy } from '../../federation/protocol/index.ts';
import type { Store } from '../../federation/store/index.ts';
import { importGold, type GoldInput } from '../../federation/store/gold.ts';
import { idiom, person, review } from './contributions.ts';
import { mulberry32 } from './random.ts';

export type Attack = 'none' | 'fresh' | 'eligible';

export interface DrillConfig {
  seed: number;
  honestItems: number;
  honestContributors: number;
  honestReviewers: number;
  spam: number;
  /** Honest items the attacker tries to hide. */
  targets: number;
  attack: Attack;
  freshKeys: number;
  /** Fresh keys act in the first this many rounds, each in one. */
  freshRounds: number;
  eligibleAttackers: number;
  goldItems: number;
  /** One gold item in this many of a page. */
  goldEvery: number;
  errorRate: number;
  pageSize: number;
  roundMinutes: number;
  maxRounds: number;
  defences: boolean;
}

export const FULL_DRILL: Omit<DrillConfig, 'attack' | 'defences'> = {
  seed: 12,
  honestItems: 5000,
  honestContributors: 500,
  honestReviewers: 100,
  spam: 200,
  targets: 200,
  freshKeys: 1000,
  freshRounds: 20,
  eligibleAttackers: 20,
  goldItems: 150,
  goldEvery: 10,
  errorRate: 0.05,
  pageSize: 10,
  // 30 rounds a day: a page of 10 each round is the default cap of 300 new items a key a day.
  roundMinutes: 48,
  maxRounds: 120,
};

export interface DrillResult {
  config: DrillConfig;
  rounds: number;
  reviews: number;
  queueRequests: number;
  spamAccepted: number;
  /** Honest items rejected or hidden at the end: all, and those the attacker targeted. */
  honestLost: number;
  targetsLost: number;
  /** Honest items never decided by the last round. */
  undecided: number;
  /** Rounds until each honest item was first decided (undecided ones left out). */
  meanRounds: number;
  medianRounds: number;
  p90Rounds: number;
  /** The same for the targeted honest items. */
  targetsMeanRounds: number;
  /** Eligible keys at the end: honest reviewers, attackers. */
  eligibleHonest: number;
  eligibleAttackers: number;
  ms: number;
}

type Role = 'honest' | 'attacker' | 'fresh';
type Kind = 'honest' | 'target' | 'spam' | 'good' | 'bad';

const CAMPAIGN = 'drill';
const LANGUAGE = 'sw';
const T0 = Date.parse('2026-12-01T06:00:00.000Z');
const DECIDED = new Set(['accepted', 'rejected', 'hidden']);

/** The defences off: every key holds a credential, served or not, and the rule alone decides. */
const NO_DEFENCES: ReviewerPolicy = { gold: null, margin: 1, servesPerDay: 100_000 };

export async function runDrill(store: Store, config: DrillConfig, log: (line: string) => void = () => {}): Promise<DrillResult> {
  const started = Date.now();
  const rng = mulberry32(config.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const bytes = () => Uint8Array.from({ length: 16 }, () => Math.floor(rng() * 256));
  let clockMs = T0;
  const newId = (at: number) => uuidv7({ msecs: at, random: bytes() });
  const at = (round: number) => T0 + round * config.roundMinutes * 60_000;

  await store.saveCampaign({
    slug: CAMPAIGN,
    title: 'Sybil drill',
    description: '',
    languages: [LANGUAGE],
    kinds: ['idiom'],
    goals: [],
    licence: DEFAULT_LICENCE,
    consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 },
    ...(config.defences ? {} : { reviewers: NO_DEFENCES }),
  });

  // Items: honest ones by honest contributors, spam by throwaway keys.
  const kind = new Map<string, Kind>();
  const honest: string[] = [];
  const spam: string[] = [];
  const make = (author: string, n: number, text: string) => {
    clockMs += 1000;
    return idiom({ id: newId(clockMs), campaign: CAMPAIGN, language: LANGUAGE, contributor: author, deviceSeq: n, createdAt: new Date(clockMs).toISOString(), data: { expression: text, meaning: `Maana ya ${text}.`, example: `Mfano: ${text}.` } });
  };
  const items: ContributionInput[] = [];
  for (let i = 0; i < config.honestItems; i++) {
    const item = make(`drill-${config.seed}-author-${i % config.honestContributors}`, Math.floor(i / config.honestContributors) + 1, `Methali ya kweli ${i}`);
    items.push(item);
    honest.push(item.id);
    kind.set(item.id, 'honest');
  }
  for (let i = 0; i < config.spam; i++) {
    const item = make(`drill-${config.seed}-spammer-${i}`, 1, `Nunua sasa ${i}`);
    items.push(item);
    spam.push(item.id);
    kind.set(item.id, 'spam');
  }
  // Stored in a shuffled order: spam arrives among honest items.
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let i = 0; i < order.length; i += 500) await store.ingest(`drill-device-${i}`, order.slice(i, i + 500).map((c) => Contribution.parse(c)));
  const targets = new Set<string>();
  while (targets.size < Math.min(config.targets, honest.length)) targets.add(pick(honest));
  for (const t of targets) kind.set(t, 'target');

  // Gold: mostly good items, a third bad, like a steward's set.
  const gold: GoldInput[] = Array.from({ length: config.goldItems }, (_, i) => ({
    kind: 'idiom',
    language: LANGUAGE,
    data: i % 3 === 0
      ? { expression: `Nunua leo ${i}`, meaning: `Tangazo ${i}.`, example: `Bei nafuu ${i}.` }
      : { expression: `Methali ya dhahabu ${i}`, meaning: `Maana ya dhahabu ${i}.`, example: `Mfano wa dhahabu ${i}.` },
    expected: i % 3 === 0 ? 'bad' : 'good',
  }));
  await importGold(store.db, CAMPAIGN, gold, config.goldEvery, T0);
  const goldRows = await store.db.selectFrom('gold_items').select(['id', 'expected']).where('campaign', '=', CAMPAIGN).execute();
  for (const g of goldRows) kind.set(g.id, g.expected === 'good' ? 'good' : 'bad');

  // Reviewers.
  const role = new Map<string, Role>();
  const honestReviewers = Array.from({ length: config.honestReviewers }, (_, i) => person(`drill-${config.seed}-reviewer-${i}`).contributor);
  for (const r of honestReviewers) role.set(r, 'honest');
  const attackers = config.attack === 'eligible' ? Array.from({ length: config.eligibleAttackers }, (_, i) => person(`drill-${config.seed}-attacker-${i}`).contributor) : [];
  for (const r of attackers) role.set(r, 'attacker');
  const fresh = config.attack === 'fresh' ? Array.from({ length: config.freshKeys }, (_, i) => person(`drill-${config.seed}-fresh-${i}`).contributor) : [];
  for (const r of fresh) role.set(r, 'fresh');
  if (!config.defences) for (const reviewer of role.keys()) await store.reviewers.grant({ campaign: CAMPAIGN, reviewer, by: 'drill' });
  const seqs = new Map<string, number>();

  /** The vote `reviewer` casts on an item of this kind. */
  function decide(who: Role, k: Kind): 'up' | 'down' | 'flag' {
    const bad = k === 'spam' || k === 'bad';
    if (who === 'fresh') {
      if (k === 'spam') return 'up';
      if (k === 'target') return 'flag';
      return rng() < 0.5 ? 'up' : 'down';
    }
    if (who === 'attacker') {
      if (k === 'spam') return 'up';
      if (k === 'target') return 'flag';
      return bad ? 'down' : 'up';
    }
    const right = rng() >= config.errorRate;
    if (bad === right) return rng() < 0.2 ? 'flag' : 'down';
    return 'up';
  }

  let reviews = 0;
  let queueRequests = 0;
  async function cast(reviewer: string, votes: Array<{ target: string; action: 'up' | 'down' | 'flag' }>, when: number): Promise<void> {
    if (votes.length === 0) return;
    const batch = votes.map((v, i) => {
      const seq = (seqs.get(reviewer) ?? 0) + 1;
      seqs.set(reviewer, seq);
      return review(v.target, {
        id: newId(when + i),
        campaign: CAMPAIGN,
        language: LANGUAGE,
        contributor: reviewer,
        deviceSeq: seq,
        createdAt: new Date(when + i).toISOString(),
        data: v.action === 'flag' ? { target: v.target, action: 'flag', reason: 'spam' } : { target: v.target, action: v.action },
      });
    });
    const statuses = await store.ingest(`drill-device-${reviewer}`, batch.map((c) => Contribution.parse(c)));
    const refused = statuses.find((s) => s !== 'accepted');
    if (refused !== undefined) throw new Error(`the drill's review was answered ${JSON.stringify(refused)}`);
    reviews += batch.length;
  }

  async function reviewPage(reviewer: string, round: number): Promise<void> {
    const now = new Date(at(round));
    queueRequests++;
    const page = await store.reviewQueue({ campaign: CAMPAIGN, language: LANGUAGE, reviewer, limit: config.pageSize, now });
    const who = role.get(reviewer)!;
    await cast(reviewer, page.map((p) => ({ target: p.item.id, action: decide(who, kind.get(p.item.id)!) })), now.getTime());
  }

  const decidedAt = new Map<string, number>();
  const finalStatus = new Map<string, string>();
  async function observe(round: number): Promise<void> {
    const ids = [...honest, ...spam];
    for (let i = 0; i < ids.length; i += 500) {
      for (const s of await store.statuses(ids.slice(i, i + 500))) {
        finalStatus.set(s.id, s.status);
        if (DECIDED.has(s.status) && !decidedAt.has(s.id)) decidedAt.set(s.id, round);
      }
    }
  }

  const freshByRound = new Map<number, string[]>();
  for (const key of fresh) {
    const r = Math.floor(rng() * Math.min(config.maxRounds, config.freshRounds));
    freshByRound.set(r, [...(freshByRound.get(r) ?? []), key]);
  }
  const targetList = [...targets];
  let round = 0;
  for (; round < config.maxRounds; round++) {
    const active = [...honestReviewers, ...attackers];
    // A fresh order each round, so nobody always asks first.
    for (let i = active.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [active[i], active[j]] = [active[j]!, active[i]!];
    }
    for (const reviewer of active) await reviewPage(reviewer, round);
    for (const key of freshByRound.get(round) ?? []) {
      await reviewPage(key, round);
      // And what it knows by id, never served: spam up, targets flagged.
      const known = [...Array.from({ length: 10 }, () => ({ target: pick(spam), action: 'up' as const })), ...Array.from({ length: 10 }, () => ({ target: pick(targetList), action: 'flag' as const }))];
      await cast(key, [...new Map(known.map((k) => [k.target, k])).values()], at(round) + 30_000);
    }
    await observe(round + 1);
    // Until every honest and spam item is decided (and every fresh key had its round).
    const open = [...honest, ...spam].filter((id) => !DECIDED.has(finalStatus.get(id) ?? 'pending')).length;
    if (round % 5 === 4) log(`round ${round + 1}: ${reviews} reviews, ${open} items undecided`);
    if (open === 0 && round >= Math.max(0, ...freshByRound.keys())) break;
  }

  const rounds = honest.flatMap((id) => (decidedAt.has(id) ? [decidedAt.get(id)!] : [])).sort((a, b) => a - b);
  const targetRounds = targetList.flatMap((id) => (decidedAt.has(id) ? [decidedAt.get(id)!] : []));
  const lost = (id: string) => finalStatus.get(id) === 'rejected' || finalStatus.get(id) === 'hidden';
  const eligible = async (keys: readonly string[]) => {
    let n = 0;
    for (const k of keys) if (await store.reviewerEligible(CAMPAIGN, k)) n++;
    return n;
  };
  const mean = (xs: readonly number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    config,
    rounds: round + 1,
    reviews,
    queueRequests,
    spamAccepted: spam.filter((id) => finalStatus.get(id) === 'accepted').length,
    honestLost: honest.filter(lost).length,
    targetsLost: targetList.filter(lost).length,
    undecided: honest.length - rounds.length,
    meanRounds: mean(rounds),
    medianRounds: rounds[Math.floor(rounds.length / 2)] ?? NaN,
    p90Rounds: rounds[Math.floor(rounds.length * 0.9)] ?? NaN,
    targetsMeanRounds: mean(targetRounds),
    eligibleHonest: await eligible(honestReviewers),
    eligibleAttackers: await eligible(attackers),
    ms: Date.now() - started,
  };
}
