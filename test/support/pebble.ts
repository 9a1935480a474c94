/**
 * Debian's Pebble (an RFC 8555 test CA) and pebble-challtestsrv (its test DNS server), each a
 * real process on loopback with free ports. Pebble's own HTTPS uses a throwaway certificate made
 * here with openssl; the chain it issues ends in a root fetched from its management interface.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { freePort, tempDir } from './server.ts';

export interface Pebble {
  /** The ACME directory URL. */
  directoryUrl: string;
  /** The certificate of Pebble's own HTTPS listener (trust it to talk ACME). */
  listenerCa: string;
  listenerCaFile: string;
  /** pebble-challtestsrv's management URL (the DNS provider in tests), when it runs. */
  challtestsrvUrl?: string;
  /** The DNS server Pebble asks (host:port). */
  dnsServer: string;
  /** The root and intermediate that issued certificates chain to (PEM). */
  root(): Promise<string>;
  intermediate(): Promise<string>;
  stop(): Promise<void>;
}

function started(child: ChildProcess, what: string, ready: RegExp, log: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log.push(chunk.toString());
      if (ready.test(log.join(''))) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${log.join('').slice(-2000)}`)));
    setTimeout(() => reject(new Error(`${what} did not start: ${log.join('').slice(-2000)}`)), 20_000).unref();
  });
}

/**
 * Pebble asking `dnsServer` (host:port) for challenges, or a pebble-challtestsrv started here.
 * Validation without sleeps, and no nonce rejections (tests are about our side).
 */
export async function startPebble(options: { dnsServer?: string } = {}): Promise<Pebble> {
  const dir = await tempDir('pebble');
  const children: ChildProcess[] = [];
  const log: string[] = [];
  let dnsServer = options.dnsServer;
  let challtestsrvUrl: string | undefined;
  if (dnsServer === undefined) {
    const [dnsPort, managementPort] = [await freePort(), await freePort()];
    const srv = spawn('pebble-challtestsrv', ['-dns01', `127.0.0.1:${dnsPort}`, '-management', `127.0.0.1:${managementPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-defaultIPv4', '', '-defaultIPv6', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(srv);
    await started(srv, 'pebble-challtestsrv', /Starting management server/, log);
    dnsServer = `127.0.0.1:${dnsPort}`;
    challtestsrvUrl = `http://127.0.0.1:${managementPort}`;
  }
  const keyFile = join(dir, 'listener-key.pem');
  const certFile = join(dir, 'listener-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const [port, managementPort] = [await freePort(), await freePort()];
  const config = { pebble: { listenAddress: `127.0.0.1:${port}`, managementListenAddress: `127.0.0.1:${managementPort}`, certificate: certFile, privateKey: keyFile, httpPort: 5002, tlsPort: 5001, ocspResponderURL: '', externalAccountBindingRequired: false } };
  writeFileSync(join(dir, 'pebble.json'), JSON.stringify(config));
  const pebble = spawn('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', dnsServer], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
  });
  children.push(pebble);
  await started(pebble, 'pebble', /ACME directory available/, log);
  const listenerCa = execFileSync('cat', [certFile], { encoding: 'utf8' });
  const agent = new Agent({ ca: listenerCa });
  const management = (path: string) =>
    new Promise<string>((resolve, reject) => {
      request(`https://127.0.0.1:${managementPort}${path}`, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: ${res.statusCode}`))));
      }).on('error', reject).end();
    });
  return {
    directoryUrl: `https://127.0.0.1:${port}/dir`,
    dnsServer,
    listenerCa,
    listenerCaFile: certFile,
    ...(challtestsrvUrl !== undefined ? { challtestsrvUrl } : {}),
    root: () => management('/roots/0'),
    intermediate: () => management('/intermediates/0'),
    async stop() {
      agent.destroy();
      for (const child of children) child.kill('SIGTERM');
    },
  };
}

/** base64 SHA-256 of a certificate's SubjectPublicKeyInfo, as Chromium's --ignore-certificate-errors-spki-list takes it. */
export function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
