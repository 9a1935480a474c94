/**
 * Signed node requests. Every request a node makes to its hub carries
 *
 *   Authorization: Vernacular-Ed25519 node=<id>, ts=<ms since epoch>, nonce=<base64url>, sig=<base64url>
 *
 * where `sig` is the node key's Ed25519 signature over
 *
 *   "vernacular-request/1\n" METHOD "\n" path-with-query "\n" ts "\n" nonce "\n" hex(SHA-256(body as sent))
 *
 * The hub accepts a timestamp within its window (default ±5 minutes of its own clock) and a nonce
 * it has not seen within the window; outside the window it answers `stale_request` with its own
 * time, from which a node with a wrong clock learns its offset and signs again (see agent.ts).
 * Request signatures protect the exchange; the batch signature (manifest.ts) is what is kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AUTH_SCHEME } from '../protocol/index.ts';
import type { NodeKey } from './keys.ts';

export const REQUEST_TAG = 'vernacular-request/1';
/** Default half-width of the hub's timestamp window. */
export const DEFAULT_WINDOW_MS = 5 * 60 * 1000;

export interface SignedRequestParts {
  method: string;
  /** Path and query, exactly as sent (e.g. `/federation/v1/pull?after=3`). */
  target: string;
  body: Uint8Array;
}

export interface RequestAuth {
  node: string;
  ts: number;
  nonce: string;
  sig: string;
}

export function bodyDigest(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export function signingString(parts: SignedRequestParts, ts: number, nonce: string): string {
  return `${REQUEST_TAG}\n${parts.method.toUpperCase()}\n${parts.target}\n${ts}\n${nonce}\n${bodyDigest(parts.body)}`;
}

export function authorizationHeader(key: NodeKey, parts: SignedRequestParts, now: number): string {
  const nonce = randomBytes(16).toString('base64url');
  const ts = Math.trunc(now);
  const sig = key.sign(signingString(parts, ts, nonce));
  return `${AUTH_SCHEME} node=${key.id}, ts=${ts}, nonce=${nonce}, sig=${sig}`;
}

/** The parts of an Authorization header; undefined when it is not a well-formed one of ours. */
export function parseAuthorization(header: string | null | undefined): RequestAuth | undefined {
  if (header === null || header === undefined || header.length > 400) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== AUTH_SCHEME) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const node = fields.get('node');
  const ts = fields.get('ts');
  const nonce = fields.get('nonce');
  const sig = fields.get('sig');
  if (node === undefined || ts === undefined || nonce === undefined || sig === undefined) return undefined;
  if (!/^-?\d{1,16}$/.test(ts) || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce) || !/^[A-Za-z0-9_-]{86}$/.test(sig)) return undefined;
  if (!/^n-[a-z2-7]{16}$/.test(node)) return undefined;
  return { node, ts: Number(ts), nonce, sig };
}
