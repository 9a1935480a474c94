import { describe, expect, it } from 'vitest';
import { CompareData, type Seed } from '../../../federation/protocol/index.ts';
import { compareContext, comparePlan, generateParams, modelSource, referenceAnswer } from './compare.ts';

const REV = '0123456789abcdef0123456789abcdef';
const pair: Seed = { id: 'c1', type: 'pair', prompt: 'Salamu?', answerA: 'Shikamoo', answerB: 'Mambo', sourceA: 'elder' };
const prompt: Seed = { id: 'p1', type: 'prompt', prompt: 'Habari?' };
const heads = () => 0.9;
const tails = () => 0.1;

describe('comparePlan', () => {
  it('uses the seed pair as before when the campaign names no compare models', () => {
    expect(comparePlan(undefined, pair, heads)).toBeNull();
    expect(comparePlan([], pair, heads)).toBeNull();
  });

  it('pairs one model with the seed’s reference answer, in the order the coin flip gives', () => {
    const model = { id: 'tiny', revision: REV };
    expect(comparePlan([model], pair, heads)).toEqual({
      prompt: 'Salamu?',
      seed: 'c1',
      shown: [{ type: 'model', model }, { type: 'seed', text: 'Shikamoo', source: { type: 'seed', seed: 'c1', label: 'elder' } }],
      swapped: false,
    });
    const swapped = comparePlan([model], pair, tails)!;
    expect(swapped.swapped).toBe(true);
    expect(swapped.shown.map((s) => s.type)).toEqual(['seed', 'model']);
  });

  it('needs a seed with an answer for one model', () => {
    expect(comparePlan([{ id: 'tiny' }], undefined, heads)).toBeNull();
    expect(comparePlan([{ id: 'tiny' }], prompt, heads)).toBeNull();
    expect(referenceAnswer({ id: 'd1', type: 'draft', prompt: 'p', draft: 'd' })).toEqual({ text: 'd', source: { type: 'seed', seed: 'd1' } });
  });

  it('pairs two models (or two revisions of one) on the seed’s prompt, or on a typed one when there is no seed', () => {
    const a = { id: 'tiny', revision: REV };
    const b = { id: 'tiny', maxNewTokens: 16 };
    const plan = comparePlan([a, b], prompt, tails)!;
    expect(plan).toEqual({ prompt: 'Habari?', seed: 'p1', shown: [{ type: 'model', model: b }, { type: 'model', model: a }], swapped: true });
    expect(comparePlan([a, b], undefined, heads)).toEqual({ prompt: null, shown: [{ type: 'model', model: a }, { type: 'model', model: b }], swapped: false });
  });

  it('shows each order about half of the time', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let swapped = 0;
    for (let i = 0; i < 1000; i++) if (comparePlan([{ id: 'a' }, { id: 'b' }], undefined, random)!.swapped) swapped++;
    expect(swapped).toBeGreaterThan(400);
    expect(swapped).toBeLessThan(600);
  });
});

describe('the compare record from model answers', () => {
  it('keeps the shown order and each answer’s source, and passes the compare schema', () => {
    const plan = comparePlan([{ id: 'tiny' }], pair, tails)!;
    const generated = { model: 'tiny', revision: REV, dtype: 'fp32', device: 'wasm' as const, settings: { max_new_tokens: 128, do_sample: false, temperature: undefined } };
    const model = { text: 'Jibu la modeli', source: modelSource(generated) };
    const seedSide = plan.shown[0];
    if (seedSide.type !== 'seed') throw new Error('expected the seed answer first');
    const context = compareContext(plan, 'Salamu?', [{ text: seedSide.text, source: seedSide.source }, model]);
    const parsed = CompareData.parse({ ...context, choice: 'b', reasons: ['more_natural'] });
    expect(parsed.a.source).toEqual({ type: 'seed', seed: 'c1', label: 'elder' });
    expect(parsed.b).toEqual({ text: 'Jibu la modeli', source: { type: 'model', model: 'tiny', revision: REV, dtype: 'fp32', device: 'wasm', settings: { max_new_tokens: 128, do_sample: false } } });
    expect(parsed.seed).toBe('c1');
  });

  it('asks the worker for greedy decoding unless the model sets a temperature', () => {
    expect(generateParams({ id: 'x' }, 'q')).toEqual({ messages: [{ role: 'user', content: 'q' }], max_new_tokens: 128, do_sample: false });
    expect(generateParams({ id: 'x', maxNewTokens: 8, temperature: 0.5 }, 'q')).toMatchObject({ max_new_tokens: 8, do_sample: true, temperature: 0.5 });
  });
});
