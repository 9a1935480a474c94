/**
 * A node's name on the deployment's domain, like Plex's per-server names: `<node id>.<domain>`.
 * The node id (`n-` and 16 base32 letters) is already a DNS label and derived from the node's key,
 * so names are unique, stable across re-enrolment, and chosen by no one.
 */
import { isIP } from 'node:net';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The domain in lower case without a trailing dot, or an error saying why it is not one. */
export function parseDomain(text: string): string {
  const domain = text.trim().toLowerCase().replace(/\.$/, '');
  const labels = domain.split('.');
  if (domain.length > 200 || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels.at(-1)!)) {
    throw new Error(`"${text}" is not a domain name (like lib.example.org)`);
  }
  return domain;
}

export function nodeHostName(nodeId: string, domain: string): string {
  return `${nodeId}.${domain}`;
}

/**
 * Whether an address may be published for a node: a LAN address (private, carrier-grade NAT,
 * link-local or loopback; IPv6 unique-local, link-local or loopback). A node's name never points
 * into the public internet, so a rogue node cannot lend the deployment's domain to a public host.
 */
export function publishableAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
  }
  if (family === 6) {
    const lower = address.toLowerCase();
    if (lower === '::1') return true;
    const first = parseInt(lower.split(':')[0] || '0', 16);
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
  }
  return false;
}
