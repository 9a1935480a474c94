/** Test support: looking inside a node's data folder without going through the server. */
import BetterSqlite3 from 'better-sqlite3';
import { sqlitePath } from '../../federation/store/index.ts';

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
