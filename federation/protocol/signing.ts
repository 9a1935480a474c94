/**
 * Contributor keys and item signatures, pure (no I/O; the key operations themselves are WebCrypto
 * on the device and node:crypto on servers).
 *
 * A contributor is a key pair made on their device. The public key travels with every record as
 * `key` (`ES256.` + the raw 65-byte P-256 point, or `Ed25519.` + the raw 32 bytes, base64url), and
 * the contributor id is derived from it (`contributorIdOf`), so nobody can claim another's id.
 *
 * A device signs a batch of items at once: each item's content hash is a leaf of a Merkle tree
 * (padded to a power of two), the device signs the root, and each item carries
 * `signature = index "." rootSignature ("." siblingHash)*` — enough to check that item alone
 * (`rootOf`), while a server checks a batch's items with one signature verification per tree.
 * A single item is a tree of depth 0: its signature is over its own leaf.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';

export type Digest = (data: Uint8Array) => Uint8Array;

export const KEY_ALGORITHMS = ['ES256', 'Ed25519'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** Raw public key lengths: an uncompressed P-256 point, an Ed25519 key. */
const RAW_KEY_BYTES: Record<KeyAlgorithm, number> = { ES256: 65, Ed25519: 32 };

export const ContributorKey = z
  .string()
  .regex(/^(?:ES256\.B[A-Za-z0-9_-]{85}[AEIMQUYcgkosw048]|Ed25519\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])$/, 'Not a contributor public key')
  .meta({
    id: 'ContributorKey',
    description: 'The contributor’s public key: "ES256." + raw uncompressed P-256 point, or "Ed25519." + raw key, base64url',
  });

/** Items the app signs per tree: a 64-leaf tree keeps each signature under 400 characters. */
export const ITEMS_PER_TREE = 64;

/** Deepest tree a signature may name: 2^10 leaves, more than a batch holds. */
export const MAX_SIGNATURE_DEPTH = 10;

export const ItemSignature = z
  .string()
  .regex(/^(?:0|[1-9]\d{0,3})\.[A-Za-z0-9_-]{85}[AQgw](?:\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]){0,10}$/, 'Not an item signature')
  // The pattern fixes every length; the index must name a leaf of the tree its path climbs.
  .refine((s) => Number(s.slice(0, s.indexOf('.'))) < 2 ** ((s.length - s.indexOf('.') - 87) / 44), 'The leaf index does not fit the tree')
  .meta({
    id: 'ItemSignature',
    description:
      'The author’s signature: leaf index, "." the 64-byte signature of the batch’s Merkle root, then "." each sibling hash up the tree (base64url)',
  });

/** A well-formed signature that verifies nothing: stands in while an item is normalised before signing. */
export const UNSIGNED = `0.${'A'.repeat(86)}`;

export interface ParsedSignature {
  index: number;
  signature: Uint8Array;
  path: Uint8Array[];
}

export function parseSignature(text: string): ParsedSignature | undefined {
  const parts = text.split('.');
  if (parts.length < 2 || parts.length - 2 > MAX_SIGNATURE_DEPTH) return undefined;
  const index = Number(parts[0]);
  const path = parts.slice(2).map(fromBase64url);
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** path.length) return undefined;
  const signature = fromBase64url(parts[1]!);
  if (signature.length !== 64 || path.some((h) => h.length !== 32)) return undefined;
  return { index, signature, path };
}

export function formatSignature(index: number, signature: Uint8Array, path: readonly Uint8Array[]): string {
  return [String(index), toBase64url(signature), ...path.map(toBase64url)].join('.');
}

export interface ParsedKey {
  algorithm: KeyAlgorithm;
  raw: Uint8Array;
}

export function parseKey(key: string): ParsedKey | undefined {
  const dot = key.indexOf('.');
  const algorithm = key.slice(0, dot) as KeyAlgorithm;
  if (!(KEY_ALGORITHMS as readonly string[]).includes(algorithm)) return undefined;
  const raw = fromBase64url(key.slice(dot + 1));
  return raw.length === RAW_KEY_BYTES[algorithm] ? { algorithm, raw } : undefined;
}

export function formatKey(algorithm: KeyAlgorithm, raw: Uint8Array): string {
  return `${algorithm}.${toBase64url(raw)}`;
}

const encoder = new TextEncoder();
const ID_TAG = encoder.encode('vernacular-contributor/1\n');

/**
 * The contributor id of a key: the first 16 bytes of SHA-256(tag ‖ key text) laid out as an RFC
 * 9562 version-8 UUID, so it fits wherever a contributor id went before and cannot be chosen.
 */
export function contributorIdOf(key: string, digest: Digest = sha256): string {
  const b = digest(concat(ID_TAG, encoder.encode(key))).slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = toHex(b);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);
const EMPTY = Uint8Array.of(2);
const ROOT_TAG = encoder.encode('vernacular-items/1\n');

/** The leaf of an item: its content hash (hex SHA-256 of its canonical JSON, signature left out). */
export function leafOf(contentHash: string, digest: Digest = sha256): Uint8Array {
  return digest(concat(LEAF, fromHex(contentHash)));
}

function parent(left: Uint8Array, right: Uint8Array, digest: Digest): Uint8Array {
  return digest(concat(NODE, left, right));
}

/** The root a leaf at `index` reaches through `path` (sibling hashes, bottom up). */
export function rootOf(leaf: Uint8Array, index: number, path: readonly Uint8Array[], digest: Digest = sha256): Uint8Array {
  let node = leaf;
  let i = index;
  for (const sibling of path) {
    node = (i & 1) === 0 ? parent(node, sibling, digest) : parent(sibling, node, digest);
    i >>>= 1;
  }
  return node;
}

/** A tree over `leaves`, padded with empty leaves to a power of two: its root and each leaf's path. */
export function merkleTree(leaves: readonly Uint8Array[], digest: Digest = sha256): { root: Uint8Array; paths: Uint8Array[][] } {
  if (leaves.length === 0) throw new Error('A tree needs at least one leaf');
  let depth = 0;
  while (2 ** depth < leaves.length) depth++;
  if (depth > MAX_SIGNATURE_DEPTH) throw new Error(`At most ${2 ** MAX_SIGNATURE_DEPTH} items per signed tree`);
  const empty = digest(EMPTY);
  let level: Uint8Array[] = [...leaves];
  while (level.length < 2 ** depth) level.push(empty);
  const paths: Uint8Array[][] = leaves.map(() => []);
  for (let d = 0; d < depth; d++) {
    leaves.forEach((_, i) => paths[i]!.push(level[(i >>> d) ^ 1]!));
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(parent(level[j]!, level[j + 1]!, digest));
    level = next;
  }
  return { root: level[0]!, paths };
}

/** The bytes an author's key signs: a tag and the tree's root. */
export function signedMessage(root: Uint8Array): Uint8Array {
  return concat(ROOT_TAG, root);
}

/**
 * Requests a device signs with its contributor key (the review queue, the status of one's own
 * items): `Authorization: Vernacular-Key key=<key>, ts=<ms>, nonce=<base64url>, sig=<base64url>`,
 * `sig` over `deviceRequestMessage`. The server learns who asks from the signature, never from an
 * id the client names.
 */
export const DEVICE_AUTH_SCHEME = 'Vernacular-Key';
const DEVICE_REQUEST_TAG = 'vernacular-device-request/1';

/** The bytes a device signs for a request: method, path with query, time, nonce, body digest (hex). */
export function deviceRequestMessage(method: string, target: string, ts: number, nonce: string, bodyDigestHex: string): Uint8Array {
  return encoder.encode(`${DEVICE_REQUEST_TAG}\n${method.toUpperCase()}\n${target}\n${ts}\n${nonce}\n${bodyDigestHex}`);
}

export interface DeviceRequestAuth {
  key: string;
  ts: number;
  nonce: string;
  sig: string;
}

/** The parts of a device's Authorization header; undefined when it is not a well-formed one. */
export function parseDeviceAuthorization(header: string | null | undefined): DeviceRequestAuth | undefined {
  if (header === null || header === undefined || header.length > 400) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== DEVICE_AUTH_SCHEME) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const key = fields.get('key');
  const ts = fields.get('ts');
  const nonce = fields.get('nonce');
  const sig = fields.get('sig');
  if (key === undefined || ts === undefined || nonce === undefined || sig === undefined) return undefined;
  if (!ContributorKey.safeParse(key).success || !/^\d{1,16}$/.test(ts) || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce) || !/^[A-Za-z0-9_-]{86}$/.test(sig)) {
    return undefined;
  }
  return { key, ts: Number(ts), nonce, sig };
}

export function deviceAuthorization(auth: DeviceRequestAuth): string {
  return `${DEVICE_AUTH_SCHEME} key=${auth.key}, ts=${auth.ts}, nonce=${auth.nonce}, sig=${auth.sig}`;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Char code → 6-bit value, -1 for characters outside the alphabet. */
const B64URL_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) B64URL_INDEX[B64URL.charCodeAt(i)] = i;

export function toBase64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64URL[(n >>> 18) & 63]! + B64URL[(n >>> 12) & 63]!;
    if (i + 1 < bytes.length) out += B64URL[(n >>> 6) & 63]!;
    if (i + 2 < bytes.length) out += B64URL[n & 63]!;
  }
  return out;
}

/** Bytes of base64url text without padding; a text that is not such is answered as no bytes. */
export function fromBase64url(text: string): Uint8Array {
  if (text.length % 4 === 1) return new Uint8Array(0);
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? B64URL_INDEX[code]! : -1;
    if (v < 0) return new Uint8Array(0);
    value = ((value << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >>> bits) & 0xff;
    }
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
