import { describe, expect, it } from 'vitest';
import { dtypeOfPath, listCachedModels, MODEL_FILES_CACHE, parseModelUrl, removeCachedModel, type CacheLike, type CacheStorageLike } from './cache.ts';

const ORIGIN = 'http://localhost:8080';
const REV_A = 'a'.repeat(32);
const REV_B = 'b'.repeat(32);

/** An in-memory Cache Storage holding URL → (Content-Length header or none, body bytes). */
function fakeStorage(entries: Record<string, { length?: number; body: number }>): CacheStorageLike & { urls(): string[] } {
  const files = new Map(Object.entries(entries));
  const cache: CacheLike = {
    keys: () => Promise.resolve([...files.keys()].map((url) => ({ url }))),
    match: (r) => {
      const f = files.get(r.url);
      return Promise.resolve(
        f && {
          headers: { get: (name: string) => (name === 'content-length' && f.length !== undefined ? String(f.length) : null) },
          blob: () => Promise.resolve({ size: f.body }),
        },
      );
    },
    delete: (r) => Promise.resolve(files.delete(r.url)),
  };
  return {
    has: (name) => Promise.resolve(name === MODEL_FILES_CACHE),
    open: () => Promise.resolve(cache),
    urls: () => [...files.keys()],
  };
}

const url = (id: string, rev: string, path: string) => `${ORIGIN}/models/${id}/resolve/${rev}/${path}`;

describe('the model files cache', () => {
  it('names the dtype of each ONNX graph file and of nothing else', () => {
    expect(dtypeOfPath('onnx/model.onnx')).toBe('fp32');
    expect(dtypeOfPath('onnx/model_quantized.onnx')).toBe('q8');
    expect(dtypeOfPath('onnx/model_q4f16.onnx')).toBe('q4f16');
    expect(dtypeOfPath('onnx/model_q4.onnx')).toBe('q4');
    expect(dtypeOfPath('onnx/model_fp16.onnx_data')).toBe('fp16');
    expect(dtypeOfPath('config.json')).toBeUndefined();
  });

  it('reads id, revision and path only from model URLs of the same origin', () => {
    expect(parseModelUrl(url('tiny-llama', REV_A, 'onnx/model.onnx'), ORIGIN)).toEqual({ id: 'tiny-llama', revision: REV_A, path: 'onnx/model.onnx' });
    expect(parseModelUrl(url('org/name', REV_A, 'config.json'), ORIGIN)).toMatchObject({ id: 'org/name' });
    expect(parseModelUrl(`https://huggingface.co/models/x/resolve/${REV_A}/config.json`, ORIGIN)).toBeNull();
    expect(parseModelUrl(`${ORIGIN}/ort/1.0/ort-wasm.wasm`, ORIGIN)).toBeNull();
  });

  it('lists each cached model revision with its dtypes and total bytes (Content-Length, else the body)', async () => {
    const storage = fakeStorage({
      [url('tiny-llama', REV_A, 'config.json')]: { length: 100, body: 100 },
      [url('other', 'main', 'config.json')]: { length: 7, body: 7 },
      [url('tiny-llama', REV_A, 'onnx/model.onnx')]: { length: 2000, body: 2000 },
      [url('tiny-llama', REV_A, 'tokenizer.json')]: { body: 300 },
      [url('tiny-llama', REV_B, 'onnx/model_q4.onnx')]: { length: 50, body: 50 },
      [`${ORIGIN}/ort/1.0/ort-wasm.wasm`]: { length: 9999, body: 9999 },
    });
    expect(await listCachedModels(storage, ORIGIN)).toEqual([
      { id: 'other', revision: 'main', dtypes: [], size: 7, files: 1 },
      { id: 'tiny-llama', revision: REV_A, dtypes: ['fp32'], size: 2400, files: 3 },
      { id: 'tiny-llama', revision: REV_B, dtypes: ['q4'], size: 50, files: 1 },
    ]);
  });

  it('counts the files transformers.js fetched at the `main` alias with the model’s pinned revision', async () => {
    const storage = fakeStorage({
      [url('tiny-llama', 'main', 'config.json')]: { length: 100, body: 100 },
      [url('tiny-llama', REV_A, 'onnx/model.onnx')]: { length: 2000, body: 2000 },
    });
    expect(await listCachedModels(storage, ORIGIN)).toEqual([{ id: 'tiny-llama', revision: REV_A, dtypes: ['fp32'], size: 2100, files: 2 }]);
    expect(await removeCachedModel(storage, ORIGIN, 'tiny-llama', REV_A)).toBe(2);
    expect(storage.urls()).toEqual([]);
  });

  it('removes one model revision’s files and leaves the other revisions and the runtime', async () => {
    const storage = fakeStorage({
      [url('tiny-llama', REV_A, 'config.json')]: { body: 1 },
      [url('tiny-llama', REV_A, 'onnx/model.onnx')]: { body: 1 },
      [url('tiny-llama', REV_B, 'onnx/model.onnx')]: { body: 1 },
      [`${ORIGIN}/ort/1.0/ort-wasm.wasm`]: { body: 1 },
    });
    expect(await removeCachedModel(storage, ORIGIN, 'tiny-llama', REV_A)).toBe(2);
    expect(storage.urls()).toEqual([url('tiny-llama', REV_B, 'onnx/model.onnx'), `${ORIGIN}/ort/1.0/ort-wasm.wasm`]);
    expect((await listCachedModels(storage, ORIGIN)).map((m) => m.revision)).toEqual([REV_B]);
  });

  it('lists nothing when the cache was never created', async () => {
    const storage: CacheStorageLike = { has: () => Promise.resolve(false), open: () => Promise.reject(new Error('not opened')) };
    expect(await listCachedModels(storage, ORIGIN)).toEqual([]);
    expect(await removeCachedModel(storage, ORIGIN, 'x', REV_A)).toBe(0);
  });
});
