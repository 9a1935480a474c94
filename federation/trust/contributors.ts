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

/** A contributor key text, parsed once: its algorithm, node:crypto key and contributor id (null: not a valid key). */
interface KnownKey {
  algorithm: KeyAlgorithm;
  object: KeyObject;
  contributor: string;
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
      const object = createPublicKey({ key: Buffer.concat([SPKI_PREFIX[parsed.algorithm], parsed.raw]), format: 'der', type: 'spki' });
      entry = { algorithm: parsed.algorithm, object, contributor: contributorIdFor(key) };
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
 * Verifies items' signatures. Remembers the trees whose root it verified (by key, depth and root
 * signature) with the nodes known to be in them, each at its position, so the items of one signed
 * tree cost one verification however they are split into requests, and about two hashes each
 * after the first.
 */
export class ItemVerifier {
  private readonly roots = new Memo<boolean>(4096);
  /**
   * Per verified tree, its nodes known so far by position (level × 1024 + index at that level),
   * as base64url: those on verified paths and their siblings. An item whose path reaches a known
   * node at its position, with the rest of its path equal to the known siblings above, is in that
   * tree with exactly the signature it carries, as if its path had been climbed to the root
   * (collision resistance; leaves and inner nodes are hashed under different tags).
   */
  private trees = new Map<string, Map<number, string>>();
  private treeNodes = 0;
  /** The last item's key and tree: consecutive items mostly share them. */
  private lastKeyText = '';
  private lastKey: KnownKey | undefined;
  private lastTreeId = '';
  private lastTree: Map<number, string> | undefined;

  /**
   * Why `item` (whose content hash — sha256 hex of `contributionCanonical` — is `contentHash`) is
   * not its key's, or undefined when it is.
   */
  check(item: SignedItem, contentHash: string): SignatureProblem | undefined {
    const key = item.key === this.lastKeyText ? this.lastKey : knownKey(item.key);
    if (key === undefined) return problem('key', 'The contributor key is not a valid public key');
    this.lastKeyText = item.key;
    this.lastKey = key;
    if (key.contributor !== item.contributor) return problem('contributor', 'The contributor id is not the one derived from the key');
    const parts = item.signature.split('.');
    const depth = parts.length - 2;
    const index = Number(parts[0]);
    const rootSig = parts[1]!;
    if (depth < 0 || depth > MAX_SIGNATURE_DEPTH || rootSig.length !== 86 || !Number.isInteger(index) || index < 0 || index >= 2 ** depth) {
      return problem('signature', 'The signature cannot be read');
    }
    const treeId = `${key.contributor}${depth}${rootSig}`;
    let known: Map<number, string> | undefined;
    if (treeId === this.lastTreeId) known = this.lastTree;
    else {
      known = this.trees.get(treeId);
      this.lastTreeId = treeId;
      this.lastTree = known;
    }
    // Up the path, until a node already known at its position, with the rest of the path the
    // known siblings; anything else is climbed to the root (the shortcut never refuses).
    let node = leafHash(contentHash);
    const walked: Array<number | string> = [];
    let shortcut = known;
    for (let d = 0; d < depth; d++) {
      const i = index >>> d;
      const text = node.toString('base64url');
      const have = shortcut?.get(d * 1024 + i);
      if (have !== undefined) {
        if (have === text && restMatches(shortcut!, parts, index, d, depth)) return this.remember(shortcut!, walked);
        shortcut = undefined;
      }
      const siblingText = parts[2 + d]!;
      const sibling = Buffer.from(siblingText, 'base64url');
      if (sibling.length !== 32) return problem('signature', 'The signature cannot be read');
      walked.push(d * 1024 + i, text, d * 1024 + (i ^ 1), siblingText);
      node = (i & 1) === 0 ? nodeHash(node, sibling) : nodeHash(sibling, node);
    }
    const rootId = `${item.key} ${rootSig} ${node.toString('latin1')}`;
    let ok = this.roots.get(rootId);
    if (ok === undefined) ok = this.roots.set(rootId, verifyRaw(key.object, key.algorithm, signedMessage(node), Buffer.from(rootSig, 'base64url')));
    if (!ok) return problem('signature', 'The signature does not verify with the contributor’s key');
    if (known === undefined) {
      // Bounded like the other memos: forgotten whole when full (a tree is then verified again).
      if (this.treeNodes > 65_536) {
        this.trees = new Map();
        this.treeNodes = 0;
      }
      known = new Map();
      this.trees.set(treeId, known);
      this.lastTree = known;
    }
    return this.remember(known, walked);
  }

  /** Adds what a path walked (position, node; position, sibling; …) to the tree's known nodes. */
  private remember(known: Map<number, string>, walked: ReadonlyArray<number | string>): undefined {
    for (let k = 0; k < walked.length; k += 2) known.set(walked[k] as number, walked[k + 1] as string);
    this.treeNodes += walked.length / 2;
    return undefined;
  }
}

/** Whether the siblings a signature gives from level `from` up are the tree's known ones. */
function restMatches(known: Map<number, string>, parts: readonly string[], index: number, from: number, depth: number): boolean {
  for (let d = from; d < depth; d++) {
    if (known.get(d * 1024 + ((index >>> d) ^ 1)) !== parts[2 + d]) return false;
  }
  return true;
}

// protocol/signing.ts's leaf (0x00 ‖ content hash) and node (0x01 ‖ left ‖ right), hashed from
// reused buffers: these run for every item a server takes.
const LEAF_INPUT = Buffer.alloc(33, 0);
const NODE_INPUT = Buffer.alloc(65, 1);
function leafHash(contentHashHex: string): Buffer {
  if (LEAF_INPUT.write(contentHashHex, 1, 'hex') !== 32) return Buffer.alloc(32); // never a real node (not a 64-digit hash)
  return hash('sha256', LEAF_INPUT, 'buffer') as unknown as Buffer;
}
function nodeHash(left: Buffer, right: Buffer): Buffer {
  left.copy(NODE_INPUT, 1);
  right.copy(NODE_INPUT, 33);
  return hash('sha256', NODE_INPUT, 'buffer') as unknown as Buffer;
}

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
