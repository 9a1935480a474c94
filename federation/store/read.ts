/**
 * Streaming reads, shared by every SQL backend: keyset pages over `seq`, bounded by the largest
 * `seq` when the read starts. Rows are immutable and every backend commits them in `seq` order
 * (SQLite has one writer; the PostgreSQL store takes one lock for each ingest transaction, from
 * its first insert to its commit), so the pages together are one consistent set however long the
 * reader takes, and a cursor (`after`) never skips a row that commits later with a smaller `seq`. (Each row carries
 * its derived status as of the page's read; statuses can change between pages.)
 */
import type { Kysely } from 'kysely';
import type { ItemStatus } from '../protocol/index.ts';
import type { Database } from './schema.ts';
import type { ReadOptions, RelayReadOptions, RelayText, StoreCounts, StoredContribution } from './store.ts';
import { fromRow, RELAY_COLUMNS, relayText } from './rows.ts';

const DEFAULT_PAGE_SIZE = 1000;

export async function* readContributions(
  db: Kysely<Database>,
  options: ReadOptions = {},
): AsyncGenerator<StoredContribution> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`Bad page size ${pageSize}`);
  const bound = await db
    .selectFrom('contributions')
    .select((eb) => eb.fn.max('seq').as('max'))
    .executeTakeFirst();
  const maxSeq = Number(bound?.max ?? 0);

  let after = options.after ?? 0;
  let left = options.limit ?? Infinity;
  if (!Number.isInteger(after)) throw new RangeError(`Bad cursor ${after}`);
  if (left !== Infinity && (!Number.isInteger(left) || left < 0)) throw new RangeError(`Bad limit ${left}`);
  while (after < maxSeq && left > 0) {
    let query = db
      .selectFrom('contributions as c')
      .leftJoin('item_state as s', 's.id', 'c.id')
      .selectAll('c')
      .select('s.status')
      .where('c.seq', '>', after)
      .where('c.seq', '<=', maxSeq);
    if (options.kind !== undefined) query = query.where('c.kind', '=', options.kind);
    const excluded = options.excludeOrigin;
    if (excluded !== undefined) query = query.where((eb) => eb.or([eb('c.origin', 'is', null), eb('c.origin', '<>', excluded)]));
    const page = await query.orderBy('c.seq').limit(Math.min(pageSize, left)).execute();
    if (page.length === 0) return;
    for (const { status, ...row } of page) yield fromRow(row, (status ?? 'pending') as ItemStatus);
    left -= page.length;
    after = Number(page[page.length - 1]!.seq);
  }
}

/** `Store.relayTexts` in portable SQL: one page, no join (the SQLite store prepares its own). */
export async function readRelayTexts(db: Kysely<Database>, options: RelayReadOptions): Promise<RelayText[]> {
  checkRelayRead(options);
  let query = db.selectFrom('contributions').select(RELAY_COLUMNS).where('seq', '>', options.after);
  const excluded = options.excludeOrigin;
  if (excluded !== undefined) query = query.where((eb) => eb.or([eb('origin', 'is', null), eb('origin', '<>', excluded)]));
  const rows = await query.orderBy('seq').limit(options.limit).execute();
  return rows.map((row) => relayText(RELAY_COLUMNS.map((c) => row[c])));
}

/** The highest `seq` stored (0 when empty): every stored change (an item, a review, a withdrawal) moves it. */
export async function topSeq(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('contributions').select((eb) => eb.fn.max('seq').as('top')).executeTakeFirst();
  return Number(row?.top ?? 0);
}

export function checkRelayRead(options: RelayReadOptions): void {
  if (!Number.isInteger(options.after)) throw new RangeError(`Bad cursor ${options.after}`);
  if (!Number.isInteger(options.limit) || options.limit < 0) throw new RangeError(`Bad limit ${options.limit}`);
}

export async function countContributions(db: Kysely<Database>): Promise<StoreCounts> {
  const groups = await db
    .selectFrom('contributions')
    .select(['kind', 'language', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['kind', 'language'])
    .execute();
  const counts: StoreCounts = { total: 0, byKind: {}, byLanguage: {} };
  for (const { kind, language, n } of groups) {
    const count = Number(n);
    counts.total += count;
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + count;
    counts.byLanguage[language] = (counts.byLanguage[language] ?? 0) + count;
  }
  return counts;
}
