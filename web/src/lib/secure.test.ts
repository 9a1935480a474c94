import { describe, expect, it } from 'vitest';
import { unusable } from './secure.ts';

describe('unusable', () => {
  const crypto = { subtle: {}, randomUUID: () => 'x' };
  it('lets a secure page with WebCrypto run the app', () => {
    expect(unusable({ isSecureContext: true, crypto })).toBeNull();
  });
  it('names plain HTTP on a network address, whatever else the page has', () => {
    expect(unusable({ isSecureContext: false, crypto })).toBe('insecure_context');
    expect(unusable({ isSecureContext: false, crypto: { randomUUID: () => 'x' } })).toBe('insecure_context');
  });
  it('names a secure page without WebCrypto', () => {
    expect(unusable({ isSecureContext: true, crypto: undefined })).toBe('no_webcrypto');
    expect(unusable({ isSecureContext: true, crypto: { subtle: {} } })).toBe('no_webcrypto');
  });
});
