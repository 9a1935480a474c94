/** Security and cache headers on every kind of answer of a real `vernacular serve` process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from './headers.ts';
import { type RunningServer, startServer } from '../../test/support/server.ts';
import { writeWebRoot } from '../../test/support/webroot.ts';

let dir: string;
let built: RunningServer;
let unbuilt: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vernacular-headers-'));
  [built, unbuilt] = await Promise.all([
    startServer({ webRoot: writeWebRoot(join(dir, 'web')) }),
    startServer({ webRoot: join(dir, 'not-built') }),
  ]);
});
afterAll(async () => {
  await Promise.all([built?.dispose(), unbuilt?.dispose()]);
  rmSync(dir, { recursive: true, force: true });
});

function expectSecurityHeaders(res: Response, what: string) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name), `${name} on ${what}`).toBe(value);
}

describe('every answer carries the security headers', () => {
  it('on API answers, which are never cached', async () => {
    for (const path of ['/api/v1/health', '/api/v1/openapi.json']) {
      const res = await fetch(`${built.url}${path}`);
      expect(res.status).toBe(200);
      expectSecurityHeaders(res, path);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('on API errors', async () => {
    const bad = await fetch(`${built.url}/api/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(bad.status).toBe(400);
    expectSecurityHeaders(bad, 'a 400');
    expect(bad.headers.get('cache-control')).toBe('no-store');
    const missing = await fetch(`${built.url}/api/v1/missing`);
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing, 'an API 404');
  });

  it('on the app, its assets and missing files', async () => {
    const page = await fetch(built.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expectSecurityHeaders(page, 'index.html');
    const asset = await fetch(`${built.url}/assets/index-3f2a1b.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(asset, 'an asset');
    const notModified = await fetch(`${built.url}/assets/index-3f2a1b.js`, { headers: { 'if-none-match': asset.headers.get('etag')! } });
    expect(notModified.status).toBe(304);
    expectSecurityHeaders(notModified, 'a 304');
    const gone = await fetch(`${built.url}/assets/gone.js`);
    expect(gone.status).toBe(404);
    expectSecurityHeaders(gone, 'a static 404');
  });

  it('on the "not built" page of a node without the web app, whose API still works', async () => {
    const page = await fetch(unbuilt.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('npm run build');
    expectSecurityHeaders(page, 'the 503');
    expect((await fetch(`${unbuilt.url}/api/v1/health`)).status).toBe(200);
  });

  it('with a CSP that allows no inline script and no framing', () => {
    const csp = SECURITY_HEADERS['Content-Security-Policy']!;
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe('the OpenAPI document', () => {
  it('is served as JSON with the running version', async () => {
    const doc = (await (await fetch(`${built.url}/api/v1/openapi.json`)).json()) as { openapi: string; paths: object };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/sync');
  });
});
