/**
 * Every kind's `data`: a valid item is accepted, and each field is refused with its stable code
 * when missing, empty, too long or out of its set — the same answer the node gives a device.
 */
import { describe, expect, it } from 'vitest';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { Contribution, describeIssues, type ItemErrorCode, LIMITS } from './index.ts';
import {
  ABSENT,
  compare,
  evalItem,
  instruction,
  norm,
  review,
  rewrite,
  rule,
  translation,
  withdrawal,
  withField,
} from '../../test/support/contributions.ts';

function problem(input: unknown): { code: ItemErrorCode; field: string } | null {
  const parsed = Contribution.safeParse(input, { reportInput: true });
  if (parsed.success) return null;
  const { code, field } = describeIssues(parsed.error);
  return { code, field };
}

const builders = {
  instruction: () => instruction(),
  rewrite: () => rewrite(),
  compare: () => compare(),
  translation: () => translation(),
  norm: () => norm(),
  rule: () => rule(),
  eval: () => evalItem(),
} as const;

/** Required text fields of each kind, with their limits. */
const TEXT_FIELDS: Record<keyof typeof builders, Array<[string, number]>> = {
  instruction: [['prompt', LIMITS.prompt], ['answer', LIMITS.answer]],
  rewrite: [['prompt', LIMITS.prompt], ['draft', LIMITS.answer], ['rewrite', LIMITS.answer]],
  compare: [['prompt', LIMITS.prompt], ['a.text', LIMITS.answer], ['b.text', LIMITS.answer]],
  translation: [['source', LIMITS.answer], ['translation', LIMITS.answer]],
  norm: [['situation', LIMITS.prompt], ['expectation', LIMITS.answer], ['goodExample', LIMITS.answer], ['poorExample', LIMITS.answer]],
  rule: [['rule', LIMITS.prompt], ['citation', LIMITS.citation], ['jurisdiction', LIMITS.shortText], ['compliantExample', LIMITS.answer], ['violatingExample', LIMITS.answer]],
  eval: [['question', LIMITS.prompt], ['referenceAnswer', LIMITS.answer], ['gradingNotes', LIMITS.answer]],
};

for (const [kind, build] of Object.entries(builders) as Array<[keyof typeof builders, () => object]>) {
  describe(`${kind} items`, () => {
    it('accept a valid item as a device makes it', () => expect(problem(build())).toBeNull());

    it('accept a revision of an earlier item', () => expect(problem({ ...build(), revisionOf: uuidv7() })).toBeNull());

    it('refuse a revisionOf that is not a UUIDv7', () =>
      expect(problem({ ...build(), revisionOf: uuidv4() })).toEqual({ code: 'invalid_id', field: 'revisionOf' }));

    it('refuse an unknown data field', () =>
      expect(problem(withField(build(), 'data.extra', 'x'))).toEqual({ code: 'unknown_field', field: 'data.extra' }));

    for (const [field, max] of TEXT_FIELDS[kind]) {
      const path = `data.${field}`;
      it(`refuse a missing ${field}`, () => expect(problem(withField(build(), path, ABSENT))).toEqual({ code: 'missing_field', field: path }));
      it(`refuse an empty ${field}`, () => expect(problem(withField(build(), path, '   '))).toEqual({ code: 'empty', field: path }));
      it(`refuse a ${field} over ${max} characters, and take one at the limit`, () => {
        expect(problem(withField(build(), path, 'x'.repeat(max + 1)))).toEqual({ code: 'too_long', field: path });
        expect(problem(withField(build(), path, 'x'.repeat(max)))).toBeNull();
      });
      it(`refuse control characters in ${field}`, () =>
        expect(problem(withField(build(), path, 'a\u0007b'))).toEqual({ code: 'invalid_text', field: path }));
    }
  });
}

describe('kind-specific rules', () => {
  const cases: Array<[string, () => object, string, unknown, ItemErrorCode]> = [
    ['instruction domain outside the list', instruction, 'data.domain', 'cooking', 'invalid_value'],
    ['rewrite rating 0', rewrite, 'data.draftRating', 0, 'invalid_value'],
    ['rewrite rating 6', rewrite, 'data.draftRating', 6, 'invalid_value'],
    ['rewrite rating 2.5', rewrite, 'data.draftRating', 2.5, 'invalid_type'],
    ['rewrite draft source of an unknown type', rewrite, 'data.draftSource', { type: 'oracle' }, 'invalid_value'],
    ['compare choice outside a/b/tie/both_bad', compare, 'data.choice', 'c', 'invalid_value'],
    ['compare reason outside the list', compare, 'data.reasons', ['funnier'], 'invalid_value'],
    ['compare reason given twice', compare, 'data.reasons', ['safer', 'safer'], 'invalid_value'],
    ['translation source language not BCP 47', translation, 'data.sourceLanguage', 'en_GB', 'invalid_language'],
    ['rule type outside law/regulation/policy', rule, 'data.ruleType', 'custom', 'invalid_value'],
    ['eval domain outside the list', evalItem, 'data.domain', 'cooking', 'invalid_value'],
  ];
  for (const [name, build, path, value, code] of cases) {
    it(`refuses a ${name} with ${code}`, () => expect(problem(withField(build(), path, value))?.code).toBe(code));
  }

  it('accepts a draft from a model with its id, revision, dtype, device and settings', () => {
    const source = { type: 'model', model: 'national-0.5b', revision: 'r3', dtype: 'q4f16', device: 'webgpu', settings: { temperature: 0.7 } };
    expect(problem(withField(rewrite(), 'data.draftSource', source))).toBeNull();
  });
});

describe('reviews', () => {
  const target = uuidv7();
  it('accept an up-vote and a down-vote', () => {
    expect(problem(review(target))).toBeNull();
    expect(problem(withField(review(target), 'data.action', 'down'))).toBeNull();
  });
  it('accept a flag with its reason', () => {
    expect(problem(withField(withField(review(target), 'data.action', 'flag'), 'data.reason', 'personal_data'))).toBeNull();
  });
  it('refuse a flag without a reason', () =>
    expect(problem(withField(review(target), 'data.action', 'flag'))).toEqual({ code: 'missing_field', field: 'data.reason' }));
  it('refuse a vote with a reason', () =>
    expect(problem(withField(review(target), 'data.reason', 'spam'))).toEqual({ code: 'invalid_value', field: 'data.reason' }));
  it('refuse a flag reason outside the list', () =>
    expect(problem(withField(withField(review(target), 'data.action', 'flag'), 'data.reason', 'boring'))?.code).toBe('invalid_value'));
  it('refuse a target that is not a UUIDv7', () =>
    expect(problem(withField(review(target), 'data.target', 'x'))).toEqual({ code: 'invalid_id', field: 'data.target' }));
  it('cannot be revised', () =>
    expect(problem({ ...review(target), revisionOf: uuidv7() })).toEqual({ code: 'unknown_field', field: 'revisionOf' }));
});

describe('withdrawals', () => {
  it('accept one item or everything', () => {
    expect(problem(withdrawal(uuidv7()))).toBeNull();
    expect(problem(withdrawal('all'))).toBeNull();
  });
  it('refuse an item withdrawal without a target', () =>
    expect(problem(withField(withdrawal(uuidv7()), 'data.target', ABSENT))).toEqual({ code: 'missing_field', field: 'data.target' }));
  it('refuse a target on a withdraw-everything', () =>
    expect(problem(withField(withdrawal('all'), 'data.target', uuidv7()))?.code).toBe('unknown_field'));
  it('refuse an unknown scope', () => expect(problem(withField(withdrawal('all'), 'data.scope', 'some'))?.code).toBe('invalid_value'));
});
