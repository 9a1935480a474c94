export { buildDataset, DATASET_FILES, type BuildDatasetOptions, type DatasetCounts } from './build.ts';
export type { IdiomRecord, SftRecord } from './records.ts';
export type { ChatMessage } from './prompts.ts';
