/**
 * The committed tiny model is what the generator writes, loads in transformers.js on
 * onnxruntime-node, and greedy-decodes to a fixed sequence. That sequence is the cross-platform
 * reference: the browser tests (WASM, WebGPU) must produce the same ids for the same prompt.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { generateModel, parameterCount, TINY_SHAPE } from './generate.ts';
import { REFERENCE_GREEDY_TOKENS, REFERENCE_PROMPT, TINY_MODEL_ID } from './reference.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/models');
const FIXTURE = join(FIXTURES, TINY_MODEL_ID);
const FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];


let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'vernacular-model-'));
  env.allowRemoteModels = false;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function greedy(root: string, id: string, prompt: typeof REFERENCE_PROMPT, useCache: boolean): Promise<number[]> {
  env.localModelPath = `${root}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const model = await AutoModelForCausalLM.from_pretrained(id, { dtype: 'fp32', device: 'cpu' });
  try {
    const text = tokenizer.apply_chat_template(prompt, { tokenize: false, add_generation_prompt: true });
    const inputs = tokenizer(text as string);
    const output = await model.generate({ ...inputs, max_new_tokens: REFERENCE_GREEDY_TOKENS.length, do_sample: false, use_cache: useCache });
    const ids = (output as { tolist(): bigint[][] }).tolist()[0] ?? [];
    return ids.slice(inputs.input_ids.dims[1]).map(Number);
  } finally {
    await model.dispose();
  }
}

describe('tiny model generator', () => {
  it('writes byte-identical files to the committed fixture for the default shape and seed', async () => {
    const dir = join(scratch, 'again');
    await generateModel(dir);
    for (const file of FILES) {
      expect(await readFile(join(dir, file)), file).toEqual(await readFile(join(FIXTURE, file)));
    }
  });

  it('keeps the fixture small enough to commit', async () => {
    expect(parameterCount(TINY_SHAPE)).toBeLessThan(100_000);
    expect((await readFile(join(FIXTURE, 'onnx/model.onnx'))).byteLength).toBeLessThan(400_000);
  });

  it('greedy-generates the reference tokens from a chat-templated prompt on onnxruntime-node', async () => {
    expect(await greedy(FIXTURES, TINY_MODEL_ID, REFERENCE_PROMPT, true)).toEqual(REFERENCE_GREEDY_TOKENS);
  });

  it('gives the same tokens without the KV cache', async () => {
    expect(await greedy(FIXTURES, TINY_MODEL_ID, REFERENCE_PROMPT, false)).toEqual(REFERENCE_GREEDY_TOKENS);
  });

  it('encodes any UTF-8 text and decodes it back exactly', async () => {
    env.localModelPath = `${FIXTURES}/`;
    const tokenizer = await AutoTokenizer.from_pretrained(TINY_MODEL_ID);
    const text = 'Ẹ káàbọ̀ — مرحبا — 你好 — 🙂\ttabs\nand lines';
    const ids = tokenizer.encode(text);
    expect(ids).toHaveLength(new TextEncoder().encode(text).byteLength);
    expect(tokenizer.decode(ids)).toBe(text);
  });

  it('makes a model of other shapes that loads and generates', async () => {
    await generateModel(join(scratch, 'wider'), { hiddenSize: 48, intermediateSize: 96, layers: 3, heads: 6, maxPositions: 64 }, 7);
    const config = JSON.parse(await readFile(join(scratch, 'wider/config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'llama', hidden_size: 48, num_hidden_layers: 3, num_attention_heads: 6, head_dim: 8 });
    const tokens = await greedy(scratch, 'wider', REFERENCE_PROMPT, true);
    expect(tokens).toHaveLength(REFERENCE_GREEDY_TOKENS.length);
    expect(tokens).toEqual(await greedy(scratch, 'wider', REFERENCE_PROMPT, false));
  });

  it('refuses a hidden size that the heads do not divide', async () => {
    await expect(generateModel(join(scratch, 'bad'), { ...TINY_SHAPE, heads: 5 })).rejects.toThrow(/multiple of heads/);
  });
});
