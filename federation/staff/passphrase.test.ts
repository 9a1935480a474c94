import { describe, expect, it } from 'vitest';
import { decoyRecord, hashPassphrase, OWASP_SCRYPT, passphraseProblem, verifyPassphrase } from './passphrase.ts';

const FAST = { logN: 10, r: 8, p: 1 };

describe('passphrase policy', () => {
  it('refuses fewer than 12 characters, counted as code points', () => {
    expect(passphraseProblem('short phrase')).toBeNull();
    expect(passphraseProblem('eleven char')).toBe('passphrase_too_short');
    // Eleven emoji are 22 UTF-16 units but 11 characters.
    expect(passphraseProblem('🦒'.repeat(11))).toBe('passphrase_too_short');
  });

  it('refuses listed passwords, listed words padded with digits or punctuation, repeats and sequences', () => {
    for (const weak of ['qwerasdfzxcv', 'QWERTY123456', '1q2w3e4r5t6y', 'password1234', 'Password2024!', '!!iloveyou!!', 'aaaaaaaaaaaa', 'abcabcabcabc', '123412341234', 'abcdefghijkl', '987654321098', '2024-06-01!!']) {
      expect(passphraseProblem(weak), weak).toBe('passphrase_common');
    }
  });

  it('accepts a long passphrase of ordinary words', () => {
    for (const good of ['haba na haba hujaza kibaba', 'correct horse battery staple', 'Mti mkavu 7 hauzai tunda']) {
      expect(passphraseProblem(good), good).toBeNull();
    }
  });
});

describe('scrypt records', () => {
  it('defaults to the OWASP parameters (N = 2^17, r = 8, p = 1) and records them', async () => {
    expect(OWASP_SCRYPT).toEqual({ logN: 17, r: 8, p: 1 });
    const record = await hashPassphrase('haba na haba hujaza kibaba');
    expect(record).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassphrase('haba na haba hujaza kibaba', record)).toBe(true);
  });

  it('verifies the same passphrase whatever Unicode form it arrives in, and nothing else', async () => {
    const record = await hashPassphrase('Café au lait, s’il vous plaît', FAST);
    expect(await verifyPassphrase('Cafe\u0301 au lait, s’il vous plaît', record)).toBe(true);
    expect(await verifyPassphrase('Café au lait, s’il vous plait', record)).toBe(false);
    expect(await verifyPassphrase('', record)).toBe(false);
  });

  it('salts every record, so equal passphrases give different records', async () => {
    expect(await hashPassphrase('same passphrase here', FAST)).not.toBe(await hashPassphrase('same passphrase here', FAST));
  });

  it('answers false, never throws, for a malformed or out-of-range record and for the decoy', async () => {
    for (const record of ['', 'plain', 'scrypt$30$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'bcrypt$10$x']) {
      expect(await verifyPassphrase('anything at all', record)).toBe(false);
    }
    expect(await verifyPassphrase('anything at all', decoyRecord(FAST))).toBe(false);
  });
});
