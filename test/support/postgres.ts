/**
 * Test support: a fresh PostgreSQL database per test file (so files can run side by side), made
 * on the server named by VERNACULAR_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres)
 * and dropped afterwards. PostgreSQL is part of the test environment: when it cannot be reached
 * this fails, saying how to start it, rather than skipping.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_PG = process.env.VERNACULAR_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface FreshDatabase {
  /** postgres://…/vern_<random> */
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_PG} (${(err as Error).message}). Start it with ` +
        '`pg_ctlcluster --skip-systemctl-redirect <version> main start`, or point VERNACULAR_TEST_PG at one.',
      { cause: err },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function freshDatabase(prefix = 'vern'): Promise<FreshDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_PG);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }),
  };
}
