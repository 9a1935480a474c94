import { describe, expect, it } from 'vitest';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import type { StoredContribution } from '../store/index.ts';
import {
  evalRecord,
  idiomRecord,
  isKind,
  normRecord,
  preferenceRecord,
  ruleRecord,
  sftRecord,
  translationRecord,
} from './records.ts';
import { compare, evalItem, idiom, instruction, norm, review, rewrite, rule, translation, withdrawal } from '../../test/support/contributions.ts';

const stored = (input: ContributionInput): StoredContribution => ({
  seq: 1,
  deviceId: 'd',
  receivedAt: '2026-11-02T00:00:00.000Z',
  contentHash: 'h',
  origin: null,
  originReceivedAt: null,
  status: 'accepted',
  contribution: Contribution.parse(input),
});

const provenanceOf = (s: StoredContribution) => ({
  licence: s.contribution.consent.licence,
  contributor: s.contribution.contributor,
  campaign: 'general',
  created_at: s.contribution.createdAt,
  revision_of: null,
});

describe('sft records', () => {
  it('turns an instruction into its prompt and answer', () => {
    const s = stored(instruction());
    expect(sftRecord(s)).toEqual({
      messages: [
        { role: 'user', content: 'Nifanyeje nikipata homa?' },
        { role: 'assistant', content: 'Kunywa maji mengi na umwone daktari.' },
      ],
      id: s.contribution.id,
      language: 'sw',
      kind: 'instruction',
    });
  });

  it('turns a rewrite into its prompt and the rewrite, never the draft', () => {
    expect(sftRecord(stored(rewrite()))?.messages).toEqual([
      { role: 'user', content: 'Habari za asubuhi?' },
      { role: 'assistant', content: 'Nzuri sana, asante. Na wewe je?' },
    ]);
  });

  it('asks for a translation into the language by name', () => {
    expect(sftRecord(stored(translation()))?.messages).toEqual([
      { role: 'user', content: 'Translate into Swahili: Good morning.' },
      { role: 'assistant', content: 'Habari za asubuhi.' },
    ]);
  });

  it('answers a norm’s situation with its good example', () => {
    expect(sftRecord(stored(norm()))?.messages).toEqual([
      { role: 'user', content: 'Greeting an elder in the village.' },
      { role: 'assistant', content: 'Shikamoo, bibi.' },
    ]);
  });

  it('makes no chat from a compare, a rule, an eval question or a record', () => {
    for (const input of [compare(), rule(), evalItem(), review(idiom().id), withdrawal('all')]) {
      expect(sftRecord(stored(input))).toBeUndefined();
    }
  });
});

describe('preference records', () => {
  it('prefers a rewrite over its draft, in the TRL conversational form, with the draft’s source', () => {
    const s = stored(rewrite());
    expect(preferenceRecord(s)).toEqual({
      id: s.contribution.id,
      language: 'sw',
      kind: 'rewrite',
      prompt: [{ role: 'user', content: 'Habari za asubuhi?' }],
      chosen: [{ role: 'assistant', content: 'Nzuri sana, asante. Na wewe je?' }],
      rejected: [{ role: 'assistant', content: 'Asubuhi habari nzuri ni.' }],
      reasons: [],
      comment: null,
      chosen_source: 'contributor',
      rejected_source: 'seed:d-1',
      chosen_generation: null,
      rejected_generation: null,
      draft_rating: 2,
      ...provenanceOf(s),
    });
  });

  it('prefers the answer picked in a compare, either way round, with its reasons', () => {
    const a = preferenceRecord(stored(compare({ data: { comment: 'Heshima' } })));
    expect(a).toMatchObject({
      kind: 'compare',
      chosen: [{ role: 'assistant', content: 'Shikamoo, mzee.' }],
      rejected: [{ role: 'assistant', content: 'Mambo vipi?' }],
      reasons: ['more_polite', 'local_norms'],
      comment: 'Heshima',
      chosen_source: 'seed:p-1',
      rejected_source: 'model:tiny@1',
      draft_rating: null,
    });
    const b = preferenceRecord(stored(compare({ data: { choice: 'b' } })));
    expect(b).toMatchObject({ chosen: [{ content: 'Mambo vipi?' }], rejected: [{ content: 'Shikamoo, mzee.' }] });
  });

  it('names the model, revision, dtype, device and settings of each model-written answer of a compare', () => {
    const answer = (text: string, revision: string) => ({
      text,
      source: { type: 'model' as const, model: 'tiny-llama', revision, dtype: 'q4', device: 'webgpu' as const, settings: { max_new_tokens: 64, do_sample: false } },
    });
    const pair = preferenceRecord(stored(compare({ data: { a: answer('Jibu A', 'r1'), b: answer('Jibu B', 'r2'), choice: 'b' } })));
    const generation = { dtype: 'q4', device: 'webgpu', settings: { max_new_tokens: 64, do_sample: false } };
    expect(pair).toMatchObject({
      chosen: [{ role: 'assistant', content: 'Jibu B' }],
      rejected: [{ role: 'assistant', content: 'Jibu A' }],
      chosen_source: 'model:tiny-llama@r2',
      rejected_source: 'model:tiny-llama@r1',
      chosen_generation: generation,
      rejected_generation: generation,
    });
  });

  it('makes no pair from a tie or from "both bad"', () => {
    expect(preferenceRecord(stored(compare({ data: { choice: 'tie' } })))).toBeUndefined();
    expect(preferenceRecord(stored(compare({ data: { choice: 'both_bad' } })))).toBeUndefined();
  });
});

describe('records of the other configurations', () => {
  it('writes an idiom with its fields and provenance', () => {
    const s = stored(idiom({ data: { region: 'Pwani' } }));
    if (!isKind(s, 'idiom')) throw new Error('not an idiom');
    expect(idiomRecord(s)).toMatchObject({ expression: 'Haraka haraka haina baraka', region: 'Pwani', register: null, ...provenanceOf(s) });
  });

  it('writes a translation as a parallel pair with both language tags', () => {
    const s = stored(translation({ revisionOf: idiom().id }));
    if (!isKind(s, 'translation')) throw new Error('not a translation');
    expect(translationRecord(s)).toEqual({
      id: s.contribution.id,
      source_language: 'en',
      source: 'Good morning.',
      target_language: 'sw',
      target: 'Habari za asubuhi.',
      ...provenanceOf(s),
      revision_of: s.contribution.revisionOf,
    });
  });

  it('writes a norm, a rule and an eval question with every field', () => {
    const n = stored(norm({ data: { domain: 'culture' } }));
    const r = stored(rule());
    const e = stored(evalItem());
    if (!isKind(n, 'norm') || !isKind(r, 'rule') || !isKind(e, 'eval')) throw new Error('wrong kinds');
    expect(normRecord(n)).toMatchObject({
      situation: 'Greeting an elder in the village.',
      expectation: 'Younger people greet first, with "shikamoo".',
      good_example: 'Shikamoo, bibi.',
      poor_example: 'Mambo, bibi!',
      domain: 'culture',
    });
    expect(ruleRecord(r)).toMatchObject({
      type: 'policy',
      citation: 'Health Ministry guideline 4.2',
      jurisdiction: 'Tanzania',
      compliant_example: 'Kwa homa kali, nenda kituo cha afya.',
      violating_example: 'Homa itapona yenyewe, usiende hospitali.',
    });
    expect(evalRecord(e)).toMatchObject({
      question: 'Methali "haraka haraka haina baraka" ina maana gani?',
      reference_answer: 'Kufanya mambo kwa haraka huleta makosa.',
      grading_notes: 'Must mention rushing causing mistakes.',
      domain: null,
    });
  });
});
