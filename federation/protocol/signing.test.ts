import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  ContributorKey,
  contributorIdOf,
  fromBase64url,
  ItemSignature,
  leafOf,
  merkleTree,
  parseDeviceAuthorization,
  parseKey,
  parseSignature,
  rootOf,
  toBase64url,
  formatSignature,
} from './index.ts';
import { mulberry32 } from '../../test/support/random.ts';

const nodeDigest = (d: Uint8Array) => createHash('sha256').update(d).digest();
const hex = (n: number) => createHash('sha256').update(String(n)).digest('hex');

describe('Merkle trees of signed items', () => {
  it('gives every leaf a path to the root, for every tree size up to 70', () => {
    for (let n = 1; n <= 70; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leafOf(hex(i)));
      const { root, paths } = merkleTree(leaves);
      leaves.forEach((leaf, i) => expect(rootOf(leaf, i, paths[i]!)).toEqual(root));
      // A leaf at another index, or another leaf at this one, reaches another root.
      if (n > 1) expect(rootOf(leaves[0]!, 1, paths[0]!)).not.toEqual(root);
      expect(rootOf(leafOf(hex(999)), 0, paths[0]!)).not.toEqual(root);
    }
  });

  it('agrees between the pure-JS and node:crypto digests', () => {
    const leaves = Array.from({ length: 13 }, (_, i) => leafOf(hex(i), nodeDigest));
    const asHex = (t: { root: Uint8Array; paths: Uint8Array[][] }) => [t.root, ...t.paths.flat()].map((b) => Buffer.from(b).toString('hex'));
    expect(asHex(merkleTree(leaves, nodeDigest))).toEqual(asHex(merkleTree(leaves, sha256)));
    expect(Buffer.from(leafOf(hex(3), nodeDigest)).equals(Buffer.from(leafOf(hex(3), sha256)))).toBe(true);
  });

  it('tells a leaf from an inner node (a pair of leaves is not a leaf)', () => {
    const { root } = merkleTree([leafOf(hex(1)), leafOf(hex(2))]);
    expect(root).not.toEqual(leafOf(Buffer.from(root).toString('hex')));
  });
});

describe('signature and key texts', () => {
  it('reads back what it writes, and refuses an index outside the tree', () => {
    const sig = new Uint8Array(64).fill(7);
    const path = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const text = formatSignature(3, sig, path);
    expect(ItemSignature.safeParse(text).success).toBe(true);
    expect(parseSignature(text)).toEqual({ index: 3, signature: sig, path });
    expect(ItemSignature.safeParse(formatSignature(4, sig, path)).success).toBe(false);
    expect(ItemSignature.safeParse(`${text}.`).success).toBe(false);
    expect(ItemSignature.safeParse(formatSignature(0, sig, Array.from({ length: 11 }, () => path[0]!))).success).toBe(false);
  });

  it('takes real P-256 and Ed25519 public keys, and no other shape', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }).subarray(26);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const ecText = `ES256.${toBase64url(ec)}`;
    const edText = `Ed25519.${toBase64url(ed)}`;
    expect(ContributorKey.safeParse(ecText).success).toBe(true);
    expect(ContributorKey.safeParse(edText).success).toBe(true);
    expect(parseKey(ecText)?.raw).toEqual(new Uint8Array(ec));
    expect(ContributorKey.safeParse(`Ed25519.${toBase64url(ec)}`).success).toBe(false);
    expect(ContributorKey.safeParse(`RS256.${toBase64url(ed)}`).success).toBe(false);
    expect(ContributorKey.safeParse(`${edText}x`).success).toBe(false);
  });

  it('derives a version-8 UUID contributor id that differs for every key', () => {
    const rand = mulberry32(5);
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const raw = Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256));
      const id = contributorIdOf(`Ed25519.${toBase64url(raw)}`);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(contributorIdOf(`Ed25519.${toBase64url(raw)}`, nodeDigest)).toBe(id);
      ids.add(id);
    }
    expect(ids.size).toBe(200);
  });

  it('encodes base64url as Buffer does, for every length', () => {
    const rand = mulberry32(9);
    for (let n = 0; n < 70; n++) {
      const b = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      expect(toBase64url(b)).toBe(Buffer.from(b).toString('base64url'));
      expect(fromBase64url(toBase64url(b))).toEqual(b);
    }
    expect(fromBase64url('a+b/')).toEqual(new Uint8Array(0));
  });

  it('parses only well-formed device Authorization headers', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const key = `Ed25519.${toBase64url(publicKey.export({ format: 'der', type: 'spki' }).subarray(12))}`;
    const sig = toBase64url(sign(null, Buffer.from('x'), privateKey));
    const good = `Vernacular-Key key=${key}, ts=1700000000000, nonce=abcdefghijklmnop, sig=${sig}`;
    expect(parseDeviceAuthorization(good)).toEqual({ key, ts: 1700000000000, nonce: 'abcdefghijklmnop', sig });
    expect(parseDeviceAuthorization(good.replace('Vernacular-Key', 'Vernacular-Ed25519'))).toBeUndefined();
    expect(parseDeviceAuthorization(good.replace('ts=1700000000000', 'ts=-1'))).toBeUndefined();
    expect(parseDeviceAuthorization(good.replace(`key=${key}`, 'key=someone'))).toBeUndefined();
    expect(parseDeviceAuthorization(`${good}${'x'.repeat(400)}`)).toBeUndefined();
    expect(fromBase64url(sig)).toHaveLength(64);
  });
});
