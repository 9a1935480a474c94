/**
 * `vernacular dataset build`: a shortcut to the release pipeline (federation/release/pipeline.ts)
 * run on the live store with a built-in permissive config — one pipeline, not two.
 *
 * What it changes from a release: no snapshot is taken or recorded, no release is recorded; the
 * language re-check, near-duplicate detection and the abuse defences are off; validation and
 * test fractions are 0, so everything but evaluation items is in `train`. Everything else is the
 * pipeline's: schema check and normalisation, withdrawn/superseded/hidden items and quarantined
 * nodes left out, accepted items only (or pending ones too when asked), personal data redacted,
 * exact duplicates kept once, `rejected.jsonl`, `report.json`, `contributors.txt` and the card.
 *
 * Every configuration file the exporter has always written exists afterwards, empty when nothing
 * went in (`idioms/train.jsonl`, `sft/train.jsonl`, `preference/train.jsonl`, …, `eval/test.jsonl`),
 * so scripts reading them keep working — `glossary/train.jsonl` too, the campaigns' glossaries,
 * which the pipeline writes like any other config (release/glossary.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Store } from '../store/index.ts';
import { parseReleaseConfig, type ReleaseConfig } from '../release/config.ts';
import { RELEASE_CONFIGS, SPLITS } from '../release/layout.ts';
import { buildRelease, type ReleaseManifest } from '../release/pipeline.ts';
import { GLOSSARY_CONFIG } from '../release/glossary.ts';
import { CONFIGS, type ConfigName, DATASET_FILES } from './configs.ts';

export interface BuildDatasetOptions {
  store: Store;
  outDir: string;
  /** Also export items still waiting for enough reviews (default: accepted items only). */
  includePending?: boolean;
  /** Origins (node ids) whose records are left out: the nodes a hub's steward quarantined. */
  excludeOrigins?: ReadonlySet<string>;
  log?: (line: string) => void;
  /** The deployment's pseudonym key (release/pseudonyms.ts): contributors appear only by their keyed hash. */
  pseudonymKey: string;
}

export interface DatasetCounts {
  /** Items exported (each once, whatever number of configurations it feeds). */
  items: number;
  /** Records per configuration (all splits). */
  configs: Record<ConfigName, number>;
  /** Items per BCP 47 tag. */
  languages: Record<string, number>;
  /** Items per SPDX licence id. */
  licences: Record<string, number>;
  /** Items left out because they came from a quarantined node. */
  quarantined: number;
  /** The release pipeline's manifest (stage counts, files with sha256). */
  manifest: ReleaseManifest;
}

/** The version the shortcut's card and report carry: it is not a release. */
export const DATASET_VERSION = 'unreleased';

const HUGE = Number.MAX_SAFE_INTEGER;

/** The built-in permissive config of `dataset build`. */
export function datasetConfig(includePending: boolean): ReleaseConfig {
  return parseReleaseConfig({
    version: DATASET_VERSION,
    description:
      'What this node holds, exported with `vernacular dataset build`: the release pipeline with its permissive built-in ' +
      'configuration (no language re-check, no near-duplicate detection, no abuse defences, everything in train). ' +
      'Not a release: build one with `vernacular release build`.',
    includePending,
    language: { check: false },
    duplicates: { near: false },
    abuse: { maxPerContributor: HUGE, maxPerNode: HUGE, rejectionRatio: HUGE, minItems: HUGE, minGold: HUGE, phraseContributors: HUGE },
    splits: { validation: 0, test: 0 },
  });
}

/** The files a previous build wrote that this one would otherwise leave stale. */
async function clearPrevious(outDir: string): Promise<void> {
  for (const config of [...RELEASE_CONFIGS, GLOSSARY_CONFIG]) {
    for (const split of SPLITS) await rm(join(outDir, config, `${split}.jsonl`), { force: true });
  }
  // Where builds before the glossary became a config of the pipeline wrote it.
  await rm(join(outDir, 'glossary.jsonl'), { force: true });
}

export async function buildDataset(options: BuildDatasetOptions): Promise<DatasetCounts> {
  const { store, outDir } = options;
  const includePending = options.includePending ?? false;
  await mkdir(outDir, { recursive: true });
  await clearPrevious(outDir);
  const manifest = await buildRelease({
    store,
    config: datasetConfig(includePending),
    outDir,
    snapshot: 'live',
    quarantined: options.excludeOrigins ?? new Set(),
    pseudonymKey: options.pseudonymKey,
    ...(options.log !== undefined ? { log: options.log } : {}),
  });
  for (const config of CONFIGS) {
    const path = join(outDir, DATASET_FILES[config.config]);
    if (existsSync(path)) continue;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '');
  }

  const configs = Object.fromEntries(
    CONFIGS.map((c) => [c.config, Object.values(manifest.counts[c.config] ?? {}).reduce((a, b) => a + b, 0)]),
  ) as Record<ConfigName, number>;
  const quarantined = manifest.stages.find((s) => s.stage === 'exclusions')?.excluded['quarantined_node'] ?? 0;
  return {
    items: Object.values(manifest.kinds).reduce((a, b) => a + b, 0),
    configs,
    languages: manifest.languages,
    licences: manifest.licences,
    quarantined,
    manifest,
  };
}
