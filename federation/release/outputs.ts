/**
 * What the pipeline writes beside each config's JSONL, fed the same records in the same order:
 * the Parquet shards of every config and split (parquet.ts), the `kto` config (JSONL + Parquet)
 * made from preference pairs, the OpenAI and LLaMA-Factory views (made from the rows the Parquet
 * sink takes, viewfiles.ts), and `dataset_info.json` (views.ts). Every file is hashed as it is
 * written (textfile.ts, parquet.ts): `finish()` gives the files for the manifest (with sha256)
 * and the `kto` counts.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PreferenceRecord } from '../dataset/records.ts';
import type { ReleaseConfig } from './config.ts';
import type { ReleaseFile } from './pipeline.ts';
import { COLUMNS } from './parquet.ts';
import { parquetSink } from './parquet.sink.ts';
import { TextFile } from '../dataset/textfile.ts';
import { datasetSlug, ktoRecords, llamaFactoryInfo } from './views.ts';

export interface ReleaseOutputs {
  /**
   * One record the pipeline wrote to `<config>/<split>.jsonl`, with that line (its JSON text).
   * Undefined, or a promise to wait for when the Parquet thread is behind.
   */
  record(config: string, split: string, record: unknown, json: string): Promise<void> | undefined;
  finish(): Promise<{ files: ReleaseFile[]; counts: Record<string, Record<string, number>> }>;
  abort(): Promise<void>;
}

export function releaseOutputs(options: { outDir: string; config: ReleaseConfig; log?: (line: string) => void; threaded?: boolean }): ReleaseOutputs {
  const { outDir, config } = options;
  // Every Parquet file through one sink (on its own thread when there is one): its writers share
  // one row-group budget, so memory stays flat.
  const sink = parquetSink({ outDir, maxShardBytes: config.maxShardBytes, release: config.name, version: config.version }, options.threaded ?? false);
  const written = new Set<string>();
  const jsonl = new Map<string, { config: string; split: string; file: TextFile }>();
  const ktoCounts: Record<string, number> = {};

  const parquet = (name: string, split: string, row: unknown, json: string) => {
    if (COLUMNS[name] === undefined) throw new Error(`No Parquet columns for the config "${name}"`);
    written.add(`${name}/${split}`);
    return sink.write(name, split, row as Record<string, unknown>, json);
  };

  const line = (path: string, configName: string, split: string, json: string) => {
    let entry = jsonl.get(path);
    if (entry === undefined) {
      mkdirSync(dirname(join(outDir, path)), { recursive: true });
      entry = { config: configName, split, file: new TextFile(join(outDir, path)) };
      jsonl.set(path, entry);
    }
    entry.file.line(json);
  };

  return {
    record(name, split, record, json) {
      let wait = parquet(name, split, record, json);
      // Seldom more than one (each is a batch handed to a thread that is behind); all are awaited.
      const also = (more: Promise<void> | undefined) => {
        if (more !== undefined) wait = wait === undefined ? more : Promise.all([wait, more]).then(() => undefined);
      };
      if (name === 'preference') {
        const p = record as PreferenceRecord;
        for (const kto of ktoRecords(p)) {
          const text = JSON.stringify(kto);
          line(`kto/${split}.jsonl`, 'kto', split, text);
          also(parquet('kto', split, kto, text));
          ktoCounts[split] = (ktoCounts[split] ?? 0) + 1;
        }
      }
      return wait;
    },

    async finish() {
      const files: ReleaseFile[] = [];
      const committed = [...jsonl].map(([path, entry]) => ({ path, config: entry.config, split: entry.split, ...entry.file.commit() }));
      const sunk = await sink.finish();
      for (const entry of sunk.parquet) {
        for (const shard of entry.shards) files.push({ path: shard.path, config: entry.config, split: entry.split, rows: shard.rows, bytes: shard.bytes, sha256: shard.sha256 });
        if (entry.oversized > 0) options.log?.(`${entry.config}/${entry.split}: ${entry.oversized} row(s) larger than maxShardBytes, each alone in its shard`);
      }
      for (const f of committed) files.push({ path: f.path, config: f.config, split: f.split, rows: f.rows, bytes: f.bytes, sha256: f.sha256 });
      // Views are not configs of the card: config '' keeps them out of its `configs`.
      for (const f of sunk.views) files.push({ path: f.path, config: '', split: f.split, rows: f.rows, bytes: f.bytes, sha256: f.sha256 });
      const existing = new Set([...jsonl.keys(), ...sunk.views.map((f) => f.path), ...['train', 'validation'].map((s) => `sft/${s}.jsonl`).filter((p) => written.has(p.replace(/\.jsonl$/, '')))]);
      const info = Buffer.from(`${JSON.stringify(llamaFactoryInfo(datasetSlug(config.name), existing), null, 2)}\n`, 'utf8');
      await writeFile(join(outDir, 'dataset_info.json'), info);
      files.push({ path: 'dataset_info.json', config: '', split: '', rows: 0, bytes: info.length, sha256: createHash('sha256').update(info).digest('hex') });
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const counts: Record<string, Record<string, number>> = {};
      if (Object.keys(ktoCounts).length > 0) counts.kto = ktoCounts;
      return { files, counts };
    },

    async abort() {
      for (const e of jsonl.values()) e.file.abort();
      await sink.abort();
    },
  };
}
