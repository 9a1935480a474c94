/**
 * The model store end to end: `vernacular models import|pull|list` as real commands, and a real
 * `vernacular serve` process answering the manifest, the model files (ranges, ETags, caching,
 * no traversal) and the onnxruntime-web runtime — and transformers.js itself loading the tiny
 * model from the node over HTTP and generating the reference tokens.
 */
import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { SECURITY_HEADERS } from '../server/headers.ts';
import { type RunningServer, runCli, startServer, tempDir } from '../../test/support/server.ts';
import { REFERENCE_GREEDY_TOKENS, REFERENCE_PROMPT } from '../../test/support/model/reference.ts';
import type { ModelManifest } from './store.ts';

const FIXTURE = resolve(import.meta.dirname, '../../test/fixtures/models/tiny-llama');
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface ManifestBody {
  models: Omit<ModelManifest, 'source'>[];
  runtime: { onnxruntimeWeb: string; wasmPaths: string };
}

let dataDir: string;
let server: RunningServer;
let manifest: ManifestBody;
let revision: string;
let fakeHost: Server;
let fakeHostUrl: string;
const fakeHostRequests: string[] = [];

/**
 * A stand-in for huggingface.co: serves the fixture as `acme/Tiny-Llama` at `main`, and as
 * `acme/Damaged` with ETags announcing a sha256 the bytes do not have.
 */
function startFakeHost(): Promise<void> {
  fakeHost = createServer((req, res) => {
    fakeHostRequests.push(req.url ?? '');
    const prefix = ['/acme/Tiny-Llama/resolve/main/', '/acme/Damaged/resolve/main/'].find((p) => req.url?.startsWith(p));
    const path = prefix !== undefined ? req.url!.slice(prefix.length) : '';
    const file = join(FIXTURE, path);
    if (path === '' || path.includes('..') || !existsSync(file)) {
      res.writeHead(404).end('Entry not found');
      return;
    }
    const damaged = prefix!.startsWith('/acme/Damaged/');
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', ...(damaged && { ETag: `"${'0'.repeat(64)}"` }) });
    createReadStream(file).pipe(res);
  });
  return new Promise((done) => fakeHost.listen(0, '127.0.0.1', () => {
    const address = fakeHost.address();
    fakeHostUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    done();
  }));
}

beforeAll(async () => {
  dataDir = await tempDir('models');
  const imported = await runCli(['models', 'import', FIXTURE, '--id', 'tiny-llama', '--data', dataDir]);
  expect(imported.stderr).toBe('');
  expect(imported.code).toBe(0);
  server = await startServer({ dataDir });
  manifest = await (await fetch(`${server.url}/api/v1/models`)).json() as ManifestBody;
  revision = manifest.models[0]!.revision;
  await startFakeHost();
});
afterAll(async () => {
  await server?.dispose();
  await new Promise((done) => fakeHost?.close(done));
});

const fileUrl = (path: string, rev = revision) => `${server.url}/models/tiny-llama/resolve/${rev}/${path}`;

describe('the model manifest', () => {
  it('lists each model with its revision and every file with size, sha256 and dtype', async () => {
    expect(manifest.models).toHaveLength(1);
    const model = manifest.models[0]!;
    expect(model).toMatchObject({ id: 'tiny-llama', modelType: 'llama' });
    expect(model.revision).toMatch(/^[0-9a-f]{32}$/);
    const onnx = model.files.find((f) => f.path === 'onnx/model.onnx');
    expect(onnx).toEqual({ path: 'onnx/model.onnx', size: (await stat(join(FIXTURE, 'onnx/model.onnx'))).size, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), dtype: 'fp32' });
    expect(model.files.map((f) => f.path)).toEqual(['config.json', 'generation_config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(manifest.runtime.wasmPaths).toBe(`/ort/${manifest.runtime.onnxruntimeWeb}/`);
  });

  it('is an uncacheable API answer with the security headers', async () => {
    const res = await fetch(`${server.url}/api/v1/models`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await (await fetch(`${server.url}/api/v1/openapi.json`)).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/models', '/models/{id}/resolve/{revision}/{path}', '/ort/{version}/{file}']));
  });
});

describe('model files', () => {
  it('answers Range bytes=0-0 with 206 and Content-Range, as transformers.js asks before a download', async () => {
    const res = await fetch(fileUrl('onnx/model.onnx'), { headers: { Range: 'bytes=0-0' } });
    const size = (await stat(join(FIXTURE, 'onnx/model.onnx'))).size;
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 0-0/${size}`);
    expect(res.headers.get('content-length')).toBe('1');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body).toEqual((await readFile(join(FIXTURE, 'onnx/model.onnx'))).subarray(0, 1));
  });

  it('serves a middle range and an open-ended one', async () => {
    const whole = await readFile(join(FIXTURE, 'tokenizer.json'));
    const middle = await fetch(fileUrl('tokenizer.json'), { headers: { Range: 'bytes=10-19' } });
    expect(middle.status).toBe(206);
    expect(Buffer.from(await middle.arrayBuffer())).toEqual(whole.subarray(10, 20));
    const tail = await fetch(fileUrl('tokenizer.json'), { headers: { Range: `bytes=${whole.length - 5}-` } });
    expect(tail.headers.get('content-range')).toBe(`bytes ${whole.length - 5}-${whole.length - 1}/${whole.length}`);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(whole.subarray(whole.length - 5));
  });

  it('serves the whole file with a strong sha256 ETag, immutable caching and its content type', async () => {
    const res = await fetch(fileUrl('config.json'));
    expect(res.status).toBe(200);
    const file = manifest.models[0]!.files.find((f) => f.path === 'config.json')!;
    expect(res.headers.get('etag')).toBe(`"${file.sha256}"`);
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(await res.text()).toBe(await readFile(join(FIXTURE, 'config.json'), 'utf8'));
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
  });

  it('answers 304 to If-None-Match with the ETag', async () => {
    const etag = (await fetch(fileUrl('onnx/model.onnx'), { method: 'HEAD' })).headers.get('etag')!;
    const res = await fetch(fileUrl('onnx/model.onnx'), { headers: { 'If-None-Match': etag } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
  });

  it('answers 416 with the size for a range past the end or a malformed one', async () => {
    const size = (await stat(join(FIXTURE, 'config.json'))).size;
    for (const range of [`bytes=${size}-`, 'bytes=9-3', 'bytes=abc', 'bytes=-0']) {
      const res = await fetch(fileUrl('config.json'), { headers: { Range: range } });
      expect(res.status, range).toBe(416);
      expect(res.headers.get('content-range'), range).toBe(`bytes */${size}`);
    }
  });

  it('serves `main` as the latest revision, revalidated rather than immutable', async () => {
    const res = await fetch(fileUrl('config.json', 'main'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('refuses paths outside the manifest: traversal, unknown files, unknown models and revisions', async () => {
    for (const path of [
      `/models/tiny-llama/resolve/${revision}/..%2F..%2F${revision}.json`,
      `/models/tiny-llama/resolve/${revision}/%2e%2e/%2e%2e/%2e%2e/package.json`,
      `/models/tiny-llama/resolve/${revision}/onnx%2F..%2Fconfig.json`,
      `/models/tiny-llama/resolve/${revision}/README.md`,
      `/models/..%2Fmodels/resolve/${revision}/config.json`,
      `/models/nope/resolve/main/config.json`,
      `/models/tiny-llama/resolve/${'0'.repeat(32)}/config.json`,
    ]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain('model_type');
    }
  });

  it('refuses writes', async () => {
    const res = await fetch(fileUrl('config.json'), { method: 'PUT', body: '{}' });
    expect(res.status).toBe(405);
  });
});

describe('the onnxruntime-web runtime from the node itself', () => {
  it('serves the pinned version\'s .wasm and .mjs with immutable caching', async () => {
    const base = `${server.url}${manifest.runtime.wasmPaths}`;
    const wasm = await fetch(`${base}ort-wasm-simd-threaded.jsep.wasm`, { method: 'HEAD' });
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(wasm.headers.get('cache-control')).toBe(IMMUTABLE);
    const mjs = await fetch(`${base}ort-wasm-simd-threaded.jsep.mjs`, { headers: { Range: 'bytes=0-0' } });
    expect(mjs.status).toBe(206);
    expect(mjs.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${base}ort.node.min.mjs`)).status).toBe(404);
    expect((await fetch(`${server.url}/ort/0.0.1/ort-wasm-simd-threaded.wasm`)).status).toBe(404);
  });

  it('is the onnxruntime-web that @huggingface/transformers pins', async () => {
    const pkg = JSON.parse(await readFile(resolve(import.meta.dirname, '../../node_modules/@huggingface/transformers/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.runtime.onnxruntimeWeb).toBe(pkg.dependencies['onnxruntime-web']);
  });
});

describe('transformers.js against the node', () => {
  it('loads the model from the node\'s own origin and generates the reference tokens', async () => {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    // On Node transformers.js hands onnxruntime-node a file path, so it needs its file cache.
    env.useFSCache = true;
    env.cacheDir = await tempDir('transformers-cache');
    env.remoteHost = `${server.url}/`;
    env.remotePathTemplate = 'models/{model}/resolve/{revision}/';
    try {
      const tokenizer = await AutoTokenizer.from_pretrained('tiny-llama', { revision });
      const model = await AutoModelForCausalLM.from_pretrained('tiny-llama', { revision, dtype: 'fp32', device: 'cpu' });
      const text = tokenizer.apply_chat_template(REFERENCE_PROMPT, { tokenize: false, add_generation_prompt: true });
      const inputs = tokenizer(text as string);
      const output = await model.generate({ ...inputs, max_new_tokens: REFERENCE_GREEDY_TOKENS.length, do_sample: false });
      await model.dispose();
      const ids = (output as { tolist(): bigint[][] }).tolist()[0]!.slice(inputs.input_ids.dims[1]).map(Number);
      expect(ids).toEqual(REFERENCE_GREEDY_TOKENS);
    } finally {
      env.allowLocalModels = true;
      env.remoteHost = 'https://huggingface.co/';
      env.remotePathTemplate = '{model}/resolve/{revision}/';
    }
  });
});

describe('vernacular models', () => {
  it('lists the stored model', async () => {
    const listed = await runCli(['models', 'list', '--data', dataDir]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`tiny-llama\t${revision}\t`);
  });

  it('imports the same folder again as the same revision, without a copy', async () => {
    const again = await runCli(['models', 'import', FIXTURE, '--id', 'tiny-llama', '--data', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already in the store');
  });

  it('refuses an incomplete folder with a clear error and stores nothing', async () => {
    const dir = await tempDir('incomplete');
    await cp(FIXTURE, dir, { recursive: true });
    await rm(join(dir, 'tokenizer.json'));
    await rm(join(dir, 'onnx'), { recursive: true });
    const data = await tempDir('incomplete-data');
    const result = await runCli(['models', 'import', dir, '--id', 'broken', '--data', data]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a complete model folder: missing tokenizer.json, onnx/model*.onnx');
    expect((await runCli(['models', 'list', '--data', data])).stdout).toContain('No models');
  });

  it('refuses a folder whose graph is not an ONNX decoder', async () => {
    const dir = await tempDir('not-onnx');
    await cp(FIXTURE, dir, { recursive: true });
    await mkdir(join(dir, 'onnx'), { recursive: true });
    await cp(join(FIXTURE, 'config.json'), join(dir, 'onnx/model_q4.onnx'));
    const result = await runCli(['models', 'import', dir, '--id', 'broken', '--data', await tempDir('not-onnx-data')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('onnx/model_q4.onnx is not a readable ONNX model');
  });

  it('pulls a model from a Hugging Face-compatible host into the store, same content, same revision', async () => {
    const data = await tempDir('pulled');
    fakeHostRequests.length = 0;
    const pulled = await runCli(['models', 'pull', 'acme/Tiny-Llama', '--dtype', 'fp32', '--host', fakeHostUrl, '--data', data]);
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain(`Added tiny-llama revision ${revision}`);
    expect(fakeHostRequests).toEqual(expect.arrayContaining([
      '/acme/Tiny-Llama/resolve/main/config.json', '/acme/Tiny-Llama/resolve/main/onnx/model.onnx', '/acme/Tiny-Llama/resolve/main/onnx/model.onnx_data',
    ]));
    const listed = JSON.parse((await runCli(['models', 'list', '--json', '--data', data])).stdout) as { models: ModelManifest[] };
    expect(listed.models.map((m) => [m.id, m.revision])).toEqual([['tiny-llama', revision]]);
    expect(listed.models[0]!.files).toEqual(manifest.models[0]!.files);
  });

  it('pulls from another node, whose sha256 ETags it checks', async () => {
    const data = await tempDir('pulled-from-node');
    const pulled = await runCli(['models', 'pull', 'tiny-llama', '--dtype', 'fp32', '--host', `${server.url}/models`, '--revision', revision, '--data', data]);
    expect(pulled.stderr).toBe('');
    expect(pulled.stdout).toContain(`Added tiny-llama revision ${revision}`);
  });

  it('refuses a download whose sha256 differs from what the host announced', async () => {
    const data = await tempDir('pull-damaged');
    const pulled = await runCli(['models', 'pull', 'acme/Damaged', '--dtype', 'fp32', '--host', fakeHostUrl, '--data', data]);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toContain('config.json arrived damaged');
    expect((await runCli(['models', 'list', '--data', data])).stdout).toContain('No models');
  });

  it('fails a pull cleanly when the host lacks the dtype, leaving nothing behind', async () => {
    const data = await tempDir('pull-missing');
    const pulled = await runCli(['models', 'pull', 'acme/Tiny-Llama', '--host', fakeHostUrl, '--data', data]);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toContain('onnx/model_q4f16.onnx answered 404');
    expect((await runCli(['models', 'list', '--data', data])).stdout).toContain('No models');
  });
});
