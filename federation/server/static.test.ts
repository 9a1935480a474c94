import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { cacheControl, resolveInside } from './static.ts';
import { openStore, type Store } from '../store/index.ts';
import { WEB_FILES, writeWebRoot } from '../../test/support/webroot.ts';

describe('resolveInside', () => {
  const root = '/srv/web';
  it('maps paths to files inside the root, and / to index.html', () => {
    expect(resolveInside(root, '/')).toBe('/srv/web/index.html');
    expect(resolveInside(root, '/assets/a%20b.js')).toBe('/srv/web/assets/a b.js');
  });
  it('refuses anything that would leave the root or reveal a dot-file', () => {
    for (const path of ['/../etc/passwd', '/%2e%2e/etc/passwd', '/assets/..%2f..%2fpackage.json', '/.env', '/a/.git/config', '/%00', '/a%5c..%5cb', '/%E0%A4%A']) {
      expect(resolveInside(root, path)).toBeNull();
    }
  });
});

describe('cacheControl', () => {
  it('revalidates entry points and caches hashed assets for a year', () => {
    for (const entry of ['index.html', 'sw.js', 'manifest.webmanifest', 'registerSW.js']) expect(cacheControl(entry)).toBe('no-cache');
    expect(cacheControl('assets/index-3f2a1b.js')).toBe('public, max-age=31536000, immutable');
  });
});

describe('serving the built web app', () => {
  let dir: string;
  let store: Store;
  let app: Hono;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-static-'));
    store = await openStore({ dataDir: join(dir, 'data') });
    app = createApp({ store, role: 'node', version: 'test', webRoot: writeWebRoot(join(dir, 'web')) });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / with no-cache', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe(WEB_FILES['index.html']);
  });

  it('serves each file with its content type and cache policy', async () => {
    const expected: Array<[string, string, string]> = [
      ['/sw.js', 'text/javascript; charset=utf-8', 'no-cache'],
      ['/registerSW.js', 'text/javascript; charset=utf-8', 'no-cache'],
      ['/manifest.webmanifest', 'application/manifest+json; charset=utf-8', 'no-cache'],
      ['/assets/index-3f2a1b.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/assets/index-9c8d7e.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/assets/ort-wasm-simd.wasm', 'application/wasm', 'public, max-age=31536000, immutable'],
      ['/assets/ort.bundle.min.mjs', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/icons/icon-192.png', 'image/png', 'no-cache'],
    ];
    for (const [path, type, cache] of expected) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(res.headers.get('cache-control'), path).toBe(cache);
    }
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await app.request('/assets/index-3f2a1b.js');
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const again = await app.request('/assets/index-3f2a1b.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await app.request('/assets/index-3f2a1b.js', { headers: { 'if-none-match': 'W/"other"' } });
    expect(other.status).toBe(200);
  });

  it('answers HEAD with headers and no body', async () => {
    const res = await app.request('/sw.js', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(WEB_FILES['sw.js']!.length));
    expect(await res.text()).toBe('');
  });

  it('gives a page navigation to an unknown path the app, so deep links open it', async () => {
    const res = await app.request('/contribute/idiom', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(WEB_FILES['index.html']);
  });

  it('answers 404 for an unknown file that is not a page navigation', async () => {
    expect((await app.request('/assets/missing-123.js')).status).toBe(404);
  });

  it('never serves dot-files', async () => {
    const res = await app.request('/.env');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('SECRET');
  });

  it('answers API paths with JSON errors, never with the app', async () => {
    const res = await app.request('/api/v2/anything', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('without a built web app', () => {
  it('keeps the API working and answers pages with a 503 saying to build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vernacular-static-'));
    const store = await openStore({ dataDir: join(dir, 'data') });
    try {
      const app = createApp({ store, role: 'node', version: 'test', webRoot: join(dir, 'not-built') });
      const page = await app.request('/', { headers: { accept: 'text/html' } });
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('npm run build');
      expect((await app.request('/api/v1/health')).status).toBe(200);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
