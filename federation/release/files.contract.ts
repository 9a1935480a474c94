/**
 * Test support: everything a release folder holds, as text to search — each file's own text, and
 * for a Parquet file its rows decoded (its strings are compressed on disk) as well as its bytes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readWithHyparquet } from '../../test/support/parquet.ts';

/** Path (relative to `dir`) → searchable text, for every file under `dir`. */
export async function releaseTexts(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const bytes = readFileSync(path);
    let text = bytes.toString('utf8');
    if (e.name.endsWith('.parquet')) text += `\n${JSON.stringify(await readWithHyparquet([path]))}\n${bytes.toString('latin1')}`;
    out.set(relative(dir, path), text);
  }
  return out;
}

/** Where (file paths) any of `needles` occurs in a release folder's texts. */
export function occurrences(texts: ReadonlyMap<string, string>, needles: readonly string[]): string[] {
  const found: string[] = [];
  for (const [path, text] of texts) for (const needle of needles) if (text.includes(needle)) found.push(`${needle} in ${path}`);
  return found;
}
