/**
 * Test support for the shared glossary: syncs signed with a test person's key as the app signs
 * them — in process (a `DeviceWrite` for the store) and over HTTP (`GlossaryDevice`, a device with
 * its own Y.Doc and the node's state vector as last answered).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { type ContributorGlossaryRecord, deviceAuthorization, deviceRequestMessage, glossarySyncPath, toBase64url } from '../../federation/protocol/index.ts';
import { applyCheckedUpdate, decodeClientRequest, decodeServerAnswer, encodeClientRequest } from '../../federation/protocol/glossary.sync.ts';
import type { ContributorSigner } from '../../federation/trust/contributors.ts';
import type { DeviceWrite, GlossaryStore, GlossarySyncResult } from '../../federation/glossary/store.ts';
import { person } from './contributions.ts';

/** The Authorization header and the record of a glossary sync of `body`, signed by `signer` at `now`. */
export function signedSync(signer: ContributorSigner, campaign: string, body: Uint8Array, now = Date.now()): { authorization: string; record: ContributorGlossaryRecord } {
  const nonce = randomBytes(16).toString('base64url');
  const ts = Math.trunc(now);
  const digest = createHash('sha256').update(body).digest('hex');
  const sig = toBase64url(signer.sign(deviceRequestMessage('POST', glossarySyncPath(campaign), ts, nonce, digest)));
  return {
    authorization: deviceAuthorization({ key: signer.key, ts, nonce, sig }),
    record: { kind: 'contributor', campaign, key: signer.key, ts, nonce, sig, body: toBase64url(body) },
  };
}

export function deviceWrite(signer: ContributorSigner, campaign: string, body: Uint8Array, eligible = true): DeviceWrite {
  return { record: signedSync(signer, campaign, body).record, contributor: signer.contributor, eligible };
}

/** A device's sync of `doc` straight to the store, as `signer` (who may write unless `eligible` is false). */
export function syncDoc(
  glossary: GlossaryStore,
  campaign: string,
  doc: Y.Doc,
  nodeSv: Uint8Array | null = null,
  signer: ContributorSigner = person('glossary-editor'),
  eligible = true,
): Promise<GlossarySyncResult> {
  const body = encodeClientRequest(doc, nodeSv);
  return glossary.sync(campaign, decodeClientRequest(body), deviceWrite(signer, campaign, body, eligible));
}

/** A device talking to a server's glossary endpoint over HTTP. */
export class GlossaryDevice {
  readonly doc = new Y.Doc();
  nodeSv: Uint8Array | null = null;

  constructor(
    public base: string,
    readonly signer: ContributorSigner,
    readonly campaign = 'general',
  ) {}

  /** POSTs `body` (default: the device's request), signed unless `sign` is false. */
  post(body: Uint8Array = encodeClientRequest(this.doc, this.nodeSv), options: { sign?: boolean; contentType?: string; signer?: ContributorSigner; path?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/octet-stream' };
    if (options.sign !== false) headers.authorization = signedSync(options.signer ?? this.signer, this.campaign, body).authorization;
    return fetch(`${this.base}${options.path ?? glossarySyncPath(this.campaign)}`, { method: 'POST', headers, body: body as Uint8Array<ArrayBuffer> });
  }

  /** One exchange; answers the response (its body read and applied when it is a 200). */
  async sync(): Promise<{ status: number; body: Uint8Array; sent: number }> {
    const request = encodeClientRequest(this.doc, this.nodeSv);
    const res = await this.post(request);
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status === 200) {
      const answer = decodeServerAnswer(body);
      applyCheckedUpdate(this.doc, answer.update, 'node');
      this.nodeSv = answer.stateVector;
    }
    return { status: res.status, body, sent: request.byteLength };
  }
}
