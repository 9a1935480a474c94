/**
 * Whether a model download should be confirmed first: the browser says the contributor asked to
 * save data, or the connection is cellular, or it is slow (effective type 2g/3g or worse). Read
 * from the Network Information API where the browser has it; without it, nothing is assumed.
 */
export interface ConnectionLike {
  saveData?: boolean;
  type?: string;
  effectiveType?: string;
}

const SLOW = new Set(['slow-2g', '2g', '3g']);

export function isMetered(connection: ConnectionLike | undefined): boolean {
  if (!connection) return false;
  return connection.saveData === true || connection.type === 'cellular' || SLOW.has(connection.effectiveType ?? '');
}

/** This browser's connection, as far as it tells. */
export function currentConnection(): ConnectionLike | undefined {
  return typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { connection?: ConnectionLike }).connection;
}
