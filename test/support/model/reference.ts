/**
 * The cross-platform reference for the committed tiny model (test/fixtures/models/tiny-llama):
 * greedy decoding of this chat-templated prompt gives these ids on onnxruntime-node, with and
 * without the KV cache. Browser tests (WASM, WebGPU) compare against the same ids.
 */
export const TINY_MODEL_ID = 'tiny-llama';
export const REFERENCE_PROMPT = [{ role: 'user', content: 'Habari, dunia! Ωμέγα' }];
export const REFERENCE_GREEDY_TOKENS: readonly number[] = [
  141, 131, 95, 140, 140, 140, 140, 112, 245, 159, 141, 131, 29, 140, 228, 117, 201, 216, 23, 29,
];
