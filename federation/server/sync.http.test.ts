/**
 * Bad input over real HTTP against a real `vernacular serve` child process: each answer has its
 * status and stable code, the node stays up, and what it holds is unchanged.
 */
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { ErrorBody, LIMITS, PROTOCOL_VERSION, type SyncResponse } from '../protocol/index.ts';
import { type RunningServer, startServer } from '../../test/support/server.ts';
import { countStored } from '../../test/support/store.ts';
import { idiom, idioms, withField, resign } from '../../test/support/contributions.ts';

let server: RunningServer;
let stored: number;
const device = { id: uuidv4() };

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.dispose();
});

const envelope = (contributions: unknown[], extra: object = {}) =>
  JSON.stringify({ protocol: PROTOCOL_VERSION, device, contributions, ...extra });

function post(body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return fetch(`${server.url}/api/v1/sync`, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
}

async function expectRefused(res: Response, status: number, code: string): Promise<ErrorBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = ErrorBody.parse(await res.json());
  expect(body.error.code).toBe(code);
  return body;
}

describe('refused requests', () => {
  beforeAll(async () => {
    // Something stored beforehand, so "unchanged" means more than "still empty".
    const res = await post(envelope(idioms(2)));
    expect(res.status).toBe(200);
  });
  afterEach(async () => {
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
    expect(countStored(server.dataDir)).toBe(stored);
  });
  beforeAll(() => {
    stored = countStored(server.dataDir);
    expect(stored).toBe(2);
  });

  it('answers 400 malformed_json for malformed JSON', async () => {
    await expectRefused(await post('{"protocol":1,"device":'), 400, 'malformed_json');
  });

  it('answers 400 nesting_too_deep for an envelope nested past the limit, and invalid_text for a NUL in it', async () => {
    const deep = envelope([idiom()], { device: 'DEEP' }).replace('"DEEP"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const body = await expectRefused(await post(deep), 400, 'nesting_too_deep');
    expect(body.error.details).toMatchObject({ field: expect.stringMatching(/^device\.0\.0/), limit: LIMITS.maxJsonDepth });
    await expectRefused(await post(envelope([idiom()], { device: { id: 'a\u0000' } })), 400, 'invalid_text');
  });

  it('answers 400 for a NUL, a lone surrogate or malformed percent-encoding in a path or query', async () => {
    await expectRefused(await fetch(`${server.url}/api/v1/campaigns/gen%00eral`), 400, 'invalid_request');
    await expectRefused(await fetch(`${server.url}/api/v1/campaigns/%ED%A0%80`), 400, 'invalid_request');
    await expectRefused(await fetch(`${server.url}/api/v1/review/queue?campaign=general&language=sw%00&reviewer=${uuidv4()}`), 400, 'invalid_query');
    await expectRefused(await fetch(`${server.url}/api/v1/campaigns/general/seeds?type=prompt&device=%E0%A4`), 400, 'invalid_query');
    await expectRefused(await fetch(`${server.url}/models/m%00/resolve/main/config.json`), 400, 'invalid_request');
  });

  it('answers 415 unsupported_media_type for a body that is not JSON', async () => {
    await expectRefused(await post(envelope([idiom()]), { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
  });

  it('answers 415 unsupported_encoding for an encoding other than gzip or brotli', async () => {
    const res = await post(envelope([idiom()]), { 'content-type': 'application/json', 'content-encoding': 'deflate' });
    expect((await expectRefused(res, 415, 'unsupported_encoding')).error.details).toEqual({ supported: ['br', 'gzip', 'identity'] });
  });

  it('answers 400 invalid_request for wrong types in the envelope, naming the field', async () => {
    const res = await post(JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: 42 }, contributions: [] }));
    expect((await expectRefused(res, 400, 'invalid_request')).error.details).toMatchObject({ field: 'device.id' });
    await expectRefused(await post('[]'), 400, 'invalid_request');
  });

  it('answers 400 unsupported_protocol for an unknown protocol version, naming the supported ones', async () => {
    const res = await post(JSON.stringify({ protocol: 99, device, contributions: [idiom()] }));
    expect((await expectRefused(res, 400, 'unsupported_protocol')).error.details).toEqual({ supported: [PROTOCOL_VERSION] });
  });

  it('answers 413 batch_too_large for more items than a batch may hold', async () => {
    const res = await post(envelope(idioms(LIMITS.maxBatchItems + 1)));
    expect((await expectRefused(res, 413, 'batch_too_large')).error.details).toEqual({ limit: LIMITS.maxBatchItems });
  });

  it('answers 413 body_too_large with the limit for an oversized body', async () => {
    const big = envelope([withField(idiom(), 'data.meaning', 'x'.repeat(LIMITS.maxBodyBytes))]);
    const res = await post(big);
    expect((await expectRefused(res, 413, 'body_too_large')).error.details).toEqual({ limit: LIMITS.maxBodyBytes });
  });

  it('answers 413 for an oversized body streamed without a declared length', async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > LIMITS.maxBodyBytes + chunk.byteLength) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    await expectRefused(await post(stream), 413, 'body_too_large');
  });

  it('answers 413 for a gzip bomb that would expand past the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(LIMITS.maxBodyBytes * 4, 0x20));
    const res = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    await expectRefused(res, 413, 'body_too_large');
  });

  it('answers 400 malformed_json for a body that claims gzip but is not', async () => {
    const res = await post(envelope([idiom()]), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    await expectRefused(res, 400, 'malformed_json');
  });

  it('answers 400 invalid_utf8 for bytes that are not UTF-8', async () => {
    const text = envelope([idiom({ data: { expression: 'MARK' } })]);
    const [before, after] = text.split('MARK') as [string, string];
    for (const bad of [[0xff], [0xed, 0xa0, 0x80] /* a lone surrogate encoded as bytes */]) {
      const body = Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]);
      await expectRefused(await post(body), 400, 'invalid_utf8');
    }
  });

  it('answers 405 method_not_allowed for GET on the sync endpoint', async () => {
    const res = await fetch(`${server.url}/api/v1/sync`);
    await expectRefused(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('answers 404 not_found as JSON for unknown API paths', async () => {
    await expectRefused(await fetch(`${server.url}/api/v1/nothing-here`), 404, 'not_found');
  });
});

describe('items judged one by one', () => {
  async function sync(contributions: unknown[]): Promise<SyncResponse> {
    const res = await post(envelope(contributions));
    expect(res.status).toBe(200);
    return (await res.json()) as SyncResponse;
  }

  it('rejects a lone surrogate, an oversized field and a wrong type, and stores the rest', async () => {
    const before = countStored(server.dataDir);
    const good = idioms(2);
    const surrogate = JSON.parse(JSON.stringify(idiom()).replace('Haraka haraka', 'Haraka \\ud800')) as object;
    const oversized = withField(idiom(), 'data.expression', 'x'.repeat(LIMITS.idiom.expression + 1));
    const mistyped = withField(idiom(), 'deviceSeq', 'seven');
    const { results } = await sync([good[0], surrogate, oversized, mistyped, good[1]]);
    expect(results.map((r) => [r.index, r.status, r.code, r.field])).toEqual([
      [0, 'accepted', undefined, undefined],
      [1, 'rejected', 'invalid_text', 'data.expression'],
      [2, 'rejected', 'too_long', 'data.expression'],
      [3, 'rejected', 'invalid_type', 'deviceSeq'],
      [4, 'accepted', undefined, undefined],
    ]);
    expect(countStored(server.dataDir)).toBe(before + 2);
  });

  it('rejects an item nested 50,000 levels deep, or with a NUL or lone surrogate in any string or key, and stores the rest', async () => {
    const before = countStored(server.dataDir);
    const good = idioms(2);
    const deepText = envelope([good[0], { ...idiom(), data: 'DEEP' }, good[1]]).replace('"DEEP"', `${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    const deep = (await (await post(deepText)).json()) as SyncResponse;
    expect(deep.results.map((r) => [r.index, r.status, r.code])).toEqual([[0, 'accepted', undefined], [1, 'rejected', 'nesting_too_deep'], [2, 'accepted', undefined]]);
    const model = { type: 'model', model: 'm', revision: 'r' };
    const rewrite = (source: object) => ({
      ...idiom(), kind: 'rewrite', data: { prompt: 'Swali', draft: 'Rasimu', rewrite: 'Jibu zuri', draftRating: 3, draftSource: source },
    });
    const { results } = await sync([
      rewrite({ ...model, model: 'm\u0000' }),
      rewrite({ ...model, settings: { 'temperature\u0000': 1 } }),
      rewrite({ ...model, revision: '\udc00' }),
      withField(idiom(), 'checks', { language: { detected: null, score: 0, matches: true, confirmed: false, detector: 'eld\u0000' } }),
      ...resign(rewrite(model)),
    ]);
    expect(results.map((r) => [r.index, r.status, r.code, r.field])).toEqual([
      [0, 'rejected', 'invalid_text', 'data.draftSource.model'],
      [1, 'rejected', 'invalid_text', 'data.draftSource.settings.temperature\\u0000'],
      [2, 'rejected', 'invalid_text', 'data.draftSource.revision'],
      [3, 'rejected', 'invalid_text', 'checks.language.detector'],
      [4, 'accepted', undefined, undefined],
    ]);
    expect(countStored(server.dataDir)).toBe(before + 3);
  });

  it('answers duplicate for a re-sent batch and conflict for a reused id', async () => {
    const batch = idioms(3);
    await sync(batch);
    const before = countStored(server.dataDir);
    // A retry may carry a signature of its own (signed anew with other items): still a duplicate.
    const again = await sync([...resign(...batch), ...resign(withField(batch[0]!, 'data.meaning', 'changed'))]);
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'conflict']);
    expect(countStored(server.dataDir)).toBe(before);
  });

  it('accepts a gzipped batch', async () => {
    const before = countStored(server.dataDir);
    const res = await post(gzipSync(envelope(idioms(3))), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as SyncResponse).results.every((r) => r.status === 'accepted')).toBe(true);
    expect(countStored(server.dataDir)).toBe(before + 3);
  });
});

describe('paths that try to leave the web root', () => {
  function rawGet(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: 'localhost', port: server.port, path, method: 'GET' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('never serve a file outside it', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/..%5c..%5cpackage.json']) {
      const res = await rawGet(path);
      expect(res.status, path).not.toBe(200);
      expect(res.body, path).not.toContain('"name": "vernacular"');
    }
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
  });
});
