/**
 * Stage 8: abuse and poisoning defences, as passes over the work table (work.ts) plus a few
 * bounded reads of the snapshot store's review tables. Each exclusion has its own rule, so every
 * item it drops stays traceable in `rejected.jsonl`:
 *
 * - `unreliable_votes`: reviewers who vote against the known answer of gold items too often are
 *   not counted. Gold items are the items a moderator decided on (`item_state.moderator`):
 *   `cleared` is a known-good answer (an up vote agrees), `hidden` a known-bad one (a down vote or
 *   a flag agrees). A reviewer with at least `minGold` votes on gold items of whom at least
 *   `goldDisagreement` disagree is unreliable: every item they voted on gets its status derived
 *   again, by its campaign's consensus rule, from the votes of the others; an item no longer
 *   accepted (or pending, where the config includes pending) is left out. The stage can only
 *   remove: an item that reliable votes would have accepted but unreliable down votes rejected
 *   was left out at stage 4 and is not brought back (it is not re-checked by stages 5–6).
 * - `unreliable_contributor`: contributors with at least `minItems` reviewed items (accepted,
 *   rejected or hidden in the snapshot) whose rejected share is at least `rejectionRatio` × the
 *   median share of such contributors (and at least `minRejectionRate`, so that a median of zero
 *   does not turn one rejection into an exclusion): all their items are left out.
 * - `planted_phrase`: a phrase of `phraseWords` words (a shingle of one line of prose) used by at
 *   least `phraseContributors` fresh contributors (at most `freshItems` items in the snapshot)
 *   and rarely by established ones — their share of the phrase's items at most
 *   `phraseEstablished` × their share of all items, i.e. far below what common speech gives — is
 *   a planted phrase: every kept item carrying it is left out, the phrase in the detail. The
 *   fresh contributors' shingles go to a side table (`abuse_phrases`) grouped by SQL; the
 *   established contributors' items are then streamed once and only the candidate phrases are
 *   counted, so memory is bounded by the candidates, not by the corpus.
 * - `contributor_cap`, `node_cap`: at most `maxPerContributor` items per contributor and
 *   `maxPerNode` per node (the node an item was relayed from; items sent here directly count for
 *   `local`) in the release; the earliest (by server order) are kept. Caps run last, so they
 *   count only what the other rules let through.
 */
import type { Store } from '../store/index.ts';
import { consensus, DEFAULT_CAMPAIGN, DEFAULT_CONSENSUS, type ConsensusRule } from '../protocol/index.ts';
import type { ReleaseConfig } from './config.ts';
import type { WorkTable } from './work.ts';
import type { GlobalStage } from './global.ts';

export const ABUSE_STAGE = 'abuse';

/** What the stage needs besides the work table (the store is the frozen snapshot). */
export interface AbuseContext {
  store?: Store;
}

export interface AbuseSummary {
  unreliableReviewers: string[];
  unreliableContributors: string[];
  plantedPhrases: string[];
}

type Abuse = ReleaseConfig['abuse'];

/** The words of a line, lower-cased (letters, digits and inner apostrophes). */
function words(line: string): string[] {
  return line.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) ?? [];
}

/** The distinct `n`-word shingles of a text, line by line (a phrase never spans two fields). */
export function shingles(text: string, n: number): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const w = words(line);
    for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(' '));
  }
  return out;
}

/** Fewer established items than this expected to carry a phrase: too little to compare with. */
const MIN_EXPECTED = 5;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Reviewers who disagree with gold answers too often (gold: the moderator's decision). */
async function unreliableReviewers(store: Store, abuse: Abuse): Promise<Map<string, string>> {
  const rows = await store.db
    .selectFrom('reviews as r')
    .innerJoin('item_state as s', 's.id', 'r.target')
    .select(['r.reviewer', (eb) => eb.fn.countAll<number>().as('votes')])
    .select((eb) =>
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb('s.moderator', '=', 'cleared'), eb('r.action', '<>', 'up')]))
            .then(1)
            .when(eb.and([eb('s.moderator', '=', 'hidden'), eb('r.action', '=', 'up')]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('against'),
    )
    .where('s.moderator', 'in', ['cleared', 'hidden'])
    .groupBy('r.reviewer')
    .execute();
  const out = new Map<string, string>();
  for (const r of rows) {
    const votes = Number(r.votes);
    const against = Number(r.against);
    if (votes >= abuse.minGold && against / votes >= abuse.goldDisagreement) {
      out.set(r.reviewer, `${against} of ${votes} gold votes against the known answer`);
    }
  }
  return out;
}

/** Items whose status, without the unreliable reviewers' votes, no longer lets them in. */
async function unreliableVotes(work: WorkTable, store: Store, config: ReleaseConfig, unreliable: Map<string, string>): Promise<number> {
  if (unreliable.size === 0) return 0;
  const reviewers = [...unreliable.keys()].sort();
  const rules = new Map<string, ConsensusRule>([[DEFAULT_CAMPAIGN, DEFAULT_CONSENSUS]]);
  for (const c of await store.campaigns()) rules.set(c.slug, c.consensus);
  // The items they voted on, in a side table; then one pass over the work table finds those kept.
  const db = work.db;
  db.exec('DROP TABLE IF EXISTS abuse_targets; CREATE TABLE abuse_targets (id TEXT PRIMARY KEY) WITHOUT ROWID');
  const exclusions: { seq: number; detail: string }[] = [];
  try {
    const insert = db.prepare('INSERT OR IGNORE INTO abuse_targets (id) VALUES (?)');
    for (let i = 0; i < reviewers.length; i += 200) {
      const targets = await store.db.selectFrom('reviews').select('target').where('reviewer', 'in', reviewers.slice(i, i + 200)).execute();
      db.transaction(() => {
        for (const t of targets) insert.run(t.target);
      })();
    }
    const page = db.prepare(
      'SELECT i.seq, i.id, i.campaign FROM items i JOIN abuse_targets t ON t.id = i.id WHERE i.stage IS NULL AND i.seq > ? ORDER BY i.seq LIMIT 500',
    );
    for (let after = -1; ; ) {
      const rows = page.all(after) as { seq: number; id: string; campaign: string }[];
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.seq;
      const ids = rows.map((r) => r.id);
      const votes = await store.db.selectFrom('reviews').select(['target', 'reviewer', 'action']).where('target', 'in', ids).execute();
      const states = await store.db.selectFrom('item_state').select(['id', 'moderator']).where('id', 'in', ids).execute();
      const moderator = new Map(states.map((s) => [s.id, s.moderator]));
      const tallies = new Map<string, { up: number; down: number; flags: number; dropped: number }>();
      for (const v of votes) {
        const t = tallies.get(v.target) ?? { up: 0, down: 0, flags: 0, dropped: 0 };
        tallies.set(v.target, t);
        if (unreliable.has(v.reviewer)) t.dropped++;
        else if (v.action === 'up') t.up++;
        else if (v.action === 'down') t.down++;
        else t.flags++;
      }
      for (const { seq, id, campaign } of rows) {
        const t = tallies.get(id);
        if (t === undefined || t.dropped === 0) continue;
        const m = moderator.get(id);
        const status = consensus({ ...t, moderator: m === 'hidden' || m === 'cleared' ? m : undefined }, rules.get(campaign) ?? DEFAULT_CONSENSUS);
        if (status === 'accepted' || (status === 'pending' && config.includePending)) continue;
        exclusions.push({ seq, detail: `${status} without the votes of ${t.dropped} unreliable reviewer${t.dropped === 1 ? '' : 's'} (${t.up} up, ${t.down} down, ${t.flags} flags left)` });
      }
    }
  } finally {
    db.exec('DROP TABLE IF EXISTS abuse_targets');
  }
  exclusions.sort((a, b) => a.seq - b.seq);
  return work.exclude(ABUSE_STAGE, 'unreliable_votes', exclusions);
}

/** Contributors whose items are rejected by review far more often than others'. */
function unreliableContributors(work: WorkTable, abuse: Abuse): string[] {
  const rows = work.db
    .prepare(
      `SELECT contributor, count(*) AS reviewed, sum(status IN ('rejected', 'hidden')) AS rejected FROM items
       WHERE status IN ('accepted', 'rejected', 'hidden') GROUP BY contributor HAVING count(*) >= ? ORDER BY contributor`,
    )
    .all(abuse.minItems) as { contributor: string; reviewed: number; rejected: number }[];
  if (rows.length === 0) return [];
  const rates = rows.map((r) => r.rejected / r.reviewed).sort((a, b) => a - b);
  const mid = rates.length >> 1;
  const median = rates.length % 2 === 1 ? rates[mid]! : (rates[mid - 1]! + rates[mid]!) / 2;
  const threshold = Math.max(abuse.rejectionRatio * median, abuse.minRejectionRate);
  const bad = rows.filter((r) => r.rejected > 0 && r.rejected / r.reviewed >= threshold);
  if (bad.length === 0) return [];
  // Their kept items in one pass (the work table has no index by contributor).
  const db = work.db;
  db.exec('DROP TABLE IF EXISTS abuse_unreliable; CREATE TABLE abuse_unreliable (contributor TEXT PRIMARY KEY, detail TEXT NOT NULL) WITHOUT ROWID');
  try {
    const insert = db.prepare('INSERT INTO abuse_unreliable (contributor, detail) VALUES (?, ?)');
    db.transaction(() => {
      for (const r of bad) {
        insert.run(r.contributor, `${r.rejected} of ${r.reviewed} reviewed items rejected (${pct(r.rejected / r.reviewed)}; median ${pct(median)}, threshold ${pct(threshold)})`);
      }
    })();
    const items = db.prepare('SELECT i.seq, u.detail FROM items i JOIN abuse_unreliable u ON u.contributor = i.contributor WHERE i.stage IS NULL ORDER BY i.seq').all() as { seq: number; detail: string }[];
    work.exclude(ABUSE_STAGE, 'unreliable_contributor', items);
  } finally {
    db.exec('DROP TABLE IF EXISTS abuse_unreliable');
  }
  return bad.map((r) => r.contributor);
}

/** Rare phrases repeated by many fresh contributors (the side tables dropped afterwards). */
function plantedPhrases(work: WorkTable, abuse: Abuse): string[] {
  try {
    return findPlantedPhrases(work, abuse);
  } finally {
    work.db.exec('DROP TABLE IF EXISTS abuse_phrases; DROP TABLE IF EXISTS abuse_contributors');
  }
}

function findPlantedPhrases(work: WorkTable, abuse: Abuse): string[] {
  const db = work.db;
  db.exec(`DROP TABLE IF EXISTS abuse_contributors; DROP TABLE IF EXISTS abuse_phrases;
    CREATE TABLE abuse_contributors (contributor TEXT PRIMARY KEY, items INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE abuse_phrases (phrase TEXT NOT NULL, contributor TEXT NOT NULL, seq INTEGER NOT NULL);`);
  // Freshness counts every item of the snapshot (excluded ones too): history, not this release.
  db.prepare('INSERT INTO abuse_contributors SELECT contributor, count(*) FROM items GROUP BY contributor').run();
  const insert = db.prepare('INSERT INTO abuse_phrases (phrase, contributor, seq) VALUES (?, ?, ?)');
  let batch: { seq: number; contributor: string; text: string }[] = [];
  const flush = () => {
    db.transaction(() => {
      for (const row of batch) for (const phrase of shingles(row.text, abuse.phraseWords)) insert.run(phrase, row.contributor, row.seq);
    })();
    batch = [];
  };
  // Read fully before writing (one statement at a time on the connection), a page at a time.
  const page = db.prepare(
    `SELECT i.seq, i.contributor, i.text FROM items i JOIN abuse_contributors c ON c.contributor = i.contributor
     WHERE i.stage IS NULL AND c.items <= ? AND i.seq > ? ORDER BY i.seq LIMIT 5000`,
  );
  let after = -1;
  for (;;) {
    batch = page.all(abuse.freshItems, after) as typeof batch;
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.seq;
    flush();
  }
  db.exec('CREATE INDEX abuse_phrases_phrase ON abuse_phrases (phrase, contributor)');
  const candidates = db
    .prepare('SELECT phrase, count(DISTINCT contributor) AS fresh, count(*) AS items FROM abuse_phrases GROUP BY phrase HAVING count(DISTINCT contributor) >= ?')
    .all(abuse.phraseContributors) as { phrase: string; fresh: number; items: number }[];
  if (candidates.length === 0) return [];

  // The baseline: what share of the kept items established contributors wrote.
  const totals = db
    .prepare(`SELECT sum(c.items > ?) AS established, count(*) AS total FROM items i JOIN abuse_contributors c ON c.contributor = i.contributor WHERE i.stage IS NULL`)
    .get(abuse.freshItems) as { established: number; total: number };
  const baseShare = totals.total === 0 ? 0 : totals.established / totals.total;
  // Were the phrase ordinary speech, established contributors would carry it in about
  // `expected` items (their items per fresh item, times the phrase's fresh items). It stays a
  // candidate while they carry it in at most phraseEstablished × expected; when fewer than
  // MIN_EXPECTED are expected (too few established items to compare with) nothing is flagged.
  const perFresh = baseShare >= 1 ? 0 : baseShare / (1 - baseShare);
  const limits = new Map<string, { fresh: number; items: number; expected: number; limit: number; established: number[]; contributors: Set<string>; over: boolean }>();
  for (const c of candidates) {
    const expected = c.items * perFresh;
    if (expected < MIN_EXPECTED) continue;
    limits.set(c.phrase, { fresh: c.fresh, items: c.items, expected, limit: Math.floor(abuse.phraseEstablished * expected), established: [], contributors: new Set(), over: false });
  }
  if (limits.size === 0) return [];
  const established = db.prepare(
    `SELECT i.seq, i.contributor, i.text FROM items i JOIN abuse_contributors c ON c.contributor = i.contributor
     WHERE i.stage IS NULL AND c.items > ? AND i.seq > ? ORDER BY i.seq LIMIT 5000`,
  );
  for (let after = -1; ; ) {
    const rows = established.all(abuse.freshItems, after) as { seq: number; contributor: string; text: string }[];
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.seq;
    for (const row of rows) countEstablished(row);
  }
  function countEstablished(row: { seq: number; contributor: string; text: string }) {
    for (const phrase of shingles(row.text, abuse.phraseWords)) {
      const c = limits.get(phrase);
      if (c === undefined || c.over) continue;
      c.established.push(row.seq);
      c.contributors.add(row.contributor);
      if (c.established.length > c.limit) {
        c.over = true;
        c.established = [];
        c.contributors.clear();
      }
    }
  }
  const flagged = [...limits].filter(([, c]) => !c.over).sort(([a], [b]) => (a < b ? -1 : 1));
  const freshSeqs = db.prepare('SELECT DISTINCT seq FROM abuse_phrases WHERE phrase = ? ORDER BY seq').pluck();
  for (const [phrase, c] of flagged) {
    const detail = `"${phrase}": in ${c.items} items of ${c.fresh} fresh contributors and ${c.established.length} of ${c.contributors.size} established ones (about ${Math.round(c.expected)} expected of common speech)`;
    const seqs = [...(freshSeqs.all(phrase) as number[]), ...c.established].sort((a, b) => a - b);
    work.exclude(ABUSE_STAGE, 'planted_phrase', seqs.map((seq) => ({ seq, detail })));
  }
  return flagged.map(([phrase]) => phrase);
}

/** Per-contributor and per-node caps: the earliest items are kept. */
function caps(work: WorkTable, abuse: Abuse): void {
  const over = (partition: string, max: number) =>
    work.db
      .prepare(
        `SELECT seq, key, n FROM (SELECT seq, ${partition} AS key, row_number() OVER (PARTITION BY ${partition} ORDER BY seq) AS n FROM items WHERE stage IS NULL)
         WHERE n > ? ORDER BY seq`,
      )
      .all(max) as { seq: number; key: string; n: number }[];
  const byContributor = over('contributor', abuse.maxPerContributor);
  work.exclude(ABUSE_STAGE, 'contributor_cap', byContributor.map((r) => ({ seq: r.seq, detail: `over ${abuse.maxPerContributor} items of contributor ${r.key}` })));
  const byNode = over(`coalesce(origin, 'local')`, abuse.maxPerNode);
  work.exclude(ABUSE_STAGE, 'node_cap', byNode.map((r) => ({ seq: r.seq, detail: `over ${abuse.maxPerNode} items from node ${r.key}` })));
}

/** Runs every rule of stage 8, in order: votes, contributors, phrases, caps. */
export async function runAbuse(work: WorkTable, config: ReleaseConfig, context: AbuseContext = {}): Promise<AbuseSummary> {
  const abuse = config.abuse;
  let reviewers = new Map<string, string>();
  if (context.store !== undefined) {
    reviewers = await unreliableReviewers(context.store, abuse);
    await unreliableVotes(work, context.store, config, reviewers);
  }
  const contributors = unreliableContributors(work, abuse);
  const phrases = plantedPhrases(work, abuse);
  caps(work, abuse);
  return { unreliableReviewers: [...reviewers.keys()].sort(), unreliableContributors: contributors, plantedPhrases: phrases };
}

export const abuseStage: GlobalStage = {
  name: ABUSE_STAGE,
  description:
    'Abuse and poisoning defences: votes of reviewers who disagree with gold (moderator-decided) answers are not counted; contributors rejected by review far more often than the median are left out; rare phrases repeated by many fresh contributors (planted triggers) are left out; per-contributor and per-node caps keep the earliest items.',
  async run(work: WorkTable, config: ReleaseConfig, context?: AbuseContext): Promise<void> {
    await runAbuse(work, config, context);
  },
};
