import { describe, expect, it } from 'vitest';
import { allowed, hasAuthority, mayCreate, OPERATORS } from './policy.ts';
import { SignInThrottle } from './throttle.ts';

const user = (role: 'teacher' | 'librarian' | 'steward', campaigns: string[] = [], state: 'active' | 'disabled' | 'invited' = 'active') => ({ role, campaigns, state });

describe('staff policy', () => {
  it('gives a librarian a node, a steward a hub, a teacher their classes on either', () => {
    expect(hasAuthority('librarian', 'node')).toBe(true);
    expect(hasAuthority('librarian', 'hub')).toBe(false);
    expect(hasAuthority('steward', 'hub')).toBe(true);
    expect(hasAuthority('steward', 'node')).toBe(false);
    expect(hasAuthority('teacher', 'node') && hasAuthority('teacher', 'hub')).toBe(true);
    const teacher = user('teacher', ['class-7b']);
    expect(allowed(teacher, 'node', { roles: ['teacher', 'librarian'], campaign: 'class-7b' })).toBe(true);
    expect(allowed(teacher, 'node', { roles: ['teacher', 'librarian'], campaign: 'library-drive' })).toBe(false);
    expect(allowed(teacher, 'node', { roles: OPERATORS })).toBe(false);
    expect(allowed(user('librarian'), 'node', { roles: OPERATORS, campaign: 'anything' })).toBe(true);
    expect(allowed(user('librarian'), 'hub', { roles: OPERATORS })).toBe(false);
    expect(allowed(user('librarian', [], 'disabled'), 'node', { roles: OPERATORS })).toBe(false);
  });

  it('lets operators create teachers and their own role, nothing above', () => {
    expect(mayCreate('librarian', 'node', 'teacher')).toBe(true);
    expect(mayCreate('librarian', 'node', 'librarian')).toBe(true);
    expect(mayCreate('librarian', 'node', 'steward')).toBe(false);
    expect(mayCreate('steward', 'hub', 'steward')).toBe(true);
    expect(mayCreate('steward', 'node', 'teacher')).toBe(false);
    expect(mayCreate('teacher', 'node', 'teacher')).toBe(false);
  });
});

describe('sign-in throttle', () => {
  it('refuses a name after five failures until the window of the oldest has passed, and an address after thirty', () => {
    let now = 0;
    const throttle = new SignInThrottle({ perName: 5, perAddress: 30, challengesPerAddress: 3, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 5; i++) {
      expect(throttle.retryAfter('amina', '192.0.2.1')).toBe(0);
      throttle.failed('amina', '192.0.2.1');
      now += 1000;
    }
    expect(throttle.retryAfter('amina', '192.0.2.2')).toBe(55);
    expect(throttle.retryAfter('baraka', '192.0.2.1')).toBe(0);
    now = 60_001;
    expect(throttle.retryAfter('amina', '192.0.2.1')).toBe(0);
    for (let i = 0; i < 30; i++) throttle.failed(`name${i}`, '198.51.100.1');
    expect(throttle.retryAfter('someone-else', '198.51.100.1')).toBeGreaterThan(0);
    throttle.succeeded('amina');
  });

  it('hands an address a bounded number of passkey challenges per window', () => {
    let now = 0;
    const throttle = new SignInThrottle({ perName: 5, perAddress: 30, challengesPerAddress: 3, windowMs: 60_000 }, () => now);
    expect([1, 2, 3, 4].map(() => throttle.challenge('192.0.2.1'))).toEqual([true, true, true, false]);
    expect(throttle.challenge('192.0.2.2')).toBe(true);
    now = 60_001;
    expect(throttle.challenge('192.0.2.1')).toBe(true);
  });
});
