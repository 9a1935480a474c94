/**
 * `vernacular dataset build`: exports what a node holds as a dataset folder, one configuration
 * per training use (see configs.ts for the layout and card.ts for the dataset card).
 *
 * Only items whose derived status is `accepted` (by their campaign's consensus rule) go in, or
 * also `pending` ones when asked; withdrawn, superseded, hidden and rejected items never do, so an
 * edit replaces the original and a withdrawal removes it from every later export.
 *
 * Streams from the store one kind at a time, page by page, and writes with backpressure, so
 * memory stays flat however large the node. Output is deterministic: records in kind order, then
 * server order; no timestamps of the export.
 *
 * Extra writers: other modules (the glossary) add their own files through `extras`, each called
 * once with the output folder after the built-in configurations are written; the card lists what
 * each returns.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CONTENT_KINDS, type ItemStatus } from '../protocol/index.ts';
import type { Store, StoredContribution } from '../store/index.ts';
import { datasetCard } from './card.ts';
import { CONFIGS, type ConfigName, DATASET_FILES, type DatasetConfig } from './configs.ts';
import { jsonlWriter, type JsonlWriter } from './jsonl.ts';
import {
  evalRecord,
  idiomRecord,
  isKind,
  normRecord,
  preferenceRecord,
  ruleRecord,
  sftRecord,
  translationRecord,
} from './records.ts';

/** What an extra writer wrote: listed in the card like a built-in configuration. */
export interface ExtraConfig extends DatasetConfig {
  count: number;
}

/** Writes its files under the output folder and says what it wrote. */
export type ExtraWriter = (outDir: string) => Promise<ExtraConfig>;

export interface BuildDatasetOptions {
  store: Store;
  outDir: string;
  /** Also export items still waiting for enough reviews (default: accepted items only). */
  includePending?: boolean;
  /** Writers of further configurations (e.g. the campaign glossaries). */
  extras?: readonly ExtraWriter[];
  /** Origins (node ids) whose records are left out: the nodes a hub's steward quarantined. */
  excludeOrigins?: ReadonlySet<string>;
}

export interface DatasetCounts {
  /** Items exported (each once, whatever number of configurations it feeds). */
  items: number;
  configs: Record<ConfigName, number>;
  /** Items per BCP 47 tag. */
  languages: Record<string, number>;
  /** Items per SPDX licence id. */
  licences: Record<string, number>;
  extras: ExtraConfig[];
  /** Items left out because they came from a quarantined node. */
  quarantined: number;
}

function exported(status: ItemStatus, includePending: boolean): boolean {
  return status === 'accepted' || (includePending && status === 'pending');
}

/** Each configuration's records for one item (none when the item makes none for it). */
function recordsOf(stored: StoredContribution): Partial<Record<ConfigName, unknown>> {
  const out: Partial<Record<ConfigName, unknown>> = {
    sft: sftRecord(stored),
    preference: preferenceRecord(stored),
  };
  if (isKind(stored, 'idiom')) out.idioms = idiomRecord(stored);
  else if (isKind(stored, 'translation')) out.translation = translationRecord(stored);
  else if (isKind(stored, 'norm')) out.norms = normRecord(stored);
  else if (isKind(stored, 'rule')) out.rules = ruleRecord(stored);
  else if (isKind(stored, 'eval')) out.eval = evalRecord(stored);
  return out;
}

export async function buildDataset(options: BuildDatasetOptions): Promise<DatasetCounts> {
  const { store, outDir } = options;
  const includePending = options.includePending ?? false;
  const writers = {} as Record<ConfigName, JsonlWriter>;
  for (const config of CONFIGS) {
    const path = join(outDir, config.files[0]!.path);
    await mkdir(dirname(path), { recursive: true });
    writers[config.config] = jsonlWriter(path);
  }
  const counts: DatasetCounts = {
    items: 0,
    configs: Object.fromEntries(CONFIGS.map((c) => [c.config, 0])) as Record<ConfigName, number>,
    languages: {},
    licences: {},
    extras: [],
    quarantined: 0,
  };
  const excluded = options.excludeOrigins ?? new Set<string>();
  try {
    for (const kind of CONTENT_KINDS) {
      for await (const stored of store.contributions({ kind })) {
        if (!exported(stored.status, includePending)) continue;
        if (stored.origin !== null && excluded.has(stored.origin)) {
          counts.quarantined++;
          continue;
        }
        const records = recordsOf(stored);
        let written = 0;
        for (const config of CONFIGS) {
          const record = records[config.config];
          if (record === undefined) continue;
          await writers[config.config].write(record);
          counts.configs[config.config]++;
          written++;
        }
        // A compare with no preference (a tie, "both bad") feeds no configuration.
        if (written === 0) continue;
        const { language, consent } = stored.contribution;
        counts.items++;
        counts.languages[language] = (counts.languages[language] ?? 0) + 1;
        counts.licences[consent.licence] = (counts.licences[consent.licence] ?? 0) + 1;
      }
    }
    for (const writer of Object.values(writers)) await writer.commit();
  } catch (err) {
    await Promise.all(Object.values(writers).map((w) => w.abort()));
    throw err;
  }
  for (const extra of options.extras ?? []) counts.extras.push(await extra(outDir));
  await writeFile(join(outDir, DATASET_FILES.card), datasetCard(counts, includePending));
  return counts;
}
