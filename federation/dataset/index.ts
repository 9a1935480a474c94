export {
  buildDataset,
  datasetConfig,
  DATASET_VERSION,
  type BuildDatasetOptions,
  type DatasetCounts,
} from './build.ts';
export { CONFIGS, DATASET_FILES, type ConfigName, type DatasetConfig, type DatasetFile } from './configs.ts';
export type {
  EvalRecord,
  IdiomRecord,
  NormRecord,
  PreferenceRecord,
  RuleRecord,
  SftRecord,
  TranslationRecord,
} from './records.ts';
export type { ChatMessage } from './prompts.ts';
