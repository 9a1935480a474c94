import { describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import pg from 'pg';
import { Contribution } from '../protocol/index.ts';
import { openStore } from './index.ts';
import { storeContract } from './store.contract.ts';
import { derivedContract } from './derived.contract.ts';
import { relayContract } from './relay.contract.ts';
import { reviewersContract } from './reviewers.contract.ts';
import { migrationProvider } from './migrations/index.ts';
import { maskUrl } from './store.postgres.ts';
import { idiom } from '../../test/support/contributions.ts';
import { NO_DATA_DIR, usePostgresStores } from '../../test/support/postgres-stores.ts';

const database = usePostgresStores();
storeContract('PostgreSQL', database.harness);
derivedContract('PostgreSQL', database.harness);
relayContract('PostgreSQL', database.harness);
reviewersContract('PostgreSQL', database.harness);

describe('PostgreSQL store database', () => {
  const query = async <T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  };

  it('runs each migration once, however often it is opened', async () => {
    const schema = await database.freshSchema();
    try {
      for (let i = 0; i < 3; i++) await (await openStore({ dataDir: NO_DATA_DIR, database: schema.url })).close();
      const names = await query<{ name: string }>(schema.url, 'SELECT name FROM kysely_migration ORDER BY name');
      expect(names.map((n) => n.name)).toEqual(Object.keys(await migrationProvider.getMigrations()).sort());
    } finally {
      await schema.drop();
    }
  });

  it('numbers rows with a 64-bit identity and keeps device sequence numbers up to 2^53', async () => {
    const schema = await database.freshSchema();
    const store = await openStore({ dataDir: NO_DATA_DIR, database: schema.url });
    try {
      const item = Contribution.parse(idiom({ deviceSeq: Number.MAX_SAFE_INTEGER }));
      expect(await store.ingest(uuidv4(), [item])).toEqual(['accepted']);
      for await (const stored of store.contributions()) expect(stored.contribution.deviceSeq).toBe(Number.MAX_SAFE_INTEGER);
      const columns = await query<{ column_name: string; data_type: string; is_identity: string }>(
        schema.url,
        "SELECT column_name, data_type, is_identity FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'contributions' AND column_name IN ('seq', 'device_seq') ORDER BY column_name",
      );
      expect(columns).toEqual([
        { column_name: 'device_seq', data_type: 'bigint', is_identity: 'NO' },
        { column_name: 'seq', data_type: 'bigint', is_identity: 'YES' },
      ]);
    } finally {
      await store.close();
      await schema.drop();
    }
  });

  it('commits synchronously on its connections', async () => {
    const schema = await database.freshSchema();
    const store = await openStore({ dataDir: NO_DATA_DIR, database: schema.url });
    try {
      const { rows } = await (await import('kysely')).sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(store.db);
      expect(rows[0]!.synchronous_commit).toBe('on');
    } finally {
      await store.close();
      await schema.drop();
    }
  });

  it('refuses to create a store where one must already exist', async () => {
    const schema = await database.freshSchema();
    try {
      await expect(openStore({ dataDir: NO_DATA_DIR, database: schema.url, mustExist: true })).rejects.toThrow(/No Vernacular data/);
    } finally {
      await schema.drop();
    }
  });

  it('says which server it cannot reach, with the password masked', async () => {
    const url = 'postgres://vern:s3cret-pw@127.0.0.1:1/nowhere';
    const error = await openStore({ dataDir: NO_DATA_DIR, database: url }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/Cannot open the PostgreSQL database postgres:\/\/vern:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    expect(error?.message).not.toContain('s3cret-pw');
  });

  it('refuses a database URL that is not PostgreSQL, and masks its password', async () => {
    await expect(openStore({ dataDir: NO_DATA_DIR, database: 'mysql://u:hunter2@host/db' })).rejects.toThrow(
      /^Unsupported database mysql:\/\/u:\*\*\*@host\/db/,
    );
    expect(maskUrl('postgresql://u:p%40ss@h:5432/d?sslmode=require')).toBe('postgresql://u:***@h:5432/d?sslmode=require');
    expect(maskUrl('postgres://u@h/d')).toBe('postgres://u@h/d');
  });
});
