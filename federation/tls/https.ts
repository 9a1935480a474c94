/**
 * How a node with a certificate answers on its plain-HTTP port: a browser on this computer at
 * localhost keeps the app (a secure context already); anyone else is sent to the HTTPS name, with
 * the path kept, so a phone that typed the plain address ends up where it can save and sign.
 */
import { SECURITY_HEADERS } from '../server/headers.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `https://name[:port]` (no port for 443). */
export function httpsOrigin(name: string, port: number): string {
  return `https://${name}${port === 443 ? '' : `:${port}`}`;
}

/**
 * A fetch handler for the plain-HTTP port: `app` for loopback hosts, else a redirect to the origin
 * `target(url)` names (while it names none, `app` for everyone: no certificate yet).
 */
export function redirectingFetch(app: { fetch(request: Request, env?: unknown, ctx?: unknown): Response | Promise<Response> }, target: (url: URL) => string | undefined) {
  return (request: Request, env?: unknown, ctx?: unknown): Response | Promise<Response> => {
    const url = new URL(request.url);
    if (LOOPBACK_HOSTS.has(url.hostname)) return app.fetch(request, env, ctx);
    const origin = target(url);
    if (origin === undefined) return app.fetch(request, env, ctx);
    // 301 for reads (cached by the browser: the next visit goes straight to HTTPS); 308 keeps a write's method and body.
    const status = request.method === 'GET' || request.method === 'HEAD' ? 301 : 308;
    return new Response(null, { status, headers: { ...SECURITY_HEADERS, Location: `${origin}${url.pathname}${url.search}`, 'Cache-Control': 'max-age=3600' } });
  };
}
