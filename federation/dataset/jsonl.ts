/**
 * A JSON Lines file for exports that write values one at a time (the glossary): each value one
 * line of a TextFile (textfile.ts), which writes in chunks, into a temporary name renamed into
 * place only when complete.
 */
import { TextFile } from './textfile.ts';

export interface JsonlWriter {
  write(value: unknown): Promise<void>;
  /** Writes what is left, closes and moves the file into place. */
  commit(): Promise<void>;
  /** Closes and removes the partial file. */
  abort(): Promise<void>;
}

export function jsonlWriter(path: string): JsonlWriter {
  const file = new TextFile(path);
  return {
    async write(value) {
      file.line(JSON.stringify(value));
    },
    async commit() {
      file.commit();
    },
    async abort() {
      file.abort();
    },
  };
}
