/**
 * A node's certificate for its name, from its hub (hub/certificate.ts): the key is made here and
 * stays here; the hub gets a CSR and the addresses to publish. Checked at start and then every
 * `checkEveryMs`; renewed once two thirds of its lifetime are gone (tls/files.ts `renewalDue`),
 * and when the node's addresses change. A failure is logged and tried again at the next check,
 * while the current certificate keeps being served.
 */
import { certificateInfo, certificateRequest, type CertificatePair, keyMatches, loadCertificate, loadOrCreateTlsKey, renewalDue, saveCertificate } from '../tls/files.ts';
import type { FederationAgent } from './agent.ts';
import { HubError } from './agent.ts';

export interface NodeCertificateOptions {
  dataDir: string;
  agent: FederationAgent;
  /** The addresses phones reach this node at (published under its name). */
  addresses: () => string[];
  /** Called with each new certificate (and with the one on disk, at start). */
  onCertificate: (pair: CertificatePair, name: string) => void;
  log: (line: string) => void;
  /** Renew this long before the end at the latest (default: only the two-thirds rule). */
  renewBeforeMs?: number;
  now?: () => Date;
}

export class NodeCertificate {
  private timer: NodeJS.Timeout | undefined;
  private published = '';
  private running: Promise<void> | undefined;
  /** The hub said it gives no certificates: not asked again until restart. */
  private notOffered = false;
  private saidNoAddress = false;

  constructor(private readonly options: NodeCertificateOptions) {}

  /** The certificate on disk when it is this node's key's and not expired. */
  current(): { pair: CertificatePair; name: string; notAfter: Date } | undefined {
    const pair = loadCertificate(this.options.dataDir);
    if (pair === undefined || !keyMatches(pair)) return undefined;
    const info = certificateInfo(pair.cert);
    const now = this.now();
    if (info.notAfter <= now || info.names.length === 0) return undefined;
    return { pair, name: info.names[0]!, notAfter: info.notAfter };
  }

  /** Asks the hub for a certificate when there is none, it is due, or the addresses changed. Never throws. */
  check(): Promise<void> {
    this.running ??= this.checkNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  start(checkEveryMs: number): void {
    const held = this.current();
    if (held !== undefined) {
      this.published = this.options.addresses().join(',');
      this.options.onCertificate(held.pair, held.name);
    }
    void this.check();
    this.timer = setInterval(() => void this.check(), checkEveryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running?.catch(() => {});
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async checkNow(): Promise<void> {
    if (this.notOffered) return;
    const held = this.current();
    const addresses = this.options.addresses();
    const due = held === undefined || renewalDue(certificateInfo(held.pair.cert), this.now(), this.options.renewBeforeMs) || addresses.join(',') !== this.published;
    if (!due) return;
    if (addresses.length === 0) {
      if (!this.saidNoAddress) this.options.log('certificate: this machine has no LAN address to publish; give one with --lan-address');
      this.saidNoAddress = true;
      return;
    }
    try {
      const key = loadOrCreateTlsKey(this.options.dataDir);
      const link = await this.options.agent.links.get();
      if (link === undefined) return;
      // The hub names the node; the CSR must name exactly that.
      const name = held?.name ?? (await this.options.agent.certificateName());
      const answer = await this.options.agent.requestCertificate(await certificateRequest(key, name), addresses);
      saveCertificate(this.options.dataDir, answer.certificate);
      this.published = addresses.join(',');
      this.options.log(`certificate: ${held === undefined ? 'got' : 'renewed'} the certificate for ${answer.name}, valid until ${answer.notAfter}`);
      this.options.onCertificate({ key, cert: answer.certificate }, answer.name);
    } catch (err) {
      if (err instanceof HubError && err.code === 'certificates_not_offered') {
        this.notOffered = true;
        this.options.log('certificate: the hub gives no certificates; phones need another secure address (see the README: HTTPS)');
        return;
      }
      this.options.log(`certificate: could not get one from the hub (${(err as Error).message}); trying again later`);
    }
  }
}
