import { describe, expect, it } from 'vitest';
import { checkedParse, Contribution, describeIssues, fieldProblems, ITEM_ERROR_CODES } from './index.ts';
import { idiom, withField } from '../../test/support/contributions.ts';

describe('describeIssues', () => {
  it('names the first problem with a stable code, the dotted field and a message', () => {
    const parsed = Contribution.safeParse(withField(idiom(), 'data.meaning', ''));
    expect(parsed.success).toBe(false);
    const problem = describeIssues(parsed.error!);
    expect(problem).toMatchObject({ code: 'empty', field: 'data.meaning' });
    expect(problem.message).not.toBe('');
    expect(ITEM_ERROR_CODES).toContain(problem.code);
  });

  it('names the unknown key itself for an unknown field', () => {
    const parsed = Contribution.safeParse({ ...idiom(), colour: 'red' });
    expect(describeIssues(parsed.error!).field).toBe('colour');
  });

  it('tells a missing field from a mistyped one when issues carry their input', () => {
    const missing = Contribution.safeParse(withField(idiom(), 'data.example', undefined), { reportInput: true });
    const mistyped = Contribution.safeParse(withField(idiom(), 'data.example', 3), { reportInput: true });
    expect(describeIssues(missing.error!).code).toBe('missing_field');
    expect(describeIssues(mistyped.error!).code).toBe('invalid_type');
  });
});

describe('checkedParse', () => {
  it('parses a valid value as safeParse does', () => {
    const item = idiom();
    const parsed = checkedParse(Contribution, item);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(Contribution.parse(item));
  });

  it('answers a failure with issues that carry their input, so missing and mistyped are told apart', () => {
    const missing = checkedParse(Contribution, withField(idiom(), 'data.example', undefined));
    const mistyped = checkedParse(Contribution, withField(idiom(), 'data.example', 3));
    expect(missing.error!.issues[0]).toHaveProperty('input', undefined);
    expect(mistyped.error!.issues[0]).toHaveProperty('input', 3);
    expect(describeIssues(missing.error!).code).toBe('missing_field');
    expect(describeIssues(mistyped.error!).code).toBe('invalid_type');
  });
});

describe('fieldProblems', () => {
  it('gives one code per field, for forms that show each next to its field', () => {
    const broken = withField(withField(idiom(), 'data.expression', ''), 'data.example', 'x'.repeat(3000));
    const parsed = Contribution.safeParse(broken);
    const problems = fieldProblems(parsed.error!);
    expect(problems.get('data.expression')).toBe('empty');
    expect(problems.get('data.example')).toBe('too_long');
  });
});
