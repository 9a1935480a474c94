/**
 * Named, consistent snapshots: a release is built from a frozen copy of the store, never from the
 * live one, so building it again from the same snapshot gives the same bytes however much the hub
 * has received since.
 *
 * A snapshot is a SQLite file in the data folder (`snapshots/<name>.sqlite`), in the store's own
 * schema, opened read-only by the pipeline like any store. From a SQLite store it is made with
 * `VACUUM INTO` (one read transaction: consistent); from a PostgreSQL store, every table is copied
 * inside one REPEATABLE READ transaction (one consistent view) into a fresh SQLite store, which is
 * then written out with `VACUUM INTO` the same way.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { openStore, type Store } from '../store/index.ts';

export const SNAPSHOT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Tables a release reads (the store's, the hub's quarantine, the glossaries). */
const TABLES = ['contributions', 'item_state', 'campaigns', 'reviews', 'tombstones', 'fed_nodes', 'glossary_log', 'glossary_state', 'gold_items'] as const;

export function snapshotsDir(dataDir: string): string {
  return join(dataDir, 'snapshots');
}

export function snapshotPath(dataDir: string, name: string): string {
  return join(snapshotsDir(dataDir), `${name}.sqlite`);
}

export interface Snapshot {
  name: string;
  path: string;
  /** sha256 of the snapshot file. */
  sha256: string;
}

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Freezes what the store holds now under `name` (refused if that name is taken). */
export async function takeSnapshot(store: Store, dataDir: string, name: string): Promise<Snapshot> {
  if (!SNAPSHOT_NAME.test(name)) throw new Error(`"${name}" is not a snapshot name: lower-case letters, digits, . _ - (at most 64)`);
  const path = snapshotPath(dataDir, name);
  if (existsSync(path)) throw new Error(`A snapshot called "${name}" already exists (${path}); snapshots never change — choose another name`);
  await mkdir(snapshotsDir(dataDir), { recursive: true });
  const partial = `${path}.partial`;
  await rm(partial, { force: true });
  const db = store.db as unknown as Kysely<unknown>;
  if (isPostgres(db)) await copyPostgres(db, partial);
  else await sql`VACUUM INTO ${partial}`.execute(db);
  await rename(partial, path);
  return { name, path, sha256: await fileSha256(path) };
}

/** Opens a snapshot as a (read-only use) store. */
export async function openSnapshot(dataDir: string, name: string): Promise<Store> {
  const path = snapshotPath(dataDir, name);
  if (!existsSync(path)) throw new Error(`No snapshot called "${name}" in ${snapshotsDir(dataDir)}; take one with \`vernacular release snapshot --name ${name}\``);
  return openSqliteFile(path);
}

async function openSqliteFile(path: string): Promise<Store> {
  // openStore takes a folder holding `vernacular.sqlite`; a snapshot is its own file, so open it
  // through a folder-shaped view: the store module's SQLite opener accepts the path directly.
  const { openSqliteStore } = await import('../store/store.sqlite.ts');
  return openSqliteStore({ path, fileMustExist: true });
}

async function copyPostgres(db: Kysely<unknown>, path: string): Promise<void> {
  const dir = `${path}.d`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const target = await openStore({ dataDir: dir });
    try {
      const to = target.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      await db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
        const from = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
        for (const table of TABLES) {
          let offset = 0;
          for (;;) {
            const rows = await from.selectFrom(table).selectAll().orderBy(sql`1`).limit(2000).offset(offset).execute();
            if (rows.length === 0) break;
            const converted = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
            await to.transaction().execute(async (t) => {
              for (let i = 0; i < converted.length; i += 200) await t.insertInto(table).values(converted.slice(i, i + 200)).execute();
            });
            offset += rows.length;
          }
        }
      });
      // One self-contained file, written through the copy's own connection before it closes:
      // renaming a database file another connection still held (its -wal and -shm left behind in
      // the removed folder) made every later open of the snapshot fail with "disk I/O error".
      await sql`VACUUM INTO ${path}`.execute(target.db);
    } finally {
      await target.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
