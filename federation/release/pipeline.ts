/**
 * `vernacular release build`: a snapshot + a config → a versioned, reproducible release.
 *
 *   1 snapshot        read every record of the (frozen) store, in server order
 *   2 validate        schema, NFC, control/bidi characters, whitespace, length bounds   ┐ per item,
 *   3 exclusions      withdrawn, superseded, hidden, quarantined nodes                  │ while
 *   4 consensus       accepted by review (or pending, if the config says)               │ streaming
 *   5 language        re-checked with the language identifier                           │ into the
 *   6 personal_data   redacted to typed placeholders, or dropped                        ┘ work table
 *   7 duplicates      exact (normalised hash) and near (MinHash + LSH): keep one per cluster
 *   8 abuse           per-contributor/node caps, unreliable contributors, planted phrases
 *   9 splits          train/validation/test by contributor hash; eval contamination removed from train
 *
 * Stages 7–9 run over the work table (work.ts), so memory stays flat. Every item a stage drops
 * keeps its stage, rule and reason (`rejected.jsonl`); each stage's counts go in `report.json`
 * and the card. Files are sorted and carry no build time: the same snapshot, config and version
 * give byte-identical files.
 */
import { mkdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CONTENT_KINDS, type Contribution, type ContentKind } from '../protocol/index.ts';
import { type Store, type StoredContribution, topSeq } from '../store/index.ts';
import { evalRecord, idiomRecord, isKind, normRecord, preferenceRecord, ruleRecord, sftRecord, translationRecord } from '../dataset/records.ts';
import { type ReleaseConfig, configHash } from './config.ts';
import { itemStages } from './stages.ts';
import { WorkTable } from './work.ts';
import { type CollectedPage, contentPages, type PageTask, recordsByKind } from './collect.ts';
import { pageRunner } from './collect.threads.ts';
import { goldRegrade, type GoldRegrade, renameReviewers } from './reliability.ts';
import { Pseudonyms } from './pseudonyms.ts';
import { BandKeys, bandWriter, createBandsTable } from './near.ts';
import { globalStages } from './global.ts';
import { RELEASE_CONFIGS, type ReleaseConfigName, splitsOf } from './layout.ts';
import { releaseCard } from './card.ts';
import { writeReleaseDocuments } from './documents.ts';
import { releaseOutputs } from './outputs.ts';
import { TextFile, type WrittenText } from '../dataset/textfile.ts';
import { GLOSSARY_CONFIG, GLOSSARY_SPLIT, type GlossaryReport, releaseGlossary } from './glossary.ts';

export interface StageCount {
  stage: string;
  description: string;
  /** Items that reached the stage. */
  in: number;
  /** Items it left out, by rule. */
  excluded: Record<string, number>;
  /** Items it changed but kept (e.g. redacted), by what it did. */
  changed?: Record<string, number>;
  /** Other figures the stage reports (e.g. `near_clusters`: near-duplicate clusters found). */
  figures?: Record<string, number>;
}

export interface ReleaseFile {
  path: string;
  config: string;
  split: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ReleaseManifest {
  name: string;
  version: string;
  snapshot: string;
  configHash: string;
  /** Records read from the snapshot, by kind (reviews and withdrawals included). */
  read: Record<string, number>;
  stages: StageCount[];
  /** Kept items per config and split. */
  counts: Record<string, Record<string, number>>;
  languages: Record<string, number>;
  /**
   * The languages each config's rows are in (BCP 47, sorted): a record's `language`, or both of a
   * translation's. What the card's `language` and `multilinguality` and croissant's `inLanguage` say.
   */
  configLanguages: Record<string, string[]>;
  kinds: Record<string, number>;
  licences: Record<string, number>;
  contributors: number;
  files: ReleaseFile[];
  /** What happened to the campaigns' glossary terms (the `glossary` config); absent when there are none. */
  glossary?: GlossaryReport;
}

export interface BuildOptions {
  store: Store;
  config: ReleaseConfig;
  outDir: string;
  /** The snapshot's name (recorded; the store given is that snapshot). */
  snapshot: string;
  quarantined?: ReadonlySet<string>;
  /** Called after each file is written (writers of Parquet, views… plug in here). */
  log?: (line: string) => void;
  /** Threads for stages 2–6 (0: this thread; default one per core; see collect.threads.ts). */
  threads?: number;
  /** The snapshot's SQLite file (the store given is that snapshot): the collect threads then read it themselves. */
  snapshotFile?: string;
  /**
   * The deployment's pseudonym key (pseudonyms.ts, `loadPseudonymKey`): every file names
   * contributors and reviewers only by their keyed hash.
   */
  pseudonymKey: string;
}

/** Stages 1–6: stream the snapshot's content items through the item stages (on the collect threads) into the work table. */
async function collect(store: Store, work: WorkTable, options: BuildOptions, gold: GoldRegrade): Promise<Record<string, number>> {
  const { config } = options;
  const maxSeq = await topSeq(store.db);
  const read = await recordsByKind(store, maxSeq);
  let writeBands: ReturnType<typeof bandWriter> | undefined;
  if (config.duplicates.near) {
    createBandsTable(work);
    writeBands = bandWriter(work, new BandKeys(config.duplicates));
  }
  const runner = pageRunner(
    { config, quarantined: [...(options.quarantined ?? [])], gold, pseudonymKey: options.pseudonymKey, ...(options.snapshotFile !== undefined ? { snapshotFile: options.snapshotFile } : {}) },
    options.threads,
  );
  const write = ({ rows, bands, sigs }: CollectedPage) => {
    work.insert(rows);
    if (writeBands !== undefined && bands.length > 0) writeBands(bands, sigs);
  };
  try {
    const inFlight: Promise<CollectedPage>[] = [];
    // From a snapshot file the pages are read where they run (a range of server order each);
    // from a store, here.
    const tasks: AsyncIterable<PageTask> = options.snapshotFile !== undefined ? seqRanges(maxSeq, RANGE) : rowPages(store, maxSeq);
    for await (const task of tasks) {
      inFlight.push(runner.run(task));
      if (inFlight.length >= runner.capacity) write(await inFlight.shift()!);
    }
    while (inFlight.length > 0) write(await inFlight.shift()!);
  } finally {
    await runner.close();
  }
  work.bandsPrefilled = writeBands !== undefined;
  work.indexKinds();
  return read;
}

/** Seqs per range read from a snapshot file (about a third are content items; the rest reviews). */
const RANGE = 6000;

async function* seqRanges(maxSeq: number, size: number): AsyncGenerator<PageTask> {
  for (let after = 0; after < maxSeq; after += size) yield { after, through: Math.min(after + size, maxSeq) };
}

async function* rowPages(store: Store, maxSeq: number): AsyncGenerator<PageTask> {
  for await (const rows of contentPages(store, maxSeq)) yield { rows };
}

/** The records one kept item makes, per release config. */
function recordsOf(stored: StoredContribution): Partial<Record<ReleaseConfigName, unknown>> {
  const out: Partial<Record<ReleaseConfigName, unknown>> = {};
  const sft = sftRecord(stored);
  if (sft !== undefined) out.sft = sft;
  const preference = preferenceRecord(stored);
  if (preference !== undefined) out.preference = preference;
  if (isKind(stored, 'idiom')) out.idioms = idiomRecord(stored);
  else if (isKind(stored, 'translation')) out.translation = translationRecord(stored);
  else if (isKind(stored, 'norm')) out.norms = normRecord(stored);
  else if (isKind(stored, 'rule')) out.rules = ruleRecord(stored);
  else if (isKind(stored, 'eval')) out.eval = evalRecord(stored);
  return out;
}

export async function buildRelease(options: BuildOptions): Promise<ReleaseManifest> {
  const { store, config, outDir } = options;
  const log = options.log ?? (() => {});
  await mkdir(outDir, { recursive: true });
  const work = new WorkTable(join(outDir, '.work.sqlite'));
  try {
    // Reviewers measured on gold first, so that stage 4 judges items without the unreliable ones'
    // votes; named by their pseudonyms, as every contributor is from stage 2 on (collect.ts).
    const pseudonyms = new Pseudonyms(options.pseudonymKey);
    const gold = renameReviewers(await goldRegrade(store, config), (id) => pseudonyms.of(id));
    const stages = itemStages({ config, quarantined: options.quarantined ?? new Set(), gold });
    const read = await collect(store, work, options, gold);
    log(`read ${Object.values(read).reduce((a, b) => a + b, 0)} records`);
    const globals = globalStages(config);
    const figures = new Map<string, Record<string, number>>();
    for (const stage of globals) {
      const reported = await stage.run(work, config, { store, gold });
      if (reported) figures.set(stage.name, { ...figures.get(stage.name), ...reported });
      log(`stage ${stage.name} done`);
    }
    const stageCounts = countStages(work, [...stages, ...globals], figures);
    const manifest = await writeRelease(work, options, read, stageCounts);
    log(`wrote ${manifest.files.length} files`);
    await writeFile(join(outDir, 'README.md'), releaseCard(manifest, config));
    // Last: report.html and croissant.json (which lists every file above with its sha256).
    await writeReleaseDocuments({ work, manifest, config, outDir });
    return manifest;
  } finally {
    work.close();
  }
}

function countStages(work: WorkTable, stages: readonly { name: string; description: string }[], figures: ReadonlyMap<string, Record<string, number>> = new Map()): StageCount[] {
  const total = (work.db.prepare('SELECT count(*) FROM items').pluck().get() as number) ?? 0;
  const byRule = work.db.prepare('SELECT stage, rule, count(*) AS n FROM items WHERE stage IS NOT NULL GROUP BY stage, rule ORDER BY stage, rule').all() as { stage: string; rule: string; n: number }[];
  let remaining = total;
  return stages.map((s) => {
    const excluded: Record<string, number> = {};
    for (const r of byRule) if (r.stage === s.name) excluded[r.rule] = r.n;
    const count: StageCount = { stage: s.name, description: s.description, in: remaining, excluded };
    const reported = figures.get(s.name);
    if (reported !== undefined) count.figures = sortedRecord(reported);
    remaining -= Object.values(excluded).reduce((a, b) => a + b, 0);
    return count;
  });
}

async function writeRelease(work: WorkTable, options: BuildOptions, read: Record<string, number>, stages: StageCount[]): Promise<ReleaseManifest> {
  const { outDir, config } = options;
  const writers = new Map<string, { file: TextFile; config: string; split: string }>();
  const writerFor = (configName: string, split: string) => {
    const path = `${configName}/${split}.jsonl`;
    let entry = writers.get(path);
    if (entry === undefined) {
      mkdirSync(dirname(join(outDir, path)), { recursive: true });
      entry = { file: new TextFile(join(outDir, path)), config: configName, split };
      writers.set(path, entry);
    }
    return entry;
  };
  const counts: Record<string, Record<string, number>> = {};
  const languages: Record<string, number> = {};
  const configLanguages = new Map<string, Set<string>>();
  const speaks = (name: string, record: unknown) => {
    const r = record as { language?: string; source_language?: string; target_language?: string };
    let set = configLanguages.get(name);
    if (set === undefined) configLanguages.set(name, (set = new Set()));
    for (const tag of [r.language, r.source_language, r.target_language]) if (tag !== undefined && tag !== '') set.add(tag);
  };
  const kinds: Record<string, number> = {};
  const licences: Record<string, number> = {};
  const contributors = new Set<string>();
  // Parquet shards, the kto config, the OpenAI and LLaMA-Factory views: fed every record written below.
  const outputs = releaseOutputs({ outDir, config, log: options.log, threaded: (options.threads ?? 1) > 0 });
  const files: ReleaseFile[] = [];
  let extra: Awaited<ReturnType<typeof outputs.finish>>;
  let glossary: GlossaryReport;
  try {
    // Kind by kind (the order of CONTENT_KINDS), each in server order: a stable file order.
    for (const kind of CONTENT_KINDS) {
      for (const row of work.kept('seq, split, item', `kind = '${kind}'`)) {
        const stored = JSON.parse(row.item) as StoredContribution;
        const records = recordsOf(stored);
        let wrote = false;
        for (const name of Object.keys(records).sort() as ReleaseConfigName[]) {
          const split = name === 'eval' ? 'test' : (row.split ?? 'train');
          if (!(splitsOf(name) as readonly string[]).includes(split)) continue;
          const json = JSON.stringify(records[name]);
          writerFor(name, split).file.line(json);
          speaks(name, records[name]);
          // Only when the Parquet thread is behind.
          const behind = outputs.record(name, split, records[name], json);
          if (behind !== undefined) await behind;
          (counts[name] ??= {})[split] = ((counts[name] ??= {})[split] ?? 0) + 1;
          wrote = true;
        }
        if (!wrote) continue;
        const c = stored.contribution as Contribution & { kind: ContentKind };
        languages[c.language] = (languages[c.language] ?? 0) + 1;
        kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
        licences[c.consent.licence] = (licences[c.consent.licence] ?? 0) + 1;
        contributors.add(c.contributor);
      }
    }
    // Last, the campaigns' glossaries (glossary.ts): the `glossary` config, through the same writers.
    glossary = await releaseGlossary(options.store, config, (record, json) => {
      writerFor(GLOSSARY_CONFIG, GLOSSARY_SPLIT).file.line(json);
      speaks(GLOSSARY_CONFIG, record);
      return outputs.record(GLOSSARY_CONFIG, GLOSSARY_SPLIT, record, json);
    });
    if (glossary.kept > 0) counts[GLOSSARY_CONFIG] = { [GLOSSARY_SPLIT]: glossary.kept };
    for (const [path, entry] of [...writers].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const { rows, bytes, sha256 } = entry.file.commit();
      files.push({ path, config: entry.config, split: entry.split, rows, bytes, sha256 });
    }
    extra = await outputs.finish();
  } catch (err) {
    for (const e of writers.values()) e.file.abort();
    await outputs.abort();
    throw err;
  }
  files.push(...extra.files);
  Object.assign(counts, extra.counts);
  // The kto config is made of the preference pairs, row by row (outputs.ts).
  if (extra.counts.kto !== undefined && configLanguages.has('preference')) configLanguages.set('kto', configLanguages.get('preference')!);

  // Traceability: every excluded item, which stage and rule, in server order.
  const rejected = new TextFile(join(outDir, 'rejected.jsonl'));
  try {
    for (const row of work.db.prepare('SELECT id, kind, language, contributor, origin, stage, rule, detail, cluster FROM items WHERE stage IS NOT NULL ORDER BY seq').iterate() as IterableIterator<Record<string, unknown>>) {
      rejected.line(JSON.stringify(row));
    }
  } catch (err) {
    rejected.abort();
    throw err;
  }
  files.push({ path: 'rejected.jsonl', config: '', split: '', ...withoutRows(rejected.commit()) });
  const listed = new TextFile(join(outDir, 'contributors.txt'));
  for (const c of [...contributors].sort()) listed.line(c);
  files.push({ path: 'contributors.txt', config: '', split: '', ...withoutRows(listed.commit()) });
  const manifest: ReleaseManifest = {
    name: config.name,
    version: config.version,
    snapshot: options.snapshot,
    configHash: configHash(config),
    read: sortedRecord(read),
    stages,
    counts,
    languages: sortedRecord(languages),
    configLanguages: Object.fromEntries([...configLanguages].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, set]) => [name, [...set].sort()])),
    kinds: sortedRecord(kinds),
    licences: sortedRecord(licences),
    contributors: contributors.size,
    files,
    ...(glossary.read > 0 ? { glossary } : {}),
  };
  await writeFile(join(outDir, 'report.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

const withoutRows = ({ bytes, sha256 }: WrittenText) => ({ rows: 0, bytes, sha256 });

function sortedRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]!]));
}

export { RELEASE_CONFIGS };
export { textHash } from './collect.ts';
