/**
 * Test support: stores on PostgreSQL for contract suites. `usePostgresStores()` (called at the top
 * of a test file) makes the file its own database (`freshDatabase`, so files run side by side,
 * dropped after) and gives each store a fresh schema of it (`search_path` in the URL's
 * `options`), which is much faster than a database per test. PostgreSQL unreachable: the file
 * fails, saying how to start it.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../../federation/store/index.ts';
import type { StoreHarness } from '../../federation/store/store.contract.ts';
import { type FreshDatabase, freshDatabase } from './postgres.ts';

// A PostgreSQL store does not use its data folder; a path that cannot exist proves it.
export const NO_DATA_DIR = '/nonexistent/vernacular-data';

export interface Schema {
  /** The database URL whose connections use this schema. */
  url: string;
  drop(): Promise<void>;
}

export interface PostgresStores {
  /** A new, empty schema. */
  freshSchema(): Promise<Schema>;
  /** A harness for the store contracts: each `open()` is a store in a new schema. */
  harness(): StoreHarness;
}

export function usePostgresStores(): PostgresStores {
  let database: FreshDatabase | undefined;
  let owner: pg.Client | undefined;
  let count = 0;
  beforeAll(async () => {
    database = await freshDatabase();
    owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
  });
  afterAll(async () => {
    await owner?.end();
    await database?.drop();
  });

  const freshSchema = async (): Promise<Schema> => {
    const name = `s${++count}`;
    await owner!.query(`CREATE SCHEMA ${name}`);
    const url = new URL(database!.url);
    url.searchParams.set('options', `-c search_path=${name}`);
    return { url: url.toString(), drop: async () => void (await owner!.query(`DROP SCHEMA ${name} CASCADE`)) };
  };
  return {
    freshSchema,
    harness: () => {
      let schema: Schema | undefined;
      return {
        open: async () => {
          schema = await freshSchema();
          return openStore({ dataDir: NO_DATA_DIR, database: schema.url });
        },
        reopen: () => openStore({ dataDir: NO_DATA_DIR, database: schema!.url, mustExist: true }),
        cleanup: async () => schema?.drop(),
      };
    },
  };
}
