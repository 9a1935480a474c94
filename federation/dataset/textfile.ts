/**
 * The one writer of the text files we export (JSON Lines, mostly): line by line into a temporary
 * name renamed into place only when complete — an interrupted export never leaves a truncated
 * file that looks finished — and hashed while it is written: its sha256 and size come with the
 * commit, so a release manifest needs no second read of what was just written.
 *
 * Lines are gathered and written in chunks of about CHUNK characters, synchronously: a release
 * writes millions of lines, and one write per line (or an awaited promise per line) cost more
 * than making them.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** Characters gathered before they are written. */
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
  #lines: string[] = [];
  #chars = 0;
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
    this.#lines.push(text);
    this.rows++;
    this.#chars += text.length + 1;
    if (this.#chars >= CHUNK) this.#flush();
  }

  #flush(): void {
    if (this.#lines.length === 0) return;
    const text = `${this.#lines.join('\n')}\n`;
    this.#lines = [];
    this.#chars = 0;
    const bytes = Buffer.from(text, 'utf8');
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
