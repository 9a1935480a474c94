/**
 * Device requests signed with a contributor key (protocol/signing.ts `DEVICE_AUTH_SCHEME`): who
 * asks is the key that signed, never an id the client names. A request is refused with 401 when
 * the header is missing or malformed (`unauthenticated`), does not verify (`bad_signature`) or was
 * signed too far from the server's clock (`stale_request`, with the server's time, so a device with
 * a wrong clock can correct it). Reads are not replay-protected beyond the window: a replayed read
 * answers what it answered, to the signer's own key.
 */
import { hash } from 'node:crypto';
import type { Context } from 'hono';
import { deviceRequestMessage, parseDeviceAuthorization } from '../protocol/index.ts';
import { contributorIdFor, verifyContributorMessage } from '../trust/contributors.ts';
import { ApiError } from './errors.ts';

/** Half-width of the accepted clock difference. */
export const DEVICE_WINDOW_MS = 5 * 60 * 1000;

export interface DevicePrincipal {
  key: string;
  /** The contributor id derived from the key. */
  contributor: string;
}

/** The contributor who signed this request (`body`: the bytes as sent), or a 401 `ApiError`. */
export function authenticateDevice(c: Context, body: Uint8Array = new Uint8Array(0), now = Date.now()): DevicePrincipal {
  const auth = parseDeviceAuthorization(c.req.header('authorization'));
  if (auth === undefined) {
    throw new ApiError(401, 'unauthenticated', 'This endpoint needs a request signed with your contributor key (Authorization: Vernacular-Key …)');
  }
  const url = new URL(c.req.url);
  const message = deviceRequestMessage(c.req.method, url.pathname + url.search, auth.ts, auth.nonce, hash('sha256', body, 'hex'));
  if (!verifyContributorMessage(auth.key, message, auth.sig)) {
    throw new ApiError(401, 'bad_signature', 'The request signature does not verify with the key presented');
  }
  if (Math.abs(now - auth.ts) > DEVICE_WINDOW_MS) {
    throw new ApiError(401, 'stale_request', 'The request was signed at a time too far from the server’s clock', {
      serverTime: new Date(now).toISOString(),
      windowMs: DEVICE_WINDOW_MS,
    });
  }
  return { key: auth.key, contributor: contributorIdFor(auth.key) };
}
