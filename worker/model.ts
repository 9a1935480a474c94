/**
 * The on-device model, as worker RPC methods: `load`, `generate`, `interrupt`, `unload`.
 *
 * Every file comes from the page's own origin, i.e. the node: the manifest at `/api/v1/models`,
 * the model files under `MODEL_PATH_TEMPLATE` and the onnxruntime-web runtime under the
 * manifest's `runtime.wasmPaths`. transformers.js is told never to look anywhere else (no local
 * paths, remote host = the node) and keeps downloaded files in its own Cache API store, so a model
 * loads again offline once it has been downloaded.
 *
 * Device choice: WebGPU when the probe finds an adapter (fp16 dtypes only with `shader-f16`),
 * otherwise WASM; a WebGPU failure while loading or generating falls back to WASM, and the result
 * and an event say so. Failures come back as closed codes: `model_not_found` (the node has no such
 * model, revision or dtype), `model_broken` (the files arrived but do not load), `load_failed`
 * (anything else while loading, e.g. the network), `not_loaded`, `busy`.
 */
import type { InterruptableStoppingCriteria, PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';
import { z } from 'zod';
import { MODEL_PATH_TEMPLATE, ModelsResponse, type ModelEntry } from '../federation/protocol/models.ts';
import { listCachedModels, MODEL_FILES_CACHE, removeCachedModel, type CachedModel } from './cache.ts';
import { probeDevice } from './probe.ts';
import { WorkerError, type Method } from './rpc.ts';

export type Backend = 'webgpu' | 'wasm';

/** Preferred dtypes, best first, by backend. fp16 dtypes need WebGPU's `shader-f16`. */
const DTYPE_PREFERENCE: Record<'webgpu-f16' | 'webgpu' | 'wasm', readonly string[]> = {
  'webgpu-f16': ['q4f16', 'fp16', 'q4', 'fp32', 'q8'],
  webgpu: ['q4', 'fp32', 'q8'],
  wasm: ['q8', 'q4', 'fp32', 'int8', 'uint8'],
};
const NEEDS_F16 = new Set(['fp16', 'q4f16']);

export interface Fallback {
  from: 'webgpu';
  to: 'wasm';
  reason: string;
}

export type LoadEvent =
  | { type: 'progress'; loaded: number; total: number }
  | { type: 'fallback'; fallback: Fallback };

export interface LoadResult {
  model: string;
  revision: string;
  dtype: string;
  device: Backend;
  /** Bytes of the files this dtype needs. */
  size: number;
  /** On WASM: the threads onnxruntime-web runs with (it sets them when it starts). */
  threads?: number;
  fallback?: Fallback;
}

export type GenerateEvent =
  | { type: 'token'; ids: number[] }
  | { type: 'text'; text: string }
  /** WebGPU failed mid-generation: the worker reloaded on WASM and starts over. */
  | { type: 'restart'; fallback: Fallback };

export interface GenerateResult {
  tokens: number[];
  text: string;
  finish: 'eos' | 'length' | 'interrupted';
  model: string;
  revision: string;
  dtype: string;
  device: Backend;
  settings: { max_new_tokens: number; do_sample: boolean; temperature?: number; top_p?: number };
  fallback?: Fallback;
}

interface Loaded {
  entry: ModelEntry;
  dtype: string;
  device: Backend;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
}

let loaded: Loaded | null = null;
let busy = false;
let stopping: InterruptableStoppingCriteria | null = null;

/**
 * transformers.js (and onnxruntime-web) are fetched the first time a model is loaded, as their
 * own chunk, so that the checks before saving start without them.
 */
type Transformers = typeof import('@huggingface/transformers');
let transformers: Promise<Transformers> | undefined;
const library = (): Promise<Transformers> => (transformers ??= import('@huggingface/transformers'));

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function configureEnvironment({ env }: Transformers, origin: string, wasmPaths: string): void {
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = `${origin}/`;
  env.remotePathTemplate = MODEL_PATH_TEMPLATE;
  env.useBrowserCache = true;
  env.cacheKey = MODEL_FILES_CACHE;
  const wasm = env.backends.onnx.wasm;
  // numThreads stays onnxruntime-web's default (half the logical cores, at most 4, and one when the
  // worker is not cross-origin isolated): two threads on a 2-core machine were not faster than one
  // in the benchmark (docs/benchmarks.md, "On-device model").
  if (wasm) wasm.wasmPaths = new URL(wasmPaths, origin).href;
}

/** Where the last manifest the node gave is kept, so that a downloaded model loads offline. */
const MANIFEST_CACHE = 'vernacular-models';

/** The node's manifest, or the last one kept when the node cannot be reached (`offline`). */
async function fetchManifest(origin: string): Promise<ModelsResponse & { offline?: true }> {
  const url = `${origin}/api/v1/models`;
  let body: unknown;
  let offline = false;
  try {
    const response = await fetch(url, { cache: 'no-cache' });
    if (!response.ok) throw new Error(`it answered ${response.status}`);
    body = await response.json();
    const cache = await caches.open(MANIFEST_CACHE).catch(() => undefined);
    await cache?.put(url, new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } })).catch(() => undefined);
  } catch (e) {
    const cached = await (await caches.open(MANIFEST_CACHE).catch(() => undefined))?.match(url).catch(() => undefined);
    if (!cached) throw new WorkerError('load_failed', `The node's model list could not be fetched: ${message(e)}`);
    body = await cached.json();
    offline = true;
  }
  const parsed = ModelsResponse.safeParse(body);
  if (!parsed.success) throw new WorkerError('load_failed', "The node's model list is not in the expected form");
  return offline ? { ...parsed.data, offline } : parsed.data;
}

function filesFor(entry: ModelEntry, dtype: string) {
  return entry.files.filter((f) => f.dtype === undefined || f.dtype === dtype);
}

function chooseDtype(entry: ModelEntry, backend: 'webgpu-f16' | 'webgpu' | 'wasm'): string | undefined {
  const available = new Set(entry.files.flatMap((f) => (f.dtype ? [f.dtype] : [])));
  return DTYPE_PREFERENCE[backend].find((d) => available.has(d)) ?? [...available].find((d) => backend === 'webgpu-f16' || !NEEDS_F16.has(d));
}

const LoadParams = z
  .object({
    model: z.string().min(1).max(100),
    /** A revision hash from the manifest, or `main` (the latest import). */
    revision: z.union([z.string().regex(/^[0-9a-f]{32}$/), z.literal('main')]).default('main'),
    device: z.enum(['webgpu', 'wasm', 'auto']).default('auto'),
    dtype: z.string().regex(/^[a-z0-9]{2,10}$/).optional(),
  })
  .strict();

async function loadOn(entry: ModelEntry, dtype: string, device: Backend, emit: (e: LoadEvent) => void) {
  const files = filesFor(entry, dtype);
  const total = files.reduce((n, f) => n + f.size, 0);
  const progress = new Map<string, number>();
  const done = new Set<string>();
  const progress_callback = (info: { status: string; file?: string; loaded?: number }) => {
    if (info.file === undefined) return;
    if (info.status === 'progress' && typeof info.loaded === 'number') progress.set(info.file, info.loaded);
    else if (info.status === 'done') {
      done.add(info.file);
      progress.set(info.file, files.find((f) => f.path === info.file)?.size ?? progress.get(info.file) ?? 0);
    } else return;
    let sum = 0;
    for (const v of progress.values()) sum += v;
    emit({ type: 'progress', loaded: Math.min(sum, total), total });
  };
  const options = { revision: entry.revision, progress_callback };
  const { AutoModelForCausalLM, AutoTokenizer } = await library();
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(entry.id, options);
    const model = await AutoModelForCausalLM.from_pretrained(entry.id, { ...options, dtype: dtype as 'fp32', device });
    yieldBetweenSteps(model);
    return { tokenizer, model, total };
  } catch (e) {
    // Everything arrived (or came from the cache) but would not load: the files are broken.
    const arrived = files.every((f) => done.has(f.path));
    const parseFailure = /protobuf|parse|failed to load model|invalid model|JSON/i.test(message(e));
    const error = new WorkerError(arrived || parseFailure ? 'model_broken' : 'load_failed', message(e));
    throw error;
  }
}

/** Resolves after one trip through the event loop (a message, not a clamped timer). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/**
 * On WASM a decoding step resolves through microtasks only, so an `interrupt` message would wait
 * for the whole generation. Yielding one task before each step lets it in between tokens.
 */
function yieldBetweenSteps(model: PreTrainedModel): void {
  const forward = model.forward.bind(model);
  model.forward = async (inputs: Parameters<typeof forward>[0]) => {
    await nextTask();
    return forward(inputs);
  };
}

/**
 * Why WebGPU cannot make a device here, or null when it can. Asked before onnxruntime-web starts
 * its WebGPU backend, because a failed start inside it (seen in Chromium when `requestDevice`
 * rejects) leaves its WebAssembly runtime unusable in this worker, so the WASM retry failed too.
 */
async function webgpuDeviceFailure(): Promise<string | null> {
  interface GpuDevice { destroy(): void }
  const gpu = (self.navigator as { gpu?: { requestAdapter(): Promise<null | { requestDevice(): Promise<GpuDevice> }> } }).gpu;
  try {
    const adapter = await gpu?.requestAdapter();
    if (!adapter) return 'WebGPU gave no adapter';
    (await adapter.requestDevice()).destroy();
    return null;
  } catch (e) {
    return `WebGPU could not make a device: ${message(e)}`;
  }
}

async function unloadModel(): Promise<boolean> {
  const current = loaded;
  loaded = null;
  if (!current) return false;
  await current.model.dispose();
  return true;
}

export const load: Method<typeof LoadParams, LoadResult, LoadEvent> = {
  params: LoadParams,
  async run({ model: id, revision, device, dtype }, { emit }) {
    if (busy) throw new WorkerError('busy', 'The model is busy loading or generating');
    busy = true;
    try {
      const origin = self.location.origin;
      const manifest = await fetchManifest(origin);
      const entry = manifest.models.find((m) => m.id === id && (revision === 'main' || m.revision === revision));
      if (!entry) throw new WorkerError('model_not_found', `The node has no model "${id}" at revision ${revision}`);
      // The node is out of reach: say so at once unless this revision is in the device's cache
      // (transformers.js would otherwise retry each missing file for many seconds before failing).
      if (manifest.offline) {
        const cached = await listCachedModels<Request>(caches, origin).catch(() => []);
        if (!cached.some((m) => m.id === entry.id && m.revision === entry.revision && m.dtypes.length > 0)) {
          throw new WorkerError('load_failed', `"${id}" is not on this device and the node cannot be reached`);
        }
      }
      try {
        configureEnvironment(await library(), origin, manifest.runtime.wasmPaths);
      } catch (e) {
        throw new WorkerError('load_failed', `The model runtime could not be fetched: ${message(e)}`);
      }

      const probe = await probeDevice();
      let backend: Backend = device === 'auto' ? probe.preferred : device;
      if (backend === 'webgpu' && !probe.webgpu) backend = 'wasm';
      const f16 = probe.webgpu?.shaderF16 === true;
      let chosen = dtype ?? chooseDtype(entry, backend === 'webgpu' ? (f16 ? 'webgpu-f16' : 'webgpu') : 'wasm');
      if (chosen === undefined || !entry.files.some((f) => f.dtype === chosen)) {
        throw new WorkerError('model_not_found', `The node has no ${chosen ?? 'ONNX'} files for "${id}"`);
      }
      let fallback: Fallback | undefined;
      if (backend === 'webgpu' && NEEDS_F16.has(chosen) && !f16) {
        fallback = { from: 'webgpu', to: 'wasm', reason: `${chosen} needs WebGPU shader-f16, which this device lacks` };
        backend = 'wasm';
      }
      if (backend === 'webgpu') {
        const failure = await webgpuDeviceFailure();
        if (failure) {
          fallback = { from: 'webgpu', to: 'wasm', reason: failure };
          backend = 'wasm';
          if (dtype === undefined) chosen = chooseDtype(entry, 'wasm') ?? chosen;
        }
      }

      await unloadModel();
      let result: Awaited<ReturnType<typeof loadOn>>;
      try {
        result = await loadOn(entry, chosen, backend, emit);
      } catch (e) {
        if (backend !== 'webgpu') throw e;
        fallback = { from: 'webgpu', to: 'wasm', reason: message(e) };
        emit({ type: 'fallback', fallback });
        backend = 'wasm';
        if (dtype === undefined) chosen = chooseDtype(entry, 'wasm') ?? chosen;
        result = await loadOn(entry, chosen, backend, emit);
      }
      if (fallback) emit({ type: 'fallback', fallback });
      loaded = { entry, dtype: chosen, device: backend, tokenizer: result.tokenizer, model: result.model };
      return {
        model: entry.id,
        revision: entry.revision,
        dtype: chosen,
        device: backend,
        size: result.total,
        ...(backend === 'wasm' ? { threads: (await library()).env.backends.onnx.wasm?.numThreads ?? 1 } : {}),
        ...(fallback ? { fallback } : {}),
      };
    } catch (e) {
      if (e instanceof WorkerError) throw e;
      throw new WorkerError('load_failed', message(e));
    } finally {
      busy = false;
    }
  },
};

const ChatMessage = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(20_000) }).strict();

const GenerateParams = z
  .object({
    messages: z.array(ChatMessage).min(1).max(64).optional(),
    prompt: z.string().min(1).max(20_000).optional(),
    max_new_tokens: z.int().min(1).max(2048).default(256),
    do_sample: z.boolean().default(false),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().gt(0).max(1).optional(),
  })
  .strict()
  .refine((p) => (p.messages === undefined) !== (p.prompt === undefined), { message: 'Give either messages or a prompt' });

type GenerateInput = z.output<typeof GenerateParams>;

async function generateOnce(current: Loaded, params: GenerateInput, emit: (e: GenerateEvent) => void) {
  const { tokenizer, model } = current;
  const { InterruptableStoppingCriteria, TextStreamer } = await library();
  const text = params.messages
    ? (tokenizer.apply_chat_template(params.messages, { tokenize: false, add_generation_prompt: true }) as string)
    : params.prompt!;
  const inputs = tokenizer(text);
  const promptLength = inputs.input_ids.dims[1] ?? 0;
  const criteria = new InterruptableStoppingCriteria();
  stopping = criteria;
  const streamer = new TextStreamer(tokenizer, {
    skip_prompt: true,
    skip_special_tokens: true,
    callback_function: (piece: string) => emit({ type: 'text', text: piece }),
    token_callback_function: (ids: bigint[]) => emit({ type: 'token', ids: ids.map(Number) }),
  });
  try {
    const output = await model.generate({
      ...inputs,
      max_new_tokens: params.max_new_tokens,
      do_sample: params.do_sample,
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params.top_p !== undefined ? { top_p: params.top_p } : {}),
      streamer,
      stopping_criteria: criteria,
    });
    const ids = ((output as { tolist(): bigint[][] }).tolist()[0] ?? []).slice(promptLength).map(Number);
    return { ids, interrupted: criteria.interrupted };
  } finally {
    if (stopping === criteria) stopping = null;
  }
}

export const generate: Method<typeof GenerateParams, GenerateResult, GenerateEvent> = {
  params: GenerateParams,
  async run(params, { emit }) {
    if (!loaded) throw new WorkerError('not_loaded', 'No model is loaded');
    if (busy) throw new WorkerError('busy', 'The model is busy loading or generating');
    busy = true;
    try {
      let current = loaded;
      let fallback: Fallback | undefined;
      let run: Awaited<ReturnType<typeof generateOnce>>;
      try {
        run = await generateOnce(current, params, emit);
      } catch (e) {
        if (current.device !== 'webgpu') throw e;
        fallback = { from: 'webgpu', to: 'wasm', reason: message(e) };
        emit({ type: 'restart', fallback });
        await unloadModel();
        const dtype = NEEDS_F16.has(current.dtype) ? (chooseDtype(current.entry, 'wasm') ?? current.dtype) : current.dtype;
        const again = await loadOn(current.entry, dtype, 'wasm', () => {});
        current = { entry: current.entry, dtype, device: 'wasm', tokenizer: again.tokenizer, model: again.model };
        loaded = current;
        run = await generateOnce(current, params, emit);
      }
      const eos = new Set([current.model.generation_config?.eos_token_id ?? []].flat().map(Number));
      const last = run.ids.at(-1);
      const finish = run.interrupted ? 'interrupted' : last !== undefined && eos.has(last) ? 'eos' : 'length';
      return {
        tokens: run.ids,
        text: current.tokenizer.decode(run.ids, { skip_special_tokens: true }),
        finish,
        model: current.entry.id,
        revision: current.entry.revision,
        dtype: current.dtype,
        device: current.device,
        settings: {
          max_new_tokens: params.max_new_tokens,
          do_sample: params.do_sample,
          ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
          ...(params.top_p !== undefined ? { top_p: params.top_p } : {}),
        },
        ...(fallback ? { fallback } : {}),
      };
    } catch (e) {
      if (e instanceof WorkerError) throw e;
      throw new WorkerError('failed', message(e));
    } finally {
      busy = false;
    }
  },
};

export const interrupt: Method<z.ZodObject<{}, z.core.$strict>, { interrupted: boolean }> = {
  params: z.object({}).strict(),
  run: () => {
    const criteria = stopping;
    criteria?.interrupt();
    return Promise.resolve({ interrupted: criteria !== null });
  },
};

export const unload: Method<z.ZodObject<{}, z.core.$strict>, { unloaded: boolean }> = {
  params: z.object({}).strict(),
  async run() {
    if (busy) {
      stopping?.interrupt();
      throw new WorkerError('busy', 'The model is busy; stop it first');
    }
    return { unloaded: await unloadModel() };
  },
};

/** The model revisions whose files are in this device's cache (worker/cache.ts). */
export const cachedModels: Method<z.ZodObject<{}, z.core.$strict>, { models: CachedModel[] }> = {
  params: z.object({}).strict(),
  async run() {
    return { models: await listCachedModels<Request>(caches, self.location.origin) };
  },
};

const RemoveParams = z.object({ model: z.string().min(1).max(100), revision: z.union([z.string().regex(/^[0-9a-f]{32}$/), z.literal('main')]) }).strict();

/** Deletes one model revision's cached files, unloading it first if it is the loaded one. */
export const removeModel: Method<typeof RemoveParams, { removed: number; unloaded: boolean }> = {
  params: RemoveParams,
  async run({ model, revision }) {
    const current = loaded;
    const isLoaded = current?.entry.id === model && current.entry.revision === revision;
    if (isLoaded && busy) throw new WorkerError('busy', 'The model is busy; stop it first');
    const unloaded = isLoaded ? await unloadModel() : false;
    return { removed: await removeCachedModel<Request>(caches, self.location.origin, model, revision), unloaded };
  },
};
