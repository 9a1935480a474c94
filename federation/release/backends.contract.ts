/**
 * Test support for the release tests that read a store: each runs on SQLite and on PostgreSQL
 * (a fresh schema per store, `usePostgresStores`), so that a release built from either backend is
 * tested — the live store of `dataset build`, a snapshot taken from it, the glossary and gold
 * tables. Call `releaseBackends()` at the top of a test file (it registers the PostgreSQL
 * database's hooks); PostgreSQL unreachable fails the file, it never skips.
 */
import { openStore, type Store } from '../store/index.ts';
import { usePostgresStores } from '../../test/support/postgres-stores.ts';

/** One store of a backend: opened as often as a test likes (a CLI command opens its own). */
export interface BackendStore {
  open(): Promise<Store>;
  /** What the CLI needs besides `--data` to reach this store. */
  cliArgs: string[];
  /**
   * Removes it (after every store opened on it is closed). A PostgreSQL schema must go before the
   * next one is made: Kysely's migrator looks for its tables in every schema it can see.
   */
  drop(): Promise<void>;
}

export interface ReleaseBackend {
  name: 'SQLite' | 'PostgreSQL';
  /** A new, empty store whose data folder (snapshots, keys, SQLite's file) is `dataDir`. */
  store(dataDir: string): Promise<BackendStore>;
}

/** A fixed pseudonym key for tests (a deployment's is random: pseudonyms.ts). */
export const TEST_PSEUDONYM_KEY = '5e'.repeat(32);

export function releaseBackends(): ReleaseBackend[] {
  const postgres = usePostgresStores();
  return [
    { name: 'SQLite', store: async (dataDir) => ({ open: () => openStore({ dataDir }), cliArgs: [], drop: async () => {} }) },
    {
      name: 'PostgreSQL',
      store: async (dataDir) => {
        const { url, drop } = await postgres.freshSchema();
        return { open: () => openStore({ dataDir, database: url }), cliArgs: ['--database', url], drop };
      },
    },
  ];
}
