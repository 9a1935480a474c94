/**
 * Opening the store a deployment is configured for: PostgreSQL when given a `postgres://` or
 * `postgresql://` URL (`--database`, or `DATABASE_URL`), else the embedded SQLite file in the
 * data folder. This is the one place that chooses.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store.ts';
import { openSqliteStore } from './store.sqlite.ts';
import { isPostgresUrl, maskUrl, openPostgresStore } from './store.postgres.ts';

export type {
  Store,
  IngestStatus,
  StoredContribution,
  StoreCounts,
  ReadOptions,
  RelayedRecord,
  RelayText,
  RelayReadOptions,
  WithinIngest,
  CampaignInput,
  CampaignTally,
  ModeratorAction,
} from './store.ts';
export { isPostgresUrl, maskUrl } from './store.postgres.ts';
export { topSeq } from './read.ts';
export { goalProgress } from './campaigns.ts';
export type { ReviewerStore, CredentialInput, StandingChanges } from './reviewers.ts';
export { UnknownCampaignError } from './reviewers.ts';

export const SQLITE_FILE = 'vernacular.sqlite';

export function sqlitePath(dataDir: string): string {
  return join(dataDir, SQLITE_FILE);
}

export interface OpenStoreOptions {
  dataDir: string;
  /**
   * A PostgreSQL URL (`postgres://…` or `postgresql://…`) to store there instead of in the data
   * folder's SQLite file. Anything else is refused, so a typo never silently falls back to SQLite.
   */
  database?: string;
  /** Fail instead of creating an empty store (for commands that read what a node holds). */
  mustExist?: boolean;
}

/** Where a store lives, in words (the password masked). */
export function describeDatabase(options: Pick<OpenStoreOptions, 'dataDir' | 'database'>): string {
  return options.database !== undefined && options.database !== '' ? maskUrl(options.database) : sqlitePath(options.dataDir);
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const database = options.database;
  if (database !== undefined && database !== '') {
    if (!isPostgresUrl(database)) {
      throw new Error(`Unsupported database ${maskUrl(database)}: give a postgres:// or postgresql:// URL, or none for SQLite in the data folder`);
    }
    return openPostgresStore({ url: database, mustExist: options.mustExist ?? false });
  }
  if (!options.mustExist) mkdirSync(options.dataDir, { recursive: true });
  return openSqliteStore({ path: sqlitePath(options.dataDir), fileMustExist: options.mustExist ?? false });
}
