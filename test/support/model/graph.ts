/**
 * The ONNX graph of a small LLaMA-shaped decoder, built node by node with standard opset-17 ops
 * only, so that onnxruntime-node, onnxruntime-web (WASM) and WebGPU all run it:
 * token + learned position embeddings → N × (pre-norm attention with a KV cache, pre-norm ReLU
 * MLP) → final norm → logits. Inputs and outputs carry exactly the names and shapes that
 * transformers.js feeds a decoder-only model (`past_key_values.{i}.key|value` and
 * `present.{i}.key|value` shaped [batch, kv_heads, seq, head_dim]).
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Node = InstanceType<typeof onnx.NodeProto>;
type Tensor = InstanceType<typeof onnx.TensorProto>;
type ValueInfo = InstanceType<typeof onnx.ValueInfoProto>;

export interface GraphShape {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  layers: number;
  heads: number;
  maxPositions: number;
}

/** Deterministic uniform numbers (mulberry32): the same seed gives the same bytes everywhere. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;

class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  private counter = 0;

  constructor(private readonly next: () => number) {}

  private name(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  weight(name: string, dims: number[], std: number): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(count);
    const bound = std * Math.sqrt(3);
    for (let i = 0; i < count; i++) values[i] = (this.next() * 2 - 1) * bound;
    return this.floats(name, dims, values);
  }

  floats(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push(onnx.TensorProto.create({
      name, dims, dataType: FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    }));
    return name;
  }

  ints(values: number[], dims: number[] = [values.length]): string {
    const name = this.name('const_i64');
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push(onnx.TensorProto.create({
      name, dims, dataType: INT64, rawData: new Uint8Array(data.buffer),
    }));
    return name;
  }

  scalarFloat(value: number): string {
    return this.floats(this.name('const_f32'), [], new Float32Array([value]));
  }

  op(opType: string, inputs: string[], attributes: Record<string, number | number[]> = {}, output?: string): string {
    const out = output ?? this.name(opType.toLowerCase());
    const attribute = Object.entries(attributes).map(([name, value]) => {
      if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: value });
      return Number.isInteger(value) && name !== 'epsilon'
        ? onnx.AttributeProto.create({ name, type: A.INT, i: value })
        : onnx.AttributeProto.create({ name, type: A.FLOAT, f: value });
    });
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [out], name: out, attribute }));
    return out;
  }
}

function tensorInfo(name: string, elemType: number, dims: (string | number)[]): ValueInfo {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === 'number'
            ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
            : onnx.TensorShapeProto.Dimension.create({ dimParam: d }))),
        }),
      }),
    }),
  });
}

/** The serialized model (ONNX IR 8, opset 17). */
export function buildDecoderOnnx(shape: GraphShape, seed: number): Uint8Array {
  const { vocabSize: V, hiddenSize: H, intermediateSize: I, layers, heads, maxPositions } = shape;
  const headDim = H / heads;
  const g = new GraphBuilder(random(seed));

  const norm = (x: string, prefix: string): string => g.op('LayerNormalization', [
    x, g.floats(`${prefix}.weight`, [H], new Float32Array(H).fill(1)), g.floats(`${prefix}.bias`, [H], new Float32Array(H)),
  ], { axis: -1, epsilon: 1e-5 });

  // Embeddings: tokens plus learned positions (transformers.js computes position_ids from the mask).
  const tokens = g.op('Gather', [g.weight('model.embed_tokens.weight', [V, H], 1), 'input_ids'], { axis: 0 });
  const positions = g.op('Gather', [g.weight('model.embed_positions.weight', [maxPositions, H], 0.5), 'position_ids'], { axis: 0 });
  let hidden = g.op('Add', [tokens, positions]);

  // The mask shared by every layer: [batch, 1, seq, total] true where attention is forbidden
  // (a later key, or a padded one).
  const one = g.ints([1], []);
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), one], { axis: 0 });
  const totalLen = g.op('Gather', [g.op('Shape', ['attention_mask']), one], { axis: 0 });
  const keyPos = g.op('Range', [g.ints([0], []), totalLen, one]);
  const queryPos = g.op('Range', [g.op('Sub', [totalLen, seqLen]), totalLen, one]);
  const future = g.op('Greater', [
    g.op('Unsqueeze', [keyPos, g.ints([0])]),
    g.op('Unsqueeze', [queryPos, g.ints([1])]),
  ]);
  const padded = g.op('Unsqueeze', [g.op('Equal', ['attention_mask', g.ints([0], [])]), g.ints([1, 2])]);
  const forbidden = g.op('Or', [padded, future]);
  const minusInf = g.scalarFloat(-1e9);
  const scale = g.scalarFloat(1 / Math.sqrt(headDim));
  const splitHeads = g.ints([0, 0, heads, headDim]);
  const mergeHeads = g.ints([0, 0, H]);
  const projStd = 1 / Math.sqrt(H);

  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    const x = norm(hidden, `${p}.input_layernorm`);
    const project = (name: string): string => g.op('Transpose', [
      g.op('Reshape', [g.op('MatMul', [x, g.weight(`${p}.self_attn.${name}.weight`, [H, H], projStd)]), splitHeads]),
    ], { perm: [0, 2, 1, 3] });
    const q = project('q_proj');
    const k = g.op('Concat', [`past_key_values.${i}.key`, project('k_proj')], { axis: 2 }, `present.${i}.key`);
    const v = g.op('Concat', [`past_key_values.${i}.value`, project('v_proj')], { axis: 2 }, `present.${i}.value`);
    const scores = g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), scale]);
    const probs = g.op('Softmax', [g.op('Where', [forbidden, minusInf, scores])], { axis: -1 });
    const context = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), mergeHeads]);
    hidden = g.op('Add', [hidden, g.op('MatMul', [context, g.weight(`${p}.self_attn.o_proj.weight`, [H, H], projStd)])]);

    const y = norm(hidden, `${p}.post_attention_layernorm`);
    const up = g.op('Relu', [g.op('MatMul', [y, g.weight(`${p}.mlp.up_proj.weight`, [H, I], projStd)])]);
    hidden = g.op('Add', [hidden, g.op('MatMul', [up, g.weight(`${p}.mlp.down_proj.weight`, [I, H], 1 / Math.sqrt(I))])]);
  }
  // A wide lm_head keeps the top logit well clear of the runner-up, so that greedy decoding
  // picks the same token on every backend despite float rounding differences.
  g.op('MatMul', [norm(hidden, 'model.norm'), g.weight('lm_head.weight', [H, V], 4 / Math.sqrt(H))], {}, 'logits');

  const cache = (prefix: string, seq: string) => Array.from({ length: layers }, (_, i) => [
    tensorInfo(`${prefix}.${i}.key`, FLOAT, ['batch_size', heads, seq, headDim]),
    tensorInfo(`${prefix}.${i}.value`, FLOAT, ['batch_size', heads, seq, headDim]),
  ]).flat();

  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'vernacular-tiny-model',
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 17 })],
    graph: onnx.GraphProto.create({
      name: 'decoder',
      node: g.nodes,
      initializer: g.initializers,
      input: [
        tensorInfo('input_ids', INT64, ['batch_size', 'sequence_length']),
        tensorInfo('attention_mask', INT64, ['batch_size', 'total_sequence_length']),
        tensorInfo('position_ids', INT64, ['batch_size', 'sequence_length']),
        ...cache('past_key_values', 'past_sequence_length'),
      ],
      output: [
        tensorInfo('logits', FLOAT, ['batch_size', 'sequence_length', V]),
        ...cache('present', 'total_sequence_length'),
      ],
    }),
  });
  return onnx.ModelProto.encode(model).finish();
}
