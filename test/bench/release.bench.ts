/**
 * Release benchmark (`npm run bench`, issue 6): end-to-end `buildRelease` time and peak memory
 * on a synthetic corpus of 100,000 and of 1,000,000 content items, and the Parquet writing next
 * to DuckDB writing the same rows, side by side in one run of this program.
 *
 * - The corpus (deterministic: a seeded generator, fixed ids and times): every content kind
 *   (idiom 20%, instruction 25%, rewrite 10%, compare 10%, translation 15%, norm 8%, rule 5%,
 *   eval 7%) in 20 languages, written as sentences drawn from each language's vocabulary (the
 *   words of the ten hand-written sentences per language in test/fixtures/checks/languages.ts),
 *   so the language stage sees real-looking text in the declared language. About 50 items per
 *   contributor, each contributor writing in one language. Reviews: 2 up-votes on most items
 *   (accepted), 2 down-votes on 2% (rejected), none on 4% (pending); 1% edited by their author
 *   (the edit reviewed, the original superseded), 0.5% withdrawn, 0.5% in another language
 *   than declared, 0.5% with an e-mail address or phone number, 1% exact copies of an earlier
 *   item. So 1M items make about 3M records, in one campaign whose reviewer policy lets the
 *   consensus rule alone decide, every contributor holding a reviewer credential (granted first,
 *   not timed). It is stored through `Store.ingest` (the real
 *   ingest transaction: checks, reviews, tallies, revision chains, withdrawals) in batches of
 *   5,000, into a SQLite data folder, then frozen with `takeSnapshot` (VACUUM INTO) — generation
 *   and snapshot are not timed against the target.
 * - The build (the target): a child process opens the snapshot (`openSnapshot`) and runs
 *   `buildRelease` with the default config (language check on, personal data redacted,
 *   includePending off) into a fresh folder; it reports its wall time and its RSS high-water mark
 *   (`process.resourceUsage().maxRSS`), so each build's peak is its own.
 * - Baseline (for scale, same run): a child process reading every record of the snapshot with
 *   one better-sqlite3 statement and writing each as a JSON line — the physical limit of
 *   "read the store, write the text".
 * - Parquet: the largest split of the 1M release (sft/train) written to Parquet by our writer
 *   and by DuckDB (`COPY (SELECT * FROM read_json_auto(…)) TO … (FORMAT parquet)`), alternating,
 *   in one process; medians of PARQUET_ROUNDS.
 *
 * The report replaces this benchmark's section of docs/benchmarks.md. Trials:
 * `RELEASE_BENCH_SIZES=20000,100000 RELEASE_BENCH_SMALL_ROUNDS=1 node …/release.bench.js` prints the
 * report without writing it; `… generate DIR N` then `node --cpu-prof …/release.bench.js build DIR OUT`
 * profiles one build (progress and RSS per stage on stderr); `RELEASE_BENCH_THREADS=0` builds
 * on the main thread only (the default is one collect thread per core); `RELEASE_BENCH_CORPUS_DIR`
 * keeps the generated corpora and reuses them in later runs.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { type ContributorSigner, contributorSignerFromSeed, signItems } from '../../federation/trust/contributors.ts';
import { CONSENT_VERSION, CONTENT_KINDS, type Contribution, DEFAULT_LICENCE } from '../../federation/protocol/index.ts';
import { openStore } from '../../federation/store/index.ts';
import { openSnapshot, snapshotPath, takeSnapshot } from '../../federation/release/snapshot.ts';
import { parseReleaseConfig } from '../../federation/release/config.ts';
import { buildRelease, type ReleaseManifest } from '../../federation/release/pipeline.ts';
import { loadPseudonymKey } from '../../federation/release/pseudonyms.ts';
import { packageRoot } from '../../federation/package.ts';
import { LANGUAGE_SAMPLES } from '../fixtures/checks/languages.ts';
import { mulberry32 } from '../support/random.ts';

const ROOT = packageRoot();
const SELF = fileURLToPath(import.meta.url);
const SIZES = [100_000, 1_000_000] as const;
const SMALL_ROUNDS = Number(process.env.RELEASE_BENCH_SMALL_ROUNDS ?? 3);
const PARQUET_ROUNDS = 3;
const INGEST_BATCH = 5000;
const TARGET_SECONDS = 180;
const TARGET_BYTES = 1024 ** 3;
const SEED = 20261128;
/** The machine's load when this program started (the report says how quiet the run was). */
const startLoad = loadavg()[0]!;
/** Twenty languages written with spaces between words (so word-level sentences make sense). */
const LANGUAGES = ['en', 'fr', 'es', 'pt', 'de', 'tr', 'id', 'vi', 'sw', 'yo', 'ha', 'ig', 'zu', 'ar', 'fa', 'hi', 'bn', 'ta', 'ru', 'am'] as const;

// ---------------------------------------------------------------------------------------------
// The corpus



const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** A UUIDv7 from a time and a counter (deterministic, lower case, sortable by time). */
function uuid7(ms: number, counter: number): string {
  const t = hex(ms, 12);
  const c = hex(counter, 14);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${c.slice(0, 3)}-${(8 + (counter % 4)).toString(16)}${c.slice(3, 6)}-${c.slice(6, 14)}0000`;
}

const signers = new Map<number, ContributorSigner>();
/** Contributor `n`'s key (ECDSA P-256 as the app makes, from the number and the seed: the same on every run). */
function signerOf(n: number): ContributorSigner {
  let signer = signers.get(n);
  if (signer === undefined) {
    const seed = createHash('sha256').update(`vernacular-bench-contributor\u0000${SEED}\u0000${n}`).digest();
    signer = contributorSignerFromSeed(seed, 'ES256');
    signers.set(n, signer);
  }
  return signer;
}

/**
 * A batch signed as phones sign: each contributor's records of the batch as one tree (a phone
 * signs what it sends at once; with many contributors most trees hold one record).
 */
function signed(batch: readonly Contribution[], who: ReadonlyMap<Contribution, number>): Contribution[] {
  const groups = new Map<number, Contribution[]>();
  for (const c of batch) groups.set(who.get(c)!, [...(groups.get(who.get(c)!) ?? []), c]);
  const out = new Map<Contribution, Contribution>();
  for (const [n, group] of groups) signItems(signerOf(n), group).forEach((s, i) => out.set(group[i]!, s));
  return batch.map((c) => out.get(c)!);
}

const VOCABULARY: Record<string, string[]> = Object.fromEntries(
  LANGUAGES.map((lang) => [
    lang,
    [...new Set(LANGUAGE_SAMPLES[lang]!.join(' ').split(/\s+/).map((w) => w.replace(/[.,;:!?¿¡"'«»()؟،।]/g, '')).filter((w) => w.length > 0))],
  ]),
);

class Text {
  constructor(private readonly random: () => number) {}
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  sentence(lang: string, lo = 6, hi = 14, end = '.'): string {
    const words = VOCABULARY[lang]!;
    const n = this.int(lo, hi);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.pick(words));
    const first = out[0]!;
    out[0] = first.charAt(0).toUpperCase() + first.slice(1);
    return `${out.join(' ')}${end}`;
  }
  paragraph(lang: string, sentences: number): string {
    return Array.from({ length: sentences }, () => this.sentence(lang)).join(' ');
  }
}

const KIND_SHARES: ReadonlyArray<readonly [Contribution['kind'], number]> = [
  ['idiom', 0.2], ['instruction', 0.25], ['rewrite', 0.1], ['compare', 0.1], ['translation', 0.15], ['norm', 0.08], ['rule', 0.05], ['eval', 0.07],
];
const DOMAINS = ['general', 'health', 'law', 'agriculture', 'education', 'public_services', 'culture', 'other'] as const;

function dataOf(kind: Contribution['kind'], lang: string, t: Text, i: number): Contribution['data'] {
  switch (kind) {
    case 'idiom':
      return { expression: t.sentence(lang, 3, 6, ''), meaning: t.sentence('en', 8, 16), example: t.sentence(lang, 8, 14), register: t.pick(['formal', 'neutral', 'informal'] as const) };
    case 'instruction':
      return { prompt: t.sentence(lang, 6, 12, '?'), answer: t.paragraph(lang, t.int(2, 4)), domain: t.pick(DOMAINS) };
    case 'rewrite':
      return { prompt: t.sentence(lang, 6, 12, '?'), draft: t.paragraph(lang, 2), draftSource: { type: 'seed', seed: `d-${i % 997}` }, rewrite: t.paragraph(lang, 2), draftRating: t.int(1, 5) };
    case 'compare':
      return {
        prompt: t.sentence(lang, 6, 12, '?'),
        a: { text: t.paragraph(lang, 2), source: { type: 'seed', seed: `p-${i % 991}`, label: 'A' } },
        b: { text: t.paragraph(lang, 2), source: { type: 'model', model: 'bench-model', revision: '1' } },
        choice: t.pick(['a', 'b', 'tie', 'both_bad'] as const),
        reasons: t.pick([['more_natural'], ['more_accurate', 'local_norms'], ['more_polite'], []] as const) as Array<'more_natural'>,
      };
    case 'translation':
      return { sourceLanguage: 'en', source: t.sentence('en', 6, 14), translation: t.sentence(lang, 6, 14) };
    case 'norm':
      return { situation: t.sentence(lang), expectation: t.sentence(lang), goodExample: t.sentence(lang), poorExample: t.sentence(lang), domain: t.pick(DOMAINS) };
    case 'rule':
      return {
        rule: t.sentence(lang, 8, 16),
        ruleType: t.pick(['law', 'regulation', 'policy'] as const),
        citation: `Act ${t.int(1, 99)} of ${t.int(1990, 2025)}, section ${t.int(1, 40)}`,
        jurisdiction: 'National',
        compliantExample: t.sentence(lang),
        violatingExample: t.sentence(lang),
      };
    case 'eval':
      return { question: t.sentence(lang, 6, 12, '?'), referenceAnswer: t.paragraph(lang, 2), gradingNotes: t.sentence('en', 6, 12), domain: t.pick(DOMAINS) };
    default:
      throw new Error(`not a content kind: ${kind}`);
  }
}

/** Adds personal data to the first long text field. */
function withPersonalData(data: Record<string, unknown>, i: number): void {
  for (const key of ['answer', 'example', 'translation', 'expectation', 'rewrite', 'compliantExample', 'referenceAnswer']) {
    if (typeof data[key] === 'string') {
      data[key] = `${data[key] as string} ${i % 2 === 0 ? `mail me at person${i}@example.org` : `+255 712 ${String(100000 + (i % 899999)).slice(0, 3)} ${String(i % 1000).padStart(3, '0')}`}`;
      return;
    }
  }
}

export interface CorpusShape {
  items: number;
  records: number;
  reviews: number;
  edits: number;
  withdrawals: number;
  wrongLanguage: number;
  personalData: number;
  copies: number;
  contributors: number;
}

/** About 50 items per contributor. */
const contributorCount = (items: number) => Math.max(20, Math.round(items / 50));

/**
 * The corpus's campaign: every kind and language, and a reviewer policy under which the consensus
 * rule alone decides among credentialed reviewers — every contributor holds a credential (granted
 * before the corpus is stored), so two up-votes accept an item as they did before reviewer policies.
 */
const BENCH_CAMPAIGN = 'bench';

/**
 * The corpus in ingest order, a batch at a time: each batch holds content items, then the
 * reviews, edits and withdrawals of items of that batch.
 */
function* corpus(items: number, shape: CorpusShape): Generator<Contribution[]> {
  const random = mulberry32(SEED);
  const t = new Text(random);
  const contributors = contributorCount(items);
  shape.contributors = contributors;
  const start = Date.UTC(2026, 0, 1);
  let counter = 0;
  const consent = { version: CONSENT_VERSION, licence: DEFAULT_LICENCE } as const;
  const deviceSeq = new Map<number, number>();
  const who = new Map<Contribution, number>();
  const envelope = (c: number, ms: number) => {
    const seq = (deviceSeq.get(c) ?? 0) + 1;
    deviceSeq.set(c, seq);
    const signer = signerOf(c);
    return { id: uuid7(ms, counter++), campaign: BENCH_CAMPAIGN, contributor: signer.contributor, key: signer.key, deviceSeq: seq, createdAt: new Date(ms).toISOString(), consent, by: c };
  };
  /** The envelope's `by` (the contributor's number) noted aside, not sent. */
  const made = <T extends { by: number }>(item: T): Contribution => {
    const { by, ...rest } = item;
    const c = rest as unknown as Contribution;
    who.set(c, by);
    return c;
  };
  const recent: Contribution[] = [];
  for (let from = 0; from < items; from += INGEST_BATCH) {
    const batch: Contribution[] = [];
    const records: Contribution[] = [];
    const to = Math.min(items, from + INGEST_BATCH);
    for (let i = from; i < to; i++) {
      const ms = start + i * 5000;
      const c = Math.floor(random() * contributors);
      const lang = LANGUAGES[c % LANGUAGES.length]!;
      let item: Contribution;
      const roll = random();
      if (roll < 0.01 && recent.length > 0) {
        // An exact copy of an earlier item's content, by someone else of the same language.
        const earlier = recent[Math.floor(random() * recent.length)]!;
        item = made({ ...envelope(c, ms), kind: earlier.kind, language: earlier.language, data: earlier.data });
        shape.copies++;
      } else {
        let u = random();
        let kind: Contribution['kind'] = 'idiom';
        for (const [k, share] of KIND_SHARES) {
          if (u < share) {
            kind = k;
            break;
          }
          u -= share;
        }
        const wrong = roll > 0.995;
        const written = wrong ? LANGUAGES[(c + 7) % LANGUAGES.length]! : lang;
        const data = dataOf(kind, written, t, i) as Record<string, unknown>;
        if (wrong) shape.wrongLanguage++;
        if (roll > 0.99 && roll <= 0.995) {
          withPersonalData(data, i);
          shape.personalData++;
        }
        item = made({ ...envelope(c, ms), kind, language: lang, data });
      }
      batch.push(item);
      if (recent.length < 1000) recent.push(item);
      else if (random() < 0.01) recent[Math.floor(random() * 1000)] = item;

      // What happens to it afterwards.
      const fate = random();
      const reviewer = (k: number) => (c + 1 + k * 7) % contributors;
      const review = (target: Contribution, action: 'up' | 'down', k: number): Contribution =>
        made({ ...envelope(reviewer(k), ms + 1000 + k), kind: 'review', language: target.language, data: { target: target.id, action } });
      if (fate < 0.04) {
        // pending: nobody reviewed it yet
      } else if (fate < 0.06) {
        records.push(review(item, 'down', 1), review(item, 'down', 2));
      } else if (fate < 0.07) {
        const edit = made({ ...envelope(c, ms + 2000), kind: item.kind, language: item.language, revisionOf: item.id, data: dataOf(item.kind, lang, t, i) });
        records.push(review(item, 'up', 1), edit, review(edit, 'up', 2), review(edit, 'up', 3));
        shape.edits++;
      } else if (fate < 0.075) {
        records.push(review(item, 'up', 1), made({ ...envelope(c, ms + 3000), kind: 'withdrawal', language: item.language, data: { scope: 'item', target: item.id } }));
        shape.withdrawals++;
      } else {
        records.push(review(item, 'up', 1), review(item, 'up', 2));
      }
    }
    shape.items += batch.length;
    yield signed([...batch, ...records], who);
    who.clear();
  }
}

async function generate(dataDir: string, items: number): Promise<{ shape: CorpusShape; seconds: number; snapshotBytes: number }> {
  const shape: CorpusShape = { items: 0, records: 0, reviews: 0, edits: 0, withdrawals: 0, wrongLanguage: 0, personalData: 0, copies: 0, contributors: 0 };
  const started = performance.now();
  const store = await openStore({ dataDir });
  try {
    await store.saveCampaign({
      slug: BENCH_CAMPAIGN, title: 'Release bench', description: '', languages: [...LANGUAGES], kinds: [...CONTENT_KINDS], goals: [], licence: DEFAULT_LICENCE,
      consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 }, reviewers: { gold: null, margin: 1, servesPerDay: 300 },
    });
    for (let c = 0; c < contributorCount(items); c++) await store.reviewers.grant({ campaign: BENCH_CAMPAIGN, reviewer: signerOf(c).contributor, by: 'bench' });
    for (const batch of corpus(items, shape)) {
      const statuses = await store.ingest('bench-device', batch);
      shape.records += batch.length;
      shape.reviews += batch.filter((c) => c.kind === 'review').length;
      const bad = statuses.findIndex((s) => s !== 'accepted');
      if (bad >= 0) throw new Error(`ingest answered ${JSON.stringify(statuses[bad])} for ${JSON.stringify(batch[bad]).slice(0, 400)}`);
    }
    await takeSnapshot(store, dataDir, 'bench');
  } finally {
    await store.close();
  }
  return { shape, seconds: (performance.now() - started) / 1000, snapshotBytes: statSync(snapshotPath(dataDir, 'bench')).size };
}

// ---------------------------------------------------------------------------------------------
// Child processes: one build, the raw baseline, the Parquet comparison

interface BuildResult {
  seconds: number;
  maxRssBytes: number;
  manifest: Pick<ReleaseManifest, 'read' | 'stages' | 'counts' | 'contributors'>;
  outBytes: number;
}

async function childBuild(dataDir: string, outDir: string): Promise<BuildResult> {
  const started = performance.now();
  const store = await openSnapshot(dataDir, 'bench');
  const config = parseReleaseConfig({ version: '2026.11.0', name: 'Vernacular bench' });
  let manifest: ReleaseManifest;
  try {
    // Progress on stderr: seconds since start, RSS now and the high-water mark, what was done.
    const log = (line: string) =>
      console.error(`    ${((performance.now() - started) / 1000).toFixed(1)} s, rss ${mib(process.memoryUsage().rss)} (peak ${mib(process.resourceUsage().maxRSS * 1024)}), cpu ${(process.cpuUsage().user / 1e6).toFixed(1)} + sys ${(process.cpuUsage().system / 1e6).toFixed(1)} s: ${line}`);
    const threads = process.env.RELEASE_BENCH_THREADS === undefined ? undefined : Number(process.env.RELEASE_BENCH_THREADS);
    const pseudonymKey = await loadPseudonymKey(dataDir);
    manifest = await buildRelease({ store, config, outDir, snapshot: 'bench', snapshotFile: snapshotPath(dataDir, 'bench'), pseudonymKey, log, ...(threads === undefined ? {} : { threads }) });
  } finally {
    await store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    manifest: { read: manifest.read, stages: manifest.stages, counts: manifest.counts, contributors: manifest.contributors },
    outBytes: folderBytes(outDir),
  };
}

async function childRaw(dataDir: string, outFile: string): Promise<{ seconds: number; maxRssBytes: number; rows: number }> {
  const started = performance.now();
  const db = new BetterSqlite3(snapshotPath(dataDir, 'bench'), { readonly: true });
  const out = createWriteStream(outFile);
  let rows = 0;
  let buffer: string[] = [];
  const flush = async () => {
    if (!out.write(buffer.join(''))) await new Promise<void>((r) => out.once('drain', () => r()));
    buffer = [];
  };
  for (const row of db.prepare('SELECT c.*, s.status FROM contributions c LEFT JOIN item_state s ON s.id = c.id ORDER BY c.seq').iterate() as IterableIterator<Record<string, unknown>>) {
    buffer.push(`${JSON.stringify({ ...row, data: JSON.parse(row.data as string) as unknown })}\n`);
    rows++;
    if (buffer.length >= 2000) await flush();
  }
  await flush();
  await new Promise<void>((r) => out.end(() => r()));
  db.close();
  return { seconds: (performance.now() - started) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024, rows };
}

interface ParquetRounds {
  ours: number[];
  duckdb: number[];
  duckdbFromJsonl: number[];
  oursBytes: number;
  duckdbBytes: number;
  rows: number;
}

/**
 * Both writers start from rows in memory: ours from the parsed records (as the pipeline hands
 * them over), DuckDB from a table loaded from the same JSONL beforehand. DuckDB from the JSONL
 * file (parsing included) is timed too, for information. Both compress with Snappy.
 */
async function childParquet(jsonl: string, outDir: string): Promise<ParquetRounds> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { COLUMNS, ParquetShards } = await import('../../federation/release/parquet.ts');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(cpus().length) });
  const connection = await instance.connect();
  const quote = (p: string) => `'${p.replace(/'/g, "''")}'`;
  const records = readFileSync(jsonl, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
  await connection.run(`CREATE TABLE rows AS SELECT * FROM read_json_auto(${quote(jsonl)})`);
  const result: ParquetRounds = { ours: [], duckdb: [], duckdbFromJsonl: [], oursBytes: 0, duckdbBytes: 0, rows: records.length };
  const parquetBytes = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.parquet')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  const countOf = async (glob: string) => (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${quote(glob)})`)).getRowObjects()[0]?.n;
  for (let round = 0; round < PARQUET_ROUNDS; round++) {
    const a = join(outDir, `ours-${round}`);
    mkdirSync(a);
    let start = performance.now();
    const shards = new ParquetShards({ dir: a, prefix: 'sft', split: 'train', columns: COLUMNS.sft!, maxShardBytes: 500 * 1024 * 1024, metadata: { 'vernacular.config': 'sft' } });
    for (const r of records) shards.write(r);
    await shards.finish();
    result.ours.push((performance.now() - start) / 1000);
    result.oursBytes = parquetBytes(a);
    if ((await countOf(join(a, '*.parquet'))) !== records.length) throw new Error('our Parquet holds the wrong number of rows');
    rmSync(a, { recursive: true });

    const b = join(outDir, `duckdb-${round}.parquet`);
    start = performance.now();
    await connection.run(`COPY rows TO ${quote(b)} (FORMAT parquet, COMPRESSION snappy)`);
    result.duckdb.push((performance.now() - start) / 1000);
    result.duckdbBytes = statSync(b).size;
    if ((await countOf(b)) !== records.length) throw new Error('DuckDB wrote the wrong number of rows');
    rmSync(b);

    start = performance.now();
    await connection.run(`COPY (SELECT * FROM read_json_auto(${quote(jsonl)})) TO ${quote(b)} (FORMAT parquet, COMPRESSION snappy)`);
    result.duckdbFromJsonl.push((performance.now() - start) / 1000);
    rmSync(b);
    console.error(`parquet round ${round + 1}/${PARQUET_ROUNDS}: ours ${result.ours.at(-1)!.toFixed(2)} s, duckdb ${result.duckdb.at(-1)!.toFixed(2)} s (from JSONL ${result.duckdbFromJsonl.at(-1)!.toFixed(2)} s)`);
  }
  connection.closeSync();
  instance.closeSync();
  return result;
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

/** Runs this file in a child process in `mode` and answers the JSON it prints last. */
function child<T>(mode: string, args: string[], nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolveChild, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, SELF, mode, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    proc.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${mode} child exited with ${code}: ${out.slice(-2000)}`));
      const last = out.trim().split('\n').at(-1) ?? '';
      resolveChild(JSON.parse(last) as T);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The run and the report

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (b: number) => `${fmt(b / 1024 ** 2)} MiB`;
const sec = (s: number) => `${s.toFixed(1)} s`;

interface SizeResult {
  size: number;
  shape: CorpusShape;
  generateSeconds: number;
  snapshotBytes: number;
  builds: BuildResult[];
  raw: { seconds: number; maxRssBytes: number; rows: number }[];
}

function report(results: SizeResult[], parquet: ParquetRounds | undefined, totalSeconds: number): { section: string; pass: boolean } {
  const [small, large] = results as [SizeResult, SizeResult];
  const buildSec = (r: SizeResult) => median(r.builds.map((b) => b.seconds));
  const buildRss = (r: SizeResult) => Math.max(...r.builds.map((b) => b.maxRssBytes));
  const rawSec = (r: SizeResult) => median(r.raw.map((b) => b.seconds));
  const pass = buildSec(large) < TARGET_SECONDS && buildRss(large) < TARGET_BYTES;
  const L = fmt(large.size);
  const S = fmt(small.size);
  const cpu = cpus();
  const m = large.builds[0]!.manifest;
  const kept = (r: SizeResult) => Object.values(r.builds[0]!.manifest.counts).reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
  const stages = m.stages.map((s) => `${s.stage} ${fmt(s.in)} in${Object.keys(s.excluded).length > 0 ? ` (${Object.entries(s.excluded).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')})` : ''}`).join('; ');
  const row = (r: SizeResult) =>
    `| ${fmt(r.size)} | ${fmt(r.shape.records)} | ${mib(r.snapshotBytes)} | ${sec(buildSec(r))} (${r.builds.map((b) => b.seconds.toFixed(1)).join(', ')}) | ${fmt(r.shape.records / buildSec(r))} | ${mib(buildRss(r))} | ${sec(rawSec(r))} / ${mib(Math.max(...r.raw.map((x) => x.maxRssBytes)))} | ${(buildSec(r) / rawSec(r)).toFixed(1)}× | ${fmt(kept(r))} | ${mib(r.builds[0]!.outBytes)} |`;
  const lines = [
    '<!-- bench:release:start -->',
    `## Release pipeline: \`buildRelease\` at ${S} and ${L} items, Parquet vs DuckDB`,
    '',
    'Written by `npm run bench` (test/bench/release.bench.ts, which describes the method). A',
    'deterministic synthetic corpus: every content kind, 20 languages (sentences drawn from each',
    "language's vocabulary, so the language stage sees plausible text), about 50 items per",
    'contributor, 2 reviews on most items (accepted), 2% rejected by review, 4% pending, 1% edited,',
    '0.5% withdrawn, 0.5% in the wrong language, 0.5% with personal data, 1% exact copies — stored',
    'through `Store.ingest` and frozen with `takeSnapshot`. Each build runs in its own child process',
    '(default config: language check on, personal data redacted, accepted items only) from the',
    'snapshot to the written folder; peak memory is that process\'s RSS high-water mark',
    '(`process.resourceUsage().maxRSS`). Baseline, same run: one better-sqlite3 statement reading',
    'every record of the snapshot and writing it as a JSON line (the physical floor of "read the',
    `store, write text"). ${SMALL_ROUNDS} build(s) at ${S} (median), one at ${L}.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| date | ${new Date().toISOString().slice(0, 10)} |`,
    `| machine | ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${fmt(totalmem() / 1024 ** 3)} GiB, shared (load average at the start ${startLoad.toFixed(1)}, at the end ${loadavg()[0]!.toFixed(1)}; the builds themselves load it by about 2) |`,
    `| node | ${process.version} |`,
    `| corpus (${L}) | ${fmt(large.shape.items)} items + ${fmt(large.shape.reviews)} reviews, ${fmt(large.shape.edits)} edits, ${fmt(large.shape.withdrawals)} withdrawals = ${fmt(large.shape.records)} records; ${fmt(large.shape.contributors)} contributors; planted: ${fmt(large.shape.wrongLanguage)} in the wrong language, ${fmt(large.shape.personalData)} with personal data, ${fmt(large.shape.copies)} exact copies; generated and ingested in ${sec(large.generateSeconds)} |`,
    `| stages (${L}) | ${stages} |`,
    `| target: ${L} under ${TARGET_SECONDS / 60} min and under 1 GiB${large.size < 1_000_000 ? ' (the target is for 1M)' : ''} | ${large.size < 1_000_000 ? 'not judged below 1M' : pass ? '**pass**' : '**FAIL**'} (${sec(buildSec(large))}, ${mib(buildRss(large))}) |`,
    `| ${L} / ${S} | time ${(buildSec(large) / buildSec(small)).toFixed(1)}× for ${(large.shape.records / small.shape.records).toFixed(1)}× the records; peak memory ${(buildRss(large) / buildRss(small)).toFixed(2)}× |`,
    '',
    '| items | records | snapshot | build (runs) | records/s | build peak RSS | raw read+write (time / RSS) | build / raw | rows written | release size |',
    '|---|---|---|---|---|---|---|---|---|---|',
    row(small),
    row(large),
  ];
  if (parquet !== undefined) {
    const ratio = median(parquet.ours) / median(parquet.duckdb);
    lines.push(
      '',
      `Parquet, in one process, alternating, medians of ${PARQUET_ROUNDS}: the ${L}-item release's largest split, sft/train`,
      `(${fmt(parquet.rows)} rows), Snappy both. Ours: \`ParquetShards\` (federation/release/parquet.ts,`,
      'hyparquet-writer, one thread) fed the parsed records, as the pipeline feeds it. DuckDB',
      `(@duckdb/node-api, ${cpu.length} threads): \`COPY rows TO … (FORMAT parquet)\` from a table loaded`,
      'beforehand from the same JSONL; and, for information, `COPY (SELECT * FROM read_json_auto(…))`',
      'with the JSON parsing included.',
      '',
      '| writer | time (rounds) | file |',
      '|---|---|---|',
      `| ours | ${sec(median(parquet.ours))} (${parquet.ours.map((s) => s.toFixed(2)).join(', ')}) | ${mib(parquet.oursBytes)} |`,
      `| DuckDB, table → Parquet | ${sec(median(parquet.duckdb))} (${parquet.duckdb.map((s) => s.toFixed(2)).join(', ')}) | ${mib(parquet.duckdbBytes)} |`,
      `| DuckDB, JSONL → Parquet | ${sec(median(parquet.duckdbFromJsonl))} (${parquet.duckdbFromJsonl.map((s) => s.toFixed(2)).join(', ')}) | |`,
      `| ratio ours / DuckDB (table) | ${ratio.toFixed(2)}× the time (${fmt(parquet.rows / median(parquet.ours))} vs ${fmt(parquet.rows / median(parquet.duckdb))} rows/s) |`,
    );
  }
  lines.push('', `Whole benchmark: ${sec(totalSeconds)}.`, '<!-- bench:release:end -->');
  return { section: lines.join('\n'), pass };
}

function writeReport(section: string): string {
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const pattern = /<!-- bench:release:start -->[\s\S]*?<!-- bench:release:end -->/;
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  return file;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'build') return console.log(JSON.stringify(await childBuild(process.argv[3]!, process.argv[4]!)));
  if (mode === 'raw') return console.log(JSON.stringify(await childRaw(process.argv[3]!, process.argv[4]!)));
  if (mode === 'parquet') return console.log(JSON.stringify(await childParquet(process.argv[3]!, process.argv[4]!)));
  // For profiling: `generate DATA_DIR ITEMS`, then `node --cpu-prof … build DATA_DIR OUT_DIR`.
  if (mode === 'generate') return console.log(JSON.stringify(await generate(process.argv[3]!, Number(process.argv[4]))));

  const started = performance.now();
  const sizes = (process.env.RELEASE_BENCH_SIZES?.split(',').map(Number) ?? [...SIZES]) as number[];
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-release-bench-'));
  const results: SizeResult[] = [];
  let parquet: ParquetRounds | undefined;
  try {
    for (const size of sizes) {
      // RELEASE_BENCH_CORPUS_DIR keeps the generated corpora there and reuses them (the same seed
      // gives the same corpus; generating 1M takes about 4 minutes).
      const keep = process.env.RELEASE_BENCH_CORPUS_DIR;
      const dataDir = keep === undefined ? join(dir, `data-${size}`) : join(keep, `data-${size}`);
      const shapeFile = join(dataDir, 'generated.json');
      let generated: Awaited<ReturnType<typeof generate>>;
      if (keep !== undefined && existsSync(shapeFile) && existsSync(snapshotPath(dataDir, 'bench'))) {
        generated = JSON.parse(readFileSync(shapeFile, 'utf8')) as typeof generated;
      } else {
        rmSync(dataDir, { recursive: true, force: true });
        generated = await generate(dataDir, size);
        if (keep !== undefined) writeFileSync(shapeFile, JSON.stringify(generated));
      }
      rmSync(join(dataDir, 'vernacular.sqlite'), { force: true });
      console.log(`${fmt(size)} items: ${fmt(generated.shape.records)} records generated and ingested in ${sec(generated.seconds)}, snapshot ${mib(generated.snapshotBytes)}`);
      const result: SizeResult = { size, shape: generated.shape, generateSeconds: generated.seconds, snapshotBytes: generated.snapshotBytes, builds: [], raw: [] };
      const rounds = size === Math.max(...sizes) ? 1 : SMALL_ROUNDS;
      for (let round = 0; round < rounds; round++) {
        const outDir = join(dir, `release-${size}-${round}`);
        const build = await child<BuildResult>('build', [dataDir, outDir]);
        result.builds.push(build);
        console.log(`  build ${round + 1}/${rounds}: ${sec(build.seconds)}, peak RSS ${mib(build.maxRssBytes)}; ${build.manifest.stages.map((st) => `${st.stage} ${st.in}${Object.keys(st.excluded).length > 0 ? ` ${JSON.stringify(st.excluded)}` : ''}`).join('; ')}`);
        const raw = await child<{ seconds: number; maxRssBytes: number; rows: number }>('raw', [dataDir, join(dir, 'raw.jsonl')]);
        rmSync(join(dir, 'raw.jsonl'), { force: true });
        result.raw.push(raw);
        console.log(`  raw ${round + 1}/${rounds}: ${sec(raw.seconds)}, peak RSS ${mib(raw.maxRssBytes)}`);
        if (round < rounds - 1 || size !== Math.max(...sizes)) rmSync(outDir, { recursive: true, force: true });
      }
      results.push(result);
    }
    const largest = Math.max(...sizes);
    const sft = join(dir, `release-${largest}-0`, 'sft', 'train.jsonl');
    if (existsSync(sft)) {
      const outDir = join(dir, 'parquet');
      mkdirSync(outDir, { recursive: true });
      parquet = await child<ParquetRounds>('parquet', [sft, outDir]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (results.length < 2) {
    console.log(JSON.stringify(results, null, 2), parquet);
    return;
  }
  const { section, pass } = report(results, parquet, (performance.now() - started) / 1000);
  // Trial runs at other sizes print their report but leave docs/benchmarks.md alone.
  const file = process.env.RELEASE_BENCH_SIZES === undefined ? writeReport(section) : '(not written: RELEASE_BENCH_SIZES set)';
  console.log(`\n${section}\n\nWritten to ${file}`);
  if (!pass && Math.max(...sizes) >= 1_000_000) process.exitCode = 1;
}

await main();
