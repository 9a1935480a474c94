/**
 * Security headers on every response the server sends — API answers, errors and static files
 * alike — so no path, including one added later, can forget them. The CSP allows no inline script
 * and only this origin; `wasm-unsafe-eval` lets the on-device model runtime compile WebAssembly,
 * and COOP/COEP make the page cross-origin isolated (SharedArrayBuffer for threaded WASM).
 */
import type { MiddlewareHandler } from 'hono';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** Sent over HTTPS only (browsers ignore it over HTTP): two years, as the HTTP Observatory asks. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000';

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  if (c.req.url.startsWith('https:')) c.res.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
};

/** API answers are live data: never cached by the browser, the service worker or a proxy. */
export const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
};
