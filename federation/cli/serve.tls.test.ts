/**
 * `serve --tls-cert/--tls-key`: a certificate from elsewhere (certbot, a reverse proxy's CA, a
 * company CA). HTTPS with HSTS on --https-port, plain HTTP redirected (localhost kept), the files
 * read again on SIGHUP, and a key that is not the certificate's refused at start.
 */
import { execFileSync } from 'node:child_process';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli, type RunningServer, startServer, tempDir } from '../../test/support/server.ts';
import { waitFor } from '../../test/support/federation.ts';

function selfSigned(dir: string, tag: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${tag}-cert.pem`);
  const key = join(dir, `${tag}-key.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

function get(port: number, name: string, ca: string): Promise<{ status: number; hsts: string | undefined; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/api/v1/health', servername: name, ca, agent: false, headers: { host: `${name}:${port}` } }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      res.resume().on('end', () => resolve({ status: res.statusCode!, hsts: res.headers['strict-transport-security'] as string | undefined, fingerprint }));
    }).on('error', reject).end();
  });
}

describe('serve with a certificate from files', () => {
  const NAME = 'vernacular.school.test';
  let dir: string;
  let server: RunningServer;
  let httpsPort: number;
  let first: { cert: string; key: string };

  beforeAll(async () => {
    dir = await tempDir('tls-files');
    first = selfSigned(dir, 'first', NAME);
    httpsPort = await freePort();
    server = await startServer({ args: ['--https-port', String(httpsPort), '--tls-cert', first.cert, '--tls-key', first.key] });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('serves HTTPS with HSTS and prints the secure address', async () => {
    const { readFileSync } = await import('node:fs');
    const answer = await get(httpsPort, NAME, readFileSync(first.cert, 'utf8'));
    expect(answer).toMatchObject({ status: 200, hsts: 'max-age=63072000' });
    expect(server.output()).toContain(`Secure address for phones and tablets: https://${NAME}:${httpsPort}`);
    const plain = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: server.port, path: '/api/v1/health', headers: { host: `${NAME}:${server.port}` }, agent: false }, (res) => resolve(res.resume())).on('error', reject).end();
    });
    expect(plain.statusCode).toBe(301);
    expect(plain.headers.location).toBe(`https://${NAME}:${httpsPort}/api/v1/health`);
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
  });

  it('reads the files again on SIGHUP, and keeps the old certificate when the new files do not match', async () => {
    const { copyFileSync, readFileSync, writeFileSync } = await import('node:fs');
    const before = (await get(httpsPort, NAME, readFileSync(first.cert, 'utf8'))).fingerprint;
    const second = selfSigned(dir, 'second', NAME);
    copyFileSync(second.cert, first.cert);
    copyFileSync(second.key, first.key);
    server.signal('SIGHUP');
    await waitFor('the reload', async () => server.output().includes('Reloaded the certificate.') || undefined);
    const after = await get(httpsPort, NAME, readFileSync(second.cert, 'utf8'));
    expect(after.status).toBe(200);
    expect(after.fingerprint).not.toBe(before);
    // A key that is not the certificate's: said, and the running one kept.
    writeFileSync(first.key, readFileSync(selfSigned(dir, 'third', NAME).key));
    server.signal('SIGHUP');
    await waitFor('the refusal', async () => server.output().includes('Kept the old certificate') || undefined);
    expect((await get(httpsPort, NAME, readFileSync(second.cert, 'utf8'))).fingerprint).toBe(after.fingerprint);
  });

  it('refuses at start a key that is not the certificate’s, or one file without the other', async () => {
    const other = selfSigned(dir, 'other', NAME);
    const mismatched = await runCli(['serve', '--port', '0', '--data', await tempDir('tls-bad'), '--tls-cert', first.cert, '--tls-key', other.key]);
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toContain('--tls-key is not the key of the certificate in --tls-cert');
    const alone = await runCli(['serve', '--port', '0', '--data', await tempDir('tls-bad'), '--tls-cert', first.cert]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--tls-cert and --tls-key go together');
  });
});
