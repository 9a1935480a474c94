import { describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { CONSENT_VERSION, Contribution, contributorIdOf, deviceAuthorization, parseDeviceAuthorization } from '../../../federation/protocol/index.ts';
import { ItemVerifier, signedContentHash, verifyContributorMessage } from '../../../federation/trust/contributors.ts';
import { deviceRequestMessage } from '../../../federation/protocol/index.ts';
import { createHash } from 'node:crypto';
import { ContributorKey, findRecoveryCode, generateKey, RecoveryError, restoreKey } from './keys.ts';

const item = (signer: ContributorKey, n: number) => ({
  id: uuidv7(),
  kind: 'idiom' as const,
  campaign: 'general',
  language: 'sw',
  contributor: signer.contributorId,
  key: signer.key,
  deviceSeq: n,
  createdAt: new Date(1_800_000_000_000 + n).toISOString(),
  consent: { version: CONSENT_VERSION, licence: 'CC0-1.0' as const },
  // Not normalised as typed: the signature covers what the server's schema makes of it.
  data: { expression: `  Methali ${n}  `, meaning: 'Maana', example: 'Mfano' },
});

describe('the contributor key on a device', () => {
  for (const algorithm of ['ES256', 'Ed25519'] as const) {
    it(`makes a non-extractable ${algorithm} key whose batches a server verifies, item by item`, async () => {
      const signer = new ContributorKey(await generateKey(algorithm));
      expect(signer.key.startsWith(`${algorithm}.`)).toBe(true);
      expect(signer.stored.privateKey.extractable).toBe(false);
      expect(signer.contributorId).toBe(contributorIdOf(signer.key));
      const signed = await signer.signItems(Array.from({ length: 70 }, (_, i) => item(signer, i + 1)));
      const verifier = new ItemVerifier();
      for (const raw of signed) {
        const parsed = Contribution.parse(raw);
        expect(verifier.check(parsed, signedContentHash(parsed))).toBeUndefined();
      }
      // Two trees: 64 and 6 items.
      expect(new Set(signed.map((s) => s.signature.split('.')[1])).size).toBe(2);
    });
  }

  it('signs requests the server checks, over method, path, time, nonce and body', async () => {
    const signer = new ContributorKey(await generateKey());
    const header = await signer.authorization('POST', '/api/v1/status', '{"ids":[]}', 1_800_000_000_000);
    const auth = parseDeviceAuthorization(header)!;
    expect(auth.key).toBe(signer.key);
    const digest = (b: string) => createHash('sha256').update(b).digest('hex');
    expect(verifyContributorMessage(auth.key, deviceRequestMessage('POST', '/api/v1/status', auth.ts, auth.nonce, digest('{"ids":[]}')), auth.sig)).toBe(true);
    expect(verifyContributorMessage(auth.key, deviceRequestMessage('POST', '/api/v1/status', auth.ts, auth.nonce, digest('{"ids":["x"]}')), auth.sig)).toBe(false);
    expect(deviceAuthorization(auth)).toBe(header);
  });

  it('moves to another device only with its passphrase, and signs as the same contributor there', async () => {
    const original = new ContributorKey(await generateKey());
    await expect(original.recoveryCode('short')).rejects.toMatchObject({ code: 'passphrase_too_short' });
    const code = await original.recoveryCode('mvua ya masika huanza polepole');
    expect(findRecoveryCode(`Keep this.\nhttps://node/#/restore/${code}\n`)).toBe(code);
    await expect(restoreKey(code, 'mvua ya masika huanza haraka')).rejects.toBeInstanceOf(RecoveryError);
    await expect(restoreKey('nothing here', 'x')).rejects.toMatchObject({ code: 'not_a_recovery_code' });
    const tampered = code.slice(0, -6) + (code.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
    await expect(restoreKey(tampered, 'mvua ya masika huanza polepole')).rejects.toMatchObject({ code: 'wrong_passphrase' });
    const restored = new ContributorKey(await restoreKey(code, 'mvua ya masika huanza polepole'));
    expect(restored.key).toBe(original.key);
    expect(restored.contributorId).toBe(original.contributorId);
    expect(restored.stored.privateKey.extractable).toBe(false);
    const [signed] = await restored.signItems([item(restored, 1)]);
    const parsed = Contribution.parse(signed);
    expect(new ItemVerifier().check(parsed, signedContentHash(parsed))).toBeUndefined();
    // And the restored one can make a recovery code of its own.
    expect(findRecoveryCode(await restored.recoveryCode('another long passphrase'))).toBeDefined();
  });
});
