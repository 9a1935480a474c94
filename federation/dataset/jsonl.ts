/**
 * A JSON Lines file written through a stream that respects backpressure (a write waits for
 * `drain`), into a temporary name renamed into place only when complete — an interrupted export
 * never leaves a truncated file that looks finished.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

export interface JsonlWriter {
  write(value: unknown): Promise<void>;
  /** Flushes, closes and moves the file into place. */
  commit(): Promise<void>;
  /** Closes and removes the partial file. */
  abort(): Promise<void>;
}

export function jsonlWriter(path: string): JsonlWriter {
  const partial = `${path}.partial`;
  const stream = createWriteStream(partial, { flags: 'w' });
  let error: Error | undefined;
  stream.on('error', (err) => {
    error = err;
  });
  return {
    async write(value) {
      if (error !== undefined) throw error;
      if (!stream.write(`${JSON.stringify(value)}\n`)) await once(stream, 'drain');
    },
    async commit() {
      stream.end();
      await finished(stream);
      await rename(partial, path);
    },
    async abort() {
      stream.destroy();
      await rm(partial, { force: true });
    },
  };
}
