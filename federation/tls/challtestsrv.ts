/**
 * pebble-challtestsrv's management API as a DNS provider: the test DNS server that Pebble (the
 * ACME test CA) asks. Used in tests and in a deployment's rehearsal; never in production.
 */
import { isIP } from 'node:net';
import type { DnsProvider } from './dns.ts';

export class ChallTestSrvProvider implements DnsProvider {
  private readonly base: string;

  constructor(url: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`"${url}" is not the URL of pebble-challtestsrv's management interface`);
    }
    this.base = parsed.origin;
  }

  async setAddresses(name: string, addresses: readonly string[]): Promise<void> {
    const host = fqdn(name);
    await this.post('/clear-a', { host });
    await this.post('/clear-aaaa', { host });
    const v4 = addresses.filter((a) => isIP(a) === 4);
    const v6 = addresses.filter((a) => isIP(a) === 6);
    if (v4.length > 0) await this.post('/add-a', { host, addresses: v4 });
    if (v6.length > 0) await this.post('/add-aaaa', { host, addresses: v6 });
  }

  async addTxt(name: string, value: string): Promise<void> {
    await this.post('/set-txt', { host: fqdn(name), value });
  }

  async removeTxt(name: string): Promise<void> {
    await this.post('/clear-txt', { host: fqdn(name) });
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.base}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`pebble-challtestsrv ${path} answered ${response.status}`);
  }
}

function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}
