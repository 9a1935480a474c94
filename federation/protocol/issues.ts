/**
 * Turns a schema failure into the one stable item error code (and the field it is about) that the
 * wire carries. Custom checks name their code in `params.code`; zod's built-in issues are mapped.
 */
import type { z } from 'zod';
import { ITEM_ERROR_CODES, type ItemErrorCode } from './errors.ts';

export interface ItemProblem {
  code: ItemErrorCode;
  field: string;
  message: string;
}

const isItemCode = (c: unknown): c is ItemErrorCode =>
  typeof c === 'string' && (ITEM_ERROR_CODES as readonly string[]).includes(c);

export function issueCode(issue: z.core.$ZodIssue): ItemErrorCode {
  const named = (issue as { params?: { code?: unknown } }).params?.code;
  if (isItemCode(named)) return named;
  switch (issue.code) {
    case 'unrecognized_keys':
      return 'unknown_field';
    case 'invalid_type': {
      // zod reports the input only with `reportInput`; its message names what it received.
      const missing = 'input' in issue ? issue.input === undefined : /received undefined$/.test(issue.message);
      return missing ? 'missing_field' : 'invalid_type';
    }
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array' ? 'too_long' : 'invalid_value';
    case 'too_small':
      return issue.origin === 'string' || issue.origin === 'array' ? 'empty' : 'invalid_value';
    case 'invalid_format':
      if (issue.format === 'datetime') return 'invalid_timestamp';
      if (issue.format.startsWith('uuid')) return 'invalid_id';
      return 'invalid_value';
    case 'invalid_union':
      return issue.path.length === 1 && issue.path[0] === 'kind' ? 'unknown_kind' : 'invalid_value';
    default:
      return 'invalid_value';
  }
}

/**
 * `schema.safeParse(value)` whose issues, when it fails, carry the input they are about (which
 * `issueCode` needs to tell `missing_field` from `invalid_type`). zod is asked for the input
 * (`reportInput`) only on a second parse of a value that failed: passed up front, the option made
 * every successful parse of a push record about 40% slower (zod 4; 5.2 vs 8.7 ms per 1,000
 * records, CPU, in separate processes), and valid values are nearly all of what a server parses.
 */
export function checkedParse<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed : schema.safeParse(value, REPORT_INPUT);
}
const REPORT_INPUT = { reportInput: true } as const;

export function describeIssues(error: z.ZodError): ItemProblem {
  const first = error.issues[0]!;
  const field = first.code === 'unrecognized_keys'
    ? [...first.path, first.keys[0]].join('.')
    : first.path.join('.');
  return { code: issueCode(first), field, message: first.message };
}

/** Every problem, one per field, for forms that show each next to its field. */
export function fieldProblems(error: z.ZodError): Map<string, ItemErrorCode> {
  const out = new Map<string, ItemErrorCode>();
  for (const issue of error.issues) {
    const field = issue.path.join('.');
    if (!out.has(field)) out.set(field, issueCode(issue));
  }
  return out;
}
