/**
 * Decides whether a folder is a complete, loadable transformers.js model before the store takes
 * it: the four JSON files parse and say what they must, at least one ONNX graph exists, and each
 * graph's inputs and outputs are those of a decoder with a KV cache for the config's layer count.
 * Every file the layout names is hashed (sha256) on the way; files outside the layout are left
 * out and listed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileRole, REQUIRED_JSON_FILES } from './layout.ts';
import { readOnnxHeader } from './onnx.ts';

export type ModelErrorCode = 'incomplete' | 'invalid_json' | 'invalid_onnx' | 'not_found' | 'download_failed' | 'bad_id';

export class ModelError extends Error {
  constructor(readonly code: ModelErrorCode, message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

export interface ModelFile {
  path: string;
  size: number;
  sha256: string;
  /** For onnx/ files: the transformers.js dtype they belong to. */
  dtype?: string;
}

export interface CheckedModel {
  modelType: string;
  files: ModelFile[];
  /** Files in the folder that are not part of the layout (README.md, .gitattributes, …). */
  ignored: string[];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) out.push(...await listFiles(dir, rel));
    } else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

async function readJsonObject(dir: string, file: string): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(join(dir, file), 'utf8'));
  } catch (err) {
    throw new ModelError('invalid_json', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelError('invalid_json', `${file} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

function layerCount(config: Record<string, unknown>): number | undefined {
  const direct = config['num_hidden_layers'] ?? config['n_layer'] ?? config['num_layers'];
  const text = config['text_config'];
  const nested = typeof text === 'object' && text !== null ? (text as Record<string, unknown>)['num_hidden_layers'] : undefined;
  const value = direct ?? nested;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

async function checkGraph(dir: string, path: string, layers: number | undefined): Promise<void> {
  let header;
  try {
    header = await readOnnxHeader(join(dir, path));
  } catch (err) {
    throw new ModelError('invalid_onnx', `${path} is not a readable ONNX model: ${(err as Error).message}`);
  }
  const missing = (names: string[], have: string[]) => names.filter((n) => !have.includes(n));
  const lacking = [
    ...missing(['input_ids', 'attention_mask'], header.inputs).map((n) => `input ${n}`),
    ...missing(['logits'], header.outputs).map((n) => `output ${n}`),
  ];
  const past = header.inputs.filter((n) => n.startsWith('past_key_values.'));
  if (past.length > 0 && layers !== undefined) {
    for (let i = 0; i < layers; i++) {
      for (const part of ['key', 'value']) {
        if (!header.inputs.includes(`past_key_values.${i}.${part}`)) lacking.push(`input past_key_values.${i}.${part}`);
        if (!header.outputs.includes(`present.${i}.${part}`)) lacking.push(`output present.${i}.${part}`);
      }
    }
  }
  if (lacking.length > 0) {
    throw new ModelError('invalid_onnx', `${path} is not a decoder transformers.js can run: it lacks ${lacking.join(', ')}`);
  }
}

export async function checkModelFolder(dir: string): Promise<CheckedModel> {
  let present: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
    present = await listFiles(dir);
  } catch {
    throw new ModelError('not_found', `${dir} is not a readable folder`);
  }
  const graphs = present.filter((p) => fileRole(p)?.kind === 'graph');
  const missing: string[] = REQUIRED_JSON_FILES.filter((f) => !present.includes(f));
  if (graphs.length === 0) missing.push('onnx/model*.onnx (at least one graph)');
  if (missing.length > 0) {
    throw new ModelError('incomplete', `${dir} is not a complete model folder: missing ${missing.join(', ')}`);
  }

  const config = await readJsonObject(dir, 'config.json');
  await readJsonObject(dir, 'generation_config.json');
  const tokenizer = await readJsonObject(dir, 'tokenizer.json');
  await readJsonObject(dir, 'tokenizer_config.json');
  const modelType = config['model_type'];
  if (typeof modelType !== 'string' || modelType === '') {
    throw new ModelError('invalid_json', 'config.json has no model_type');
  }
  if (typeof tokenizer['model'] !== 'object' || tokenizer['model'] === null) {
    throw new ModelError('invalid_json', 'tokenizer.json has no tokenizer model');
  }
  const layers = layerCount(config);
  for (const graph of graphs) await checkGraph(dir, graph, layers);

  const files: ModelFile[] = [];
  const ignored: string[] = [];
  for (const path of present) {
    const role = fileRole(path);
    if (role === null) {
      ignored.push(path);
      continue;
    }
    const file: ModelFile = { path, size: (await stat(join(dir, path))).size, sha256: await sha256File(join(dir, path)) };
    if (role.dtype !== undefined) file.dtype = role.dtype;
    files.push(file);
  }
  return { modelType, files, ignored };
}
