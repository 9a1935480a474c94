/**
 * Glossary records on a server (protocol/glossary.log.ts): making them from a device's signed sync
 * request or a server's own update, reading the update a record carries, and checking a record
 * that arrives from another server — a contributor record by its signature, whoever relays it.
 */
import { hash } from 'node:crypto';
import * as Y from 'yjs';
import {
  type ContributorGlossaryRecord,
  deviceRequestMessage,
  fromBase64url,
  GlossaryRecord,
  glossaryRecordId,
  glossarySyncPath,
  type ServerGlossaryRecord,
  toBase64url,
} from '../protocol/index.ts';
import { decodeClientRequest, GlossarySyncError } from '../protocol/glossary.sync.ts';
import { contributorIdFor, nodeDigest, verifyContributorMessage } from '../trust/contributors.ts';

/** The issuer of what a server held before authorship was kept (migration 0012). */
export const LEGACY_ISSUER = 'legacy';

/** A record with what a server derives from it once. */
export interface ReadRecord {
  record: GlossaryRecord;
  id: string;
  /** The contributor id, or the issuer. */
  author: string;
  /** The Yjs update it carries. */
  update: Uint8Array;
}

export const recordId = (record: GlossaryRecord): string => glossaryRecordId(record, nodeDigest);

/** The author a record is attributed to. */
export function authorOf(record: GlossaryRecord): string {
  return record.kind === 'contributor' ? contributorIdFor(record.key) : record.issuer;
}

/** The update a record carries; throws `GlossarySyncError` when there is none or it does not decode. */
export function updateOf(record: GlossaryRecord): Uint8Array {
  if (record.kind === 'server') {
    const update = fromBase64url(record.update);
    try {
      Y.decodeUpdate(update);
    } catch {
      throw new GlossarySyncError('The record’s update does not decode');
    }
    return update;
  }
  const { update } = decodeClientRequest(fromBase64url(record.body));
  if (update === null) throw new GlossarySyncError('The record carries no update');
  return update;
}

export function readRecord(record: GlossaryRecord): ReadRecord {
  return { record, id: recordId(record), author: authorOf(record), update: updateOf(record) };
}

/** The record of a device's sync request, as its Authorization header and body were signed. */
export function contributorRecord(campaign: string, auth: { key: string; ts: number; nonce: string; sig: string }, body: Uint8Array): ContributorGlossaryRecord {
  return { kind: 'contributor', campaign, key: auth.key, ts: auth.ts, nonce: auth.nonce, sig: auth.sig, body: toBase64url(body) };
}

export function serverRecord(fields: Omit<ServerGlossaryRecord, 'kind' | 'update'>, update: Uint8Array): ServerGlossaryRecord {
  return { kind: 'server', ...fields, update: toBase64url(update) };
}

/** Whether a contributor record's signature verifies: the author signed exactly this body for this campaign. */
export function contributorRecordVerifies(record: ContributorGlossaryRecord): boolean {
  const body = fromBase64url(record.body);
  const message = deviceRequestMessage('POST', glossarySyncPath(record.campaign), record.ts, record.nonce, hash('sha256', body, 'hex'));
  return verifyContributorMessage(record.key, message, record.sig);
}

export type RecordProblem = { code: 'bad_signature' | 'invalid_record' | 'wrong_campaign' | 'wrong_issuer'; message: string };

/**
 * Checks a record another server relayed: its campaign, its update, and its author — a contributor
 * by signature; a server record by `issuerAllowed` (the hub takes only a node's own, and `legacy`;
 * a node takes what the hub vouches for). Answers the read record or the problem.
 */
export function checkRelayed(record: GlossaryRecord, campaign: string, issuerAllowed: (issuer: string) => boolean): ReadRecord | RecordProblem {
  if (record.campaign !== campaign) return { code: 'wrong_campaign', message: `The record is of campaign "${record.campaign}", not "${campaign}"` };
  if (record.kind === 'contributor' && !contributorRecordVerifies(record)) {
    return { code: 'bad_signature', message: 'The contributor’s signature does not verify over this body' };
  }
  if (record.kind === 'server' && !issuerAllowed(record.issuer)) {
    return { code: 'wrong_issuer', message: `A record issued by "${record.issuer}" is not taken from this sender` };
  }
  try {
    return readRecord(record);
  } catch (err) {
    if (err instanceof GlossarySyncError) return { code: 'invalid_record', message: err.message };
    throw err;
  }
}

/** Parses a record from stored or received JSON (already validated on the wire by the schema). */
export function parseRecord(json: string): GlossaryRecord {
  return GlossaryRecord.parse(JSON.parse(json));
}
