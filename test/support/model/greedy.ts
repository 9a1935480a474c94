/**
 * The Node reference for what the app's model generates from one user message: the committed tiny
 * model, chat-templated, greedy, on onnxruntime-node through transformers.js.
 */
import { resolve } from 'node:path';
import { TINY_MODEL_ID } from './reference.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/models');

export async function nodeGreedyText(content: string, maxNewTokens: number): Promise<string> {
  const { AutoModelForCausalLM, AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = `${FIXTURES}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(TINY_MODEL_ID);
  const model = await AutoModelForCausalLM.from_pretrained(TINY_MODEL_ID, { dtype: 'fp32', device: 'cpu' });
  try {
    const text = tokenizer.apply_chat_template([{ role: 'user', content }], { tokenize: false, add_generation_prompt: true }) as string;
    const inputs = tokenizer(text);
    const output = await model.generate({ ...inputs, max_new_tokens: maxNewTokens, do_sample: false });
    const ids = ((output as { tolist(): bigint[][] }).tolist()[0] ?? []).slice(inputs.input_ids.dims[1]).map(Number);
    return tokenizer.decode(ids, { skip_special_tokens: true });
  } finally {
    await model.dispose();
  }
}
