/**
 * What the pipeline writes beside each config's JSONL, fed the same records in the same order:
 * the Parquet shards of every config and split (parquet.ts), the `kto` config (JSONL + Parquet)
 * made from preference pairs, the OpenAI and LLaMA-Factory views, and `dataset_info.json`
 * (views.ts). `finish()` gives the files for the manifest (with sha256) and the `kto` counts.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { jsonlWriter, type JsonlWriter } from '../dataset/jsonl.ts';
import type { PreferenceRecord, SftRecord } from '../dataset/records.ts';
import type { ReleaseConfig } from './config.ts';
import type { ReleaseFile } from './pipeline.ts';
import { fileSha256 } from './snapshot.ts';
import { COLUMNS } from './parquet.ts';
import { parquetSink } from './parquet.sink.ts';
import { datasetSlug, ktoRecords, llamaFactoryInfo, llamaFactoryPreference, openaiDpo, openaiSft, VIEW_FILES } from './views.ts';

export interface ReleaseOutputs {
  /** One record the pipeline wrote to `<config>/<split>.jsonl`. */
  record(config: string, split: string, record: unknown): Promise<void>;
  finish(): Promise<{ files: ReleaseFile[]; counts: Record<string, Record<string, number>> }>;
  abort(): Promise<void>;
}

export function releaseOutputs(options: { outDir: string; config: ReleaseConfig; log?: (line: string) => void; threaded?: boolean }): ReleaseOutputs {
  const { outDir, config } = options;
  // Every Parquet file through one sink (on its own thread when there is one): its writers share
  // one row-group budget, so memory stays flat.
  const sink = parquetSink({ outDir, maxShardBytes: config.maxShardBytes, release: config.name, version: config.version }, options.threaded ?? false);
  const written = new Set<string>();
  const jsonl = new Map<string, { config: string; split: string; writer: JsonlWriter; rows: number }>();
  const ktoCounts: Record<string, number> = {};

  const parquet = async (name: string, split: string, row: unknown) => {
    if (COLUMNS[name] === undefined) throw new Error(`No Parquet columns for the config "${name}"`);
    written.add(`${name}/${split}`);
    await sink.write(name, split, row as Record<string, unknown>);
  };

  const line = async (path: string, configName: string, split: string, value: unknown) => {
    let entry = jsonl.get(path);
    if (entry === undefined) {
      await mkdir(dirname(join(outDir, path)), { recursive: true });
      entry = { config: configName, split, writer: jsonlWriter(join(outDir, path)), rows: 0 };
      jsonl.set(path, entry);
    }
    await entry.writer.write(value);
    entry.rows++;
  };

  const view = (split: string): split is 'train' | 'validation' => split === 'train' || split === 'validation';

  return {
    async record(name, split, record) {
      await parquet(name, split, record);
      if (name === 'preference') {
        const p = record as PreferenceRecord;
        for (const kto of ktoRecords(p)) {
          await line(`kto/${split}.jsonl`, 'kto', split, kto);
          await parquet('kto', split, kto);
          ktoCounts[split] = (ktoCounts[split] ?? 0) + 1;
        }
        if (view(split)) {
          // Views are not configs of the card: config '' keeps them out of its `configs`.
          await line(VIEW_FILES.openaiDpo[split], '', split, openaiDpo(p));
          await line(VIEW_FILES.llamaFactoryPreference[split], '', split, llamaFactoryPreference(p));
        }
      } else if (name === 'sft' && view(split)) {
        await line(VIEW_FILES.openaiSft[split], '', split, openaiSft(record as SftRecord));
      }
    },

    async finish() {
      const files: ReleaseFile[] = [];
      const add = async (path: string, configName: string, split: string, rows: number) => {
        const full = join(outDir, path);
        files.push({ path, config: configName, split, rows, bytes: (await stat(full)).size, sha256: await fileSha256(full) });
      };
      for (const entry of jsonl.values()) await entry.writer.commit();
      for (const entry of await sink.finish()) {
        for (const shard of entry.shards) await add(shard.path, entry.config, entry.split, shard.rows);
        if (entry.oversized > 0) options.log?.(`${entry.config}/${entry.split}: ${entry.oversized} row(s) larger than maxShardBytes, each alone in its shard`);
      }
      for (const [path, entry] of jsonl) await add(path, entry.config, entry.split, entry.rows);
      const existing = new Set([...jsonl.keys(), ...['train', 'validation'].map((s) => `sft/${s}.jsonl`).filter((p) => written.has(p.replace(/\.jsonl$/, '')))]);
      await writeFile(join(outDir, 'dataset_info.json'), `${JSON.stringify(llamaFactoryInfo(datasetSlug(config.name), existing), null, 2)}\n`);
      await add('dataset_info.json', '', '', 0);
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const counts: Record<string, Record<string, number>> = {};
      if (Object.keys(ktoCounts).length > 0) counts.kto = ktoCounts;
      return { files, counts };
    },

    async abort() {
      await Promise.all([...jsonl.values()].map((e) => e.writer.abort()));
      await sink.abort();
    },
  };
}
