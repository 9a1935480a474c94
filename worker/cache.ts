/**
 * The models downloaded to this device, as transformers.js keeps them: one Cache Storage store
 * (`MODEL_FILES_CACHE`, its `env.cacheKey`) whose keys are the files' URLs on the node,
 * `{origin}/models/{id}/resolve/{revision}/{path}` (`MODEL_PATH_TEMPLATE`). Listing groups those
 * entries by model and revision, with the dtypes of the ONNX graphs present and the total bytes
 * (Content-Length, which transformers.js sets when it stores a file, else the body's size);
 * removing deletes every entry of one model revision and nothing else (the onnxruntime-web
 * runtime in the same store is shared by every model and stays).
 *
 * transformers.js also fetches some files (config.json) at the revision alias `main` whatever
 * revision it was asked for; those entries are counted with the model's pinned revision when one is
 * cached (else listed under `main`), and removed with any revision of the same model.
 *
 * Pure over a `CacheStorage`-shaped object so that it runs (and is tested) without a browser.
 */

/** transformers.js's default `env.cacheKey`. */
export const MODEL_FILES_CACHE = 'transformers-cache';

export interface CachedModel {
  id: string;
  revision: string;
  /** dtypes of the ONNX graphs present, sorted (fp32 for `model.onnx`, q8 for `_quantized`, …). */
  dtypes: string[];
  /** Bytes of all the model's cached files (config, tokenizer and graphs). */
  size: number;
  files: number;
}

/** The part of the Cache API used here, over the cache's key type (`Request` in a browser). */
export interface CacheLike<K extends { url: string } = { url: string }> {
  keys(): Promise<readonly K[]>;
  match(request: K): Promise<{ headers: { get(name: string): string | null }; blob(): Promise<{ size: number }> } | undefined>;
  delete(request: K): Promise<boolean>;
}

export interface CacheStorageLike<K extends { url: string } = { url: string }> {
  has(name: string): Promise<boolean>;
  open(name: string): Promise<CacheLike<K>>;
}

const SUFFIX_DTYPE: Record<string, string> = {
  '': 'fp32',
  _fp16: 'fp16',
  _quantized: 'q8',
  _int8: 'int8',
  _uint8: 'uint8',
  _q4: 'q4',
  _q4f16: 'q4f16',
  _bnb4: 'bnb4',
};

/** The dtype a file path in the transformers.js layout belongs to, if it is an ONNX graph. */
export function dtypeOfPath(path: string): string | undefined {
  const m = /^onnx\/[^/]*?(_fp16|_quantized|_int8|_uint8|_q4f16|_q4|_bnb4)?\.onnx(?:_data(?:_\d+)?)?$/.exec(path);
  return m ? SUFFIX_DTYPE[m[1] ?? ''] : undefined;
}

/** `{id, revision, path}` of a cached model file's URL on `origin`, or null for anything else. */
export function parseModelUrl(url: string, origin: string): { id: string; revision: string; path: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.origin !== origin) return null;
  const m = /^\/models\/(.+)\/resolve\/([0-9a-f]{32}|main)\/(.+)$/.exec(decodeURIComponent(parsed.pathname));
  return m ? { id: m[1]!, revision: m[2]!, path: m[3]! } : null;
}

async function sizeOf<K extends { url: string }>(cache: CacheLike<K>, key: K): Promise<number> {
  const response = await cache.match(key);
  if (!response) return 0;
  const length = Number(response.headers.get('content-length'));
  if (Number.isSafeInteger(length) && length > 0) return length;
  return (await response.blob()).size;
}

/** The model revisions cached on this device for the node at `origin`, by id then revision. */
export async function listCachedModels<K extends { url: string }>(storage: CacheStorageLike<K>, origin: string): Promise<CachedModel[]> {
  if (!(await storage.has(MODEL_FILES_CACHE))) return [];
  const cache = await storage.open(MODEL_FILES_CACHE);
  const models = new Map<string, CachedModel>();
  for (const key of await cache.keys()) {
    const file = parseModelUrl(key.url, origin);
    if (!file) continue;
    const name = `${file.id}@${file.revision}`;
    let model = models.get(name);
    if (!model) models.set(name, (model = { id: file.id, revision: file.revision, dtypes: [], size: 0, files: 0 }));
    model.size += await sizeOf(cache, key);
    model.files += 1;
    const dtype = dtypeOfPath(file.path);
    if (dtype && !model.dtypes.includes(dtype)) model.dtypes.push(dtype);
  }
  for (const [name, alias] of models) {
    if (alias.revision !== 'main') continue;
    const pinned = [...models.values()].find((m) => m.id === alias.id && m.revision !== 'main');
    if (!pinned) continue;
    pinned.size += alias.size;
    pinned.files += alias.files;
    for (const d of alias.dtypes) if (!pinned.dtypes.includes(d)) pinned.dtypes.push(d);
    models.delete(name);
  }
  return [...models.values()]
    .map((m) => ({ ...m, dtypes: m.dtypes.sort() }))
    .sort((a, b) => a.id.localeCompare(b.id) || a.revision.localeCompare(b.revision));
}

/** Deletes every cached file of one model revision (and the model's `main` alias files); returns how many were deleted. */
export async function removeCachedModel<K extends { url: string }>(storage: CacheStorageLike<K>, origin: string, id: string, revision: string): Promise<number> {
  if (!(await storage.has(MODEL_FILES_CACHE))) return 0;
  const cache = await storage.open(MODEL_FILES_CACHE);
  let removed = 0;
  for (const key of await cache.keys()) {
    const file = parseModelUrl(key.url, origin);
    if (file?.id === id && (file.revision === revision || file.revision === 'main') && (await cache.delete(key))) removed += 1;
  }
  return removed;
}
