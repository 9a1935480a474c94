/**
 * Secrets handed to a browser (session tokens, one-time sign-in links): 256 random bits, sent as
 * base64url, stored only as their SHA-256 (a database copy cannot be replayed).
 */
import { createHash, randomBytes } from 'node:crypto';

export const newToken = (): string => randomBytes(32).toString('base64url');
export const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
/** What a token sent by a client must look like before it is even hashed. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A one-time sign-in link: the app's staff screen on `origin` (the token in the fragment never reaches a server log). */
export const welcomeLink = (origin: string, token: string): string => `${origin.replace(/\/+$/, '')}/#/staff/welcome/${token}`;
