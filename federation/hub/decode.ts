/**
 * Turning the bytes of a push into what the hub stores, off the event loop when run on a decoder
 * thread (server/decoder.threads.ts): the JSON, the envelope, each record validated on its own
 * (a bad one is answered, the others go on), each record's canonical form and content hash, and
 * the batch signature checked against the manifest rebuilt from them. Pure and synchronous.
 *
 * The valid records come back packed (`PackedRecords`): one flat array of strings and numbers,
 * each record's `data` only as its canonical JSON. A structured clone of that costs a fraction of
 * cloning a thousand nested objects (their keys included) plus the same data again as canonical
 * JSON; `unpackRecords` rebuilds each validated contribution on the receiving side, its `data`
 * parsed from that canonical JSON when first read (the store reads it only for reviews and
 * withdrawals), so it is the same value that was validated and hashed.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, checkedParse, contributionCanonical, type Contribution, describeIssues, PushRecord, PushRequest, type Campaign, type PushResult, shapeProblem, unstorableText, type VouchedStanding } from '../protocol/index.ts';
import { ApiError } from '../server/errors.ts';
import { parseJsonBody, type RawBody } from '../server/body.ts';
import { canonicalOf, type Canonical } from '../store/rows.ts';
import type { RelayedRecord } from '../store/store.ts';
import { publicKeyObject, verifySignature } from '../trust/keys.ts';
import { ItemVerifier } from '../trust/contributors.ts';

/** One per thread: it remembers the trees it verified (a device's batch is relayed together). */
const verifier = new ItemVerifier();
import { batchManifest } from '../trust/manifest.ts';

const PUSH_RECORDS = ['batch', 'records'] as const;

export interface PushSigner {
  id: string;
  publicKey: string;
}

export interface DecodedPush {
  campaigns: Campaign[];
  after: number;
  through: number;
  signature: string;
  /** Valid records, with their index in the batch and canonical form (see `unpackRecords`). */
  valid: PackedRecords;
  /** One result per invalid record. */
  problems: PushResult[];
  /** Every record's id, in batch order (kept with the signature). */
  ids: string[];
  /** Reviews of the batch whose item the node's queue had served (the node vouches). */
  served: string[];
  /** Reviewer standing the node judged and vouches for (store/reviewers.ts). */
  standing: VouchedStanding[];
}

export function decodePush(body: RawBody, limit: number, node: PushSigner): DecodedPush {
  const parsed = checkedParse(PushRequest, parseJsonBody(body, limit, PUSH_RECORDS));
  if (!parsed.success) {
    const { field, message } = describeIssues(parsed.error);
    throw new ApiError(400, 'invalid_request', `Invalid request: ${field || 'body'}: ${message}`, { field, message });
  }
  const request = parsed.data;
  if (request.node !== node.id) throw new ApiError(400, 'invalid_request', 'The batch names another node than the one that signed the request');
  const { batch } = request;
  const valid: PackedRecords = [];
  const problems: PushResult[] = [];
  const entries = batch.records.map((raw, index) => {
    // A record nested too deep, or with text no store can hold, is refused on its own (the
    // others go on); it is never handed to the schema or the store.
    const shape = shapeProblem(raw);
    const record = shape === null ? checkedParse(PushRecord, raw) : undefined;
    if (record?.success) {
      const canonical = canonicalOf(record.data.contribution);
      const { id } = record.data.contribution;
      // Every record is checked again against its author's key: a node vouches for nothing.
      const problem = verifier.check(record.data.contribution, canonical.hash);
      if (problem === undefined) pack(valid, index, record.data, canonical);
      else problems.push({ index, id, status: 'rejected', ...problem });
      return { id, stored: id, hash: canonical.hash, deviceId: record.data.deviceId, receivedAt: record.data.receivedAt };
    }
    const { code, field, message } = shape ?? describeIssues(record!.error);
    const rawContribution = (raw as { contribution?: { id?: unknown } } | null)?.contribution;
    const rawId = typeof rawContribution?.id === 'string' ? rawContribution.id : null;
    const id = rawId !== null && rawId.length <= 64 && !unstorableText(rawId) ? rawId : null;
    problems.push({ index, id, status: 'rejected', code, field, message });
    const r = raw as { deviceId?: unknown; receivedAt?: unknown } | null;
    return {
      // The manifest is rebuilt from what was sent, as the node signed it; what is kept with the
      // batch is an id a store can hold.
      id: rawId ?? '',
      stored: id ?? '',
      // Hashed as a valid record is (its signature left out), so the node's manifest and this agree.
      hash: createHash('sha256').update(typeof rawContribution === 'object' && rawContribution !== null && !Array.isArray(rawContribution) ? contributionCanonical(rawContribution) : canonicalJson(rawContribution ?? null), 'utf8').digest('hex'),
      deviceId: manifestText(r?.deviceId),
      receivedAt: manifestText(r?.receivedAt),
    };
  });
  const key = publicKeyObject(node.publicKey);
  const manifest = batchManifest({ node: node.id, after: batch.after, through: batch.through }, entries);
  if (key === undefined || !verifySignature(key, manifest, batch.signature)) {
    throw new ApiError(400, 'bad_batch_signature', 'The batch signature does not match its records; nothing was stored');
  }
  return {
    campaigns: request.campaigns,
    after: batch.after,
    through: batch.through,
    signature: batch.signature,
    valid,
    problems,
    ids: entries.map((e) => e.stored),
    served: request.served,
    standing: request.standing,
  };
}

/** A refused record's field as its manifest entry reads it (canonical JSON for a non-string, at any depth). */
function manifestText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? canonicalJson(value) : String(value);
}

/**
 * Valid records, RECORD_WIDTH values each: index in the batch, device, receipt time, the
 * contribution's envelope (id, kind, campaign, language, contributor, deviceSeq, createdAt,
 * consent version and licence, revisionOf or null), its checks as canonical JSON or null, its
 * data as canonical JSON, its content hash, and its author's key and signature.
 */
export type PackedRecords = (string | number | null)[];
const RECORD_WIDTH = 18;

function pack(out: PackedRecords, index: number, record: PushRecord, canonical: Canonical): void {
  const c = record.contribution;
  out.push(
    index, record.deviceId, record.receivedAt,
    c.id, c.kind, c.campaign, c.language, c.contributor, c.deviceSeq, c.createdAt, c.consent.version, c.consent.licence,
    ('revisionOf' in c ? c.revisionOf : undefined) ?? null,
    c.checks === undefined ? null : canonicalJson(c.checks),
    canonical.data, canonical.hash, c.key, c.signature,
  );
}

/** The records `decodePush` validated, in batch order, each with its index in the batch. */
export function unpackRecords(packed: PackedRecords): { index: number; record: RelayedRecord }[] {
  const out: { index: number; record: RelayedRecord }[] = [];
  for (let i = 0; i < packed.length; i += RECORD_WIDTH) {
    const v = packed;
    const dataJson = v[i + 14] as string;
    const contribution: Record<string, unknown> = {
      id: v[i + 3], kind: v[i + 4], campaign: v[i + 5], language: v[i + 6], contributor: v[i + 7],
      deviceSeq: v[i + 8], createdAt: v[i + 9], consent: { version: v[i + 10], licence: v[i + 11] },
      key: v[i + 16], signature: v[i + 17],
    };
    if (v[i + 12] !== null) contribution.revisionOf = v[i + 12];
    if (v[i + 13] !== null) contribution.checks = JSON.parse(v[i + 13] as string) as unknown;
    let data: unknown;
    Object.defineProperty(contribution, 'data', {
      enumerable: true,
      configurable: true,
      get: () => (data ??= JSON.parse(dataJson) as unknown),
    });
    out.push({
      index: v[i] as number,
      record: {
        contribution: contribution as unknown as Contribution,
        deviceId: v[i + 1] as string,
        receivedAt: v[i + 2] as string,
        canonical: { data: dataJson, hash: v[i + 15] as string },
      },
    });
  }
  return out;
}
