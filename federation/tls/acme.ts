/**
 * The hub's side of node certificates: it holds the ACME account and the DNS zone's credentials,
 * publishes each node's LAN addresses under the node's name, answers the CA's DNS-01 challenge
 * for it, and hands back the certificate for the CSR the node made (its private key never leaves
 * the node). Any RFC 8555 CA works: Let's Encrypt in production, Pebble in tests.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { dirname } from 'node:path';
import acme from 'acme-client';
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import type { DnsProvider } from './dns.ts';
import { nodeHostName } from './names.ts';

export interface AcmeOptions {
  /** The CA's ACME directory URL (e.g. https://acme-v02.api.letsencrypt.org/directory). */
  directoryUrl: string;
  /** The deployment's domain: nodes are named `<node id>.<domain>`. */
  domain: string;
  dns: DnsProvider;
  /** Where the ACME account key is kept (made on first use). */
  accountKeyFile: string;
  email?: string;
  /** Extra CA certificates (PEM) to trust for the ACME server's own HTTPS (a test CA's). */
  trust?: string;
  /** How long to wait after publishing a challenge before the CA looks (secondary servers), ms. */
  dnsWaitMs?: number;
  /**
   * New orders a node may cause per 7 days (default 5): the CA's limits are the deployment's
   * (Let's Encrypt: 50 certificates per registered domain a week), so one node must not spend them.
   */
  ordersPerWeek?: number;
}

/** Too many orders for one node lately; `retryAfterMs` says when the oldest leaves the window. */
export class OrderLimitError extends Error {
  constructor(readonly retryAfterMs: number) {
    super('This node asked for too many certificates this week');
  }
}

const WEEK_MS = 7 * 86_400_000;

/** Orders per node in a sliding window of 7 days (in memory: a restart forgets, the CA's own limits remain). */
export class OrderBudget {
  private readonly orders = new Map<string, number[]>();
  constructor(private readonly perWeek: number) {}

  /** Spends one order for `node` at `now`, or throws OrderLimitError. */
  spend(node: string, now: number): void {
    const recent = (this.orders.get(node) ?? []).filter((t) => now - t < WEEK_MS);
    if (recent.length >= this.perWeek) throw new OrderLimitError(recent[0]! + WEEK_MS - now);
    recent.push(now);
    this.orders.set(node, recent);
  }
}

export interface IssuedCertificate {
  name: string;
  /** PEM, leaf first. */
  certificate: string;
  notAfter: string;
}

/** A CSR the hub will not send to the CA: unreadable, badly signed, or for another name. */
export class CsrError extends Error {}

/** How many identical requests are answered from memory rather than by a new order (a retry after a lost answer). */
const REMEMBERED = 256;

export class NodeCertificateAuthority {
  readonly domain: string;
  private client: acme.Client | undefined;
  private readonly queue = new Map<string, Promise<unknown>>();
  private readonly issued = new Map<string, IssuedCertificate>();
  private readonly budget: OrderBudget;

  constructor(private readonly options: AcmeOptions) {
    this.domain = options.domain;
    this.budget = new OrderBudget(options.ordersPerWeek ?? 5);
    if (options.trust !== undefined) {
      // acme-client's own axios instance: the CA's HTTPS is checked against the system roots and these.
      acme.axios.defaults.httpsAgent = new Agent({ ca: [...rootCertificates, options.trust] });
    }
  }

  nameOf(nodeId: string): string {
    return nodeHostName(nodeId, this.domain);
  }

  /** A certificate for `nodeId`'s name from `csrPem`, with the name published at `addresses`. One order per node at a time. */
  async issue(nodeId: string, csrPem: string, addresses: readonly string[]): Promise<IssuedCertificate> {
    const name = this.nameOf(nodeId);
    await checkCsr(csrPem, name);
    const key = createHash('sha256').update(csrPem.replace(/\r/g, '')).update(addresses.join(',')).digest('hex');
    const previous = this.queue.get(nodeId) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(async () => {
      const known = this.issued.get(key);
      if (known !== undefined && Date.parse(known.notAfter) - Date.now() > 7 * 86_400_000) return known;
      this.budget.spend(nodeId, Date.now());
      await this.options.dns.setAddresses(name, addresses);
      const certificate = await this.order(csrPem);
      const leaf = new X509Certificate(certificate);
      const issued = { name, certificate, notAfter: new Date(leaf.validTo).toISOString() };
      if (this.issued.size >= REMEMBERED) this.issued.delete(this.issued.keys().next().value!);
      this.issued.set(key, issued);
      return issued;
    });
    this.queue.set(nodeId, run);
    try {
      return await run;
    } finally {
      if (this.queue.get(nodeId) === run) this.queue.delete(nodeId);
    }
  }

  private async order(csrPem: string): Promise<string> {
    const client = await this.accountClient();
    const wait = this.options.dnsWaitMs ?? 0;
    const challengeName = (authz: { identifier: { value: string } }) => `_acme-challenge.${authz.identifier.value}`;
    return client.auto({
      csr: csrPem,
      ...(this.options.email !== undefined ? { email: this.options.email } : {}),
      termsOfServiceAgreed: true,
      challengePriority: ['dns-01'],
      // The hub answers from the zone it writes to; the CA checks it from outside.
      skipChallengeVerification: true,
      challengeCreateFn: async (authz, challenge, keyAuthorization) => {
        if (challenge.type !== 'dns-01') throw new Error(`The CA offered ${challenge.type}; only dns-01 is answered`);
        await this.options.dns.addTxt(challengeName(authz), keyAuthorization);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      },
      challengeRemoveFn: async (authz, _challenge, keyAuthorization) => {
        await this.options.dns.removeTxt(challengeName(authz), keyAuthorization);
      },
    });
  }

  private async accountClient(): Promise<acme.Client> {
    if (this.client !== undefined) return this.client;
    const file = this.options.accountKeyFile;
    let accountKey: Buffer;
    if (existsSync(file)) accountKey = readFileSync(file);
    else {
      accountKey = await acme.crypto.createPrivateEcdsaKey();
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(`${file}.tmp`, accountKey, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
      chmodSync(file, 0o600);
    }
    this.client = new acme.Client({ directoryUrl: this.options.directoryUrl, accountKey });
    return this.client;
  }
}

/** Refuses a CSR that is not for exactly `name`, or whose signature does not verify. */
export async function checkCsr(csrPem: string, name: string): Promise<void> {
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(csrPem);
  } catch {
    throw new CsrError('The certificate request cannot be read');
  }
  if (!(await csr.verify().catch(() => false))) throw new CsrError('The certificate request’s signature does not verify');
  let domains: { commonName: string | null; altNames: string[] };
  try {
    domains = acme.crypto.readCsrDomains(csrPem) as { commonName: string | null; altNames: string[] };
  } catch {
    throw new CsrError('The certificate request’s names cannot be read');
  }
  const names = new Set([...(domains.commonName ? [domains.commonName] : []), ...domains.altNames].map((n) => n.toLowerCase()));
  if (names.size !== 1 || !names.has(name)) {
    throw new CsrError(`The certificate request must name exactly ${name}, this node's name (it names ${[...names].join(', ') || 'nothing'})`);
  }
}
