/**
 * `vernacular serve`: opens (and migrates) the store, serves the API and the PWA, and shuts down
 * gracefully on SIGINT/SIGTERM — stop accepting, finish requests in flight, then close the store,
 * so an acknowledged batch is never cut off. A second signal kills the process at once.
 */
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { ROLES, type Role } from '../protocol/index.ts';
import { describeDatabase, openStore } from '../store/index.ts';
import { createApp } from '../server/app.ts';
import { listen } from '../server/listen.ts';
import { threadDecoder } from '../server/decoder.threads.ts';
import { ModelStore, modelsRoot } from '../models/store.ts';
import { onnxRuntimeWebFiles } from '../models/http.ts';
import { defaultWebRoot, packageVersion } from '../package.ts';
import { type Output, parseOptions, parsePort, UsageError } from './usage.ts';
import { loadOrCreateNodeKey } from '../trust/keys.ts';
import { FederationAgent } from '../node/agent.ts';
import { DEFAULT_RATE_LIMITS, parseRate, type Rate, type RateLimits } from '../server/ratelimit.ts';
import { redirectingFetch } from '../tls/https.ts';
import { publishableAddress } from '../tls/names.ts';
import { NodeCertificate } from '../node/certificate.ts';
import { hubAuthorityFrom, readPair, SecureServing } from './serve.tls.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HTTPS_PORT = 8443;
export const DEFAULT_DATA_DIR = './data';

export const SERVE_HELP = `Usage: vernacular serve [options]

Serves the Vernacular web app and API from one origin, storing contributions in
an embedded SQLite database under the data folder.

Options:
  --port <n>     Port to listen on (default ${DEFAULT_PORT}; 0 picks a free port)
  --host <addr>  Interface to listen on (default: all interfaces, so phones and
                 tablets on the local network can reach it)
  --data <dir>   Data folder, created if missing (default ${DEFAULT_DATA_DIR})
  --role <role>  node (default) or hub
  --database <url>
                 Store in PostgreSQL at this postgres:// URL instead of SQLite
                 in the data folder (default: $DATABASE_URL when set)
  --federate-every <s>
                 A node enrolled with a hub pushes and pulls this often, in
                 seconds (default 15; see \`vernacular node --help\`)
  --federate-batch <n>
                 Records per push batch (default 1000, at most 2000)
  --hub-name <name>
                 With --role hub: the name nodes are told at enrolment
  --web <dir>    Built web app to serve (default: this package's dist/web)
  --rate-limit <rate/burst|off>
                 Per client address: requests per second and burst of the API's
                 writes and costly reads (default ${rateText(DEFAULT_RATE_LIMITS.address)}; env
                 VERNACULAR_RATE_LIMIT). Over it: 429 rate_limited, Retry-After
  --rate-limit-key <rate/burst|off>
                 The same per key: a node's id on a hub (default ${rateText(DEFAULT_RATE_LIMITS.key)}; env
                 VERNACULAR_RATE_LIMIT_KEY). Benchmarks pass off to both
  --trust-proxy  The client address is the last X-Forwarded-For entry (only
                 behind one reverse proxy that sets it; env VERNACULAR_TRUST_PROXY=1)

HTTPS (phones need it: see the README):
  --https-port <n>
                 Port for HTTPS once there is a certificate (default ${DEFAULT_HTTPS_PORT});
                 plain HTTP on --port then redirects there, except for localhost
  --tls-cert <file> --tls-key <file>
                 Serve HTTPS with this certificate (PEM, chain after the leaf)
                 and key; reread on SIGHUP (after a renewal elsewhere)
  --https <auto|off>
                 A node enrolled with a hub that gives certificates gets one for
                 its name, <node id>.<domain>, and renews it (default auto)
  --lan-address <addr,...>
                 The addresses published under that name (default: this
                 machine's network addresses)
  --cert-check-every <s>
                 How often the certificate is checked for renewal (default 3600)
  --cert-renew-before <days>
                 Renew at the latest this long before it ends (default: once
                 two thirds of its lifetime are gone)
Hub only, to give nodes certificates (ACME DNS-01; the hub holds the zone's key):
  --domain <name>            The deployment's domain (nodes: <node id>.<domain>)
  --acme-directory <url>     The CA's ACME directory (Let's Encrypt:
                             https://acme-v02.api.letsencrypt.org/directory)
  --acme-email <address>     Contact for the ACME account
  --acme-ca <file>           Extra CA certificate to trust for the ACME server
  --dns <provider>           rfc2136:<server>[:<port>]:<zone> (TSIG key from
                             --tsig-key or $VERNACULAR_TSIG_KEY, name:alg:secret)
                             or challtestsrv:<url> (tests)
  --dns-wait <s>             Wait after publishing a challenge (default 0)
  --cert-orders-per-week <n> New certificates one node may cause a week
                             (default 5; the CA's limits are the deployment's)
  -h, --help     Show this help`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  role: { type: 'string' },
  database: { type: 'string' },
  'federate-every': { type: 'string' },
  'hub-name': { type: 'string' },
  'federate-batch': { type: 'string' },
  web: { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-limit-key': { type: 'string' },
  'trust-proxy': { type: 'boolean' },
  'https-port': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  https: { type: 'string' },
  'lan-address': { type: 'string' },
  'cert-check-every': { type: 'string' },
  'cert-renew-before': { type: 'string' },
  domain: { type: 'string' },
  'acme-directory': { type: 'string' },
  'acme-email': { type: 'string' },
  'acme-ca': { type: 'string' },
  dns: { type: 'string' },
  'tsig-key': { type: 'string' },
  'dns-wait': { type: 'string' },
  'cert-orders-per-week': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function rateText(rate: Rate | null): string {
  return rate === null ? 'off' : `${rate.perSecond}/${rate.burst}`;
}

function parseRateOption(name: string, value: string | undefined, fallback: Rate | null): Rate | null {
  if (value === undefined || value === '') return fallback;
  try {
    return parseRate(value);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`, 'serve');
  }
}

/** The rate limits from the options, else the environment, else the defaults. */
export function rateLimitsOf(values: { 'rate-limit'?: string | undefined; 'rate-limit-key'?: string | undefined; 'trust-proxy'?: boolean | undefined }, env: NodeJS.ProcessEnv = process.env): RateLimits {
  return {
    address: parseRateOption('rate-limit', values['rate-limit'] ?? env.VERNACULAR_RATE_LIMIT, DEFAULT_RATE_LIMITS.address),
    key: parseRateOption('rate-limit-key', values['rate-limit-key'] ?? env.VERNACULAR_RATE_LIMIT_KEY, DEFAULT_RATE_LIMITS.key),
    trustProxy: values['trust-proxy'] ?? ['1', 'true', 'yes'].includes((env.VERNACULAR_TRUST_PROXY ?? '').toLowerCase()),
  };
}

const LOOPBACK_OR_ANY = new Set(['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost']);

export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

/**
 * Which of the addresses this server answers on are secure contexts for a browser — where the app
 * can keep contributions offline and make keys (service worker, WebCrypto) — and which are not.
 * Browsers treat http://localhost as secure, and plain http:// on any other address as not.
 */
export function secureContextLines(host: string | undefined, port: number, lan: readonly string[]): string[] {
  const all = host === undefined || host === '0.0.0.0' || host === '::';
  const loopback = all || LOOPBACK_OR_ANY.has(host!);
  const insecure = all ? lan.map((a) => `http://${a}:${port}`) : loopback ? [] : [`http://${host!.includes(':') ? `[${host}]` : host}:${port}`];
  const lines: string[] = [];
  if (loopback) lines.push(`Secure (the full app, offline and saving): http://localhost:${port} — in a browser on this computer only.`);
  if (insecure.length > 0) {
    lines.push(`Not secure (plain HTTP; phones there get a page saying so, and cannot save): ${insecure.join(', ')}`);
    lines.push('Phones and tablets need a secure (https://) address for this node.');
  } else if (all) {
    lines.push('Listening on all interfaces.');
  }
  return lines;
}

function secondsOption(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 10 * 365 * 86_400) throw new UsageError(`${name} must be a number from 0 to 315360000`, 'serve');
  return n;
}

function parseRole(value: string | undefined): Role {
  if (value === undefined) return 'node';
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}, not "${value}"`, 'serve');
  }
  return value as Role;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      resolve(signal);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}

export async function serve(args: string[], io: Output): Promise<number> {
  const { values } = parseOptions(args, OPTIONS, 'serve');
  if (values.help) {
    io.out(SERVE_HELP);
    return 0;
  }
  const port = parsePort(values.port, DEFAULT_PORT);
  const role = parseRole(values.role);
  const dataDir = resolve(values.data ?? DEFAULT_DATA_DIR);
  const webRoot = values.web !== undefined ? resolve(values.web) : defaultWebRoot();
  const host = values.host;

  const everyText = values['federate-every'];
  const every = everyText === undefined ? 15 : Number(everyText);
  if (!Number.isFinite(every) || every < 0.05 || every > 86_400) {
    throw new UsageError('--federate-every must be a number of seconds from 0.05 to 86400', 'serve');
  }

  const batchText = values['federate-batch'];
  const batchSize = batchText === undefined ? undefined : Number(batchText);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 2000)) {
    throw new UsageError('--federate-batch must be a whole number from 1 to 2000', 'serve');
  }

  const httpsPort = parsePort(values['https-port'], DEFAULT_HTTPS_PORT);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together', 'serve');
  const tlsFiles = values['tls-cert'] !== undefined ? { cert: resolve(values['tls-cert']), key: resolve(values['tls-key']!) } : undefined;
  const filePair = tlsFiles === undefined ? undefined : readPair(tlsFiles.cert, tlsFiles.key);
  const httpsMode = values.https ?? 'auto';
  if (httpsMode !== 'auto' && httpsMode !== 'off') throw new UsageError('--https must be auto or off', 'serve');
  const lanAddress = values['lan-address']?.split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (lanAddress !== undefined && (lanAddress.length === 0 || !lanAddress.every(publishableAddress))) throw new UsageError('--lan-address must be LAN IP addresses (private, link-local or loopback), separated by commas', 'serve');
  const checkEvery = secondsOption(values['cert-check-every'], 3600, '--cert-check-every');
  const renewBeforeDays = values['cert-renew-before'] === undefined ? undefined : secondsOption(values['cert-renew-before'], 0, '--cert-renew-before') ;
  const authority = role === 'hub' ? hubAuthorityFrom(values, dataDir) : undefined;

  const rateLimits = rateLimitsOf(values);
  const database = values.database ?? process.env.DATABASE_URL;
  const store = await openStore({ dataDir, ...(database !== undefined && database !== '' ? { database } : {}) });
  const decoder = threadDecoder();
  let listening;
  let agent: FederationAgent | undefined;
  let secure: SecureServing | undefined;
  try {
    const models = { models: new ModelStore(modelsRoot(dataDir)), runtime: await onnxRuntimeWebFiles() };
    // A node's key is made on its first start; enrolment (`vernacular node enroll`) presents it.
    const nodeKey = role === 'node' ? loadOrCreateNodeKey(dataDir) : undefined;
    agent = nodeKey !== undefined ? new FederationAgent({ store, key: nodeKey, models: models.models, log: (line) => io.err(line), ...(batchSize !== undefined ? { batchSize } : {}) }) : undefined;
    const link = agent === undefined ? undefined : () => agent!.status();
    const hub = {
      ...(role === 'hub' && values['hub-name'] !== undefined ? { name: values['hub-name'] } : {}),
      ...(authority !== undefined ? { certificates: authority, log: (line: string) => io.err(line) } : {}),
    };
    const serverId = nodeKey?.id ?? 'hub';
    const app = createApp({ store, role, version: packageVersion(), webRoot, decoder, models, hub, rateLimits, serverId, ...(link ? { link } : {}) });
    const https = new SecureServing({ app, port: httpsPort, host, io });
    secure = https;
    // Plain HTTP: the app until there is a certificate, then a redirect to HTTPS (localhost excepted).
    listening = await listen({ fetch: redirectingFetch(app, (url) => https.origin(url)) }, host === undefined ? { port } : { port, host });
    if (filePair !== undefined) await https.serve(filePair);
  } catch (err) {
    await listening?.close();
    await secure?.close();
    await decoder.close();
    await store.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.err(`vernacular: port ${(err as { port?: number }).port ?? port} is already in use; choose another with --port or --https-port`);
      return 1;
    }
    throw err;
  }
  const stopped = waitForSignal();

  const shown = host === undefined || LOOPBACK_OR_ANY.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  io.out(`Vernacular ${role} listening on http://${shown}:${listening.port} (data: ${describeDatabase({ dataDir, ...(database ? { database } : {}) })})`);
  for (const line of secureContextLines(host, listening.port, lanAddresses())) io.out(line);
  if (rateLimits.address === null || rateLimits.key === null) {
    io.out(`Rate limits: per address ${rateText(rateLimits.address)}, per key ${rateText(rateLimits.key)}.`);
  }
  if (!existsSync(join(webRoot, 'index.html'))) {
    io.err(`The web app is not built (no ${join(webRoot, 'index.html')}); run \`npm run build\`. The API works.`);
  }

  if (agent !== undefined && (await agent.links.get()) !== undefined) {
    agent.start(every * 1000);
    const link = await agent.links.get();
    io.out(`Federating with the hub at ${link!.hubUrl} every ${every} s (node ${link!.nodeId}).`);
  }
  if (authority !== undefined) io.out(`Giving enrolled nodes certificates for <node id>.${authority.domain}.`);

  // A node's certificate from its hub, renewed by itself (node/certificate.ts).
  let certificate: NodeCertificate | undefined;
  if (agent !== undefined && filePair === undefined && httpsMode === 'auto' && (await agent.links.get()) !== undefined) {
    certificate = new NodeCertificate({
      dataDir,
      agent,
      addresses: () => lanAddress ?? lanAddresses().filter(publishableAddress),
      onCertificate: (pair, name) => void secure!.serve(pair, name).catch((err: Error) => io.err(`HTTPS: ${err.message}`)),
      log: (line) => io.err(line),
      ...(renewBeforeDays !== undefined ? { renewBeforeMs: renewBeforeDays * 86_400_000 } : {}),
    });
    certificate.start(checkEvery * 1000);
  }
  // SIGHUP: read --tls-cert/--tls-key again (a certificate renewed by another tool).
  const onHangup = () => {
    if (tlsFiles === undefined) return;
    try {
      void secure!.serve(readPair(tlsFiles.cert, tlsFiles.key));
      io.out('Reloaded the certificate.');
    } catch (err) {
      io.err(`Kept the old certificate: ${(err as Error).message}`);
    }
  };
  process.on('SIGHUP', onHangup);

  const signal = await stopped;
  io.out(`Received ${signal}; finishing requests in flight…`);
  process.off('SIGHUP', onHangup);
  await certificate?.stop();
  await agent?.stop();
  await secure.close();
  await listening.close();
  await decoder.close();
  await store.close();
  io.out(`Vernacular ${role} stopped.`);
  return 0;
}
