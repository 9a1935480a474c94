/**
 * Parquet shards of a release: `<config>/<split>-00000-of-0000N.parquet`, written with
 * hyparquet-writer from the same records, in the same order, as `<config>/<split>.jsonl`.
 *
 * - One column schema per config (COLUMNS): chat turns are a real nested column (a LIST of
 *   STRUCT<role, content>), reason tags a LIST of strings; only the free-form generation settings
 *   of model-written texts (`*_generation`, an object whose keys vary) are a JSON string column
 *   (Parquet's JSON logical type).
 * - Streaming: rows are buffered into a row group of bounded size (bytes and rows), written, and
 *   forgotten; memory is one row group per open config/split.
 * - Shards stay under `maxShardBytes`: what is already written is known exactly, and the pending
 *   row group and the footer are counted by upper bounds (a value's encoded size before
 *   compression, plus Snappy's worst case, plus a fixed budget per column chunk). A shard is
 *   written under a temporary name; when the split ends, N is known and every shard is renamed.
 *   Only a single row larger than the limit on its own makes a bigger shard (it is alone in it).
 * - Deterministic bytes: no timestamps; `created_by` is fixed; the release name, version, config
 *   and split are the file's key-value metadata.
 * - Each shard is hashed (sha256) as its bytes go to the file: the manifest needs no second read.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { ByteWriter, ParquetWriter, type SchemaElement, type Writer } from 'hyparquet-writer';

/** How a record's field is stored. A `?` marks a nullable column. */
export type ColumnType = 'string' | 'string?' | 'int?' | 'bool' | 'messages' | 'strings' | 'json?';

export type ColumnSpec = readonly (readonly [name: string, type: ColumnType])[];

const PROVENANCE: ColumnSpec = [
  ['licence', 'string'],
  ['contributor', 'string'],
  ['campaign', 'string'],
  ['created_at', 'string'],
  ['revision_of', 'string?'],
];

/** The columns of each config, in the order of the JSONL records' keys. */
export const COLUMNS: Readonly<Record<string, ColumnSpec>> = {
  idioms: [['id', 'string'], ['language', 'string'], ['expression', 'string'], ['meaning', 'string'], ['example', 'string'], ['region', 'string?'], ['register', 'string?'], ...PROVENANCE],
  sft: [['messages', 'messages'], ['id', 'string'], ['language', 'string'], ['kind', 'string']],
  preference: [
    ['id', 'string'], ['language', 'string'], ['kind', 'string'],
    ['prompt', 'messages'], ['chosen', 'messages'], ['rejected', 'messages'],
    ['reasons', 'strings'], ['comment', 'string?'],
    ['chosen_source', 'string'], ['rejected_source', 'string'],
    ['chosen_generation', 'json?'], ['rejected_generation', 'json?'],
    ['draft_rating', 'int?'],
    ...PROVENANCE,
  ],
  kto: [
    ['prompt', 'messages'], ['completion', 'messages'], ['label', 'bool'],
    ['id', 'string'], ['language', 'string'], ['kind', 'string'], ['source', 'string'], ['reasons', 'strings'],
    ...PROVENANCE,
  ],
  translation: [['id', 'string'], ['source_language', 'string'], ['source', 'string'], ['target_language', 'string'], ['target', 'string'], ...PROVENANCE],
  norms: [['id', 'string'], ['language', 'string'], ['situation', 'string'], ['expectation', 'string'], ['good_example', 'string'], ['poor_example', 'string'], ['domain', 'string?'], ...PROVENANCE],
  rules: [
    ['id', 'string'], ['language', 'string'], ['rule', 'string'], ['type', 'string'], ['citation', 'string'], ['jurisdiction', 'string'],
    ['compliant_example', 'string'], ['violating_example', 'string'], ...PROVENANCE,
  ],
  eval: [['id', 'string'], ['language', 'string'], ['question', 'string'], ['reference_answer', 'string'], ['grading_notes', 'string'], ['domain', 'string?'], ...PROVENANCE],
  // The campaigns' glossaries (glossary.ts): terms, not items, so no id or provenance.
  glossary: [['campaign', 'string'], ['term', 'string'], ['rendering', 'string'], ['language', 'string'], ['notes', 'string']],
};

const utf8 = (name: string, required: boolean): SchemaElement => ({
  name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: required ? 'REQUIRED' : 'OPTIONAL',
});

function schemaElements(name: string, type: ColumnType): SchemaElement[] {
  switch (type) {
    case 'string':
    case 'string?':
      return [utf8(name, type === 'string')];
    case 'int?':
      return [{ name, type: 'INT32', repetition_type: 'OPTIONAL' }];
    case 'bool':
      return [{ name, type: 'BOOLEAN', repetition_type: 'REQUIRED' }];
    case 'json?':
      return [{ name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' }];
    case 'strings':
      return [
        { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        utf8('element', true),
      ];
    case 'messages':
      return [
        { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'REQUIRED', num_children: 2 },
        utf8('role', true),
        utf8('content', true),
      ];
  }
}

export function parquetSchema(columns: ColumnSpec): SchemaElement[] {
  return [{ name: 'schema', num_children: columns.length }, ...columns.flatMap(([name, type]) => schemaElements(name, type))];
}

const leafCount = (columns: ColumnSpec) => columns.reduce((n, [, t]) => n + (t === 'messages' ? 2 : 1), 0);

const bytesOf = (s: string) => Buffer.byteLength(s, 'utf8');

/** An upper bound of what one value takes in a data page before compression (values, lengths, levels). */
function valueBound(type: ColumnType, value: unknown): number {
  if (value === null || value === undefined) return 1;
  switch (type) {
    case 'string':
    case 'string?':
      return bytesOf(value as string) + 4 + 1;
    case 'int?':
      return 4 + 1;
    case 'bool':
      return 1;
    case 'json?':
      return bytesOf(JSON.stringify(value)) + 4 + 1;
    case 'strings':
      return 2 + (value as string[]).reduce((n, s) => n + bytesOf(s) + 4 + 2, 0);
    case 'messages':
      return 4 + (value as { role: string; content: string }[]).reduce((n, m) => n + bytesOf(m.role) + bytesOf(m.content) + 8 + 4, 0);
  }
}

/** Snappy's worst case is n + n/6 + 32 per page; the 32 is in the per-chunk budget. */
const SNAPPY = 7 / 6;
/** Per column chunk in the footer: its metadata (statistics at most 16 bytes a bound) and offset index — twice what it takes measured. */
const CHUNK_BUDGET = 160;
/** Pages are at most this big before compression (hyparquet-writer's default). */
const PAGE_SIZE = 1024 * 1024;
const MAX_GROUP_ROWS = 50_000;
/** A shard's write buffer larger than this is dropped after each row group (see #openShard). */
const SHRINK_ABOVE = 1024 * 1024;
const MAX_GROUP_BYTES = 32 * 1024 * 1024;

export interface ShardFile {
  path: string;
  rows: number;
  bytes: number;
  /** Hashed as it was written. */
  sha256: string;
}

/**
 * A budget of buffered row bytes shared by every ParquetShards of a release: when all of them
 * together hold more than `limit`, the one holding most writes its row group now. Without it each
 * config/split held up to MAX_GROUP_BYTES, and a release writes about twenty at once.
 */
export class RowBudget {
  used = 0;
  readonly holders = new Set<ParquetShards>();
  constructor(readonly limit: number) {}

  /** Flushes the largest holders until the budget is kept. */
  enforce(): void {
    while (this.used > this.limit) {
      let largest: ParquetShards | undefined;
      for (const h of this.holders) if (largest === undefined || h.pendingBytes > largest.pendingBytes) largest = h;
      if (largest === undefined || largest.pendingBytes === 0) return;
      largest.flushPending();
    }
  }
}

export interface ParquetShardsOptions {
  /** Absolute folder of the config, e.g. `<out>/sft`. */
  dir: string;
  /** The path prefix as the manifest names it, e.g. `sft`. */
  prefix: string;
  split: string;
  columns: ColumnSpec;
  maxShardBytes: number;
  metadata: Record<string, string>;
  /** Shared with the release's other writers (none: this writer's own limits only). */
  budget?: RowBudget;
}

interface OpenShard {
  partial: string;
  fd: number;
  /** What went to the file so far: its hash and size. */
  written: { hash: Hash; bytes: number };
  parquet: ParquetWriter;
  writer: Writer;
  rows: number;
  groups: number;
}

/** One config/split written as Parquet shards of at most `maxShardBytes`. */
export class ParquetShards {
  readonly #o: ParquetShardsOptions;
  readonly #schema: SchemaElement[];
  readonly #leaves: number;
  readonly #fixed: number;
  #shard: OpenShard | undefined;
  #partials: { partial: string; rows: number; bytes: number; sha256: string }[] = [];
  #pending: Record<string, unknown>[] = [];
  #pendingBytes = 0;
  /** Rows alone bigger than the limit (each written alone in its shard). */
  oversized = 0;

  constructor(options: ParquetShardsOptions) {
    this.#o = options;
    this.#schema = parquetSchema(options.columns);
    this.#leaves = leafCount(options.columns);
    // Magic bytes, footer length, file metadata, schema, key-value metadata, created_by.
    const names = this.#schema.reduce((n, e) => n + bytesOf(e.name) + 24, 0);
    const kv = Object.entries(options.metadata).reduce((n, [k, v]) => n + bytesOf(k) + bytesOf(v) + 16, 0);
    this.#fixed = 256 + names + kv;
  }

  #footerBound(groups: number): number {
    return this.#fixed + groups * (64 + this.#leaves * CHUNK_BUDGET);
  }

  #rowBound(row: Record<string, unknown>): number {
    let n = 0;
    for (const [name, type] of this.#o.columns) n += valueBound(type, row[name]);
    return n;
  }

  /** Bytes the pending row group can take once written: compressed worst case plus one page's slack per leaf. */
  #pendingBound(bytes: number): number {
    return Math.ceil(bytes * SNAPPY) + this.#leaves * (Math.ceil(bytes / PAGE_SIZE) + 1) * 64;
  }

  write(row: Record<string, unknown>): void {
    const keys = Object.keys(row);
    if (keys.length !== this.#o.columns.length || this.#o.columns.some(([name], i) => keys[i] !== name)) {
      throw new Error(`${this.#o.prefix}/${this.#o.split}: a record's fields (${keys.join(', ')}) are not the Parquet columns (${this.#o.columns.map(([n]) => n).join(', ')})`);
    }
    const bound = this.#rowBound(row);
    const shard = this.#shard;
    if (shard !== undefined && shard.rows + this.#pending.length > 0) {
      const total = shard.writer.offset + this.#pendingBound(this.#pendingBytes + bound) + this.#footerBound(shard.groups + 1);
      if (total > this.#o.maxShardBytes) {
        this.#flushGroup();
        this.#closeShard();
      }
    }
    if (this.#shard === undefined) this.#openShard();
    if (this.#pendingBytes === 0 && this.#pending.length === 0 && 4 + this.#pendingBound(bound) + this.#footerBound(1) > this.#o.maxShardBytes) this.oversized++;
    this.#pending.push(row);
    this.#pendingBytes += bound;
    const budget = this.#o.budget;
    if (budget !== undefined) {
      budget.used += bound;
      budget.holders.add(this);
    }
    const groupBytes = Math.min(MAX_GROUP_BYTES, Math.max(1, Math.floor(this.#o.maxShardBytes / 8)));
    if (this.#pendingBytes >= groupBytes || this.#pending.length >= MAX_GROUP_ROWS) this.#flushGroup();
    budget?.enforce();
  }

  /** Bytes (by the row bound) of the rows waiting for the next row group. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Writes the waiting rows as a row group now (the shared budget asks for it). */
  flushPending(): void {
    this.#flushGroup();
  }

  #openShard(): void {
    const partial = `${this.#o.dir}/.${this.#o.split}-${String(this.#partials.length).padStart(5, '0')}.parquet.partial`;
    const fd = openSync(partial, 'w');
    const written = { hash: createHash('sha256'), bytes: 0 };
    const bytes = new ByteWriter(64 * 1024);
    const flush = () => {
      if (bytes.index > 0) {
        const chunk = new Uint8Array(bytes.buffer, 0, bytes.index);
        written.hash.update(chunk);
        written.bytes += chunk.length;
        for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at, chunk.length - at);
      }
      bytes.index = 0;
      // The buffer grew to hold a whole row group; with twenty-odd shards open, keeping each at
      // its largest would hold hundreds of MiB between row groups, so it starts small again.
      if (bytes.buffer.byteLength > SHRINK_ABOVE) {
        bytes.buffer = new ArrayBuffer(64 * 1024);
        bytes.view = new DataView(bytes.buffer);
      }
    };
    // Row groups go to the file as they are written (ParquetWriter calls flush after each).
    const writer: Writer = Object.assign(bytes, { flush, finish: flush });
    const parquet = new ParquetWriter({
      writer,
      schema: this.#schema,
      createdBy: 'vernacular release (hyparquet-writer)',
      kvMetadata: Object.entries(this.#o.metadata).map(([key, value]) => ({ key, value })),
    });
    this.#shard = { partial, fd, written, parquet, writer, rows: 0, groups: 0 };
    this.#partials.push({ partial, rows: 0, bytes: 0, sha256: '' });
  }

  #flushGroup(): void {
    const shard = this.#shard;
    const rows = this.#pending;
    if (shard === undefined || rows.length === 0) return;
    const columnData = this.#o.columns.map(([name, type]) => ({
      name,
      data: rows.map((r) => r[name] ?? null),
      // Free-form JSON is never cut short, so keep its statistics out of the footer.
      ...(type === 'json?' ? { statistics: false } : {}),
    }));
    void shard.parquet.write({ columnData, rowGroupSize: rows.length });
    shard.rows += rows.length;
    shard.groups++;
    this.#partials.at(-1)!.rows = shard.rows;
    if (this.#o.budget !== undefined) this.#o.budget.used -= this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  #closeShard(): void {
    const shard = this.#shard;
    if (shard === undefined) return;
    void shard.parquet.finish();
    closeSync(shard.fd);
    const last = this.#partials.at(-1)!;
    last.bytes = shard.written.bytes;
    last.sha256 = shard.written.hash.digest('hex');
    this.#shard = undefined;
  }

  /** Writes what is pending, closes the last shard and names every shard `<split>-0000i-of-0000N.parquet`. */
  async finish(): Promise<ShardFile[]> {
    this.#flushGroup();
    this.#closeShard();
    const n = this.#partials.length;
    const out: ShardFile[] = [];
    for (const [i, { partial, rows, bytes, sha256 }] of this.#partials.entries()) {
      const name = `${this.#o.split}-${String(i).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.parquet`;
      await rename(partial, `${this.#o.dir}/${name}`);
      out.push({ path: `${this.#o.prefix}/${name}`, rows, bytes, sha256 });
    }
    return out;
  }

  async abort(): Promise<void> {
    if (this.#shard !== undefined) {
      try { closeSync(this.#shard.fd); } catch { /* already closed */ }
      this.#shard = undefined;
    }
    await Promise.all(this.#partials.map((p) => rm(p.partial, { force: true })));
  }
}
