/**
 * Every Parquet file of a release, written through one sink: rows are gathered per config/split in
 * batches of BATCH and each batch handed to that config/split's ParquetShards (parquet.ts), with
 * one row-group budget for all of them. The batches are handed over in the order they fill, on a
 * Parquet thread (parquet.thread.ts) when the compiled thread script is there, else on the calling
 * thread — the same order either way, so the files are the same bytes. To the thread, a batch goes
 * as the JSON texts of its rows (the JSONL lines the pipeline made anyway): strings are cheap to
 * post, and the thread parses them — the same values as the records, off the main thread. (Joined
 * into one string a batch was a fresh megabyte-sized object to flatten, copy and map, each time.)
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { COLUMNS, ParquetShards, RowBudget, type ShardFile } from './parquet.ts';
import { type ViewFile, viewFiles } from './viewfiles.ts';

/** Row bytes (by the writers' worst-case bound) all Parquet writers of a release may hold before writing a row group. */
export const PARQUET_BUFFER_BYTES = 16 * 1024 * 1024;
/** Rows per batch handed over. */
const BATCH = 1000;
/** Batches handed to the thread and not yet written, at most (so memory stays bounded when it is slower). */
const MAX_IN_FLIGHT = 16;

export interface SinkSetup {
  outDir: string;
  maxShardBytes: number;
  /** Release name and version, for each file's key-value metadata. */
  release: string;
  version: string;
}

/** What each config/split became. */
export interface SinkResult {
  key: string;
  config: string;
  split: string;
  shards: ShardFile[];
  oversized: number;
}

export type SinkMessage =
  | { op: 'rows'; config: string; split: string; lines: string[] }
  | { op: 'finish' }
  | { op: 'abort' };

/** What the sink wrote: the Parquet files of each config/split, and the view files made from the same rows. */
export interface SinkResults {
  parquet: SinkResult[];
  views: ViewFile[];
}

/** The writers themselves (on whichever thread runs them). */
export function sinkWriters(setup: SinkSetup) {
  const budget = new RowBudget(PARQUET_BUFFER_BYTES);
  const views = viewFiles(setup.outDir);
  const shards = new Map<string, { config: string; split: string; shards: ParquetShards }>();
  return {
    rows(config: string, split: string, rows: Record<string, unknown>[]): void {
      const key = `${config}/${split}`;
      let entry = shards.get(key);
      if (entry === undefined) {
        const columns = COLUMNS[config];
        if (columns === undefined) throw new Error(`No Parquet columns for the config "${config}"`);
        mkdirSync(join(setup.outDir, config), { recursive: true });
        entry = {
          config,
          split,
          shards: new ParquetShards({
            dir: join(setup.outDir, config),
            prefix: config,
            split,
            columns,
            maxShardBytes: setup.maxShardBytes,
            metadata: { 'vernacular.release': setup.release, 'vernacular.version': setup.version, 'vernacular.config': config, 'vernacular.split': split },
            budget,
          }),
        };
        shards.set(key, entry);
      }
      for (const row of rows) entry.shards.write(row);
      views.rows(config, split, rows);
    },
    async finish(): Promise<SinkResults> {
      const out: SinkResult[] = [];
      for (const [key, e] of shards) out.push({ key, config: e.config, split: e.split, shards: await e.shards.finish(), oversized: e.shards.oversized });
      return { parquet: out, views: views.finish() };
    },
    async abort(): Promise<void> {
      views.abort();
      await Promise.all([...shards.values()].map((e) => e.shards.abort()));
    },
  };
}

export interface ParquetSink {
  /**
   * One row, with its JSON text (`JSON.stringify(row)`). Undefined at once, unless the Parquet
   * thread is this many batches behind (MAX_IN_FLIGHT): then a promise of when it catches up.
   */
  write(config: string, split: string, row: Record<string, unknown>, json: string): Promise<void> | undefined;
  /** Config/splits in the order they were first written, and the view files. */
  finish(): Promise<SinkResults>;
  abort(): Promise<void>;
}

const SCRIPT = new URL('./parquet.thread.js', import.meta.url);

/** On a Parquet thread when `threaded` and the compiled script exists; else here. */
export function parquetSink(setup: SinkSetup, threaded: boolean): ParquetSink {
  const useThread = threaded && existsSync(fileURLToPath(SCRIPT));
  const writers = useThread ? undefined : sinkWriters(setup);
  let worker: Worker | undefined;
  let failure: Error | undefined;
  let inFlight = 0;
  let exited = false;
  // Callers waiting for the thread to catch up (or fail).
  let waiting: (() => void)[] = [];
  const wake = () => {
    const w = waiting;
    waiting = [];
    for (const f of w) f();
  };
  let finishing: ((r: SinkResults) => void) | undefined;
  let failFinish: ((e: Error) => void) | undefined;
  if (useThread) {
    worker = new Worker(SCRIPT, { workerData: setup });
    worker.on('message', (m: { ok: true; results: SinkResults } | { ok: false; error: string } | { written: true }) => {
      if ('written' in m) {
        inFlight--;
        if (inFlight < MAX_IN_FLIGHT) wake();
        return;
      }
      if (m.ok) finishing?.(m.results);
      else {
        failure ??= new Error(`The Parquet thread failed: ${m.error}`);
        failFinish?.(failure);
        wake();
      }
    });
    worker.on('error', (e) => {
      failure ??= e;
      failFinish?.(e);
      wake();
    });
    // Gone (finished, failed or terminated): nothing waits on it any more, or the process would
    // end with those promises unsettled and the error that stopped it unsaid.
    worker.on('exit', () => {
      exited = true;
      failure ??= new Error('The Parquet thread stopped');
      failFinish?.(failure);
      wake();
    });
  }
  // Rows here (no thread), else their JSON text.
  const pending = new Map<string, { config: string; split: string; rows: (Record<string, unknown> | string)[] }>();
  const hand = (config: string, split: string, rows: (Record<string, unknown> | string)[]): Promise<void> | undefined => {
    if (failure !== undefined) throw failure;
    if (worker === undefined) {
      writers!.rows(config, split, rows as Record<string, unknown>[]);
      return undefined;
    }
    worker.postMessage({ op: 'rows', config, split, lines: rows as string[] } satisfies SinkMessage);
    inFlight++;
    if (inFlight < MAX_IN_FLIGHT) return undefined;
    return new Promise<void>((resolve, reject) => {
      waiting.push(() => (failure !== undefined ? reject(failure) : resolve()));
    });
  };
  return {
    write(config, split, row, json) {
      const key = `${config}/${split}`;
      let p = pending.get(key);
      if (p === undefined) pending.set(key, (p = { config, split, rows: [] }));
      p.rows.push(worker === undefined ? row : json);
      if (p.rows.length < BATCH) return undefined;
      const rows = p.rows;
      p.rows = [];
      return hand(config, split, rows);
    },
    async finish() {
      // The last batches: not waited for one by one (a failure comes with the results below).
      for (const p of pending.values()) if (p.rows.length > 0) hand(p.config, p.split, p.rows)?.catch(() => undefined);
      pending.clear();
      if (worker === undefined) return writers!.finish();
      const w = worker;
      try {
        return await new Promise<SinkResults>((resolve, reject) => {
          if (failure !== undefined) return reject(failure);
          finishing = resolve;
          failFinish = reject;
          w.postMessage({ op: 'finish' } satisfies SinkMessage);
        });
      } finally {
        await w.terminate();
      }
    },
    async abort() {
      pending.clear();
      if (worker === undefined) return writers!.abort();
      const w = worker;
      if (exited) return;
      await new Promise<void>((resolve) => {
        finishing = () => resolve();
        failFinish = () => resolve();
        w.postMessage({ op: 'abort' } satisfies SinkMessage);
      }).finally(() => w.terminate());
    },
  };
}
