/**
 * DNS dynamic update (RFC 2136) signed with TSIG (RFC 8945), over TCP: what BIND, Knot and
 * PowerDNS accept from a holder of the zone's key. Each change is one UPDATE message; the answer's
 * RCODE says whether the server applied it. No name compression: the messages are small.
 */
import { createHmac, randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { isIP } from 'node:net';
import type { DnsProvider } from './dns.ts';

export interface TsigKey {
  name: string;
  /** hmac-sha256 and the other HMACs of RFC 8945 (node:crypto's digest name after the dash). */
  algorithm: string;
  secret: Buffer;
}

const ALGORITHMS = new Set(['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512']);

/** `name:algorithm:base64 secret`, as `tsig-keygen` and `keymgr -t` print them. */
export function parseTsigKey(text: string): TsigKey {
  const [name, algorithm, secret, ...rest] = text.split(':');
  const key = { name: (name ?? '').toLowerCase().replace(/\.$/, ''), algorithm: (algorithm ?? '').toLowerCase(), secret: Buffer.from(secret ?? '', 'base64') };
  if (rest.length > 0 || key.name === '' || !ALGORITHMS.has(key.algorithm) || key.secret.length < 16) {
    throw new Error('A TSIG key is name:algorithm:base64 secret, the algorithm one of hmac-sha1/224/256/384/512 and the secret at least 16 bytes');
  }
  return key;
}

const TYPE = { A: 1, TXT: 16, AAAA: 28, SOA: 6, TSIG: 250 } as const;
const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
const RCODES: Record<number, string> = {
  1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH (the TSIG key was not accepted)', 10: 'NOTZONE',
};

interface Change {
  name: string;
  type: number;
  cls: number;
  ttl: number;
  rdata: Buffer;
}

export interface Rfc2136Options {
  server: string;
  port: number;
  zone: string;
  key: TsigKey;
  /** TTL of what is added (default 60 s: a node's address can change). */
  ttl?: number;
  timeoutMs?: number;
}

export class Rfc2136Provider implements DnsProvider {
  private readonly zone: string;
  constructor(private readonly options: Rfc2136Options) {
    this.zone = options.zone.toLowerCase().replace(/\.$/, '');
  }

  async setAddresses(name: string, addresses: readonly string[]): Promise<void> {
    const ttl = this.options.ttl ?? 60;
    const changes: Change[] = [
      { name, type: TYPE.A, cls: CLASS.ANY, ttl: 0, rdata: Buffer.alloc(0) },
      { name, type: TYPE.AAAA, cls: CLASS.ANY, ttl: 0, rdata: Buffer.alloc(0) },
    ];
    for (const address of addresses) {
      const family = isIP(address);
      if (family === 4) changes.push({ name, type: TYPE.A, cls: CLASS.IN, ttl, rdata: Buffer.from(address.split('.').map(Number)) });
      else if (family === 6) changes.push({ name, type: TYPE.AAAA, cls: CLASS.IN, ttl, rdata: ipv6Bytes(address) });
      else throw new Error(`"${address}" is not an IP address`);
    }
    await this.update(changes);
  }

  async addTxt(name: string, value: string): Promise<void> {
    await this.update([{ name, type: TYPE.TXT, cls: CLASS.IN, ttl: this.options.ttl ?? 60, rdata: txtData(value) }]);
  }

  async removeTxt(name: string, value: string): Promise<void> {
    await this.update([{ name, type: TYPE.TXT, cls: CLASS.NONE, ttl: 0, rdata: txtData(value) }]);
  }

  /** Sends one signed UPDATE and waits for the server's answer. */
  private async update(changes: readonly Change[]): Promise<void> {
    for (const c of changes) {
      const name = c.name.toLowerCase().replace(/\.$/, '');
      if (name !== this.zone && !name.endsWith(`.${this.zone}`)) throw new Error(`${c.name} is not in the zone ${this.zone}`);
    }
    const message = updateMessage(this.zone, changes, this.options.key, Math.floor(Date.now() / 1000));
    const answer = await exchangeTcp(this.options.server, this.options.port, message, this.options.timeoutMs ?? 10_000);
    if (answer.length < 12 || answer.readUInt16BE(0) !== message.readUInt16BE(0)) throw new Error('The DNS server answered something that is not an answer to the update');
    const rcode = answer.readUInt16BE(2) & 0x0f;
    if (rcode !== 0) throw new Error(`The DNS server refused the update: ${RCODES[rcode] ?? `RCODE ${rcode}`}`);
  }
}

/** An UPDATE message for `zone` with `changes`, signed with `key` at `time` (seconds). */
export function updateMessage(zone: string, changes: readonly Change[], key: TsigKey, time: number, id: number = randomInt(0, 65536)): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(5 << 11, 2); // opcode UPDATE
  header.writeUInt16BE(1, 4); // zone
  header.writeUInt16BE(0, 6); // prerequisites
  header.writeUInt16BE(changes.length, 8);
  header.writeUInt16BE(0, 10); // additional: the TSIG, counted once added
  const parts = [header, nameBytes(zone), u16(TYPE.SOA), u16(CLASS.IN)];
  for (const c of changes) parts.push(nameBytes(c.name), u16(c.type), u16(c.cls), u32(c.ttl), u16(c.rdata.length), c.rdata);
  const unsigned = Buffer.concat(parts);

  const fudge = 300;
  const algorithm = nameBytes(key.algorithm);
  const timeSigned = Buffer.alloc(6);
  timeSigned.writeUIntBE(time, 0, 6);
  // RFC 8945 4.3.3: the message, then the TSIG variables (key name, class, TTL, algorithm, time, fudge, error, other).
  const variables = Buffer.concat([nameBytes(key.name), u16(CLASS.ANY), u32(0), algorithm, timeSigned, u16(fudge), u16(0), u16(0)]);
  const mac = createHmac(key.algorithm.slice('hmac-'.length), key.secret).update(unsigned).update(variables).digest();
  const rdata = Buffer.concat([algorithm, timeSigned, u16(fudge), u16(mac.length), mac, u16(id), u16(0), u16(0)]);
  const tsig = Buffer.concat([nameBytes(key.name), u16(TYPE.TSIG), u16(CLASS.ANY), u32(0), u16(rdata.length), rdata]);
  const signed = Buffer.concat([unsigned, tsig]);
  signed.writeUInt16BE(1, 10);
  return signed;
}

function exchangeTcp(host: string, port: number, message: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let length = 0;
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`The DNS server at ${host}:${port} did not answer within ${timeoutMs / 1000} s`)));
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      const all = Buffer.concat(chunks, length);
      if (all.length >= 2 && all.length >= 2 + all.readUInt16BE(0)) {
        socket.end();
        resolve(all.subarray(2, 2 + all.readUInt16BE(0)));
      }
    });
    socket.once('close', () => reject(new Error(`The DNS server at ${host}:${port} closed the connection without an answer`)));
    socket.write(Buffer.concat([u16(message.length), message]));
  });
}

function nameBytes(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new Error(`The DNS label "${label}" is longer than 63 bytes`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function txtData(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const piece = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([piece.length]), piece);
  }
  return Buffer.concat(parts);
}

/** The 16 bytes of an IPv6 address (with `::` and a trailing dotted IPv4 allowed). */
export function ipv6Bytes(address: string): Buffer {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  const words = (s: string) => (s === '' ? [] : s.split(':').map((w) => (/^[0-9a-f]{1,4}$/.test(w) ? parseInt(w, 16) : NaN)));
  const left = words(halves[0]!);
  const right = halves.length === 2 ? words(halves[1]!) : [];
  const all = halves.length === 2 ? [...left, ...new Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right] : left;
  if (halves.length > 2 || all.length !== 8 || all.some((w) => Number.isNaN(w))) throw new Error(`"${address}" is not an IPv6 address`);
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
