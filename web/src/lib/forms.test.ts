import { describe, expect, it } from 'vitest';
import { CONSENT_VERSION, type Seed, UnsignedContribution } from '../../../federation/protocol/index.ts';
import { TEST_IDENTITY } from './testing.ts';
import { contextFromSeed, emptyForm, formFromData, makeContribution, makeRecord, seedOf, validate, visibleFields } from './forms.ts';

const ctx = {
  identity: TEST_IDENTITY,
  consent: { version: CONSENT_VERSION, licence: 'CC0-1.0' as const, ageConfirmed: true as const, acceptedAt: 0 },
  language: 'sw',
  campaign: 'shule',
};

const seeds: Record<string, Seed> = {
  prompt: { id: 'p1', type: 'prompt', prompt: 'Habari ya asubuhi?' },
  draft: { id: 'd1', type: 'draft', prompt: 'Ninaendaje sokoni?', draft: 'Nenda moja kwa moja.' },
  pair: { id: 'c1', type: 'pair', prompt: 'Salamu?', answerA: 'Jibu la kwanza', answerB: 'Jibu la pili', sourceA: 'model-x', sourceB: 'human' },
  pivot: { id: 't1', type: 'pivot', text: 'Good morning', sourceLanguage: 'en' },
};

function valid(state: ReturnType<typeof emptyForm>) {
  const v = validate(state);
  if (!v.ok) throw new Error(`expected valid, got ${JSON.stringify(v.errors)}`);
  return v.data;
}

describe('forms for every kind', () => {
  it('names every missing required idiom field with the server code, as before', () => {
    expect(validate(emptyForm('idiom'))).toEqual({ ok: false, errors: { expression: 'empty', meaning: 'empty', example: 'empty' } });
  });

  it('trims, normalises and drops empty optional fields', () => {
    const f = emptyForm('idiom');
    Object.assign(f.values, { expression: '  Haraka haraka ', meaning: 'Cafe\u0301', example: 'e', region: '  ' });
    expect(valid(f)).toEqual({ expression: 'Haraka haraka', meaning: 'Café', example: 'e' });
  });

  it('requires a domain for an instruction and refuses one outside the list', () => {
    const f = emptyForm('instruction');
    Object.assign(f.values, { prompt: 'p', answer: 'a' });
    expect(validate(f)).toEqual({ ok: false, errors: { domain: 'invalid_value' } });
    f.values.domain = 'health';
    expect(valid(f)).toEqual({ prompt: 'p', answer: 'a', domain: 'health' });
  });

  it('answers a seed prompt: the prompt is shown, not typed, and the seed is recorded', () => {
    const f = emptyForm('instruction', contextFromSeed(seeds.prompt!, Math.random));
    expect(visibleFields('instruction', f.context).map((x) => x.name)).toEqual(['answer', 'domain']);
    Object.assign(f.values, { answer: 'Nzuri', domain: 'general' });
    expect(valid(f)).toEqual({ prompt: 'Habari ya asubuhi?', answer: 'Nzuri', domain: 'general', seed: 'p1' });
  });

  it('rewrites a seed draft, records the draft and its seed source, and needs a 1–5 rating', () => {
    const f = emptyForm('rewrite', contextFromSeed(seeds.draft!, Math.random));
    f.values.rewrite = 'Fuata barabara hii hadi sokoni.';
    expect(validate(f)).toEqual({ ok: false, errors: { draftRating: 'missing_field' } });
    f.values.draftRating = '2';
    expect(valid(f)).toEqual({
      prompt: 'Ninaendaje sokoni?',
      draft: 'Nenda moja kwa moja.',
      draftSource: { type: 'seed', seed: 'd1' },
      rewrite: 'Fuata barabara hii hadi sokoni.',
      draftRating: 2,
    });
    expect(seedOf(f.context)).toBe('d1');
  });

  it('shows a pair in the order chance gives, and records a and b as shown with their sources', () => {
    const kept = contextFromSeed(seeds.pair!, () => 0.1);
    const swapped = contextFromSeed(seeds.pair!, () => 0.9);
    expect(kept).toMatchObject({ a: { text: 'Jibu la kwanza', source: { label: 'model-x' } }, b: { text: 'Jibu la pili' } });
    expect(swapped).toMatchObject({ a: { text: 'Jibu la pili', source: { label: 'human' } }, b: { text: 'Jibu la kwanza' } });
    const f = emptyForm('compare', swapped);
    Object.assign(f.values, { choice: 'b', reasons: ['more_natural', 'safer'] });
    expect(valid(f)).toMatchObject({ choice: 'b', reasons: ['more_natural', 'safer'], seed: 'c1', a: { text: 'Jibu la pili' } });
  });

  it('translates a pivot seed, or a sentence typed with its own language code', () => {
    const seeded = emptyForm('translation', contextFromSeed(seeds.pivot!, Math.random));
    expect(visibleFields('translation', seeded.context).map((x) => x.name)).toEqual(['translation']);
    seeded.values.translation = 'Habari ya asubuhi';
    expect(valid(seeded)).toEqual({ source: 'Good morning', sourceLanguage: 'en', seed: 't1', translation: 'Habari ya asubuhi' });
    const typed = emptyForm('translation');
    Object.assign(typed.values, { sourceLanguage: 'not a tag', source: 'Bonjour', translation: 'Habari' });
    expect(validate(typed)).toEqual({ ok: false, errors: { sourceLanguage: 'invalid_language' } });
  });

  it('builds norm, rule and eval items the schema accepts', () => {
    const norm = emptyForm('norm');
    Object.assign(norm.values, { situation: 's', expectation: 'e', goodExample: 'g', poorExample: 'p' });
    const rule = emptyForm('rule');
    Object.assign(rule.values, { rule: 'r', ruleType: 'law', citation: 'Act 1 s.2', jurisdiction: 'Kenya', compliantExample: 'c', violatingExample: 'v' });
    const ev = emptyForm('eval');
    Object.assign(ev.values, { question: 'q', referenceAnswer: 'a', gradingNotes: 'n', domain: 'law' });
    for (const f of [norm, rule, ev]) {
      const c = makeContribution(f.kind, valid(f), ctx, 3);
      expect(UnsignedContribution.parse(c)).toEqual(c);
      expect(c).toMatchObject({ kind: f.kind, campaign: 'shule', deviceSeq: 3 });
    }
  });

  it('splits an item back into its form, so an edit starts from what was saved', () => {
    const f = emptyForm('rewrite', contextFromSeed(seeds.draft!, Math.random));
    Object.assign(f.values, { rewrite: 'x', draftRating: '4' });
    const data = valid(f);
    const back = formFromData('rewrite', data);
    expect(back.values).toMatchObject({ rewrite: 'x', draftRating: '4' });
    expect(back.context).toEqual({ prompt: 'Ninaendaje sokoni?', draft: 'Nenda moja kwa moja.', draftSource: { type: 'seed', seed: 'd1' } });
    expect(valid(back)).toEqual(data);
    const typed = formFromData('translation', { source: 'Hi', sourceLanguage: 'en', translation: 'Jambo' });
    expect(visibleFields('translation', typed.context).map((x) => x.name)).toEqual(['sourceLanguage', 'source', 'translation']);
  });

  it('makes a revision that names the item it replaces', () => {
    const f = emptyForm('eval');
    Object.assign(f.values, { question: 'q', referenceAnswer: 'a', gradingNotes: 'n' });
    const original = makeContribution('eval', valid(f), ctx, 1);
    const edit = makeContribution('eval', valid(f), ctx, 2, { revisionOf: original.id });
    expect(edit).toMatchObject({ revisionOf: original.id, deviceSeq: 2 });
    expect(edit.id).not.toBe(original.id);
  });

  it('makes reviews and withdrawals, and refuses a flag without a reason', () => {
    const target = '019ac0a0-0000-7000-8000-000000000001';
    expect(makeRecord({ kind: 'review', data: { target, action: 'up' } }, ctx, 4)).toMatchObject({ kind: 'review', data: { target, action: 'up' } });
    expect(makeRecord({ kind: 'withdrawal', data: { scope: 'all' } }, ctx, 5)).toMatchObject({ kind: 'withdrawal', data: { scope: 'all' } });
    expect(() => makeRecord({ kind: 'review', data: { target, action: 'flag' } }, ctx, 6)).toThrow();
  });
});
