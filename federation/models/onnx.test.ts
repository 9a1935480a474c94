import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOnnxHeader } from './onnx.ts';
import { tempDir } from '../../test/support/server.ts';

const MODEL = resolve(import.meta.dirname, '../../test/fixtures/models/tiny-llama/onnx/model.onnx');

describe('readOnnxHeader', () => {
  it('reads the IR version, opset and graph inputs and outputs without reading the weights', async () => {
    const header = await readOnnxHeader(MODEL);
    expect(header.irVersion).toBe(8);
    expect(header.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(header.inputs).toEqual([
      'input_ids', 'attention_mask', 'position_ids',
      'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value',
    ]);
    expect(header.outputs).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(header.nodeCount).toBeGreaterThan(20);
  });

  it('rejects a file that is not protobuf, or has no graph', async () => {
    const dir = await tempDir('onnx');
    await writeFile(join(dir, 'text.onnx'), '{"model_type": "llama"}');
    await expect(readOnnxHeader(join(dir, 'text.onnx'))).rejects.toThrow();
    await writeFile(join(dir, 'empty.onnx'), Buffer.from([0x08, 0x08]));
    await expect(readOnnxHeader(join(dir, 'empty.onnx'))).rejects.toThrow(/not an ONNX model/);
  });

  it('rejects a truncated model', async () => {
    const dir = await tempDir('onnx-cut');
    await writeFile(join(dir, 'cut.onnx'), (await readFile(MODEL)).subarray(0, 5000));
    await expect(readOnnxHeader(join(dir, 'cut.onnx'))).rejects.toThrow(/truncated|malformed/);
  });
});
