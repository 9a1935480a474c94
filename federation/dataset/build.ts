/**
 * `vernacular dataset build`: exports what a node holds as a dataset folder.
 *
 *   idioms/train.jsonl   one record per idiom
 *   sft/train.jsonl      one chat (`messages`) per idiom
 *   README.md            the dataset card with Hugging Face metadata
 *
 * Streams from the store page by page and writes with backpressure, so memory stays flat however
 * large the node. Output is deterministic: records in server order, no timestamps of the export.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../store/index.ts';
import { datasetCard, type DatasetSummary } from './card.ts';
import { jsonlWriter } from './jsonl.ts';
import { idiomRecord, isIdiom, sftRecord } from './records.ts';

export const DATASET_FILES = {
  idioms: 'idioms/train.jsonl',
  sft: 'sft/train.jsonl',
  card: 'README.md',
} as const;

export interface BuildDatasetOptions {
  store: Store;
  outDir: string;
}

export interface DatasetCounts extends DatasetSummary {
  sft: number;
}

export async function buildDataset({ store, outDir }: BuildDatasetOptions): Promise<DatasetCounts> {
  await mkdir(join(outDir, 'idioms'), { recursive: true });
  await mkdir(join(outDir, 'sft'), { recursive: true });
  const idioms = jsonlWriter(join(outDir, DATASET_FILES.idioms));
  const sft = jsonlWriter(join(outDir, DATASET_FILES.sft));
  const counts: DatasetCounts = { idioms: 0, sft: 0, languages: {}, licences: {} };

  try {
    for await (const stored of store.contributions({ kind: 'idiom' })) {
      if (!isIdiom(stored)) continue;
      await idioms.write(idiomRecord(stored));
      await sft.write(sftRecord(stored));
      const { language, consent } = stored.contribution;
      counts.idioms++;
      counts.sft++;
      counts.languages[language] = (counts.languages[language] ?? 0) + 1;
      counts.licences[consent.licence] = (counts.licences[consent.licence] ?? 0) + 1;
    }
    await idioms.commit();
    await sft.commit();
  } catch (err) {
    await Promise.all([idioms.abort(), sft.abort()]);
    throw err;
  }
  await writeFile(join(outDir, DATASET_FILES.card), datasetCard(counts));
  return counts;
}
