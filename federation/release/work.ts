/**
 * The pipeline's working table: one row per content item of the snapshot, with its normalised
 * form, its main text and hash, and — once a stage excludes it — which stage, which rule and why.
 * It lives in a temporary SQLite file beside the release, so memory stays flat however large the
 * corpus: the global stages (duplicates, abuse, splits) are queries and scans over it, not maps in
 * memory. Deleted when the release is written.
 *
 * Two tables, one row each per item: `items` holds the small columns (what the global stages scan,
 * group and update) and `bodies` the large ones (`text`, `item`), joined by seq in the view
 * `full_items`. Kept in one table, every scan read, and every update rewrote, the whole item (at
 * 1M items a full scan read 1.6 GB instead of about 250 MB).
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

/** Files kept beside the table, removed with it: near.ts's band keys and signature bytes. */
const SIDE_FILES = ['bands', 'sigbytes'] as const;

export class WorkTable {
  readonly db: BetterSqlite3.Database;
  /** The collect stage wrote every kept item's near-duplicate band keys and signatures (near.ts `bandWriter`) already. */
  bandsPrefilled = false;

  constructor(readonly path: string) {
    rmSync(path, { force: true });
    for (const name of SIDE_FILES) rmSync(`${path}.${name}`, { force: true });
    this.db = new BetterSqlite3(path);
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('temp_store = FILE');
    this.db.pragma('cache_size = -65536');
    this.db.exec(`CREATE TABLE items (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, language TEXT NOT NULL,
      contributor TEXT NOT NULL, origin TEXT, campaign TEXT NOT NULL, created_at TEXT NOT NULL,
      status TEXT NOT NULL, hash TEXT NOT NULL, stage TEXT, rule TEXT, detail TEXT, split TEXT,
      cluster TEXT, notes TEXT);
      CREATE TABLE bodies (seq INTEGER PRIMARY KEY, text TEXT NOT NULL, item TEXT NOT NULL);
      CREATE VIEW full_items AS SELECT i.*, b.text AS text, b.item AS item FROM items i JOIN bodies b ON b.seq = i.seq;`);
  }

  private insertStatements: { items: BetterSqlite3.Statement; bodies: BetterSqlite3.Statement } | undefined;

  insert(rows: readonly Omit<WorkRow, 'split' | 'cluster'>[]): void {
    // Positional parameters: binding sixteen by name cost about a third more per row.
    this.insertStatements ??= {
      items: this.db.prepare(
        'INSERT INTO items (seq, id, kind, language, contributor, origin, campaign, created_at, status, hash, stage, rule, detail, notes) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      bodies: this.db.prepare('INSERT INTO bodies (seq, text, item) VALUES (?, ?, ?)'),
    };
    const { items, bodies } = this.insertStatements;
    this.db.transaction(() => {
      for (const r of rows) {
        items.run(r.seq, r.id, r.kind, r.language, r.contributor, r.origin, r.campaign, r.created_at, r.status, r.hash, r.stage, r.rule, r.detail, r.notes);
        bodies.run(r.seq, r.text, r.item);
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

  /** Kept rows (no stage excluded them), in seq order, a page at a time (`text` and `item` read only when asked for). */
  *kept(columns = '*', where = ''): IterableIterator<WorkRow> {
    const table = columns === '*' || /\b(text|item)\b/.test(columns) ? 'full_items' : 'items';
    const statement = this.db.prepare(`SELECT ${columns} FROM ${table} WHERE stage IS NULL ${where ? `AND ${where}` : ''} AND seq > ? ORDER BY seq LIMIT 5000`);
    let after = -1;
    for (;;) {
      const page = statement.all(after) as WorkRow[];
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.seq;
    }
  }

  /** Where one of the side files is. */
  sideFile(name: (typeof SIDE_FILES)[number]): string {
    return `${this.path}.${name}`;
  }

  close(): void {
    this.db.close();
    rmSync(this.path, { force: true });
    for (const name of SIDE_FILES) rmSync(this.sideFile(name), { force: true });
  }
}
