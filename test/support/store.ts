/** Test support: looking inside a node's data folder without going through the server. */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { CONTENT_KINDS, type Contribution, type StatusResponse } from '../../federation/protocol/index.ts';
import { sqlitePath } from '../../federation/store/index.ts';
import { fromRow } from '../../federation/store/rows.ts';
import { statuses } from '../../federation/store/review.ts';
import type { ContributionRow, Database } from '../../federation/store/schema.ts';

/** How many contributions the node's database holds (opened read-only; safe while it runs). */
export function countStored(dataDir: string): number {
  const db = new BetterSqlite3(sqlitePath(dataDir), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) FROM contributions').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** How many seeds the node holds for a campaign (opened read-only; safe while it runs). */
export function countSeeds(dataDir: string, campaign: string): number {
  const db = new BetterSqlite3(sqlitePath(dataDir), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) FROM seeds WHERE campaign = ?').pluck().get(campaign) as number;
  } finally {
    db.close();
  }
}

/** The content items the node holds for a campaign and language, in store order (whole, signed). */
export function storedContributions(dataDir: string, campaign: string, language: string): Contribution[] {
  const db = new BetterSqlite3(sqlitePath(dataDir), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(`SELECT * FROM contributions WHERE campaign = ? AND language = ? AND kind IN (${CONTENT_KINDS.map(() => '?').join(', ')}) ORDER BY seq`)
      .all(campaign, language, ...CONTENT_KINDS) as ContributionRow[];
    return rows.map((row) => fromRow(row).contribution);
  } finally {
    db.close();
  }
}

/**
 * The derived status of items as the node holds it (the store's own `statuses`, read-only): what
 * each item's author is told, looked up from outside as no client can.
 */
export async function storedStatuses(dataDir: string, ids: readonly string[]): Promise<StatusResponse['items']> {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(sqlitePath(dataDir), { readonly: true, fileMustExist: true }) }) });
  try {
    return await statuses(db, ids);
  } finally {
    await db.destroy();
  }
}
