/**
 * Test support: requests signed with a contributor key, as the app signs them (device-auth.ts on
 * the node): the review queue and the status of one's own items.
 */
import { createHash, randomBytes } from 'node:crypto';
import { deviceAuthorization, deviceRequestMessage } from '../../federation/protocol/index.ts';
import type { ContributorSigner } from '../../federation/trust/contributors.ts';

/** The Authorization header for `method target` with `body`, signed by `signer` at `now`. */
export function signedHeader(signer: ContributorSigner, method: string, target: string, body: string | Uint8Array = '', now = Date.now()): string {
  const nonce = randomBytes(16).toString('base64url');
  const ts = Math.trunc(now);
  const digest = createHash('sha256').update(body).digest('hex');
  const sig = Buffer.from(signer.sign(deviceRequestMessage(method, target, ts, nonce, digest))).toString('base64url');
  return deviceAuthorization({ key: signer.key, ts, nonce, sig });
}

/** GET `path` (with its query) on `base`, signed by `signer`. */
export function signedGet(base: string, path: string, signer: ContributorSigner): Promise<Response> {
  return fetch(`${base}${path}`, { headers: { authorization: signedHeader(signer, 'GET', path) } });
}

/** POST a JSON body to `path` on `base`, signed by `signer`. */
export function signedPost(base: string, path: string, body: unknown, signer: ContributorSigner): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: signedHeader(signer, 'POST', path, text) },
    body: text,
  });
}
