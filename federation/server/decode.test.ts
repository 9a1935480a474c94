import { describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { LIMITS, PROTOCOL_VERSION } from '../protocol/index.ts';
import { decodeSync, parseEnvelope, validateItems } from './decode.ts';
import { ApiError } from './errors.ts';
import { idiom, withField } from '../../test/support/contributions.ts';

function refusal(body: unknown): ApiError {
  try {
    parseEnvelope(body);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the envelope to be refused');
}

const device = { id: uuidv4() };
const envelope = (contributions: unknown[]) => ({ protocol: PROTOCOL_VERSION, device, contributions });

describe('parseEnvelope', () => {
  it('accepts a well-formed envelope', () => {
    expect(parseEnvelope(envelope([{}]))).toEqual({ deviceId: device.id, items: [{}] });
  });
  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'sync', 1]) expect(refusal(body)).toMatchObject({ status: 400, code: 'invalid_request' });
  });
  it('refuses an unknown or missing protocol version, naming the supported ones', () => {
    for (const protocol of [0, 1, 3, '2', undefined]) {
      expect(refusal({ ...envelope([]), protocol })).toMatchObject({
        status: 400,
        code: 'unsupported_protocol',
        details: { supported: [PROTOCOL_VERSION] },
      });
    }
  });
  it('refuses a bad envelope, naming the field', () => {
    expect(refusal({ ...envelope([]), device: { id: 'me' } })).toMatchObject({ code: 'invalid_request', details: { field: 'device.id' } });
    expect(refusal({ ...envelope([]), contributions: {} })).toMatchObject({ code: 'invalid_request', details: { field: 'contributions' } });
    expect(refusal({ ...envelope([]), extra: true })).toMatchObject({ code: 'invalid_request', details: { field: 'extra' } });
  });
  it('answers 413 batch_too_large past the batch limit', () => {
    const items = Array.from({ length: LIMITS.maxBatchItems + 1 }, () => ({}));
    expect(refusal(envelope(items))).toMatchObject({ status: 413, code: 'batch_too_large', details: { limit: LIMITS.maxBatchItems } });
  });
});

describe('validateItems', () => {
  it('keeps valid items, normalised, with their index, and rejects the others with their code', () => {
    const good = idiom({ data: { expression: '  padded  ' } });
    const decoded = validateItems({
      deviceId: device.id,
      items: [withField(idiom(), 'data.meaning', ''), good, 'not an item'],
    });
    expect(decoded.count).toBe(3);
    expect(decoded.validIndex).toEqual([1]);
    expect(decoded.valid[0]).toMatchObject({ kind: 'idiom', data: { expression: 'padded' } });
    expect(decoded.rejected).toEqual([
      expect.objectContaining({ index: 0, status: 'rejected', code: 'empty', field: 'data.meaning' }),
      expect.objectContaining({ index: 2, id: null, status: 'rejected' }),
    ]);
  });
  it('echoes a rejected item id only when it is a short string', () => {
    const items = [withField(idiom(), 'id', 'mine'), withField(idiom(), 'id', 42), withField(idiom(), 'id', 'x'.repeat(1000))];
    expect(validateItems({ deviceId: device.id, items }).rejected.map((r) => r.id)).toEqual(['mine', null, null]);
  });
  it('tells a mistyped field from a missing one', () => {
    const items = [withField(idiom(), 'deviceSeq', '3'), withField(idiom(), 'deviceSeq', undefined)];
    expect(validateItems({ deviceId: device.id, items }).rejected.map((r) => r.code)).toEqual(['invalid_type', 'missing_field']);
  });
});

describe('decodeSync', () => {
  it('turns request bytes into validated items', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(envelope([idiom()])));
    expect(decodeSync({ bytes, encoding: 'identity' }, LIMITS.maxBodyBytes).valid).toHaveLength(1);
  });
});
