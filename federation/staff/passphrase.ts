/**
 * Staff passphrases: the policy (at least PASSPHRASE_MIN code points, not a common password) and
 * scrypt storage.
 *
 * Stored as `scrypt$<log2 N>$<r>$<p>$<salt>$<key>` (base64url), so the cost can be raised later
 * and old records still verify with the parameters they were made with. The default is OWASP's
 * scrypt recommendation (N = 2^17, r = 8, p = 1: 128 MiB and a few hundred milliseconds, off the
 * event loop on libuv's thread pool). Comparison is constant-time.
 *
 * The common-password list is `passwords-common` of @zxcvbn-ts/language-common (about 49,000
 * passwords seen most in breaches, the list zxcvbn-ts itself matches against). A passphrase is
 * refused when it is on that list, is one of its words padded with digits or punctuation
 * ("password1234!"), repeats a unit of up to four characters ("abcabcabcabc") or runs a sequence
 * ("123456789012", "abcdefghijkl").
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { dictionary } from '@zxcvbn-ts/language-common';
import { PASSPHRASE_MIN } from '../protocol/index.ts';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  logN: number;
  r: number;
  p: number;
}

export const OWASP_SCRYPT: ScryptParams = { logN: 17, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** The same text typed on another device may arrive in another Unicode form: NFC first. */
const normalised = (passphrase: string) => passphrase.normalize('NFC');

let commonList: ReadonlySet<string> | undefined;
function common(): ReadonlySet<string> {
  // Built on first use (the package decompresses its list when imported).
  commonList ??= new Set(dictionary['passwords-common'].map((w) => w.toLowerCase()));
  return commonList;
}

function repeatsUnit(s: string): boolean {
  const chars = [...s];
  for (let unit = 1; unit <= 4; unit++) {
    if (chars.length % unit === 0 && chars.every((c, i) => c === chars[i % unit])) return true;
  }
  return false;
}

function isSequence(s: string): boolean {
  const codes = [...s].map((c) => c.codePointAt(0)!);
  const step = (a: number, b: number) => (b - a === 1 || (a === 57 && b === 48) ? 1 : a - b === 1 || (a === 48 && b === 57) ? -1 : 0);
  const first = step(codes[0]!, codes[1]!);
  return first !== 0 && codes.every((c, i) => i === 0 || step(codes[i - 1]!, c) === first);
}

export type PassphraseProblem = 'passphrase_too_short' | 'passphrase_common';

/** Why a new passphrase is refused, or null when it may be used. */
export function passphraseProblem(passphrase: string): PassphraseProblem | null {
  const p = normalised(passphrase);
  if ([...p].length < PASSPHRASE_MIN) return 'passphrase_too_short';
  const lower = p.toLowerCase();
  const list = common();
  if (list.has(lower)) return 'passphrase_common';
  const core = lower.replace(/^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu, '');
  if (core.length < 4 || list.has(core) || repeatsUnit(lower) || isSequence(lower)) return 'passphrase_common';
  return null;
}

function derive(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  return new Promise((resolve, reject) =>
    scrypt(normalised(passphrase), salt, KEY_BYTES, { N, r: params.r, p: params.p, maxmem: 256 * N * params.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassphrase(passphrase: string, params: ScryptParams = OWASP_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(passphrase, salt, params);
  return ['scrypt', params.logN, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const RECORD = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{43})$/;

/** Whether the passphrase matches the record; false for a malformed record, never a throw. */
export async function verifyPassphrase(passphrase: string, record: string): Promise<boolean> {
  const m = RECORD.exec(record);
  if (m === null) return false;
  const params = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.logN < 10 || params.logN > 20 || params.r < 1 || params.p < 1) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const key = await derive(passphrase, Buffer.from(m[4]!, 'base64url'), params);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A record nobody's passphrase matches, verified when a sign-in names an unknown account, so that
 * the answer takes as long as for a known one and does not tell which names exist.
 */
export function decoyRecord(params: ScryptParams): string {
  return ['scrypt', params.logN, params.r, params.p, randomBytes(SALT_BYTES).toString('base64url'), randomBytes(KEY_BYTES).toString('base64url')].join('$');
}
