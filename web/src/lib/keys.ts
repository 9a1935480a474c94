/**
 * The contributor's key on this device (WebCrypto): made at consent, ECDSA P-256 (or Ed25519; the
 * algorithm is named with the key). The private signing key is kept in
 * IndexedDB as a non-extractable CryptoKey; the only other copy is its PKCS#8 bytes encrypted with
 * a second non-extractable key (AES-GCM), kept so that the contributor can make a recovery code
 * (encrypted again, with a passphrase) to move to a new phone. Neither ever leaves the device
 * unencrypted. Everything sent is signed here: items a batch at a time (protocol/signing.ts), and
 * the requests that ask about "my" items.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  contributionCanonical,
  contributorIdOf,
  deviceAuthorization,
  deviceRequestMessage,
  formatKey,
  formatSignature,
  fromBase64url,
  ITEMS_PER_TREE,
  type KeyAlgorithm,
  leafOf,
  merkleTree,
  signedMessage,
  toBase64url,
  toHex,
  UNSIGNED,
  Contribution,
} from '../../../federation/protocol/index.ts';

/** What is stored (structured clone of CryptoKeys: IndexedDB keeps them non-extractable). */
export interface StoredKey {
  algorithm: KeyAlgorithm;
  /** The public key text items carry. */
  key: string;
  privateKey: CryptoKey;
  /** AES-GCM key that encrypts `wrapped`; non-extractable. */
  wrapKey: CryptoKey;
  /** The private key's PKCS#8 bytes, encrypted with `wrapKey`. */
  wrapped: { iv: Uint8Array; data: Uint8Array };
}


const ALGORITHMS: Record<KeyAlgorithm, { generate: EcKeyGenParams | Algorithm; sign: EcdsaParams | Algorithm; import: EcKeyImportParams | Algorithm }> = {
  Ed25519: { generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' }, import: { name: 'Ed25519' } },
  ES256: {
    generate: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' },
    import: { name: 'ECDSA', namedCurve: 'P-256' },
  },
};

const subtle = (): SubtleCrypto => {
  if (!globalThis.crypto?.subtle) throw new Error('This page is not a secure context: WebCrypto is not available');
  return globalThis.crypto.subtle;
};

/** Copies into a fresh ArrayBuffer-backed array (WebCrypto's BufferSource in TypeScript's DOM types). */
const bytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);

async function fromPkcs8(algorithm: KeyAlgorithm, pkcs8: Uint8Array, publicRaw?: Uint8Array): Promise<StoredKey> {
  const s = subtle();
  const privateKey = await s.importKey('pkcs8', bytes(pkcs8), ALGORITHMS[algorithm].import, false, ['sign']);
  // The public key: given when just generated, else recomputed from a throwaway extractable import.
  let raw = publicRaw;
  if (raw === undefined) {
    const extractable = await s.importKey('pkcs8', bytes(pkcs8), ALGORITHMS[algorithm].import, true, ['sign']);
    const jwk = await s.exportKey('jwk', extractable);
    raw = algorithm === 'Ed25519'
      ? fromBase64url(jwk.x!)
      : Uint8Array.from([4, ...fromBase64url(jwk.x!), ...fromBase64url(jwk.y!)]);
  }
  const wrapKey = await s.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await s.encrypt({ name: 'AES-GCM', iv }, wrapKey, bytes(pkcs8)));
  return { algorithm, key: formatKey(algorithm, raw), privateKey, wrapKey, wrapped: { iv, data } };
}

/**
 * A new key: ECDSA P-256 by default — every browser makes one, and servers verify it about twice
 * as fast as Ed25519 (docs/benchmarks.md), which counts where phones send an item at a time.
 * Ed25519 when asked for, where the browser makes one (else P-256).
 */
export async function generateKey(prefer: KeyAlgorithm = 'ES256'): Promise<StoredKey> {
  const order: KeyAlgorithm[] = prefer === 'Ed25519' ? ['Ed25519', 'ES256'] : ['ES256'];
  let lastError: unknown;
  for (const algorithm of order) {
    try {
      const pair = (await subtle().generateKey(ALGORITHMS[algorithm].generate, true, ['sign', 'verify'])) as CryptoKeyPair;
      const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
      const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
      const stored = await fromPkcs8(algorithm, pkcs8, raw);
      pkcs8.fill(0);
      return stored;
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

/** Signs with a stored key. */
export class ContributorKey {
  readonly contributorId: string;

  constructor(readonly stored: StoredKey) {
    this.contributorId = contributorIdOf(stored.key);
  }

  get key(): string {
    return this.stored.key;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await subtle().sign(ALGORITHMS[this.stored.algorithm].sign, this.stored.privateKey, bytes(message)));
  }

  /**
   * Signs items (each must carry this key and its contributor id) in trees of ITEMS_PER_TREE: one
   * signature per tree, each item's path to its root. Items are hashed as the server normalises
   * them (the protocol schema), so what is signed is what the server checks.
   */
  async signItems<T extends object>(items: readonly T[]): Promise<(T & { signature: string })[]> {
    const out: (T & { signature: string })[] = [];
    for (let start = 0; start < items.length; start += ITEMS_PER_TREE) {
      const chunk = items.slice(start, start + ITEMS_PER_TREE);
      const leaves = chunk.map((item) => {
        const parsed = Contribution.safeParse({ ...item, signature: UNSIGNED });
        const canonical = contributionCanonical(parsed.success ? parsed.data : item);
        return leafOf(toHex(sha256(new TextEncoder().encode(canonical))));
      });
      const { root, paths } = merkleTree(leaves);
      const signature = await this.sign(signedMessage(root));
      chunk.forEach((item, i) => out.push({ ...item, signature: formatSignature(i, signature, paths[i]!) }));
    }
    return out;
  }

  /** The Authorization header of a request signed with this key (device-auth.ts on the node). */
  async authorization(method: string, target: string, body: Uint8Array | string = new Uint8Array(0), now = Date.now()): Promise<string> {
    const data = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const nonce = toBase64url(crypto.getRandomValues(new Uint8Array(16)));
    const ts = Math.trunc(now);
    const sig = await this.sign(deviceRequestMessage(method, target, ts, nonce, toHex(sha256(data))));
    return deviceAuthorization({ key: this.key, ts, nonce, sig: toBase64url(sig) });
  }

  /**
   * A recovery code for this key, protected by `passphrase`: PBKDF2-SHA-256 (600,000 rounds)
   * derives an AES-GCM key that encrypts the private key. Anyone with the code and the passphrase
   * can sign as this contributor; the code alone is useless.
   */
  async recoveryCode(passphrase: string): Promise<string> {
    checkPassphrase(passphrase);
    const s = subtle();
    const pkcs8 = new Uint8Array(await s.decrypt({ name: 'AES-GCM', iv: bytes(this.stored.wrapped.iv) }, this.stored.wrapKey, bytes(this.stored.wrapped.data)));
    try {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const aes = await passphraseKey(passphrase, salt, ['encrypt']);
      const sealed = new Uint8Array(await s.encrypt({ name: 'AES-GCM', iv, additionalData: aad(this.stored.algorithm) }, aes, pkcs8));
      return [RECOVERY_TAG, this.stored.algorithm, toBase64url(salt), toBase64url(iv), toBase64url(sealed)].join('.');
    } finally {
      pkcs8.fill(0);
    }
  }
}

const RECOVERY_TAG = 'VRC1';
const PBKDF2_ROUNDS = 600_000;
/** The shortest passphrase a recovery code may be protected with. */
export const MIN_PASSPHRASE = 12;

export type RecoveryErrorCode = 'passphrase_too_short' | 'not_a_recovery_code' | 'wrong_passphrase';

export class RecoveryError extends Error {
  constructor(readonly code: RecoveryErrorCode) {
    super(code);
    this.name = 'RecoveryError';
  }
}

function checkPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE) throw new RecoveryError('passphrase_too_short');
}

const aad = (algorithm: KeyAlgorithm): Uint8Array<ArrayBuffer> => bytes(new TextEncoder().encode(`vernacular-recovery/1|${algorithm}`));

async function passphraseKey(passphrase: string, salt: Uint8Array, usages: KeyUsage[]): Promise<CryptoKey> {
  const s = subtle();
  const material = await s.importKey('raw', bytes(new TextEncoder().encode(passphrase.normalize('NFC'))), 'PBKDF2', false, ['deriveKey']);
  return s.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: bytes(salt), iterations: PBKDF2_ROUNDS }, material, { name: 'AES-GCM', length: 256 }, false, usages);
}

/** The recovery code within a text (a saved file, a link, a pasted line), if there is one. */
export function findRecoveryCode(text: string): string | undefined {
  return /VRC1\.(?:Ed25519|ES256)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{40,400}/.exec(text)?.[0];
}

/** The key a recovery code holds, with its passphrase; stored anew (non-extractable) on this device. */
export async function restoreKey(text: string, passphrase: string): Promise<StoredKey> {
  const code = findRecoveryCode(text);
  if (code === undefined) throw new RecoveryError('not_a_recovery_code');
  const [, algorithm, salt, iv, sealed] = code.split('.') as [string, KeyAlgorithm, string, string, string];
  let pkcs8: Uint8Array;
  try {
    const aes = await passphraseKey(passphrase, fromBase64url(salt), ['decrypt']);
    pkcs8 = new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: bytes(fromBase64url(iv)), additionalData: aad(algorithm) }, aes, bytes(fromBase64url(sealed))));
  } catch {
    throw new RecoveryError('wrong_passphrase');
  }
  try {
    return await fromPkcs8(algorithm, pkcs8);
  } catch {
    throw new RecoveryError('not_a_recovery_code');
  } finally {
    pkcs8.fill(0);
  }
}
