/**
 * The pipeline's working table: one row per content item of the snapshot, with its normalised
 * form, its main text and hash, and — once a stage excludes it — which stage, which rule and why.
 * It lives in a temporary SQLite file beside the release, so memory stays flat however large the
 * corpus: the global stages (duplicates, abuse, splits) are queries and scans over it, not maps in
 * memory. Deleted when the release is written.
 */
import BetterSqlite3 from 'better-sqlite3';
import { rmSync } from 'node:fs';

export interface WorkRow {
  seq: number;
  id: string;
  kind: string;
  language: string;
  contributor: string;
  origin: string | null;
  campaign: string;
  created_at: string;
  status: string;
  /** The normalised (possibly redacted) contribution, JSON. */
  item: string;
  /** Its prose, normalised, newline-joined. */
  text: string;
  /** sha256 of `text` lower-cased with whitespace collapsed: exact duplicates share it. */
  hash: string;
  stage: string | null;
  rule: string | null;
  detail: string | null;
  split: string | null;
  cluster: string | null;
  /** Per-item notes of the stages (JSON object), e.g. redactions made. */
  notes: string | null;
}

export class WorkTable {
  readonly db: BetterSqlite3.Database;
  /** The collect stage wrote every kept item's near-duplicate band keys and signatures (near.ts `bandWriter`) already. */
  bandsPrefilled = false;

  constructor(readonly path: string) {
    rmSync(path, { force: true });
    rmSync(`${path}.bands`, { force: true });
    this.db = new BetterSqlite3(path);
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('temp_store = FILE');
    this.db.pragma('cache_size = -65536');
    // The large columns last: a scan that reads only the small ones (most of the global stages'
    // queries) then never follows a row's overflow pages.
    this.db.exec(`CREATE TABLE items (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, language TEXT NOT NULL,
      contributor TEXT NOT NULL, origin TEXT, campaign TEXT NOT NULL, created_at TEXT NOT NULL,
      status TEXT NOT NULL, hash TEXT NOT NULL, stage TEXT, rule TEXT, detail TEXT, split TEXT,
      cluster TEXT, notes TEXT, text TEXT NOT NULL, item TEXT NOT NULL)`);
  }

  private insertStatement: BetterSqlite3.Statement | undefined;

  insert(rows: readonly Omit<WorkRow, 'split' | 'cluster'>[]): void {
    // Positional parameters: binding sixteen by name cost about a third more per row.
    this.insertStatement ??= this.db.prepare(
      'INSERT INTO items (seq, id, kind, language, contributor, origin, campaign, created_at, status, item, text, hash, stage, rule, detail, notes) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const statement = this.insertStatement;
    this.db.transaction(() => {
      for (const r of rows) {
        statement.run(r.seq, r.id, r.kind, r.language, r.contributor, r.origin, r.campaign, r.created_at, r.status, r.item, r.text, r.hash, r.stage, r.rule, r.detail, r.notes);
      }
    })();
  }

  /** Once every row is in: an index by kind, for the passes that read one kind in server order. */
  indexKinds(): void {
    this.db.exec('CREATE INDEX IF NOT EXISTS items_kind_seq ON items (kind, seq)');
  }

  /** Marks rows excluded by a global stage (only rows still kept). */
  exclude(stage: string, rule: string, exclusions: Iterable<{ seq: number; detail: string | null }>): number {
    const statement = this.db.prepare('UPDATE items SET stage = ?, rule = ?, detail = ? WHERE seq = ? AND stage IS NULL');
    let n = 0;
    this.db.transaction(() => {
      for (const e of exclusions) n += statement.run(stage, rule, e.detail, e.seq).changes;
    })();
    return n;
  }

  /** Kept rows (no stage excluded them), in seq order, a page at a time. */
  *kept(columns = '*', where = ''): IterableIterator<WorkRow> {
    const statement = this.db.prepare(`SELECT ${columns} FROM items WHERE stage IS NULL ${where ? `AND ${where}` : ''} AND seq > ? ORDER BY seq LIMIT 5000`);
    let after = -1;
    for (;;) {
      const page = statement.all(after) as WorkRow[];
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.seq;
    }
  }

  close(): void {
    this.db.close();
    rmSync(this.path, { force: true });
    // The near-duplicate band keys (near.ts bandsFile).
    rmSync(`${this.path}.bands`, { force: true });
  }
}
