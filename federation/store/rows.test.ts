import { describe, expect, it } from 'vitest';
import { canonicalJson, Contribution, contributionCanonical } from '../protocol/index.ts';
import { canonicalForms, fromRow, RELAY_COLUMNS, relayText, toRow } from './rows.ts';
import { idiom, review, withdrawal } from '../../test/support/contributions.ts';

describe('canonicalForms', () => {
  const samples = [
    idiom(),
    idiom({ data: { region: 'Pwani', register: 'archaic' } }),
    idiom({ language: 'zh-Hant-TW', data: { expression: '畫蛇添足', meaning: 'Adding legs to a snake: spoiling by overdoing', example: '他這樣做是畫蛇添足。' } }),
    idiom({ data: { expression: 'quote " backslash \\ 😀 \u2028', meaning: 'tab\tnewline\n', example: 'ẹ́ ọ̀' } }),
  ].map((i) => Contribution.parse(i));

  it('is exactly the protocol canonical JSON of the contribution and of its data', () => {
    for (const item of samples) {
      expect(canonicalForms(item)).toEqual({ whole: contributionCanonical(item), data: canonicalJson(item.data) });
    }
  });

  it('stays exact for values the fast path cannot render (arrays, index-like keys)', () => {
    const odd = [
      { ...samples[0]!, data: { ...samples[0]!.data, tags: ['b', 'a'] } },
      { ...samples[0]!, data: { ...samples[0]!.data, 10: 'x', 9: 'y' } },
      { ...samples[0]!, extra: { 2: 'two', 1: 'one', a: null } },
    ] as unknown as Contribution[];
    for (const item of odd) {
      expect(canonicalForms(item)).toEqual({ whole: contributionCanonical(item), data: canonicalJson(item.data) });
    }
  });
});

describe('rows', () => {
  it('round-trips a contribution through its row', () => {
    const item = Contribution.parse(idiom({ data: { register: 'slang' } }));
    const row = { ...toRow(item, 'device-1', '2026-11-01T00:00:00.000Z'), seq: 7 };
    const stored = fromRow(row);
    expect(stored).toMatchObject({ seq: 7, deviceId: 'device-1', receivedAt: '2026-11-01T00:00:00.000Z' });
    expect(stored.contribution).toEqual(item);
  });

  it('refuses a row of a kind this version does not know', () => {
    const row = { ...toRow(Contribution.parse(idiom()), 'd', 'now'), seq: 1, kind: 'recipe' };
    expect(() => fromRow(row)).toThrow(/unknown kind/);
  });
});

describe('relayText', () => {
  const checks = {
    language: { detected: null, score: 0.2, matches: false, confirmed: true, detector: 'eld@1.0.0' },
    personalData: { kept: [{ type: 'email' as const, count: 1 }], redacted: [] },
  };
  const items = [
    idiom(),
    idiom({ checks, revisionOf: idiom().id, data: { expression: 'quote " backslash \\ 😀 \u2028', meaning: 'tab\tnewline\n', region: 'Pwani' } }),
    review(idiom().id, { data: { action: 'flag', reason: 'spam' } }),
    withdrawal('all'),
  ].map((i) => Contribution.parse(i));

  it('is the JSON of the record that fromRow rebuilds, with its manifest entry', () => {
    for (const [k, item] of items.entries()) {
      const row = { ...toRow(item, 'device "1"', '2026-11-01T00:00:00.000Z'), seq: k + 3 };
      const stored = fromRow(row);
      const text = relayText(RELAY_COLUMNS.map((c) => row[c]));
      expect(JSON.parse(text.json)).toEqual({ deviceId: stored.deviceId, receivedAt: stored.receivedAt, contribution: stored.contribution });
      expect(JSON.parse(text.json).contribution).toEqual(item);
      expect(text).toMatchObject({ seq: k + 3, id: item.id, contentHash: row.content_hash, deviceId: 'device "1"', receivedAt: '2026-11-01T00:00:00.000Z' });
    }
  });

  it('refuses a row of a kind this version does not know', () => {
    const row = { ...toRow(items[0]!, 'd', 'now'), seq: 1, kind: 'recipe' };
    expect(() => relayText(RELAY_COLUMNS.map((c) => row[c]))).toThrow(/unknown kind/);
  });
});
