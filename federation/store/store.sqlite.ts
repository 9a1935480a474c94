/**
 * The embedded store: one SQLite file (better-sqlite3). WAL lets the dataset builder read while
 * the server writes; `synchronous=FULL` makes every commit durable (fsync) before `ingest`
 * resolves, so an `accepted` answer survives a power cut.
 *
 * Migrations, reads, campaigns and the review queue go through Kysely (portable SQL, shared with
 * other backends). Ingest uses statements prepared once (ingest.sqlite.ts) — `INSERT … ON CONFLICT
 * (id) DO NOTHING` per row, the semantic lookups and the derived-state writes — in one synchronous
 * transaction, taken under Kysely's connection lock so it never interleaves with a Kysely query. On the ingest benchmark
 * this is about 1.5 ms per 500-row batch cheaper than a Kysely-built multi-row
 * `INSERT … RETURNING`, which SQLite must parse and prepare again (6,500 parameters) every batch.
 */
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, Kysely, sql, SqliteDialect, SqliteDriver, type SqliteDialectConfig } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './store.ts';
import { migrateToLatest } from './migrate.ts';
import { type BatchPlan, classify, planBatch, planRelayed } from './ingest.ts';
import { type BatchWriter, sqliteBatchWriter } from './ingest.sqlite.ts';
import { checkRelayRead, countContributions, readContributions } from './read.ts';
import { RELAY_SQLITE_SELECT, relayTextOfSqlite } from './rows.ts';
import { campaignByJoinCode, campaignTallies, drawSeeds, getCampaign, importSeeds, listCampaigns, saveCampaign } from './campaigns.ts';
import { moderate, reviewQueue, statuses } from './review.ts';
import { reviewerStore } from './reviewers.ts';

export { migrateToLatest } from './migrate.ts';

const NOTHING_WRITTEN = { inserted: new Set<string>(), storedHash: new Map<string, string>(), rejected: new Map() } as const;

export interface SqliteStoreOptions {
  /** The database file. */
  path: string;
  /** Refuse to create a new file (for commands that only read what a node holds). */
  fileMustExist?: boolean;
  /** How long to wait for another process's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/**
 * Kysely's SQLite dialect, with transactions that begin IMMEDIATE. Every Kysely transaction here
 * writes, and most read first (a campaign's version, a cursor, a tally). A deferred transaction that
 * has read cannot take the write lock once another process (a CLI command beside the server) has
 * committed: SQLite answers "database is locked" at once, without waiting out busy_timeout.
 * Taking the lock at BEGIN makes it wait its turn instead.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new (class extends SqliteDriver {
      override async beginTransaction(connection: DatabaseConnection): Promise<void> {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      }
    })(this.#config);
  }
}

function openDatabase(options: SqliteStoreOptions): BetterSqlite3.Database {
  const sqlite = new BetterSqlite3(options.path, { fileMustExist: options.fileMustExist ?? false });
  try {
    sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    const mode = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`SQLite refused WAL mode (journal_mode=${String(mode)})`);
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    return sqlite;
  } catch (err) {
    sqlite.close();
    throw err;
  }
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const sqlite = openDatabase(options);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  let writeBatch: BatchWriter;
  try {
    await migrateToLatest(db as Kysely<unknown>);
    writeBatch = sqliteBatchWriter(sqlite);
  } catch (err) {
    await db.destroy();
    throw err;
  }

  // The push's read (relayTexts): prepared once, rows as arrays, no join.
  const relayPage = sqlite
    .prepare(
      `SELECT ${RELAY_SQLITE_SELECT} FROM contributions WHERE seq > ? AND (origin IS NULL OR origin <> ?) ORDER BY seq LIMIT ?`,
    )
    .raw();
  const relayPageAll = sqlite.prepare(`SELECT ${RELAY_SQLITE_SELECT} FROM contributions WHERE seq > ? ORDER BY seq LIMIT ?`).raw();

  // The connection lock keeps this synchronous transaction clear of any Kysely query.
  const store = async (plan: BatchPlan) =>
    classify(plan, await db.connection().execute(() => Promise.resolve(writeBatch(plan.firsts, plan.firstItems, plan.served))));

  const reviewers = reviewerStore(db);
  let closed = false;
  return {
    db,
    async ingest(deviceId, items, canonical) {
      if (items.length === 0) return [];
      return store(planBatch(deviceId, items, new Date().toISOString(), canonical));
    },
    async ingestRelayed(origin, records, within) {
      if (within === undefined) {
        if (records.length === 0) return [];
        return store(planRelayed(origin, records, new Date().toISOString()));
      }
      const plan = planRelayed(origin, records, new Date().toISOString());
      // One transaction on the one connection: the batch writer's own transaction nests in it (a
      // savepoint), then `within` runs through Kysely on the same connection, then one commit.
      return db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn);
        try {
          const outcome = plan.firsts.length > 0 ? writeBatch(plan.firsts, plan.firstItems, plan.served) : NOTHING_WRITTEN;
          await within(conn);
          await sql`COMMIT`.execute(conn);
          return classify(plan, outcome);
        } catch (err) {
          if (sqlite.inTransaction) await sql`ROLLBACK`.execute(conn);
          throw err;
        }
      });
    },
    contributions: (readOptions) => readContributions(db, readOptions),
    async relayTexts(relayOptions) {
      checkRelayRead(relayOptions);
      const { after, limit, excludeOrigin } = relayOptions;
      const rows = await db.connection().execute(() =>
        Promise.resolve(
          (excludeOrigin === undefined ? relayPageAll.all(after, limit) : relayPage.all(after, excludeOrigin, limit)) as unknown[][],
        ),
      );
      return rows.map(relayTextOfSqlite);
    },
    counts: () => countContributions(db),
    campaigns: () => listCampaigns(db),
    campaign: (slug) => getCampaign(db, slug),
    campaignByJoinCode: (code) => campaignByJoinCode(db, code),
    saveCampaign: (input, options) => saveCampaign(db, input, options),
    campaignTallies: () => campaignTallies(db),
    importSeeds: (campaign, seeds) => importSeeds(db, campaign, seeds),
    drawSeeds: (draw) => drawSeeds(db, draw),
    reviewQueue: (request) => reviewQueue(db, request),
    statuses: (ids, contributor) => statuses(db, ids, contributor),
    moderate: (id, action) => moderate(db, id, action),
    reviewers,
    reviewerEligible: (campaign, contributor) => reviewers.eligible(campaign, contributor),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
