/**
 * `--database <url>`, shared by the commands that open a store: a `postgres://` or
 * `postgresql://` URL stores in PostgreSQL instead of the SQLite file in the data folder; without
 * it, the `DATABASE_URL` environment variable (when set and not empty) is used.
 */
import { resolve } from 'node:path';
import { openStore, type Store } from '../store/index.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';

export const DATABASE_OPTION = { database: { type: 'string' } } as const;

export const DATABASE_USAGE =
  '  --database <url>         store in PostgreSQL at this postgres:// URL instead of SQLite in\n' +
  '                           the data folder (default: $DATABASE_URL when set)';

export function databaseUrl(value: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = value ?? env['DATABASE_URL'];
  return url === undefined || url === '' ? undefined : url;
}

/** Opens the store a command names (`--data`, `--database` or $DATABASE_URL), runs `work`, closes it. */
export async function withStore<T>(values: { data?: string | undefined; database?: string | undefined }, work: (store: Store, dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = resolve(values.data ?? DEFAULT_DATA_DIR);
  const database = databaseUrl(values.database);
  const store = await openStore({ dataDir, ...(database !== undefined ? { database } : {}) });
  try {
    return await work(store, dataDir);
  } finally {
    await store.close();
  }
}
