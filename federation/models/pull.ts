/**
 * Downloads a model folder from a Hugging Face–compatible host (`{host}/{repo}/resolve/{revision}/{file}`;
 * another Vernacular node's `/models/` works too) when the operator's machine is online: the four
 * JSON files, the graph of the chosen dtype and its external-data files if the host has them.
 * Each file streams to disk through sha256, is checked against the host's sha256 ETag when it
 * gives one, and is renamed into place only when complete; the finished folder then goes through
 * the same check and import as a local folder.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ModelError } from './check.ts';
import { graphPath, REQUIRED_JSON_FILES } from './layout.ts';
import type { ImportResult, ModelStore } from './store.ts';

export const DEFAULT_HOST = 'https://huggingface.co';
export const MAX_EXTERNAL_DATA_FILES = 64;

export interface PullOptions {
  repo: string;
  host?: string;
  revision?: string;
  dtype?: string;
  /** Store id (default: the repo's name, lower-cased). */
  id?: string;
  onFile?: (path: string, bytes: number) => void;
}

const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

export function defaultModelId(repo: string): string {
  return (repo.split('/').pop() ?? repo).toLowerCase();
}

function fileUrl(host: string, repo: string, revision: string, path: string): string {
  const base = host.endsWith('/') ? host : `${host}/`;
  return new URL(`${repo}/resolve/${encodeURIComponent(revision)}/${path}`, base).href;
}

function hostSha256(response: Response): string | undefined {
  for (const header of ['x-linked-etag', 'etag']) {
    const tag = response.headers.get(header)?.replace(/^W\//, '').replaceAll('"', '');
    if (tag !== undefined && /^[0-9a-f]{64}$/.test(tag)) return tag;
  }
  return undefined;
}

/** Downloads one file; false when the host has no such file (404) and it is `optional`. */
async function download(url: string, to: string, optional: boolean): Promise<number | false> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    throw new ModelError('download_failed', `cannot reach ${url}: ${(err as Error).message}`);
  }
  if (response.status === 404 && optional) {
    await response.body?.cancel();
    return false;
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new ModelError('download_failed', `${url} answered ${response.status}`);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.byteLength;
      done(null, chunk);
    },
  });
  const partial = `${to}.part`;
  await mkdir(dirname(to), { recursive: true });
  try {
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream), hashing, createWriteStream(partial));
  } catch (err) {
    await rm(partial, { force: true });
    throw new ModelError('download_failed', `download of ${url} broke off: ${(err as Error).message}`);
  }
  const declared = response.headers.get('content-length');
  const expected = hostSha256(response);
  const digest = hash.digest('hex');
  if ((declared !== null && Number(declared) !== bytes) || (expected !== undefined && expected !== digest)) {
    await rm(partial, { force: true });
    throw new ModelError('download_failed', `${url} arrived damaged (size or sha256 differs from what the host announced)`);
  }
  await rename(partial, to);
  return bytes;
}

export async function pullModel(store: ModelStore, options: PullOptions): Promise<ImportResult> {
  if (!REPO.test(options.repo) || options.repo.includes('..')) {
    throw new ModelError('bad_id', `"${options.repo}" is not a repository id like "owner/name"`);
  }
  const host = options.host ?? DEFAULT_HOST;
  const revision = options.revision ?? 'main';
  const graph = graphPath(options.dtype ?? 'q4f16');
  const id = options.id ?? defaultModelId(options.repo);
  const staging = await store.stagingFolder();
  try {
    const get = async (path: string, optional: boolean) => {
      const bytes = await download(fileUrl(host, options.repo, revision, path), join(staging, ...path.split('/')), optional);
      if (bytes !== false) options.onFile?.(path, bytes);
      return bytes !== false;
    };
    for (const path of [...REQUIRED_JSON_FILES, graph]) await get(path, false);
    if (await get(`${graph}_data`, true)) {
      for (let i = 1; i < MAX_EXTERNAL_DATA_FILES && await get(`${graph}_data_${i}`, true); i++);
    }
    return await store.importFolder(staging, { id, source: fileUrl(host, options.repo, revision, ''), move: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
