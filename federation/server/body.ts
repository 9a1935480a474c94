/**
 * Reading a request body without trusting it. The byte limit is enforced on the declared
 * Content-Length, while streaming (nothing past the limit is kept) and on the decompressed output
 * of gzip or brotli (so a small compressed "zip bomb" is refused too). Bytes must be valid UTF-8: a lone surrogate encoded
 * as bytes is refused here; one written as a JSON escape ("\ud800") parses, and the protocol's
 * text validator rejects that item. The parsed value is then checked for what no schema or store
 * should meet (protocol/shape.ts): nesting past `LIMITS.maxJsonDepth`, a NUL or lone surrogate in
 * any string or key (400 `nesting_too_deep` / `invalid_text`, naming the field).
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { LIMITS, shapeProblem } from '../protocol/index.ts';
import { ApiError } from './errors.ts';

/** Bytes read and thrown away past the limit, so a client still sending receives the 413. */
const DRAIN_FACTOR = 4;

/** gzip is what browsers can send (CompressionStream); brotli what nodes push with (smaller, cheaper). */
export type BodyEncoding = 'identity' | 'gzip' | 'br';

export interface RawBody {
  bytes: Uint8Array;
  encoding: BodyEncoding;
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'body_too_large', `Request body is larger than ${limit} bytes`, { limit });
}

/** Only `application/json`, optionally with `charset=utf-8`. */
export function checkJsonContentType(header: string | null): void {
  const [type = '', ...params] = (header ?? '').split(';');
  const charset = params
    .map((p) => p.trim().split('='))
    .find(([name]) => name?.trim().toLowerCase() === 'charset')?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
  if (type.trim().toLowerCase() !== 'application/json' || (charset !== undefined && charset !== 'utf-8')) {
    throw new ApiError(415, 'unsupported_media_type', 'Request body must be application/json (UTF-8)', {
      expected: 'application/json',
    });
  }
}

export function bodyEncoding(header: string | null): BodyEncoding {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'br') return 'br';
  throw new ApiError(415, 'unsupported_encoding', `Content-Encoding "${value}" is not supported`, {
    supported: ['br', 'gzip', 'identity'],
  });
}

async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
      total += value.byteLength;
      if (total > limit) {
        await discard(reader, total, limit * DRAIN_FACTOR);
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, 'invalid_request', 'The request body could not be read');
  }
}

/**
 * Reads and drops the rest of an oversized body, so that the client, still sending, gets the 413
 * instead of a reset connection. Past `budget` bytes the connection is given up.
 */
async function discard(reader: ReadableStreamDefaultReader<Uint8Array>, seen: number, budget: number) {
  let total = seen;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    total += value.byteLength;
    if (total > budget) {
      await reader.cancel();
      return;
    }
  }
}

/**
 * The raw bytes of a JSON request body, still encoded as sent; throws `ApiError`. A body with a
 * declared length within the limit is read in one go (the HTTP parser never delivers more than
 * the declared length); one without is read chunk by chunk against the limit.
 */
export async function readJsonRequestBody(request: Request, limit: number): Promise<RawBody> {
  checkJsonContentType(request.headers.get('content-type'));
  const encoding = bodyEncoding(request.headers.get('content-encoding'));
  return { bytes: await readBodyBytes(request, limit), encoding };
}

/** The body's bytes as sent, at most `limit` of them (declared or streamed); throws `ApiError`. */
export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared === null) return readLimited(request.body, limit);
  if (!/^\d+$/.test(declared)) throw new ApiError(400, 'invalid_request', 'Invalid Content-Length');
  if (Number(declared) > limit) throw tooLarge(limit);
  try {
    return new Uint8Array(await request.arrayBuffer());
  } catch {
    throw new ApiError(400, 'invalid_request', 'The request body could not be read');
  }
}

/**
 * The JSON value of a body read by `readJsonRequestBody`; throws `ApiError`. Pure, synchronous.
 * `itemsAt` names the array of a batch (e.g. ['contributions']): its elements are left to the
 * caller, which checks each one on its own so one bad item does not refuse the others.
 */
export function parseJsonBody({ bytes, encoding }: RawBody, limit: number, itemsAt: readonly string[] = []): unknown {
  const value = parseJson({ bytes, encoding }, limit);
  const problem = shapeProblem(itemsAt.length === 0 ? value : withoutItems(value, itemsAt));
  if (problem !== null) {
    const details = problem.code === 'nesting_too_deep' ? { field: problem.field, limit: LIMITS.maxJsonDepth } : { field: problem.field };
    throw new ApiError(400, problem.code, `Invalid request: ${problem.field || 'body'}: ${problem.message}`, details);
  }
  return value;
}

/** `value` with the array at `path` (when there is one) seen as empty: shallow copies, nothing changed. */
function withoutItems(value: unknown, path: readonly string[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, path[0]!)) return value;
  const member = (value as Record<string, unknown>)[path[0]!];
  const rest = path.length === 1 ? (Array.isArray(member) ? [] : member) : withoutItems(member, path.slice(1));
  return { ...value, [path[0]!]: rest };
}

function parseJson({ bytes, encoding }: RawBody, limit: number): unknown {
  let decoded = bytes;
  if (encoding !== 'identity') {
    try {
      decoded = encoding === 'gzip' ? gunzipSync(bytes, { maxOutputLength: limit }) : brotliDecompressSync(bytes, { maxOutputLength: limit });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
      throw new ApiError(400, 'malformed_json', `Request body is not valid ${encoding === 'gzip' ? 'gzip' : 'brotli'} data`);
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(decoded);
  } catch {
    throw new ApiError(400, 'invalid_utf8', 'Request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, 'malformed_json', `Malformed JSON in request body: ${(err as Error).message}`);
  }
}
