import { describe, expect, it } from 'vitest';
import { TEST_IDENTITY } from './testing.ts';
import { CONSENT_VERSION, type UnsignedContribution as Contribution } from '../../../federation/protocol/index.ts';
import { summarise } from './summary.ts';

const envelope = {
  id: '019ac0a0-0000-7000-8000-000000000001',
  campaign: 'general',
  language: 'sw',
  contributor: TEST_IDENTITY.contributorId,
  key: TEST_IDENTITY.key,
  deviceSeq: 1,
  createdAt: '2026-11-28T00:00:00.000Z',
  consent: { version: CONSENT_VERSION, licence: 'CC0-1.0' as const },
};
const source = { type: 'seed' as const, seed: 's1' };

describe('one line for any contribution', () => {
  const cases: Array<[Contribution, string, string]> = [
    [{ ...envelope, kind: 'idiom', data: { expression: 'e', meaning: 'm', example: 'x' } }, 'e', 'm'],
    [{ ...envelope, kind: 'instruction', data: { prompt: 'p', answer: 'a', domain: 'law' } }, 'p', 'a'],
    [{ ...envelope, kind: 'rewrite', data: { prompt: 'p', draft: 'd', draftSource: source, rewrite: 'r', draftRating: 3 } }, 'p', 'r'],
    [{ ...envelope, kind: 'compare', data: { prompt: 'p', a: { text: 'A', source }, b: { text: 'B', source }, choice: 'b', reasons: [] } }, 'p', 'B'],
    [{ ...envelope, kind: 'compare', data: { prompt: 'p', a: { text: 'A', source }, b: { text: 'B', source }, choice: 'tie', reasons: [] } }, 'p', 'A · B'],
    [{ ...envelope, kind: 'translation', data: { source: 's', sourceLanguage: 'en', translation: 't' } }, 's', 't'],
    [{ ...envelope, kind: 'norm', data: { situation: 's', expectation: 'e', goodExample: 'g', poorExample: 'p' } }, 's', 'e'],
    [{ ...envelope, kind: 'rule', data: { rule: 'r', ruleType: 'law', citation: 'c', jurisdiction: 'j', compliantExample: 'y', violatingExample: 'n' } }, 'r', 'c'],
    [{ ...envelope, kind: 'eval', data: { question: 'q', referenceAnswer: 'a', gradingNotes: 'n' } }, 'q', 'a'],
  ];
  it.each(cases.map(([c, title, body]) => [c.kind, c, title, body] as const))('summarises %s by its main text', (_kind, c, title, body) => {
    expect(summarise(c)).toEqual({ title, body });
  });
});
