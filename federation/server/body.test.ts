import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bodyEncoding, checkJsonContentType, parseJsonBody, readJsonRequestBody } from './body.ts';
import { ApiError } from './errors.ts';
import { LIMITS } from '../protocol/index.ts';

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const LIMIT = 1024;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('checkJsonContentType', () => {
  it('accepts application/json with or without a UTF-8 charset', () => {
    for (const type of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      expect(() => checkJsonContentType(type)).not.toThrow();
    }
  });
  it('answers 415 unsupported_media_type for anything else', () => {
    for (const type of [null, '', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
      expect(apiError(() => checkJsonContentType(type))).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    }
  });
});

describe('bodyEncoding', () => {
  it('knows identity, gzip and brotli', () => {
    expect(bodyEncoding(null)).toBe('identity');
    expect(bodyEncoding('identity')).toBe('identity');
    expect(bodyEncoding('GZIP')).toBe('gzip');
    expect(bodyEncoding('x-gzip')).toBe('gzip');
    expect(bodyEncoding('br')).toBe('br');
  });
  it('answers 415 unsupported_encoding for other encodings, naming the supported ones', () => {
    for (const encoding of ['deflate', 'gzip, br', 'zstd']) {
      expect(apiError(() => bodyEncoding(encoding))).toMatchObject({
        status: 415,
        code: 'unsupported_encoding',
        details: { supported: ['br', 'gzip', 'identity'] },
      });
    }
  });
});

describe('parseJsonBody', () => {
  it('parses plain, gzipped and brotli-compressed JSON', () => {
    expect(parseJsonBody({ bytes: bytes('{"a":[1]}'), encoding: 'identity' }, LIMIT)).toEqual({ a: [1] });
    expect(parseJsonBody({ bytes: gzipSync('{"a":[1]}'), encoding: 'gzip' }, LIMIT)).toEqual({ a: [1] });
    expect(parseJsonBody({ bytes: brotliCompressSync('{"a":[1]}'), encoding: 'br' }, LIMIT)).toEqual({ a: [1] });
  });
  it('answers 413 with the limit when gzip or brotli expands past it (a zip bomb)', () => {
    const plain = Buffer.alloc(LIMIT * 100, 0x20);
    for (const [encoding, bomb] of [['gzip', gzipSync(plain)], ['br', brotliCompressSync(plain)]] as const) {
      expect(bomb.byteLength).toBeLessThan(LIMIT);
      expect(apiError(() => parseJsonBody({ bytes: bomb, encoding }, LIMIT))).toMatchObject({
        status: 413,
        code: 'body_too_large',
        details: { limit: LIMIT },
      });
    }
  });
  it('answers 400 malformed_json for data that is not gzip, or not brotli', () => {
    expect(apiError(() => parseJsonBody({ bytes: bytes('{}'), encoding: 'gzip' }, LIMIT))).toMatchObject({ status: 400, code: 'malformed_json', message: 'Request body is not valid gzip data' });
    expect(apiError(() => parseJsonBody({ bytes: gzipSync('{}'), encoding: 'br' }, LIMIT))).toMatchObject({ status: 400, code: 'malformed_json', message: 'Request body is not valid brotli data' });
  });
  it('answers 400 invalid_utf8 for bytes that are not UTF-8, lone surrogates included', () => {
    for (const bad of [[0x22, 0xff, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22], [0x22, 0xc3, 0x22]]) {
      expect(apiError(() => parseJsonBody({ bytes: new Uint8Array(bad), encoding: 'identity' }, LIMIT))).toMatchObject({
        status: 400,
        code: 'invalid_utf8',
      });
    }
  });
  it('answers 400 malformed_json for text that is not JSON', () => {
    for (const bad of ['', '{', "{'a':1}", '{"a":1}}', 'NaN']) {
      expect(apiError(() => parseJsonBody({ bytes: bytes(bad), encoding: 'identity' }, LIMIT))).toMatchObject({
        status: 400,
        code: 'malformed_json',
      });
    }
  });
  it('answers 400 invalid_text for a JSON-escaped NUL or lone surrogate anywhere in the body, naming the field', () => {
    for (const text of ['{"a":{"b":"x\\u0000"}}', '{"a":{"b":"\\ud800"}}']) {
      const error = apiError(() => parseJsonBody({ bytes: bytes(text), encoding: 'identity' }, LIMIT));
      expect([error.status, error.code, error.details]).toEqual([400, 'invalid_text', { field: 'a.b' }]);
    }
  });

  it('answers 400 nesting_too_deep for a body nested past the limit, however deep', () => {
    for (const levels of [LIMITS.maxJsonDepth + 1, 200_000]) {
      const big = 2 * levels + 64;
      const error = apiError(() => parseJsonBody({ bytes: bytes(`{"a":${'['.repeat(levels)}${']'.repeat(levels)}}`), encoding: 'identity' }, big * 2));
      expect([error.status, error.code, error.details?.limit]).toEqual([400, 'nesting_too_deep', LIMITS.maxJsonDepth]);
    }
    expect(parseJsonBody({ bytes: bytes(`${'['.repeat(LIMITS.maxJsonDepth)}${']'.repeat(LIMITS.maxJsonDepth)}`), encoding: 'identity' }, LIMIT)).toBeDefined();
  });

  it('leaves the items of a batch to the caller, and checks the rest of the body', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const body = (items: string, device = '"d"') => ({ bytes: bytes(`{"device":${device},"contributions":[${items}]}`), encoding: 'identity' as const });
    const value = parseJsonBody(body(`{"id":"x\\u0000"},${deep}`), 1 << 20, ['contributions']) as { contributions: unknown[] };
    expect(value.contributions).toHaveLength(2);
    expect(apiError(() => parseJsonBody(body('1', '"d\\u0000"'), LIMIT, ['contributions'])).code).toBe('invalid_text');
    expect(apiError(() => parseJsonBody(body('1', deep), 1 << 20, ['contributions'])).code).toBe('nesting_too_deep');
  });
});

describe('readJsonRequestBody', () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request('http://node.test/api/v1/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      duplex: 'half',
    } as RequestInit);

  it('reads the body as sent', async () => {
    const raw = await readJsonRequestBody(post('{"a":1}'), LIMIT);
    expect(raw.encoding).toBe('identity');
    expect(new TextDecoder().decode(raw.bytes)).toBe('{"a":1}');
  });

  it('answers 413 from the declared Content-Length without reading', async () => {
    const request = post('{}', { 'content-length': String(LIMIT + 1) });
    expect(await apiErrorOf(readJsonRequestBody(request, LIMIT))).toMatchObject({ status: 413, details: { limit: LIMIT } });
  });

  it('answers 413 while streaming a body with no declared length', async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= LIMIT * 3) return controller.close();
        sent += 256;
        controller.enqueue(new Uint8Array(256).fill(0x20));
      },
    });
    expect(await apiErrorOf(readJsonRequestBody(post(stream), LIMIT))).toMatchObject({ status: 413, code: 'body_too_large' });
  });
});
