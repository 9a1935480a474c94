/**
 * Stage 8: abuse and poisoning defences, as passes over the work table (work.ts) plus a few
 * bounded reads of the snapshot store's review tables. Each exclusion has its own rule, so every
 * item it drops stays traceable in `rejected.jsonl`:
 *
 * - `unreliable_votes`: reviewers who vote against the known answer of gold items (test questions
 *   a steward seeded into review queues: store/gold.ts) too often are not counted, and every item
 *   they voted on is judged again, by its campaign's consensus rule, from the others' votes
 *   (reliability.ts). That is a stage-4 decision, recorded as one: an item accepted only thanks to
 *   them is left out at stage `consensus` with rule `unreliable_votes` (the reviewers named), and
 *   one rejected or hidden only by their votes comes back and goes through stages 5–6 (and the
 *   exact-duplicate check) like any other. Stage 4 makes these decisions itself when the pipeline
 *   hands it the regrade (StageOptions.gold; its notes then carry `gold`); for the items it did
 *   not, this stage applies them to the work table first, before every other rule here. Items
 *   brought back here are not compared for near duplicates (stage 7 ran before them).
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
import type { Store, StoredContribution } from '../store/index.ts';
import type { ReleaseConfig } from './config.ts';
import type { WorkTable } from './work.ts';
import { exactDuplicates, type GlobalStage, type StageFigures } from './global.ts';
import { type Candidate, itemStages } from './stages.ts';
import { textHash } from './pipeline.ts';
import { goldRegrade, type GoldRegrade, NO_REGRADE, passesConsensus, regradeDetail } from './reliability.ts';

export const ABUSE_STAGE = 'abuse';

/** What the stage needs besides the work table (the store is the frozen snapshot). */
export interface AbuseContext {
  store?: Store;
  /**
   * Gold regrading, when the caller computed it already — the pipeline does, its reviewers renamed
   * to their pseudonyms (reliability.ts `renameReviewers`) — else it is read from the store.
   */
  gold?: GoldRegrade;
}

export interface AbuseSummary {
  unreliableReviewers: string[];
  /** Items gold regrading brought back (stage 4 had left them out) and left out (stage `consensus`, rule `unreliable_votes`). */
  restored: number;
  unreliableVotes: number;
  figures: StageFigures;
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

/** Gold regrading (reliability.ts) of the items stage 4 judged without it (their notes carry no `gold`). */
async function unreliableVotes(work: WorkTable, config: ReleaseConfig, regrade: GoldRegrade): Promise<void> {
  const ids = Object.keys(regrade.items);
  if (ids.length === 0) return;
  const later = itemStages({ config, quarantined: new Set() }).filter((s) => s.name === 'language' || s.name === 'personal_data');
  const db = work.db;
  db.exec('DROP TABLE IF EXISTS abuse_targets; CREATE TABLE abuse_targets (id TEXT PRIMARY KEY) WITHOUT ROWID');
  let duplicatesAgain = false;
  try {
    const insert = db.prepare('INSERT OR IGNORE INTO abuse_targets (id) VALUES (?)');
    db.transaction(() => {
      for (const id of ids) insert.run(id);
    })();
    const page = db.prepare(
      `SELECT i.seq, i.id, i.stage, i.rule, i.item, i.text, i.notes, i.origin FROM full_items i JOIN abuse_targets t ON t.id = i.id
       WHERE i.seq > ? ORDER BY i.seq LIMIT 500`,
    );
    const setStatus = db.prepare('UPDATE items SET status = ? WHERE seq = ?');
    const exclude = db.prepare("UPDATE items SET status = ?, stage = 'consensus', rule = 'unreliable_votes', detail = ?, cluster = NULL, notes = ? WHERE seq = ?");
    const freeDuplicates = db.prepare("UPDATE items SET stage = NULL, rule = NULL, detail = NULL, cluster = NULL WHERE stage = 'duplicates' AND rule = 'exact_duplicate' AND cluster = ?");
    const restore = db.prepare('UPDATE items SET status = ?, hash = ?, stage = ?, rule = ?, detail = ?, notes = ? WHERE seq = ?');
    const restoreBody = db.prepare('UPDATE bodies SET item = ?, text = ? WHERE seq = ?');
    for (let after = -1; ; ) {
      const rows = page.all(after) as { seq: number; id: string; stage: string | null; rule: string | null; item: string; text: string; notes: string | null; origin: string | null }[];
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.seq;
      db.transaction(() => {
        for (const row of rows) {
          const r = regrade.items[row.id]!;
          const notes = row.notes === null ? {} : (JSON.parse(row.notes) as Record<string, unknown>);
          setStatus.run(r.status, row.seq);
          // Judged at stage 4 already, or left out for what votes cannot change (schema, withdrawn, superseded, quarantine).
          if (notes.gold !== undefined || row.stage === 'validate' || (row.stage === 'exclusions' && row.rule !== 'hidden')) continue;
          notes.gold = { was: r.was, status: r.status, without: r.dropped };
          const passed = row.stage !== 'exclusions' && row.stage !== 'consensus';
          const passes = r.status !== 'hidden' && passesConsensus(r.status, config);
          if (passed && !passes) {
            exclude.run(r.status, regradeDetail(r), JSON.stringify(notes), row.seq);
            if (freeDuplicates.run(row.id).changes > 0) duplicatesAgain = true;
          } else if (!passed && passes) {
            // Back in: stages 5–6, as every item that passes consensus goes through them.
            const stored = JSON.parse(row.item) as StoredContribution;
            const candidate: Candidate = { contribution: stored.contribution, status: r.status, origin: row.origin, text: row.text, notes };
            let verdict: { stage: string; rule: string; detail: string } | undefined;
            for (const stage of later) {
              const v = stage.apply(candidate);
              if (v !== undefined) {
                verdict = { stage: stage.name, ...v };
                break;
              }
            }
            restore.run(r.status, textHash(candidate.text), verdict?.stage ?? null, verdict?.rule ?? null, verdict?.detail ?? null, JSON.stringify(candidate.notes), row.seq);
            restoreBody.run(JSON.stringify({ ...stored, contribution: candidate.contribution }), candidate.text, row.seq);
            if (verdict === undefined) duplicatesAgain = true;
          }
        }
      })();
    }
  } finally {
    db.exec('DROP TABLE IF EXISTS abuse_targets');
  }
  // Items back in (or freed by an item now out) are checked for exact duplicates like the others.
  if (duplicatesAgain) await exactDuplicates.run(work, config);
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
    `SELECT i.seq, i.contributor, i.text FROM full_items i JOIN abuse_contributors c ON c.contributor = i.contributor
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
    `SELECT i.seq, i.contributor, i.text FROM full_items i JOIN abuse_contributors c ON c.contributor = i.contributor
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
  const gold = context.gold ?? (context.store !== undefined ? await goldRegrade(context.store, config) : NO_REGRADE);
  await unreliableVotes(work, config, gold);
  // Stage 4 may have regraded some itself (their notes say so); count every regraded item once.
  const regraded = work.db
    .prepare("SELECT sum(rule = 'unreliable_votes') AS excluded, sum(rule IS NOT 'unreliable_votes' AND notes LIKE '%\"gold\":%') AS restored FROM items WHERE notes LIKE '%\"gold\":%'")
    .get() as { excluded: number | null; restored: number | null };
  const contributors = unreliableContributors(work, abuse);
  const phrases = plantedPhrases(work, abuse);
  caps(work, abuse);
  const unreliableReviewers = Object.keys(gold.unreliable).sort();
  const figures: StageFigures = {
    gold_items: gold.goldItems,
    gold_votes: gold.goldVotes,
    reviewers_measured_on_gold: gold.measured,
    unreliable_reviewers: unreliableReviewers.length,
    restored_by_gold: regraded.restored ?? 0,
  };
  return {
    unreliableReviewers,
    restored: figures.restored_by_gold!,
    unreliableVotes: regraded.excluded ?? 0,
    unreliableContributors: contributors,
    plantedPhrases: phrases,
    figures,
  };
}

export const abuseStage: GlobalStage = {
  name: ABUSE_STAGE,
  description:
    'Abuse and poisoning defences: reviewers who disagree with the known answer of gold items (test questions seeded in review queues) too often are not counted — items are judged again from the other votes (stage consensus, rule unreliable_votes); contributors rejected by review far more often than the median are left out; rare phrases repeated by many fresh contributors (planted triggers) are left out; per-contributor and per-node caps keep the earliest items.',
  async run(work: WorkTable, config: ReleaseConfig, context?: AbuseContext): Promise<StageFigures> {
    return (await runAbuse(work, config, context)).figures;
  },
};
