/**
 * What a release holds: one folder per dataset config, each with its splits (JSONL here; the
 * Parquet shards beside them), named as Hugging Face's loader expects. `kto` is made from the
 * preference pairs (views.ts); the OpenAI and LLaMA-Factory views are files, not configs. Beside
 * these item configs, `glossary` (train only) holds the campaigns' glossary terms (glossary.ts).
 */
export const RELEASE_CONFIGS = ['idioms', 'sft', 'preference', 'kto', 'translation', 'norms', 'rules', 'eval'] as const;
export type ReleaseConfigName = (typeof RELEASE_CONFIGS)[number];

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Eval items are test data only; everything else is split by contributor. */
export function splitsOf(config: ReleaseConfigName): readonly Split[] {
  return config === 'eval' ? ['test'] : SPLITS;
}
