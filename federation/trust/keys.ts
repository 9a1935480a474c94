/**
 * Node keys: an Ed25519 key pair made on a node's first start and kept in its data folder
 * (`node-key.pem`, PKCS#8, readable by the owner only). The public half travels as the raw 32 bytes
 * in base64url; a node's id is derived from it (`n-` + 16 base32 characters of its SHA-256), so
 * an id cannot be claimed without the key.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEY_FILE = 'node-key.pem';

export interface NodeKey {
  /** `n-…`, derived from the public key. */
  id: string;
  /** Raw public key, base64url. */
  publicKey: string;
  /** Signs bytes; answers the raw 64-byte signature in base64url. */
  sign(data: string | Uint8Array): string;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function nodeIdOf(publicKey: string): string {
  return `n-${base32(createHash('sha256').update(Buffer.from(publicKey, 'base64url')).digest()).slice(0, 16)}`;
}

function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('Not an Ed25519 key');
  return jwk.x;
}

function toNodeKey(privateKey: KeyObject): NodeKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('The node key is not an Ed25519 key');
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return {
    id: nodeIdOf(publicKey),
    publicKey,
    sign: (data) => sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, privateKey).toString('base64url'),
  };
}

export function generateNodeKey(): { key: NodeKey; pem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { key: toNodeKey(privateKey), pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/** The data folder's node key, created (atomically, mode 0600) when there is none. */
export function loadOrCreateNodeKey(dataDir: string): NodeKey {
  const path = join(dataDir, KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    const { pem } = generateNodeKey();
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, pem, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    // A concurrent first start may have made one meanwhile: keep whichever landed first.
    if (!existsSync(path)) renameSync(tmp, path);
  }
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
    return toNodeKey(createPrivateKey(pem));
  } catch (err) {
    throw new Error(`The node key ${path} cannot be read (${(err as Error).message}); restore it from a backup, or move it away to make a new one and enrol again`, { cause: err });
  }
}

/** A public key for verifying, from its raw base64url form; undefined when it is not one. */
export function publicKeyObject(publicKey: string): KeyObject | undefined {
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

export function verifySignature(publicKey: KeyObject, data: string | Uint8Array, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64url');
  if (sig.length !== 64) return false;
  try {
    return verify(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, publicKey, sig);
  } catch {
    return false;
  }
}

/** What a node signs to prove, at enrolment, that it holds the key it presents. */
export function enrolmentProof(token: string, publicKey: string): string {
  return `vernacular-enrol/1\n${token}\n${publicKey}`;
}
