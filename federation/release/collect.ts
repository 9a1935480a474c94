/**
 * Stages 1–6 of a release: the snapshot read page by page in server order, each content item run
 * through the per-item stages (stages.ts) and turned into its work-table row, and — for the items
 * those stages keep — its near-duplicate band keys (near.ts), computed here so that stage 7 need
 * not read every text again.
 *
 * The per-page work (`collector`) is pure and runs either on this thread or on worker threads
 * (collect.threads.ts): a page is handed out whole and its rows come back in the same order, so
 * the work table is the same whichever ran it. The main thread only reads pages and writes rows.
 */
import { hash } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { CONTENT_KINDS, type Contribution, type ItemStatus } from '../protocol/index.ts';
import type { Store, StoredContribution } from '../store/index.ts';
import type { ContributionRow, Database } from '../store/schema.ts';
import { fromRow } from '../store/rows.ts';
import type { ReleaseConfig } from './config.ts';
import type { GoldRegrade } from './reliability.ts';
import { BandKeys, shingleText } from './near.ts';
import { type Candidate, itemStages } from './stages.ts';
import type { WorkRow } from './work.ts';
import { Pseudonyms } from './pseudonyms.ts';

/** The exact-duplicate key: sha256 of the prose lower-cased, whitespace collapsed (near.ts `shingleText`). */
export function textHash(text: string): string {
  return flatHash(shingleText(text));
}

/** textHash of a text already through `shingleText` (collect needs that string for the shingles too). */
const flatHash = (flat: string): string => hash('sha256', flat, 'hex');

/** A stored content item as read: its row and its derived status. */
export type PageRow = ContributionRow & { status: string | null };

/** What the per-page work needs (plain data: it is sent to the collect threads). */
export interface CollectSetup {
  config: ReleaseConfig;
  /** Node ids whose records are left out. */
  quarantined: string[];
  /** Gold regrading for stages 3–4 (reliability.ts; plain data). */
  gold?: GoldRegrade;
  /** The snapshot's SQLite file: then a task may name a seq range, read where the task runs. */
  snapshotFile?: string;
  /** The deployment's pseudonym key (pseudonyms.ts): the work table holds contributors only by it. */
  pseudonymKey: string;
}

/** A page to run: its rows as read, or a range of server order (`after` < seq ≤ `through`) to read from the snapshot file. */
export type PageTask = { rows: PageRow[] } | { after: number; through: number };

/** The snapshot read where the pages run: content items of a seq range, in server order. */
const RANGE_SQL = `SELECT c.*, s.status AS status FROM contributions c LEFT JOIN item_state s ON s.id = c.id
  WHERE c.seq > ? AND c.seq <= ? AND (c.kind || '') IN (${CONTENT_KINDS.map((k) => `'${k}'`).join(', ')}) ORDER BY c.seq`;

export type WorkInsert = Omit<WorkRow, 'split' | 'cluster'>;

export interface CollectedPage {
  rows: WorkInsert[];
  /** Band keys of the kept items (near.ts BandKeys: triples band, bucket, seq), when near duplicates are on. */
  bands: Float64Array;
  /** Their MinHash signatures, one after another. */
  sigs: Uint32Array;
}

/** The per-page work, and `close` for the snapshot file it may have opened. */
export interface Collector {
  (task: PageTask): CollectedPage;
  close(): void;
}

/** The per-page work: rows in (or read from the snapshot file), work rows (and band keys) out, in the same order. */
export function collector(setup: CollectSetup): Collector {
  const { config } = setup;
  let snapshot: BetterSqlite3.Database | undefined;
  let range: BetterSqlite3.Statement | undefined;
  const rowsOf = (task: PageTask): readonly PageRow[] => {
    if ('rows' in task) return task.rows;
    if (setup.snapshotFile === undefined) throw new Error('A seq range to collect, but no snapshot file to read it from');
    snapshot ??= new BetterSqlite3(setup.snapshotFile, { readonly: true, fileMustExist: true });
    range ??= snapshot.prepare(RANGE_SQL);
    return range.all(task.after, task.through) as PageRow[];
  };
  const stages = itemStages({ config, quarantined: new Set(setup.quarantined), ...(setup.gold !== undefined ? { gold: setup.gold } : {}) });
  const pseudonyms = new Pseudonyms(setup.pseudonymKey);
  const keys = config.duplicates.near ? new BandKeys(config.duplicates) : undefined;
  const collect = (task: PageTask): CollectedPage => {
    const page = rowsOf(task);
    const rows: WorkInsert[] = new Array(page.length);
    // Each row's text as shingleText gives it: its exact-duplicate hash, and its shingles when kept.
    const flats: string[] = new Array(page.length);
    let kept = 0;
    for (let i = 0; i < page.length; i++) {
      const { status, ...row } = page[i]!;
      const done = toWorkRow(fromRow(row, (status ?? 'pending') as ItemStatus), stages, pseudonyms);
      rows[i] = done.row;
      flats[i] = done.flat;
      if (done.row.stage === null) kept++;
    }
    const bands = new Float64Array(keys === undefined ? 0 : kept * keys.bands * 3);
    const sigs = new Uint32Array(keys === undefined ? 0 : kept * keys.permutations);
    if (keys !== undefined) {
      let n = 0;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        if (r.stage !== null) continue;
        keys.write(r.seq, r.kind, r.language, flats[i]!, bands, n * keys.bands * 3, sigs, n * keys.permutations);
        n++;
      }
    }
    return { rows, bands, sigs };
  };
  // Closed, not left to the garbage collector: an open connection keeps the snapshot's -wal and -shm files.
  return Object.assign(collect, { close: () => snapshot?.close() });
}

/**
 * An item through stages 2–6 into its work-table row. From here on the contributor is their
 * pseudonym, in the row and in the item it keeps: nothing the release writes can carry the id.
 */
function toWorkRow(stored: StoredContribution, stages: ReturnType<typeof itemStages>, pseudonyms: Pseudonyms): { row: WorkInsert; flat: string } {
  const candidate: Candidate = { contribution: stored.contribution, status: stored.status as ItemStatus, origin: stored.origin, text: '', notes: {} };
  let excluded: { stage: string; rule: string; detail: string } | undefined;
  for (const stage of stages) {
    const verdict = stage.apply(candidate);
    if (verdict !== undefined) {
      excluded = { stage: stage.name, ...verdict };
      break;
    }
  }
  const contributor = pseudonyms.of(candidate.contribution.contributor);
  const c = { ...candidate.contribution, contributor } as Contribution;
  const flat = shingleText(candidate.text);
  const row: WorkInsert = {
    seq: stored.seq,
    id: c.id,
    kind: c.kind,
    language: c.language,
    contributor,
    origin: stored.origin,
    campaign: c.campaign,
    created_at: c.createdAt,
    status: stored.status,
    item: JSON.stringify({ ...stored, contribution: c }),
    text: candidate.text,
    hash: flatHash(flat),
    stage: excluded?.stage ?? null,
    rule: excluded?.rule ?? null,
    detail: excluded?.detail ?? null,
    notes: Object.keys(candidate.notes).length > 0 ? JSON.stringify(candidate.notes) : null,
  };
  return { row, flat };
}

/** Records in the snapshot by kind (reviews and withdrawals too), up to `maxSeq`. */
export async function recordsByKind(store: Store, maxSeq: number): Promise<Record<string, number>> {
  const db = store.db as Kysely<Database>;
  const groups = await db
    .selectFrom('contributions')
    .select(['kind', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('seq', '<=', maxSeq)
    .groupBy('kind')
    .execute();
  return Object.fromEntries(groups.map((g) => [g.kind, Number(g.n)]));
}

/** The content items (no reviews, no withdrawals), in server order, a page at a time, as stored. */
export async function* contentPages(store: Store, maxSeq: number, pageSize = 2000): AsyncGenerator<PageRow[]> {
  const db = store.db as Kysely<Database>;
  let after = 0;
  while (after < maxSeq) {
    const page = (await db
      .selectFrom('contributions as c')
      .leftJoin('item_state as s', 's.id', 'c.id')
      .selectAll('c')
      .select('s.status')
      .where('c.seq', '>', after)
      .where('c.seq', '<=', maxSeq)
      // `kind || ''`, not `kind`: an index on kind would make SQLite sort every page (quadratic).
      .where(sql<string>`${sql.ref('c.kind')} || ''`, 'in', [...CONTENT_KINDS])
      .orderBy('c.seq')
      .limit(pageSize)
      .execute()) as PageRow[];
    if (page.length === 0) return;
    yield page;
    after = Number(page[page.length - 1]!.seq);
  }
}
