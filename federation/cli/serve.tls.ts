/**
 * `serve`'s HTTPS: the HTTPS listener that starts once there is a certificate (from files, or from
 * the hub: node/certificate.ts) and takes renewals without a restart, and on a hub the certificate
 * authority it runs for its nodes (tls/acme.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderUnicodeCompact } from 'uqr';
import type { Hono } from 'hono';
import { listen, type Listening } from '../server/listen.ts';
import { NodeCertificateAuthority } from '../tls/acme.ts';
import { dnsProviderFrom } from '../tls/dns.ts';
import { certificateInfo, type CertificatePair, keyMatches } from '../tls/files.ts';
import { httpsOrigin } from '../tls/https.ts';
import { parseDomain } from '../tls/names.ts';
import { type Output, UsageError } from './usage.ts';

export interface HubTlsValues {
  domain?: string | undefined;
  'acme-directory'?: string | undefined;
  'acme-email'?: string | undefined;
  'acme-ca'?: string | undefined;
  dns?: string | undefined;
  'tsig-key'?: string | undefined;
  'dns-wait'?: string | undefined;
  'cert-orders-per-week'?: string | undefined;
}

/** The hub's certificate authority for its nodes, when --domain, --acme-directory and --dns are all given. */
export function hubAuthorityFrom(values: HubTlsValues, dataDir: string, env: NodeJS.ProcessEnv = process.env): NodeCertificateAuthority | undefined {
  const given = [values.domain, values['acme-directory'], values.dns].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3) throw new UsageError('Certificates for nodes need all of --domain, --acme-directory and --dns', 'serve');
  try {
    const domain = parseDomain(values.domain!);
    const directoryUrl = new URL(values['acme-directory']!);
    if (directoryUrl.protocol !== 'https:') throw new Error('--acme-directory must be an https:// URL');
    const dns = dnsProviderFrom(values.dns!, values['tsig-key'] ?? env.VERNACULAR_TSIG_KEY);
    const wait = values['dns-wait'] === undefined ? 0 : Number(values['dns-wait']);
    if (!Number.isFinite(wait) || wait < 0 || wait > 600) throw new Error('--dns-wait must be a number of seconds from 0 to 600');
    const perWeek = values['cert-orders-per-week'] === undefined ? 5 : Number(values['cert-orders-per-week']);
    if (!Number.isInteger(perWeek) || perWeek < 1 || perWeek > 10_000) throw new Error('--cert-orders-per-week must be a whole number from 1 to 10000');
    return new NodeCertificateAuthority({
      ordersPerWeek: perWeek,
      domain,
      directoryUrl: directoryUrl.href,
      dns,
      accountKeyFile: join(dataDir, 'acme', 'account-key.pem'),
      ...(values['acme-email'] !== undefined ? { email: values['acme-email'] } : {}),
      ...(values['acme-ca'] !== undefined ? { trust: readFileSync(values['acme-ca'], 'utf8') } : {}),
      dnsWaitMs: wait * 1000,
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message, 'serve');
  }
}

/** A key and certificate from files, checked to belong together. */
export function readPair(certFile: string, keyFile: string): CertificatePair {
  let pair: CertificatePair;
  try {
    pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    certificateInfo(pair.cert);
  } catch (err) {
    throw new UsageError(`--tls-cert/--tls-key: ${(err as Error).message}`, 'serve');
  }
  if (!keyMatches(pair)) throw new UsageError('--tls-key is not the key of the certificate in --tls-cert', 'serve');
  return pair;
}

/** The HTTPS side of `serve`: started on the first certificate, renewed in place. */
export class SecureServing {
  private listening: Listening | undefined;
  private starting: Promise<void> | undefined;
  private name: string | undefined;

  constructor(private readonly options: { app: Hono; port: number; host?: string | undefined; io: Output }) {}

  /** Where plain HTTP sends a request for `url` (undefined: no HTTPS yet, serve it). */
  origin(url: URL): string | undefined {
    if (this.listening === undefined) return undefined;
    return httpsOrigin(this.name ?? url.hostname, this.listening.port);
  }

  get port(): number | undefined {
    return this.listening?.port;
  }

  /** Serves `pair` (for `name`, or the certificate's first name that is not a wildcard). */
  async serve(pair: CertificatePair, name?: string): Promise<void> {
    await this.starting;
    this.name = name ?? certificateInfo(pair.cert).names.find((n) => !n.startsWith('*.'));
    if (this.listening !== undefined) {
      this.listening.setCertificate(pair);
      return;
    }
    const { port, host } = this.options;
    this.starting = (async () => {
      this.listening = await listen(this.options.app, { port, tls: pair, ...(host !== undefined ? { host } : {}) });
      const url = httpsOrigin(this.name ?? 'localhost', this.listening.port);
      this.options.io.out(`Secure address for phones and tablets: ${url}`);
      this.options.io.out(renderUnicodeCompact(url, { border: 2 }));
    })();
    await this.starting;
  }

  async close(): Promise<void> {
    await this.starting?.catch(() => {});
    await this.listening?.close();
  }
}
