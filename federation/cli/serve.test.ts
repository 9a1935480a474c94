import { describe, expect, it } from 'vitest';
import { rateLimitsOf, secureContextLines } from './serve.ts';
import { DEFAULT_RATE_LIMITS } from '../server/ratelimit.ts';
import { UsageError } from './usage.ts';

describe('secureContextLines', () => {
  it('names localhost secure and every network address not, when listening on all interfaces', () => {
    const lines = secureContextLines(undefined, 8080, ['192.168.1.5', '10.0.0.2']);
    expect(lines[0]).toBe('Secure (the full app, offline and saving): http://localhost:8080 — in a browser on this computer only.');
    expect(lines[1]).toBe('Not secure (plain HTTP; phones there get a page saying so, and cannot save): http://192.168.1.5:8080, http://10.0.0.2:8080');
    expect(lines[2]).toContain('https://');
  });

  it('names only localhost when bound to loopback, and only the address given otherwise', () => {
    expect(secureContextLines('127.0.0.1', 80, ['192.168.1.5'])).toEqual(['Secure (the full app, offline and saving): http://localhost:80 — in a browser on this computer only.']);
    const lan = secureContextLines('192.168.1.5', 80, ['192.168.1.5']);
    expect(lan.some((l) => l.startsWith('Secure'))).toBe(false);
    expect(lan[0]).toContain('http://192.168.1.5:80');
    expect(secureContextLines('fd00::5', 80, [])[0]).toContain('http://[fd00::5]:80');
  });
});

describe('rateLimitsOf', () => {
  it('takes the options, else the environment, else the defaults', () => {
    expect(rateLimitsOf({}, {})).toEqual({ ...DEFAULT_RATE_LIMITS });
    expect(rateLimitsOf({}, { VERNACULAR_RATE_LIMIT: '5/50', VERNACULAR_RATE_LIMIT_KEY: 'off', VERNACULAR_TRUST_PROXY: '1' }))
      .toEqual({ address: { perSecond: 5, burst: 50 }, key: null, trustProxy: true });
    expect(rateLimitsOf({ 'rate-limit': 'off', 'rate-limit-key': '2/3', 'trust-proxy': false }, { VERNACULAR_RATE_LIMIT: '5/50', VERNACULAR_TRUST_PROXY: '1' }))
      .toEqual({ address: null, key: { perSecond: 2, burst: 3 }, trustProxy: false });
  });

  it('refuses a rate it cannot read, naming the option', () => {
    expect(() => rateLimitsOf({ 'rate-limit': '20' }, {})).toThrow(UsageError);
    expect(() => rateLimitsOf({}, { VERNACULAR_RATE_LIMIT_KEY: 'lots' })).toThrow(/--rate-limit-key/);
  });
});
