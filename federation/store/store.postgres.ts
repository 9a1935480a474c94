/**
 * The PostgreSQL store, for a hub (or any node that already runs PostgreSQL): a `pg` pool behind
 * Kysely's PostgresDialect. Migrations, reads, campaigns, seeds and the review queue are the
 * shared Kysely code the SQLite store runs; ingest is ingest.postgres.ts (one transaction per
 * batch under the items lock, see locks.ts).
 *
 * Every connection runs with `synchronous_commit = on` (whatever the server's default), so a
 * commit — and with it an `accepted` answer — is on disk before `ingest` resolves. 64-bit
 * integers (`seq`, `device_seq`, counts) come back as JS numbers, as from SQLite; all are below
 * 2^53 (the protocol caps `deviceSeq` there), and a larger one is an error, never a rounded number.
 */
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from './schema.ts';
import type { Store, WithinIngest } from './store.ts';
import { migrateToLatest } from './migrate.ts';
import { type BatchPlan, classify, planBatch, planRelayed } from './ingest.ts';
import { postgresIngest } from './ingest.postgres.ts';
import { countContributions, readContributions, readRelayTexts } from './read.ts';
import { campaignByJoinCode, campaignTallies, drawSeeds, getCampaign, importSeeds, listCampaigns, saveCampaign } from './campaigns.ts';
import { moderate, reviewQueue, statuses } from './review.ts';
import { reviewerStore } from './reviewers.ts';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq-style query options allowed). */
  url: string;
  /** Refuse a database the program has never migrated (for commands that read what a server holds). */
  mustExist?: boolean;
  /** Pool size (default 10). */
  maxConnections?: number;
}

const INT8 = 20;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`64-bit integer ${text} is beyond what this program handles exactly`);
  return n;
}

/** Type parsers for this pool only (the `pg` module's global parsers are left alone). */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** The URL with its password replaced by `***`, for messages and logs. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not parseable as a URL: hide anything between "://user:" and "@".
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const shown = maskUrl(options.url);
  try {
    new URL(options.url);
  } catch {
    throw new Error(`Not a PostgreSQL URL: ${shown} (expected postgres://user:password@host:port/database)`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    types,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw('SET synchronous_commit = on'));
      },
    }),
  });
  try {
    try {
      await sql`SELECT 1`.execute(db);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`Cannot open the PostgreSQL database ${shown}: ${reason.replaceAll(options.url, shown)}`, { cause: err });
    }
    if (options.mustExist) {
      const { rows } = await sql<{ found: boolean }>`SELECT to_regclass('kysely_migration') IS NOT NULL AS found`.execute(db);
      if (rows[0]?.found !== true) throw new Error(`No Vernacular data in the PostgreSQL database ${shown}`);
    }
    await migrateToLatest(db as Kysely<unknown>);
  } catch (err) {
    await db.destroy();
    throw err;
  }

  const store = async (plan: BatchPlan, within?: WithinIngest) => classify(plan, await postgresIngest(db, plan.firsts, plan.firstItems, plan.served, within));

  const reviewers = reviewerStore(db);
  let closed = false;
  return {
    db,
    async ingest(deviceId, items, canonical) {
      if (closed) throw new Error('The store is closed');
      if (items.length === 0) return [];
      return store(planBatch(deviceId, items, new Date().toISOString(), canonical));
    },
    async ingestRelayed(origin, records, within) {
      if (closed) throw new Error('The store is closed');
      if (records.length === 0 && within === undefined) return [];
      return store(planRelayed(origin, records, new Date().toISOString()), within);
    },
    contributions: (readOptions) => readContributions(db, readOptions),
    relayTexts: (relayOptions) => readRelayTexts(db, relayOptions),
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
