/**
 * Test support: Parquet files read back by readers independent of the writer — hyparquet's own
 * reader and DuckDB — as plain JSON values, for comparing with the JSONL rows.
 */
import { readFileSync } from 'node:fs';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { DuckDBInstance } from '@duckdb/node-api';

/** JSON round trip: bigints as numbers, JSON strings left for `normalise`. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));

/** The rows of some Parquet files, in order, read with hyparquet. */
export async function readWithHyparquet(paths: readonly string[]): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const path of paths) {
    const bytes = readFileSync(path);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    rows.push(...((await parquetReadObjects({ file })) as Record<string, unknown>[]).map((r) => plain(r) as Record<string, unknown>));
  }
  return rows;
}

/** The same with DuckDB (one thread, insertion order kept: the files' row order). */
export async function readWithDuckDb(paths: readonly string[]): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const list = paths.map((p) => `'${p.replaceAll("'", "''")}'`).join(', ');
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet([${list}])`);
    return reader.getRowObjectsJson().map((r) => plain(r) as Record<string, unknown>);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Key-value metadata and row groups of a file (hyparquet). */
export function parquetInfo(path: string): { kv: Record<string, string>; rowGroups: number; rows: number; createdBy: string | undefined } {
  const bytes = readFileSync(path);
  const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return {
    kv: Object.fromEntries((meta.key_value_metadata ?? []).map((e) => [e.key, e.value ?? ''])),
    rowGroups: meta.row_groups.length,
    rows: Number(meta.num_rows),
    createdBy: meta.created_by,
  };
}

/** JSON-typed columns come back as text from some readers: parse them so rows compare as values. */
export function normalise(row: Record<string, unknown>, jsonColumns: readonly string[]): Record<string, unknown> {
  const out = { ...row };
  for (const c of jsonColumns) if (typeof out[c] === 'string') out[c] = JSON.parse(out[c]);
  return out;
}
