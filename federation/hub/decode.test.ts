import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Contribution, contributionCanonical, LIMITS, PROTOCOL_VERSION } from '../protocol/index.ts';
import { canonicalOf } from '../store/rows.ts';
import { generateNodeKey } from '../trust/keys.ts';
import { batchManifest } from '../trust/manifest.ts';
import { decodePush, unpackRecords } from './decode.ts';
import { idiom, review, withField, withdrawal } from '../../test/support/contributions.ts';

const { key } = generateNodeKey();
const signer = { id: key.id, publicKey: key.publicKey };
const RECEIVED = '2026-11-01T10:00:00.000Z';

function push(raw: unknown[], sign = true) {
  const entries = raw.map((r) => {
    const parsed = Contribution.safeParse(r);
    return { id: (r as { id: string }).id, hash: parsed.success ? canonicalOf(parsed.data).hash : createHash('sha256').update(contributionCanonical(r as object)).digest('hex'), deviceId: 'device-1', receivedAt: RECEIVED };
  });
  const signature = key.sign(batchManifest({ node: key.id, after: 0, through: raw.length }, sign ? entries : entries.slice(1)));
  const body = {
    protocol: PROTOCOL_VERSION,
    node: key.id,
    campaigns: [],
    batch: { after: 0, through: raw.length, records: raw.map((contribution) => ({ deviceId: 'device-1', receivedAt: RECEIVED, contribution })), signature },
  };
  return { bytes: gzipSync(JSON.stringify(body)), encoding: 'gzip' as const };
}

describe('decodePush', () => {
  const checks = { language: { detected: null, score: 0.4, matches: false, confirmed: true, detector: 'eld@1.0.0' } };
  const items = [idiom({ checks }), idiom({ revisionOf: idiom().id }), review(idiom().id), withdrawal('all'), idiom({ data: { expression: '  padded  ' } })];

  it('gives back every valid record, packed, as the validated contribution with its canonical form', () => {
    const decoded = decodePush(push(items), LIMITS.maxBodyBytes, signer);
    // What crosses from the decoder thread is a structured clone.
    const records = unpackRecords(structuredClone(decoded.valid));
    const expected = items.map((i) => Contribution.parse(i));
    expect(records.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(records.map((r) => r.record.contribution)).toEqual(expected);
    expect(JSON.parse(JSON.stringify(records.map((r) => r.record.contribution)))).toEqual(expected);
    expect(records.map((r) => r.record.canonical)).toEqual(expected.map(canonicalOf));
    expect(records.map((r) => [r.record.deviceId, r.record.receivedAt])).toEqual(items.map(() => ['device-1', RECEIVED]));
    expect((records[4]!.record.contribution.data as { expression: string }).expression).toBe('padded');
    expect(decoded.ids).toEqual(items.map((i) => i.id));
  });

  it('answers an invalid record alone, and still checks the signature over every record', () => {
    const bad = withField(idiom(), 'language', 'EN');
    const decoded = decodePush(push([items[0], bad, items[1]]), LIMITS.maxBodyBytes, signer);
    expect(unpackRecords(decoded.valid).map((r) => r.index)).toEqual([0, 2]);
    expect(decoded.problems).toMatchObject([{ index: 1, id: bad.id, status: 'rejected' }]);
  });

  it('refuses a batch whose signature does not cover its records, storing nothing', () => {
    expect(() => decodePush(push(items, false), LIMITS.maxBodyBytes, signer)).toThrow(expect.objectContaining({ code: 'bad_batch_signature' }));
    expect(() => decodePush(push(items), LIMITS.maxBodyBytes, { id: key.id, publicKey: generateNodeKey().key.publicKey })).toThrow(
      expect.objectContaining({ code: 'bad_batch_signature' }),
    );
  });
});
