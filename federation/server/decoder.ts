/**
 * Where sync request bodies are decoded and validated. Parsing and validating up to 500
 * contributions is the CPU-heaviest step of a sync; a node runs it on a decoder thread
 * (decoder.threads.ts), so the event loop stays free for commits, static files and other devices,
 * and one device's batch is decoded while another's is being committed. `inlineDecoder` does the
 * same work on the calling thread (in-process apps, tests). Both run `decodeSync`, so they answer
 * identically.
 */
import type { RawBody } from './body.ts';
import { decodeSync, type DecodedSync } from './decode.ts';
import { ApiError } from './errors.ts';
import { decodePush, type DecodedPush, type PushSigner } from '../hub/decode.ts';

export interface SyncDecoder {
  /** Resolves with the decoded request, or rejects with the `ApiError` that refuses it. */
  decode(body: RawBody, limit: number): Promise<DecodedSync>;
  /** A node's push to a hub (hub/decode.ts), its batch signature checked against `node`'s key. */
  decodePush(body: RawBody, limit: number, node: PushSigner): Promise<DecodedPush>;
  close(): Promise<void>;
}

export function inlineDecoder(): SyncDecoder {
  return {
    decode: (body, limit) => Promise.resolve().then(() => decodeSync(body, limit)),
    decodePush: (body, limit, node) => Promise.resolve().then(() => decodePush(body, limit, node)),
    close: () => Promise.resolve(),
  };
}

/** Main thread → decoder thread; `bytes` is transferred, not copied. */
export interface DecodeTask {
  id: number;
  bytes: Uint8Array;
  encoding: RawBody['encoding'];
  limit: number;
  /** Set for a push (hub/decode.ts): the node whose batch signature to check. */
  push?: PushSigner;
}

/** An `ApiError` as it crosses a thread boundary (class identity does not survive cloning). */
export interface ApiErrorFields {
  status: ApiError['status'];
  code: ApiError['code'];
  message: string;
  details?: Record<string, unknown>;
}

/** Decoder thread → main thread. `crash` is a bug in the decoder, answered with a 500. */
export type DecodeReply =
  | { id: number; ok: true; decoded: DecodedSync | DecodedPush }
  | { id: number; ok: false; error: ApiErrorFields }
  | { id: number; ok: false; crash: string };

export function errorFields(error: ApiError): ApiErrorFields {
  const fields: ApiErrorFields = { status: error.status, code: error.code, message: error.message };
  if (error.details !== undefined) fields.details = error.details;
  return fields;
}

export function apiErrorFrom(fields: ApiErrorFields): ApiError {
  return new ApiError(fields.status, fields.code, fields.message, fields.details);
}

/** What a decoder thread answers to one task. */
export function runDecodeTask(task: DecodeTask): DecodeReply {
  try {
    const body = { bytes: task.bytes, encoding: task.encoding };
    const decoded = task.push !== undefined ? decodePush(body, task.limit, task.push) : decodeSync(body, task.limit);
    return { id: task.id, ok: true, decoded };
  } catch (err) {
    if (err instanceof ApiError) return { id: task.id, ok: false, error: errorFields(err) };
    return { id: task.id, ok: false, crash: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}
