/**
 * Contributors in published files: a keyed hash of their id, never the id itself. The pseudonym
 * is HMAC-SHA-256 of the id under a secret key the deployment keeps (the first 128 bits, as hex):
 * stable across every release of the deployment, not reversible, and not linkable to another
 * deployment's. Reviewers are contributors too, and get the same pseudonyms.
 *
 * The key is `<data>/release-pseudonym.key` (64 hex digits), made on first use with permissions
 * 0600 and never written again: losing or replacing it changes every pseudonym of later releases,
 * so it is backed up with the data folder and never published.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PSEUDONYM_KEY_FILE = 'release-pseudonym.key';

const KEY = /^[0-9a-f]{64}$/;

export function pseudonymKeyPath(dataDir: string): string {
  return join(dataDir, PSEUDONYM_KEY_FILE);
}

/** The deployment's key (hex), made the first time it is needed. */
export async function loadPseudonymKey(dataDir: string): Promise<string> {
  const path = pseudonymKeyPath(dataDir);
  const read = async () => {
    const text = (await readFile(path, 'utf8')).trim();
    if (!KEY.test(text)) {
      throw new Error(`${path} is not a release pseudonym key (64 hex digits). Restore it from a backup: a new key gives every contributor a new pseudonym.`);
    }
    return text;
  };
  try {
    return await read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  try {
    // `wx`: never replace a key another build made meanwhile; read that one instead.
    await writeFile(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return read();
}

/** Ids to pseudonyms under one key, each computed once (a release meets the same contributors over and over). */
export class Pseudonyms {
  readonly #key: Buffer;
  readonly #known = new Map<string, string>();

  constructor(keyHex: string) {
    if (!KEY.test(keyHex)) throw new Error('A release pseudonym key is 64 hex digits');
    this.#key = Buffer.from(keyHex, 'hex');
  }

  of(id: string): string {
    let p = this.#known.get(id);
    if (p === undefined) {
      p = createHmac('sha256', this.#key).update(`vernacular-contributor:${id}`, 'utf8').digest('hex').slice(0, 32);
      if (this.#known.size >= 1_000_000) this.#known.clear();
      this.#known.set(id, p);
    }
    return p;
  }
}
