/**
 * The transformers.js model folder layout, which the node's model store keeps verbatim:
 * four JSON files at the top and one ONNX graph per dtype under onnx/, named by a suffix
 * (`model.onnx` fp32, `model_fp16.onnx`, `model_quantized.onnx` q8, `model_q4.onnx`,
 * `model_q4f16.onnx`, …), each with optional external-data files (`model_q4f16.onnx_data`,
 * `model_q4f16.onnx_data_1`, …).
 */

export const REQUIRED_JSON_FILES = [
  'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json',
] as const;

/** transformers.js dtype → file-name suffix. */
export const DTYPE_SUFFIXES: Readonly<Record<string, string>> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

const SUFFIX_TO_DTYPE = new Map(Object.entries(DTYPE_SUFFIXES).map(([dtype, suffix]) => [suffix, dtype]));
const GRAPH = /^onnx\/model(_[a-z0-9]+)?\.onnx$/;
const EXTERNAL_DATA = /^onnx\/model(_[a-z0-9]+)?\.onnx_data(_\d+)?$/;

export interface ModelFileRole {
  kind: 'json' | 'graph' | 'external-data';
  /** For onnx/ files: the dtype the file belongs to. */
  dtype?: string;
}

/** What a relative path is in the layout, or null when the layout has no such file. */
export function fileRole(path: string): ModelFileRole | null {
  if ((REQUIRED_JSON_FILES as readonly string[]).includes(path)) return { kind: 'json' };
  const graph = GRAPH.exec(path) ?? EXTERNAL_DATA.exec(path);
  if (graph === null) return null;
  const dtype = SUFFIX_TO_DTYPE.get(graph[1] ?? '');
  if (dtype === undefined) return null;
  return { kind: GRAPH.test(path) ? 'graph' : 'external-data', dtype };
}

export function graphPath(dtype: string): string {
  const suffix = DTYPE_SUFFIXES[dtype];
  if (suffix === undefined) throw new Error(`unknown dtype "${dtype}" (known: ${Object.keys(DTYPE_SUFFIXES).join(', ')})`);
  return `onnx/model${suffix}.onnx`;
}

/** A model id is one URL-safe path segment, e.g. `qwen2.5-0.5b-instruct`. */
export const MODEL_ID = /^[a-z0-9][a-z0-9._-]{0,99}$/;
export const REVISION = /^[0-9a-f]{32}$/;

export function checkModelId(id: string): void {
  if (!MODEL_ID.test(id) || id.includes('..')) {
    throw new Error(`model id "${id}" must be 1–100 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit`);
  }
}
