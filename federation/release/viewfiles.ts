/**
 * The OpenAI and LLaMA-Factory view files (views.ts), written from the `sft` and `preference`
 * rows of the train and validation splits as the Parquet sink takes them (parquet.sink.ts): on the
 * Parquet thread when there is one, which has time to spare while the main thread reads the work
 * table and makes the records. Each view file is fed one config/split's rows, in their order.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PreferenceRecord, SftRecord } from '../dataset/records.ts';
import { TextFile, type WrittenText } from '../dataset/textfile.ts';
import { llamaFactoryPreference, openaiDpo, openaiSft, VIEW_FILES } from './views.ts';

export interface ViewFile extends WrittenText {
  path: string;
  split: string;
}

export function viewFiles(outDir: string) {
  const files = new Map<string, { split: string; file: TextFile }>();
  const line = (path: string, split: string, json: string) => {
    let entry = files.get(path);
    if (entry === undefined) {
      mkdirSync(dirname(join(outDir, path)), { recursive: true });
      entry = { split, file: new TextFile(join(outDir, path)) };
      files.set(path, entry);
    }
    entry.file.line(json);
  };
  return {
    rows(config: string, split: string, rows: readonly Record<string, unknown>[]): void {
      if (split !== 'train' && split !== 'validation') return;
      if (config === 'sft') {
        for (const r of rows) line(VIEW_FILES.openaiSft[split], split, JSON.stringify(openaiSft(r as unknown as SftRecord)));
      } else if (config === 'preference') {
        for (const r of rows) {
          const p = r as unknown as PreferenceRecord;
          line(VIEW_FILES.openaiDpo[split], split, JSON.stringify(openaiDpo(p)));
          line(VIEW_FILES.llamaFactoryPreference[split], split, JSON.stringify(llamaFactoryPreference(p)));
        }
      }
    },
    finish(): ViewFile[] {
      return [...files].map(([path, { split, file }]) => ({ path, split, ...file.commit() }));
    },
    abort(): void {
      for (const { file } of files.values()) file.abort();
    },
  };
}
