import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from './backoff.ts';

describe('backoffDelay', () => {
  const policy = { baseMs: 1000, capMs: 16_000 };
  it('doubles with each attempt, between half and all of the ceiling', () => {
    expect(backoffDelay(1, () => 0, policy)).toBe(500);
    expect(backoffDelay(1, () => 1, policy)).toBe(1000);
    expect(backoffDelay(3, () => 0, policy)).toBe(2000);
    expect(backoffDelay(3, () => 1, policy)).toBe(4000);
  });
  it('never exceeds the cap, however many attempts', () => {
    for (const a of [5, 6, 10, 100, 2000]) expect(backoffDelay(a, () => 1, policy)).toBe(16_000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  it('reads seconds and HTTP dates, never below zero nor above a day', () => {
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(' 60 ', now)).toBe(60_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('9999999', now)).toBe(86_400_000);
  });
  it('is null when absent or unreadable', () => {
    for (const v of [null, '', 'soon', '-5']) expect(retryAfterMs(v, now)).toBeNull();
  });
});
