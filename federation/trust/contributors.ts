/**
 * Checking contributors' signatures on a server (node:crypto), and making them where a server or a
 * tool holds a contributor key (tests, benchmarks). The format is protocol/signing.ts.
 *
 * An item is authentic when its contributor id is its key's, and the root its signature's path
 * reaches from the item's content hash verifies under that key. Items signed together share a
 * root, so each root is verified once (`ItemVerifier` remembers recent answers): a batch of 500
 * items from one device costs one verification per tree, not 500.
 */
import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, hash, type KeyObject, sign, verify } from 'node:crypto';
import {
  Contribution,
  contributionCanonical,
  contributorIdOf,
  type Digest,
  formatKey,
  formatSignature,
  type KeyAlgorithm,
  leafOf,
  merkleTree,
  MAX_SIGNATURE_DEPTH,
  parseKey,
  signedMessage,
  UNSIGNED,
} from '../protocol/index.ts';

export const nodeDigest: Digest = (data) => hash('sha256', data, 'buffer');

/** DER prefixes that make a SubjectPublicKeyInfo of a raw key. */
const SPKI_PREFIX: Record<KeyAlgorithm, Buffer> = {
  ES256: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'),
  Ed25519: Buffer.from('302a300506032b6570032100', 'hex'),
};

/** Bounded memo: cleared whole when full (an attacker's stream of fresh keys cannot grow it). */
class Memo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): V {
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}

/** A contributor key text, parsed once: its algorithm and node:crypto key (null: not a valid key). */
interface KnownKey {
  algorithm: KeyAlgorithm;
  object: KeyObject;
}
const publicKeys = new Memo<KnownKey | null>(20_000);
const contributorIds = new Memo<string>(20_000);

function knownKey(key: string): KnownKey | undefined {
  const known = publicKeys.get(key);
  if (known !== undefined) return known ?? undefined;
  const parsed = parseKey(key);
  let entry: KnownKey | null = null;
  if (parsed !== undefined) {
    try {
      entry = { algorithm: parsed.algorithm, object: createPublicKey({ key: Buffer.concat([SPKI_PREFIX[parsed.algorithm], parsed.raw]), format: 'der', type: 'spki' }) };
    } catch {
      entry = null;
    }
  }
  return publicKeys.set(key, entry) ?? undefined;
}

/** The node:crypto key of a contributor key text, or undefined when it is not a valid key. */
export function contributorPublicKey(key: string): KeyObject | undefined {
  return knownKey(key)?.object;
}

/** `contributorIdOf(key)`, remembered. */
export function contributorIdFor(key: string): string {
  return contributorIds.get(key) ?? contributorIds.set(key, contributorIdOf(key, nodeDigest));
}

function verifyRaw(key: KeyObject, algorithm: KeyAlgorithm, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return algorithm === 'ES256'
      ? verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature)
      : verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** Whether `signature` (raw, base64url) over `message` verifies under the contributor key text. */
export function verifyContributorMessage(key: string, message: Uint8Array, signature: string): boolean {
  const known = knownKey(key);
  const sig = Buffer.from(signature, 'base64url');
  if (known === undefined || sig.length !== 64) return false;
  return verifyRaw(known.object, known.algorithm, message, sig);
}

export interface SignatureProblem {
  code: 'bad_signature';
  field: 'contributor' | 'key' | 'signature';
  message: string;
}

/** The fields of an item that its signature covers, as a verifier needs them. */
export interface SignedItem {
  contributor: string;
  key: string;
  signature: string;
}

/**
 * Verifies items' signatures. Remembers the last roots it verified (by key, signature and root),
 * so the items of one signed tree cost one verification however they are split into requests.
 */
export class ItemVerifier {
  private readonly roots = new Memo<boolean>(4096);
  /**
   * Inner nodes of trees whose root verified (hex, with the key that signed): an item whose path
   * meets one of them is in that tree, so the rest of its path need not be hashed (collision
   * resistance), and the items of a tree cost about two hashes each after the first.
   */
  private readonly verifiedNodes = new Memo<true>(65_536);

  /**
   * Why `item` (whose content hash — sha256 hex of `contributionCanonical` — is `contentHash`) is
   * not its key's, or undefined when it is.
   */
  check(item: SignedItem, contentHash: string): SignatureProblem | undefined {
    const key = knownKey(item.key);
    if (key === undefined) return problem('key', 'The contributor key is not a valid public key');
    if (contributorIdFor(item.key) !== item.contributor) {
      return problem('contributor', 'The contributor id is not the one derived from the key');
    }
    const parts = item.signature.split('.');
    const depth = parts.length - 2;
    const index = Number(parts[0]);
    if (depth < 0 || depth > MAX_SIGNATURE_DEPTH || parts[1]!.length !== 86 || !Number.isInteger(index) || index < 0 || index >= 2 ** depth) {
      return problem('signature', 'The signature cannot be read');
    }
    // A tree is named by who (the id derived from the key) and its root signature's first 16 bytes.
    const tree = item.contributor + parts[1]!.slice(0, 22);
    // Up the path, stopping at a node already known to be under a root this key signed.
    let node = sha256(LEAF_TAG, Buffer.from(contentHash, 'hex'));
    const walked: string[] = [];
    let i = index;
    for (let d = 0; d < depth; d++) {
      const sibling = Buffer.from(parts[2 + d]!, 'base64url');
      if (sibling.length !== 32) return problem('signature', 'The signature cannot be read');
      node = (i & 1) === 0 ? sha256(NODE_TAG, node, sibling) : sha256(NODE_TAG, sibling, node);
      i >>>= 1;
      const id = tree + node.toString('latin1');
      if (this.verifiedNodes.get(id)) return undefined;
      walked.push(id);
    }
    const rootId = `${item.key} ${parts[1]} ${node.toString('latin1')}`;
    let ok = this.roots.get(rootId);
    if (ok === undefined) ok = this.roots.set(rootId, verifyRaw(key.object, key.algorithm, signedMessage(node), Buffer.from(parts[1]!, 'base64url')));
    if (!ok) return problem('signature', 'The signature does not verify with the contributor’s key');
    for (const id of walked) this.verifiedNodes.set(id, true);
    return undefined;
  }
}

const LEAF_TAG = Buffer.of(0);
const NODE_TAG = Buffer.of(1);
const sha256 = (...parts: Buffer[]): Buffer => hash('sha256', Buffer.concat(parts), 'buffer') as unknown as Buffer;

function problem(field: SignatureProblem['field'], message: string): SignatureProblem {
  return { code: 'bad_signature', field, message };
}

/** The content hash of an item as its signature covers it (hex sha256). */
export function signedContentHash(item: object): string {
  return hash('sha256', contributionCanonical(item), 'hex');
}

/** A contributor key held by a server-side tool or a test: signs as a device does. */
export interface ContributorSigner {
  /** The key text items carry. */
  key: string;
  /** The contributor id derived from it. */
  contributor: string;
  algorithm: KeyAlgorithm;
  /** Signs a message (raw signature bytes). */
  sign(message: Uint8Array): Uint8Array;
  /** PKCS#8 DER of the private key. */
  pkcs8(): Buffer;
}

export function contributorSigner(privateKey: KeyObject): ContributorSigner {
  const type = privateKey.asymmetricKeyType;
  const algorithm: KeyAlgorithm = type === 'ed25519' ? 'Ed25519' : 'ES256';
  if (type !== 'ed25519' && !(type === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1')) {
    throw new Error('A contributor key is Ed25519 or ECDSA P-256');
  }
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const key = formatKey(algorithm, spki.subarray(SPKI_PREFIX[algorithm].length));
  return {
    key,
    contributor: contributorIdOf(key, nodeDigest),
    algorithm,
    sign: (message) =>
      algorithm === 'ES256' ? sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }) : sign(null, message, privateKey),
    pkcs8: () => privateKey.export({ format: 'der', type: 'pkcs8' }),
  };
}

export function generateContributorSigner(algorithm: KeyAlgorithm = 'Ed25519'): ContributorSigner {
  const { privateKey } = algorithm === 'Ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return contributorSigner(privateKey);
}

/**
 * A signer whose key is made from 32 seed bytes, the same every time: for tests and benchmarks
 * that must give the same contributors on every run (never for a real contributor).
 */
export function contributorSignerFromSeed(seed: Uint8Array, algorithm: KeyAlgorithm = 'ES256'): ContributorSigner {
  if (algorithm === 'Ed25519') return contributorSignerFrom(Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(seed)]));
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(seed));
  const point = ecdh.getPublicKey();
  const jwk = { kty: 'EC', crv: 'P-256', d: Buffer.from(seed).toString('base64url'), x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
  return contributorSigner(createPrivateKey({ key: jwk, format: 'jwk' }));
}
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A signer from a PKCS#8 DER private key. */
export function contributorSignerFrom(pkcs8: Uint8Array): ContributorSigner {
  return contributorSigner(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }));
}

/**
 * Signs items as one tree (at most 2^10), each already carrying the signer's `key` and
 * `contributor`: answers copies with their `signature` set. Items are hashed as given, so give
 * them normalised (as the protocol schema outputs them), as a device does.
 */
export function signItems<T extends object>(signer: ContributorSigner, items: readonly T[]): (T & { signature: string })[] {
  if (items.length === 0) return [];
  const leaves = items.map((item) => leafOf(signedContentHash(forSigning(item)), nodeDigest));
  const { root, paths } = merkleTree(leaves, nodeDigest);
  const signature = signer.sign(signedMessage(root));
  return items.map((item, i) => ({ ...item, signature: formatSignature(i, signature, paths[i]!) }));
}

/** `signItems` over trees of at most `perTree` items. */
export function signInTrees<T extends object>(signer: ContributorSigner, items: readonly T[], perTree: number): (T & { signature: string })[] {
  const out: (T & { signature: string })[] = [];
  for (let i = 0; i < items.length; i += perTree) out.push(...signItems(signer, items.slice(i, i + perTree)));
  return out;
}

/** The item as the protocol schema normalises it (as a server will hash it), or as it is when it is not valid. */
function forSigning(item: object): object {
  const parsed = Contribution.safeParse({ ...item, signature: UNSIGNED });
  return parsed.success ? parsed.data : item;
}
