import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

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
