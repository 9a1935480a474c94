/**
 * Binding the app to a port, and letting go of it gracefully: stop accepting, let requests in
 * flight finish (an `accepted` answer in progress is still delivered), close idle keep-alive
 * connections as they become idle, and after a grace period close whatever is left.
 */
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

export interface ListenOptions {
  port: number;
  /** Interface to bind; all interfaces when omitted. */
  host?: string;
  /** Serve HTTPS with this key and certificate (PEM; the chain after the leaf). */
  tls?: { key: string; cert: string };
}

export interface Listening {
  /** The bound port (the real one when 0 was asked for). */
  port: number;
  close(graceMs?: number): Promise<void>;
  /** With `tls`: serves a new key and certificate to new connections from now on (a renewal). */
  setCertificate(pair: { key: string; cert: string }): void;
}

export async function listen(app: Pick<Hono, 'fetch'>, options: ListenOptions): Promise<Listening> {
  const server = (
    options.tls === undefined
      ? createAdaptorServer({ fetch: app.fetch })
      : createAdaptorServer({ fetch: app.fetch, createServer: createHttpsServer, serverOptions: { key: options.tls.key, cert: options.tls.cert } })
  ) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (graceMs = 5000): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close((err) => {
        clearInterval(sweep);
        clearTimeout(force);
        if (err) reject(err);
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  const setCertificate = (pair: { key: string; cert: string }) => {
    if (options.tls === undefined) throw new Error('This server does not serve HTTPS');
    (server as unknown as HttpsServer).setSecureContext({ key: pair.key, cert: pair.cert });
  };
  return { port, close, setCertificate };
}
