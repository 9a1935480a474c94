/**
 * Opening the store a deployment is configured for. Only the embedded SQLite store exists so far;
 * this is the one place that will choose PostgreSQL when a node is configured for it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store.ts';
import { openSqliteStore } from './store.sqlite.ts';

export type { Store, IngestStatus, StoredContribution, StoreCounts, ReadOptions, CampaignInput, ModeratorAction } from './store.ts';

export const SQLITE_FILE = 'vernacular.sqlite';

export function sqlitePath(dataDir: string): string {
  return join(dataDir, SQLITE_FILE);
}

export interface OpenStoreOptions {
  dataDir: string;
  /** Fail instead of creating an empty store (for commands that read what a node holds). */
  mustExist?: boolean;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (!options.mustExist) mkdirSync(options.dataDir, { recursive: true });
  return openSqliteStore({ path: sqlitePath(options.dataDir), fileMustExist: options.mustExist ?? false });
}
