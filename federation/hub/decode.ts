/**
 * Turning the bytes of a push into what the hub stores, off the event loop when run on a decoder
 * thread (server/decoder.threads.ts): the JSON, the envelope, each record validated on its own
 * (a bad one is answered, the others go on), each record's canonical form and content hash, and
 * the batch signature checked against the manifest rebuilt from them. Pure and synchronous.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, describeIssues, PushRecord, PushRequest, type Campaign, type PushResult } from '../protocol/index.ts';
import { ApiError } from '../server/errors.ts';
import { parseJsonBody, type RawBody } from '../server/body.ts';
import { canonicalOf, type Canonical } from '../store/rows.ts';
import { publicKeyObject, verifySignature } from '../trust/keys.ts';
import { batchManifest } from '../trust/manifest.ts';

const PARSE = { reportInput: true } as const;

export interface PushSigner {
  id: string;
  publicKey: string;
}

export interface DecodedPush {
  campaigns: Campaign[];
  after: number;
  through: number;
  signature: string;
  /** Valid records, with their index in the batch and canonical form. */
  valid: { index: number; record: PushRecord; canonical: Canonical }[];
  /** One result per invalid record. */
  problems: PushResult[];
  /** Every record's id, in batch order (kept with the signature). */
  ids: string[];
}

export function decodePush(body: RawBody, limit: number, node: PushSigner): DecodedPush {
  const parsed = PushRequest.safeParse(parseJsonBody(body, limit), PARSE);
  if (!parsed.success) {
    const { field, message } = describeIssues(parsed.error);
    throw new ApiError(400, 'invalid_request', `Invalid request: ${field || 'body'}: ${message}`, { field, message });
  }
  const request = parsed.data;
  if (request.node !== node.id) throw new ApiError(400, 'invalid_request', 'The batch names another node than the one that signed the request');
  const { batch } = request;
  const valid: DecodedPush['valid'] = [];
  const problems: PushResult[] = [];
  const entries = batch.records.map((raw, index) => {
    const record = PushRecord.safeParse(raw, PARSE);
    if (record.success) {
      const canonical = canonicalOf(record.data.contribution);
      valid.push({ index, record: record.data, canonical });
      const { id } = record.data.contribution;
      return { id, hash: canonical.hash, deviceId: record.data.deviceId, receivedAt: record.data.receivedAt };
    }
    const { code, field, message } = describeIssues(record.error);
    const rawContribution = (raw as { contribution?: { id?: unknown } } | null)?.contribution;
    const id = typeof rawContribution?.id === 'string' ? rawContribution.id.slice(0, 64) : null;
    problems.push({ index, id, status: 'rejected', code, field, message });
    const r = raw as { deviceId?: unknown; receivedAt?: unknown } | null;
    return {
      id: id ?? '',
      hash: createHash('sha256').update(canonicalJson(rawContribution ?? null), 'utf8').digest('hex'),
      deviceId: String(r?.deviceId ?? ''),
      receivedAt: String(r?.receivedAt ?? ''),
    };
  });
  const key = publicKeyObject(node.publicKey);
  const manifest = batchManifest({ node: node.id, after: batch.after, through: batch.through }, entries);
  if (key === undefined || !verifySignature(key, manifest, batch.signature)) {
    throw new ApiError(400, 'bad_batch_signature', 'The batch signature does not match its records; nothing was stored');
  }
  return { campaigns: request.campaigns, after: batch.after, through: batch.through, signature: batch.signature, valid, problems, ids: entries.map((e) => e.id) };
}
