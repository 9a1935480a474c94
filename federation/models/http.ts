/**
 * The model store over HTTP, from the node's own origin so that a phone never fetches a model or
 * runtime from a foreign hub or CDN:
 *
 * - `GET /api/v1/models`: the manifest (each model's id, revision, files with dtype, size, sha256)
 *   and where the onnxruntime-web runtime lives.
 * - `GET /models/{id}/resolve/{revision}/{path}`: model files in the layout transformers.js asks
 *   for with `env.remoteHost` = this origin and `env.remotePathTemplate` =
 *   `models/{model}/resolve/{revision}/`. Only files the manifest lists are served, so no path can
 *   reach outside the store. Strong ETags are the sha256; Range gives 206/416; a revision hash is
 *   immutable and cached for a year, while `main` (the latest import) is revalidated.
 * - `GET /ort/{version}/{file}`: the `.wasm`/`.mjs` files of the onnxruntime-web that
 *   transformers.js pins; the version in the path makes them immutable too.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Context, Hono } from 'hono';
import type { ModelEntry, ModelsResponse } from '../protocol/index.ts';
import { contentType } from '../server/mime.ts';
import { methodNotAllowed } from '../server/errors.ts';
import { parseRange } from './range.ts';
import type { ModelManifest, ModelStore } from './store.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const RUNTIME_FILE = /^ort-wasm[a-z0-9._-]*\.(wasm|mjs)$/;

export interface OnnxRuntimeFiles {
  version: string;
  dir: string;
  files: ReadonlySet<string>;
}

/** The onnxruntime-web that @huggingface/transformers resolves to, and its runtime files. */
export async function onnxRuntimeWebFiles(): Promise<OnnxRuntimeFiles> {
  const fromTransformers = createRequire(createRequire(import.meta.url).resolve('@huggingface/transformers'));
  const entry = fromTransformers.resolve('onnxruntime-web');
  const dir = dirname(entry);
  const packageJson = JSON.parse(await readFile(join(dir, '..', 'package.json'), 'utf8')) as { version: string };
  const files = new Set((await readdir(dir)).filter((f) => RUNTIME_FILE.test(f)));
  return { version: packageJson.version, dir, files };
}

export interface ModelsApi {
  models: ModelStore;
  runtime: OnnxRuntimeFiles;
}

function strongEtag(sha256: string): string {
  return `"${sha256}"`;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag);
}

function notFound(c: Context): Response {
  return c.text('Not found\n', 404, { 'Cache-Control': 'no-store' });
}

function publicManifest(m: ModelManifest): ModelEntry {
  return { id: m.id, revision: m.revision, modelType: m.modelType, importedAt: m.importedAt, size: m.size, files: m.files };
}

/** Serves one file of known size and hash with conditional and range requests. */
function serveFile(c: Context, path: string, size: number, etag: string, cacheControl: string, type: string): Response {
  const headers: Record<string, string> = {
    ETag: etag, 'Cache-Control': cacheControl, 'Accept-Ranges': 'bytes', 'Content-Type': type,
  };
  if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
  const ifRange = c.req.header('if-range');
  const range = ifRange !== undefined && ifRange.trim() !== etag ? { kind: 'full' as const } : parseRange(c.req.header('range'), size);
  if (range.kind === 'unsatisfiable') {
    return c.body(null, 416, { ...headers, 'Content-Range': `bytes */${size}` });
  }
  const [start, end, status] = range.kind === 'partial' ? [range.start, range.end, 206 as const] : [0, size - 1, 200 as const];
  headers['Content-Length'] = String(size === 0 ? 0 : end - start + 1);
  if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  if (c.req.method === 'HEAD' || size === 0) return c.body(null, status, headers);
  const stream = Readable.toWeb(createReadStream(path, { start, end })) as unknown as ReadableStream<Uint8Array>;
  return c.body(stream, status, headers);
}

export function modelRoutes(app: Hono, api: ModelsApi): void {
  const runtimePath = `/ort/${api.runtime.version}/`;

  app.get('/api/v1/models', async (c) => {
    const models = (await api.models.list()).map(publicManifest);
    const body: ModelsResponse = { models, runtime: { onnxruntimeWeb: api.runtime.version, wasmPaths: runtimePath } };
    return c.json(body);
  });
  app.all('/api/v1/models', methodNotAllowed(['GET', 'HEAD']));

  app.on(['GET', 'HEAD'], '/models/:id/resolve/:revision/*', async (c) => {
    const { id, revision } = c.req.param();
    const prefix = `/models/${id}/resolve/${revision}/`;
    const rawPath = c.req.path.startsWith(prefix) ? c.req.path.slice(prefix.length) : '';
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return notFound(c);
    }
    const manifest = await api.models.get(id, revision);
    const file = manifest?.files.find((f) => f.path === path);
    if (manifest === undefined || file === undefined) return notFound(c);
    const cache = revision === manifest.revision ? IMMUTABLE : REVALIDATE;
    return serveFile(c, api.models.filePath(manifest, file), file.size, strongEtag(file.sha256), cache, contentType(path));
  });
  const notAllowed = methodNotAllowed(['GET', 'HEAD']);
  app.all('/models/*', (c) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? notFound(c) : notAllowed(c)));

  app.on(['GET', 'HEAD'], `${runtimePath}:file`, async (c) => {
    const name = c.req.param('file') ?? '';
    if (!api.runtime.files.has(name)) return notFound(c);
    const path = join(api.runtime.dir, name);
    const size = (await stat(path)).size;
    const etag = `"ort-${api.runtime.version}-${name}"`;
    return serveFile(c, path, size, etag, IMMUTABLE, contentType(path));
  });
}
