/**
 * A node's TLS files under `<data>/tls/`: its private key (made here, never sent anywhere) and the
 * certificate the hub obtained for it. The certificate is written by rename, so a reader sees the
 * old one or the new one, never half of one.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import acme from 'acme-client';

export interface CertificatePair {
  key: string;
  /** PEM, leaf first. */
  cert: string;
}

export interface CertificateInfo {
  names: string[];
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 fingerprint of the leaf, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint: string;
}

export function tlsDir(dataDir: string): string {
  return join(dataDir, 'tls');
}

/** The node's TLS key (PEM), made on first use (ECDSA P-256). */
export function loadOrCreateTlsKey(dataDir: string): string {
  const file = join(tlsDir(dataDir), 'key.pem');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(tlsDir(dataDir), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  writeFileSync(`${file}.tmp`, pem, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  chmodSync(file, 0o600);
  return pem;
}

/** A CSR (PEM) for `name` from the node's key. */
export async function certificateRequest(keyPem: string, name: string): Promise<string> {
  const [, csr] = await acme.crypto.createCsr({ commonName: name, altNames: [name] }, keyPem);
  return csr.toString();
}

/** The certificate the node holds for its key, or undefined. */
export function loadCertificate(dataDir: string): CertificatePair | undefined {
  const certFile = join(tlsDir(dataDir), 'cert.pem');
  const keyFile = join(tlsDir(dataDir), 'key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

export function saveCertificate(dataDir: string, certPem: string): void {
  const file = join(tlsDir(dataDir), 'cert.pem');
  writeFileSync(`${file}.tmp`, certPem, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

export function certificateInfo(certPem: string): CertificateInfo {
  const leaf = new X509Certificate(certPem);
  const names = (leaf.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase());
  return { names, notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo), fingerprint: leaf.fingerprint256 };
}

/**
 * Whether a certificate should be renewed now: two thirds of its lifetime gone (30 days before
 * the end of a Let's Encrypt 90-day one), or `renewBefore` ms before its end, whichever is first.
 */
export function renewalDue(info: CertificateInfo, now: Date, renewBeforeMs?: number): boolean {
  const start = info.notBefore.getTime();
  const end = info.notAfter.getTime();
  const byLifetime = start + ((end - start) * 2) / 3;
  const byMargin = renewBeforeMs === undefined ? Infinity : end - renewBeforeMs;
  return now.getTime() >= Math.min(byLifetime, byMargin);
}

/** Whether `key` is the private key of `cert`'s leaf. */
export function keyMatches(pair: CertificatePair): boolean {
  try {
    return new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key));
  } catch {
    return false;
  }
}

