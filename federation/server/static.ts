/**
 * Serves the built PWA from one folder. Caching follows what a service-worker app needs: the
 * entry points (index.html, the service worker, its registration, the manifest) are revalidated
 * on every load so an update is seen; Vite's content-hashed files under assets/ never change and
 * are cached for a year. Everything answers ETag/If-None-Match with 304. A path never leaves the
 * root (no `..`, no dot-files); an unknown path asked for as a page gets index.html, so deep links
 * open the app; anything else is a 404.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import { contentType } from './mime.ts';

const REVALIDATE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const ENTRY_POINTS = new Set(['index.html', 'sw.js', 'manifest.webmanifest', 'registerSW.js']);

export const NOT_BUILT_MESSAGE =
  'The Vernacular web app has not been built yet. Run `npm run build`, then start `vernacular serve` again.\n';

export function cacheControl(relativePath: string): string {
  if (ENTRY_POINTS.has(relativePath)) return REVALIDATE;
  if (relativePath.startsWith('assets/')) return IMMUTABLE;
  return REVALIDATE;
}

/** The file inside `root` a URL path names, or null when it names nothing servable. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.endsWith('/')) decoded += 'index.html';
  const segments = decoded.split('/').filter((s) => s !== '');
  const unsafe = (s: string) => s.startsWith('.') || s.includes('\\') || s.includes('\0');
  if (segments.length === 0 || segments.some(unsafe)) return null;
  const file = resolve(root, ...segments);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) return null;
  return file;
}

function etagOf(size: number, mtimeMs: number): string {
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || weak(t) === weak(etag));
}

async function fileStat(file: string) {
  try {
    const s = await stat(file);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

function wantsPage(c: Context): boolean {
  return (c.req.header('accept') ?? '').includes('text/html');
}

export function webAppHandler(webRoot: string) {
  const root = resolve(webRoot);
  const indexFile = resolve(root, 'index.html');

  return async (c: Context): Promise<Response> => {
    const index = await fileStat(indexFile);
    if (index === null) {
      return c.text(NOT_BUILT_MESSAGE, 503, { 'Cache-Control': 'no-store' });
    }
    const path = new URL(c.req.url).pathname;
    let file = resolveInside(root, path);
    let found = file === null ? null : await fileStat(file);
    if (found === null || file === null) {
      if (!wantsPage(c)) return c.text('Not found\n', 404, { 'Cache-Control': 'no-store' });
      file = indexFile;
      found = index;
    }

    const rel = relative(root, file).split(sep).join('/');
    const etag = etagOf(found.size, found.mtimeMs);
    const headers: Record<string, string> = { ETag: etag, 'Cache-Control': cacheControl(rel) };
    if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);

    headers['Content-Type'] = contentType(file);
    headers['Content-Length'] = String(found.size);
    if (c.req.method === 'HEAD') return c.body(null, 200, headers);
    const stream = Readable.toWeb(createReadStream(file)) as unknown as ReadableStream<Uint8Array>;
    return c.body(stream, 200, headers);
  };
}
