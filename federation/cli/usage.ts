/**
 * Command-line parsing shared by the subcommands: `node:util` parseArgs in strict mode, with its
 * errors (unknown option, missing value) turned into a `UsageError` the entry point reports with
 * exit status 2, the convention for "you called it wrong".
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose --help to point at, e.g. "serve" or "dataset build". */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseOptions<T extends Options>(args: string[], options: T, command: string, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '.');
    throw new UsageError(message, command);
  }
}

export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a number from 0 to 65535, not "${value}"`, 'serve');
  }
  return port;
}
