/**
 * The locks that keep derived state right when several connections write at once. SQLite has one
 * writer at a time, and the store's transactions take the write lock when they begin (BEGIN
 * IMMEDIATE, store.sqlite.ts), so these are no-ops there. PostgreSQL runs transactions concurrently (READ
 * COMMITTED), so a transaction that reads derived state to write it back (an ingest: stored
 * hashes, targets, tallies; a moderator's decision; a consensus change) first takes one
 * transaction-scoped advisory lock, held until it commits.
 *
 * The ingest lock also makes `seq` order commit order: a transaction takes it before its first
 * insert, so no row with a smaller `seq` can commit after a reader has seen a larger one — a push
 * cursor (`contributions({ after })`) never skips a row.
 */
import { type QueryExecutorProvider, sql } from 'kysely';
import { isPostgres } from './migrations/dialect.ts';

/** Advisory-lock key space of this program ('VRN'), and the keys within it. */
const SPACE = 0x56524e;
const ITEMS = 1;
const GLOSSARY_SPACE = SPACE + 1;

/** Serialises writers of contributions and item state (ingest, moderation, re-derivation). */
export async function lockItems(trx: QueryExecutorProvider): Promise<void> {
  if (isPostgres(trx)) await sql`SELECT pg_advisory_xact_lock(${SPACE}::int, ${ITEMS}::int)`.execute(trx);
}

/** Serialises syncs of one campaign's glossary (read, apply, append or compact). */
export async function lockGlossary(trx: QueryExecutorProvider, campaign: string): Promise<void> {
  if (isPostgres(trx)) await sql`SELECT pg_advisory_xact_lock(${GLOSSARY_SPACE}::int, hashtext(${campaign}))`.execute(trx);
}
