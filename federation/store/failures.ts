/**
 * Telling a store failure that is the world's (a full disk, a database out of connections, text
 * the database refuses) from a bug, for both backends, so the server can answer it with its own
 * status and a Retry-After instead of a bare 500. A failed write has rolled back its transaction
 * on either backend (better-sqlite3's and Kysely's transactions roll back on any throw, and
 * PostgreSQL aborts the transaction), so nothing was stored and the next write works once the
 * cause is gone.
 */

export type StoreFailure =
  /** The disk (or the database's quota) is full: SQLITE_FULL, PostgreSQL 53100 disk_full. */
  | 'storage_full'
  /** The database cannot serve now: PostgreSQL class 53 (other than disk_full), 57P01–57P03, class 08, a refused connection. */
  | 'unavailable'
  /** A string the database cannot hold: PostgreSQL 22021 (NUL, bad encoding), 22P05. */
  | 'unstorable_text';

/** Error codes (better-sqlite3's `code`, Node's `code`, PostgreSQL's SQLSTATE) and what each means. */
const BY_CODE: Record<string, StoreFailure> = {
  SQLITE_FULL: 'storage_full',
  '53100': 'storage_full',
  '22021': 'unstorable_text',
  '22P05': 'unstorable_text',
  '57P01': 'unavailable',
  '57P02': 'unavailable',
  '57P03': 'unavailable',
  ECONNREFUSED: 'unavailable',
  ECONNRESET: 'unavailable',
};

/** What `err` (or an error it was caused by) says about the store, or undefined for anything else. */
export function storeFailure(err: unknown): StoreFailure | undefined {
  for (let e = err, hops = 0; e !== null && typeof e === 'object' && hops < 5; e = (e as { cause?: unknown }).cause, hops++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    const known = BY_CODE[code];
    if (known !== undefined) return known;
    // SQLSTATE classes: 53 insufficient resources, 08 connection exception.
    if (/^53[0-9A-Z]{3}$/.test(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'unavailable';
    // A write the disk could not take: SQLite reports ENOSPC on write as SQLITE_FULL, but a
    // full disk during a WAL checkpoint or fsync can surface as an I/O error.
    if (code.startsWith('SQLITE_IOERR') && /no space|disk is full|database or disk is full/i.test(String((e as Error).message))) return 'storage_full';
  }
  return undefined;
}
