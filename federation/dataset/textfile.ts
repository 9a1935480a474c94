/**
 * The one writer of the text files we export (JSON Lines, mostly): line by line into a temporary
 * name renamed into place only when complete — an interrupted export never leaves a truncated
 * file that looks finished — and hashed while it is written: its sha256 and size come with the
 * commit, so a release manifest needs no second read of what was just written.
 *
 * Lines are encoded into one reused buffer of CHUNK bytes and written when it fills,
 * synchronously: a release writes millions of lines, and one write per line (or an awaited
 * promise per line) cost more than making them. (Joining the lines into one string and encoding
 * that made two fresh megabyte-sized objects per chunk, whose pages the kernel had to map anew
 * each time: more system time than the writes themselves.)
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** Bytes gathered before they are written. */
const CHUNK = 1 << 20;

export interface WrittenText {
  rows: number;
  bytes: number;
  sha256: string;
}

export class TextFile {
  readonly #path: string;
  readonly #partial: string;
  readonly #hash = createHash('sha256');
  #fd: number | undefined;
  #buffer: Buffer | undefined;
  #used = 0;
  #bytes = 0;
  /** Lines written so far. */
  rows = 0;

  constructor(path: string) {
    this.#path = path;
    this.#partial = `${path}.partial`;
    this.#fd = openSync(this.#partial, 'w');
  }

  /** One line (without its newline). */
  line(text: string): void {
    this.rows++;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair, 2 units, takes 4).
    const most = text.length * 3 + 1;
    if (most > CHUNK) {
      this.#flush();
      this.#write(Buffer.from(`${text}\n`, 'utf8'));
      return;
    }
    if (this.#used + most > CHUNK) this.#flush();
    const buffer = (this.#buffer ??= Buffer.allocUnsafe(CHUNK));
    this.#used += buffer.write(text, this.#used, 'utf8');
    buffer[this.#used++] = 0x0a;
  }

  #flush(): void {
    if (this.#used === 0) return;
    this.#write(this.#buffer!.subarray(0, this.#used));
    this.#used = 0;
  }

  #write(bytes: Buffer): void {
    if (this.#fd === undefined) throw new Error(`${this.#path} is closed`);
    this.#hash.update(bytes);
    this.#bytes += bytes.length;
    for (let at = 0; at < bytes.length; ) at += writeSync(this.#fd, bytes, at, bytes.length - at);
  }

  /** Writes what is left, closes, moves the file into place; its size and sha256. */
  commit(): WrittenText {
    this.#flush();
    closeSync(this.#fd!);
    this.#fd = undefined;
    renameSync(this.#partial, this.#path);
    return { rows: this.rows, bytes: this.#bytes, sha256: this.#hash.digest('hex') };
  }

  /** Closes and removes the partial file. */
  abort(): void {
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch {
        /* already closed */
      }
      this.#fd = undefined;
    }
    rmSync(this.#partial, { force: true });
  }
}
