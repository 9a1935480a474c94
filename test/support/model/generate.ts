/**
 * Writes a random-weight LLaMA-style model in the exact transformers.js folder layout:
 * config.json, generation_config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx.
 * Deterministic: the same options give byte-identical files. The default shape is the committed
 * test fixture (~200 KB); larger shapes (e.g. `BENCH_SHAPE`, ~100M parameters) are made at bench
 * time and never committed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDecoderOnnx, type GraphShape } from './graph.ts';
import {
  EOS_TOKEN_ID, PAD_TOKEN_ID, tokenizerConfigJson, tokenizerJson, TOKENIZER_VOCAB_SIZE,
} from './tokenizer.ts';

export interface ModelShape {
  hiddenSize: number;
  intermediateSize: number;
  layers: number;
  heads: number;
  maxPositions: number;
}

export const TINY_SHAPE: ModelShape = { hiddenSize: 32, intermediateSize: 128, layers: 2, heads: 4, maxPositions: 256 };
/** ~100M parameters, the shape of a small GPT-2/LLaMA (its vocabulary stays the byte tokenizer's). */
export const BENCH_SHAPE: ModelShape = { hiddenSize: 768, intermediateSize: 3072, layers: 12, heads: 12, maxPositions: 1024 };
export const DEFAULT_SEED = 20260101;

export function checkShape(shape: ModelShape): void {
  for (const [key, value] of Object.entries(shape)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${key} must be a positive integer, got ${value}`);
  }
  if (shape.hiddenSize % shape.heads !== 0) {
    throw new Error(`hiddenSize (${shape.hiddenSize}) must be a multiple of heads (${shape.heads})`);
  }
}

export function parameterCount(shape: ModelShape): number {
  const { hiddenSize: H, intermediateSize: I, layers, maxPositions } = shape;
  const perLayer = 4 * H * H + 2 * H * I + 4 * H;
  return 2 * TOKENIZER_VOCAB_SIZE * H + maxPositions * H + layers * perLayer + 2 * H;
}

export async function generateModel(dir: string, shape: ModelShape = TINY_SHAPE, seed = DEFAULT_SEED): Promise<void> {
  checkShape(shape);
  const headDim = shape.hiddenSize / shape.heads;
  const graph: GraphShape = { ...shape, vocabSize: TOKENIZER_VOCAB_SIZE };
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: shape.hiddenSize,
    intermediate_size: shape.intermediateSize,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.heads,
    head_dim: headDim,
    vocab_size: TOKENIZER_VOCAB_SIZE,
    max_position_embeddings: shape.maxPositions,
    bos_token_id: null,
    eos_token_id: EOS_TOKEN_ID,
    pad_token_id: PAD_TOKEN_ID,
    tie_word_embeddings: false,
    torch_dtype: 'float32',
    use_cache: true,
  };
  const generation = { eos_token_id: EOS_TOKEN_ID, pad_token_id: PAD_TOKEN_ID, do_sample: false };
  const json = (value: object) => `${JSON.stringify(value, null, 2)}\n`;
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await writeFile(join(dir, 'config.json'), json(config));
  await writeFile(join(dir, 'generation_config.json'), json(generation));
  await writeFile(join(dir, 'tokenizer.json'), json(tokenizerJson()));
  await writeFile(join(dir, 'tokenizer_config.json'), json(tokenizerConfigJson(shape.maxPositions)));
  await writeFile(join(dir, 'onnx', 'model.onnx'), buildDecoderOnnx(graph, seed));
}
