import { describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { ErrorBody, Health, LIMITS, PROTOCOL_VERSION, SyncEnvelope, SyncRequest, SyncResponse } from './index.ts';
import { idiom } from '../../test/support/contributions.ts';

const device = { id: uuidv4() };

describe('SyncRequest', () => {
  it('accepts a batch of valid contributions', () => {
    expect(SyncRequest.safeParse({ protocol: PROTOCOL_VERSION, device, contributions: [idiom(), idiom()] }).success).toBe(true);
  });
  it('refuses more contributions than the batch limit', () => {
    const contributions = Array.from({ length: LIMITS.maxBatchItems + 1 }, () => idiom());
    expect(SyncRequest.safeParse({ protocol: PROTOCOL_VERSION, device, contributions }).success).toBe(false);
  });
  it('refuses another protocol version', () => {
    expect(SyncRequest.safeParse({ protocol: PROTOCOL_VERSION + 1, device, contributions: [] }).success).toBe(false);
  });
});

describe('SyncEnvelope', () => {
  it('leaves items unvalidated, so each can be judged on its own', () => {
    const parsed = SyncEnvelope.safeParse({ protocol: PROTOCOL_VERSION, device, contributions: [{ junk: true }, 3] });
    expect(parsed.success).toBe(true);
  });
  it('still checks the device and refuses unknown envelope fields', () => {
    expect(SyncEnvelope.safeParse({ protocol: PROTOCOL_VERSION, device: { id: 'x' }, contributions: [] }).success).toBe(false);
    expect(SyncEnvelope.safeParse({ protocol: PROTOCOL_VERSION, device, contributions: [], extra: 1 }).success).toBe(false);
  });
});

describe('answers', () => {
  it('validates a sync response with every status', () => {
    const response = {
      protocol: PROTOCOL_VERSION,
      serverTime: '2026-11-01T10:00:00.000Z',
      results: [
        { index: 0, id: 'a', status: 'accepted' },
        { index: 1, id: 'b', status: 'duplicate' },
        { index: 2, id: 'c', status: 'conflict', code: 'conflict' },
        { index: 3, id: null, status: 'rejected', code: 'invalid_id', field: 'id', message: 'Invalid UUID' },
      ],
    };
    expect(SyncResponse.safeParse(response).success).toBe(true);
  });
  it('validates health and error bodies', () => {
    expect(Health.safeParse({ status: 'ok', role: 'hub', version: '1.0.0', protocol: PROTOCOL_VERSION }).success).toBe(true);
    expect(ErrorBody.safeParse({ error: { code: 'body_too_large', message: 'x', details: { limit: 1 } } }).success).toBe(true);
    expect(ErrorBody.safeParse({ error: { code: 'teapot', message: 'x' } }).success).toBe(false);
  });
});
