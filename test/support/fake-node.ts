/**
 * Test support: a node played by the test itself, so that drills can send exactly the requests
 * they mean — the same batch again, batches out of order, a stale or replayed request, a batch
 * tampered with after signing — through the real protocol code (keys, request and batch
 * signatures) to a real hub process.
 */
import { v4 as uuidv4 } from 'uuid';
import { gzipSync } from 'node:zlib';
import { Contribution, type ContributionInput, PROTOCOL_VERSION } from '../../federation/protocol/index.ts';
import { canonicalOf } from '../../federation/store/rows.ts';
import { enrolmentProof, generateNodeKey, type NodeKey } from '../../federation/trust/keys.ts';
import { authorizationHeader } from '../../federation/trust/request.ts';
import { batchManifest } from '../../federation/trust/manifest.ts';

export interface FakeRecord {
  deviceId: string;
  receivedAt: string;
  contribution: Contribution;
}

export interface SignOptions {
  /** Sign as if at this time (ms since epoch). */
  at?: number;
  /** Exactly this Authorization header (a replay). */
  authorization?: string;
  /** Change the body after signing. */
  tamperBody?: (body: Uint8Array) => Uint8Array;
}

export interface Answer {
  status: number;
  json: { error?: { code: string; message: string; details?: Record<string, unknown> } } & Record<string, unknown>;
  authorization: string | undefined;
  /** The answer's Retry-After header, if any. */
  retryAfter?: string | null;
}

export function records(items: readonly ContributionInput[], deviceId = uuidv4()): FakeRecord[] {
  return items.map((item) => ({ deviceId, receivedAt: new Date().toISOString(), contribution: Contribution.parse(item) }));
}

export class FakeNode {
  readonly key: NodeKey;

  constructor(readonly hubUrl: string, key?: NodeKey) {
    this.key = key ?? generateNodeKey().key;
  }

  async enroll(token: string, proofKey: NodeKey = this.key): Promise<Answer> {
    const response = await fetch(`${this.hubUrl}/federation/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, token, publicKey: this.key.publicKey, proof: proofKey.sign(enrolmentProof(token, this.key.publicKey)) }),
    });
    return { status: response.status, json: (await response.json()) as Answer['json'], authorization: undefined };
  }

  /** A signed request; the body (if any) is gzipped JSON. */
  request(method: 'GET' | 'POST', target: string, json?: unknown, options: SignOptions = {}): Promise<Answer> {
    return this.requestText(method, target, json === undefined ? undefined : JSON.stringify(json), options);
  }

  /** A signed request whose body is this JSON text, gzipped (for bodies JSON.stringify cannot write). */
  async requestText(method: 'GET' | 'POST', target: string, text?: string, options: SignOptions = {}): Promise<Answer> {
    const json = text;
    const body = json === undefined ? new Uint8Array(0) : gzipSync(json);
    const authorization = options.authorization ?? authorizationHeader(this.key, { method, target, body }, options.at ?? Date.now());
    const sent = options.tamperBody ? options.tamperBody(body) : body;
    const headers: Record<string, string> = { authorization };
    if (json !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    const response = await fetch(`${this.hubUrl}${target}`, { method, headers, ...(json === undefined ? {} : { body: sent as Uint8Array<ArrayBuffer> }) });
    return { status: response.status, json: (await response.json()) as Answer['json'], authorization, retryAfter: response.headers.get('retry-after') };
  }

  /** The push request body for records (after, through], signed over the manifest. */
  batch(recs: readonly FakeRecord[], after: number, through: number, signWith: readonly FakeRecord[] = recs): unknown {
    const signature = this.key.sign(batchManifest(
      { node: this.key.id, after, through },
      signWith.map((r) => ({ id: r.contribution.id, hash: canonicalOf(r.contribution).hash, deviceId: r.deviceId, receivedAt: r.receivedAt })),
    ));
    return { protocol: PROTOCOL_VERSION, node: this.key.id, campaigns: [], batch: { after, through, records: recs, signature } };
  }

  push(recs: readonly FakeRecord[], after: number, through: number, options: SignOptions = {}): Promise<Answer> {
    return this.request('POST', '/federation/v1/push', this.batch(recs, after, through), options);
  }
}
