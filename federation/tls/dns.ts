/**
 * What the hub needs from the deployment's DNS to give nodes names phones can trust: publish a
 * node's addresses under its name, and the TXT record of an ACME DNS-01 challenge. The hub holds
 * the zone's credentials; a node never does. Implementations: RFC 2136 dynamic update with TSIG
 * (BIND, Knot, PowerDNS; rfc2136.ts) and pebble-challtestsrv's API (tests; challtestsrv.ts).
 */
import { Rfc2136Provider, parseTsigKey } from './rfc2136.ts';
import { ChallTestSrvProvider } from './challtestsrv.ts';

export interface DnsProvider {
  /** The name answers with exactly these addresses (A and AAAA). */
  setAddresses(name: string, addresses: readonly string[]): Promise<void>;
  /** Adds a TXT value at `name` (an ACME challenge: `_acme-challenge.<name>`). */
  addTxt(name: string, value: string): Promise<void>;
  /** Removes that TXT value again. */
  removeTxt(name: string, value: string): Promise<void>;
}

/**
 * A provider from its command-line form: `rfc2136:<server>[:<port>]:<zone>` (the TSIG key from
 * `tsigKey`, `name:algorithm:base64 secret`), or `challtestsrv:<management URL>`.
 */
export function dnsProviderFrom(spec: string, tsigKey?: string): DnsProvider {
  const [kind, ...rest] = spec.split(':');
  if (kind === 'challtestsrv') return new ChallTestSrvProvider(rest.join(':'));
  if (kind === 'rfc2136') {
    const zone = rest.pop();
    const port = rest.length === 2 ? Number(rest[1]) : 53;
    const server = rest[0];
    if (zone === undefined || server === undefined || rest.length > 2 || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`"${spec}": expected rfc2136:<server>[:<port>]:<zone>`);
    }
    if (tsigKey === undefined || tsigKey === '') throw new Error('rfc2136 needs a TSIG key (--tsig-key or VERNACULAR_TSIG_KEY: name:algorithm:base64 secret)');
    return new Rfc2136Provider({ server, port, zone, key: parseTsigKey(tsigKey) });
  }
  throw new Error(`"${spec}": the DNS provider is rfc2136:<server>[:<port>]:<zone> or challtestsrv:<URL>`);
}
