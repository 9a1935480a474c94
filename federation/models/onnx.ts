/**
 * Reads what a model check needs from an ONNX file — IR version, opsets and the graph's input and
 * output names — by walking the protobuf wire format with positioned reads. Initializers (the
 * weights, nearly all of the bytes) are skipped by length and never read, so checking a 500 MB
 * graph costs a few kilobytes of I/O.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface OnnxHeader {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  inputs: string[];
  outputs: string[];
  nodeCount: number;
}

// Field numbers from onnx.proto.
const MODEL_IR_VERSION = 1;
const MODEL_GRAPH = 7;
const MODEL_OPSET_IMPORT = 8;
const GRAPH_NODE = 1;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const VALUE_INFO_NAME = 1;
const OPSET_DOMAIN = 1;
const OPSET_VERSION = 2;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

class Reader {
  constructor(private readonly file: FileHandle, readonly size: number) {}

  async bytes(position: number, length: number): Promise<Buffer> {
    if (position + length > this.size) throw new Error('truncated protobuf');
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.file.read(buffer, 0, length, position);
    if (bytesRead !== length) throw new Error('truncated protobuf');
    return buffer;
  }

  /** A varint at `position`: its value and the position after it. */
  async varint(position: number): Promise<[number, number]> {
    const chunk = await this.bytes(position, Math.min(10, this.size - position));
    let value = 0;
    let scale = 1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return [value, position + i + 1];
      scale *= 128;
    }
    throw new Error('malformed varint');
  }

  /** Calls `visit(field, wireType, valueStart, valueEnd)` for each field in [start, end). */
  async fields(start: number, end: number, visit: (field: number, wire: number, from: number, to: number) => Promise<void>) {
    let position = start;
    while (position < end) {
      const [tag, afterTag] = await this.varint(position);
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      let from = afterTag;
      let to: number;
      if (wire === WIRE_VARINT) [, to] = await this.varint(afterTag);
      else if (wire === WIRE_I64) to = afterTag + 8;
      else if (wire === WIRE_I32) to = afterTag + 4;
      else if (wire === WIRE_LEN) {
        const [length, afterLength] = await this.varint(afterTag);
        from = afterLength;
        to = afterLength + length;
      } else throw new Error(`unsupported protobuf wire type ${wire}`);
      if (to > end || field === 0) throw new Error('malformed protobuf');
      await visit(field, wire, from, to);
      position = to;
    }
  }

  async string(from: number, to: number): Promise<string> {
    return (await this.bytes(from, to - from)).toString('utf8');
  }
}

export async function readOnnxHeader(path: string): Promise<OnnxHeader> {
  const file = await open(path, 'r');
  try {
    const reader = new Reader(file, (await file.stat()).size);
    const header: OnnxHeader = { irVersion: 0, opsets: [], inputs: [], outputs: [], nodeCount: 0 };
    let sawGraph = false;
    const nameOf = async (from: number, to: number): Promise<string> => {
      let name = '';
      await reader.fields(from, to, async (f, w, a, b) => {
        if (f === VALUE_INFO_NAME && w === WIRE_LEN) name = await reader.string(a, b);
      });
      return name;
    };
    await reader.fields(0, reader.size, async (field, wire, from, to) => {
      if (field === MODEL_IR_VERSION && wire === WIRE_VARINT) [header.irVersion] = await reader.varint(from);
      else if (field === MODEL_OPSET_IMPORT && wire === WIRE_LEN) {
        const opset = { domain: '', version: 0 };
        await reader.fields(from, to, async (f, w, a, b) => {
          if (f === OPSET_DOMAIN && w === WIRE_LEN) opset.domain = await reader.string(a, b);
          else if (f === OPSET_VERSION && w === WIRE_VARINT) [opset.version] = await reader.varint(a);
        });
        header.opsets.push(opset);
      } else if (field === MODEL_GRAPH && wire === WIRE_LEN) {
        sawGraph = true;
        await reader.fields(from, to, async (f, w, a, b) => {
          if (w !== WIRE_LEN) return;
          if (f === GRAPH_NODE) header.nodeCount++;
          else if (f === GRAPH_INPUT) header.inputs.push(await nameOf(a, b));
          else if (f === GRAPH_OUTPUT) header.outputs.push(await nameOf(a, b));
        });
      }
    });
    if (!sawGraph || header.irVersion === 0) throw new Error('not an ONNX model (no graph or IR version)');
    return header;
  } finally {
    await file.close();
  }
}
