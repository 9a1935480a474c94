import { describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, Idiom, describeIssues, type ItemErrorCode, LIMITS, LICENCES, REGISTERS } from './index.ts';
import { ABSENT, idiom, withField } from '../../test/support/contributions.ts';

/**
 * The item's problem as the server reports it, or null when it is valid. `reportInput` is what
 * the server passes too: describeIssues needs the input to tell a missing field from a mistyped one.
 */
function problem(input: unknown): { code: ItemErrorCode; field: string } | null {
  const parsed = Contribution.safeParse(input, { reportInput: true });
  if (parsed.success) return null;
  const { code, field } = describeIssues(parsed.error);
  return { code, field };
}

function rejects(path: string, value: unknown, code: ItemErrorCode, field = path) {
  expect(problem(withField(idiom(), path, value))).toEqual({ code, field });
}

function accepts(path: string, value: unknown) {
  expect(problem(withField(idiom(), path, value))).toBeNull();
}

describe('a valid idiom', () => {
  it('is accepted as made on a device', () => {
    expect(problem(idiom())).toBeNull();
  });

  it('is accepted with every optional field', () => {
    expect(problem(idiom({ data: { region: 'Pwani', register: 'informal' } }))).toBeNull();
  });
});

describe('envelope fields', () => {
  it('rejects an id that is a UUID but not version 7', () => rejects('id', uuidv4(), 'invalid_id'));
  it('rejects an id that is not a UUID', () => rejects('id', 'idiom-1', 'invalid_id'));
  it('rejects a missing id', () => rejects('id', ABSENT, 'missing_field'));
  it('rejects an id of the wrong type', () => rejects('id', 7, 'invalid_type'));

  it('rejects an unknown kind', () => rejects('kind', 'recipe', 'unknown_kind'));
  it('rejects a missing kind as an unknown kind', () => rejects('kind', ABSENT, 'unknown_kind'));

  it('accepts campaign slugs', () => {
    accepts('campaign', 'general');
    accepts('campaign', 'library-drive-2026');
  });
  it('rejects a campaign with capitals', () => rejects('campaign', 'General', 'invalid_value'));
  it('rejects a campaign starting with a hyphen', () => rejects('campaign', '-drive', 'invalid_value'));
  it('rejects an empty campaign', () => rejects('campaign', '', 'invalid_value'));
  it('rejects a campaign over the limit', () =>
    rejects('campaign', 'a'.repeat(LIMITS.campaignSlug + 1), 'too_long'));

  it('accepts canonical language tags', () => {
    for (const tag of ['sw', 'pt-BR', 'zh-Hant-TW', 'ar-EG', 'yo']) accepts('language', tag);
  });
  it('rejects language tags that are not in canonical spelling', () => {
    for (const tag of ['EN', 'en-gb', 'pt-br', 'iw']) rejects('language', tag, 'invalid_language');
  });
  it('rejects malformed language tags', () => {
    for (const tag of ['', 'en-', 'en_GB', '123', 'x', `en-${'a'.repeat(40)}`]) rejects('language', tag, 'invalid_language');
  });
  it('rejects a language of the wrong type', () => rejects('language', 44, 'invalid_type'));

  it('rejects a contributor that is not a UUID', () => rejects('contributor', 'alice', 'invalid_id'));
  it('rejects a missing contributor', () => rejects('contributor', ABSENT, 'missing_field'));

  it('accepts device sequence numbers from 1 to the largest safe integer', () => {
    accepts('deviceSeq', 1);
    accepts('deviceSeq', Number.MAX_SAFE_INTEGER);
  });
  // Out-of-range numbers are invalid values; `empty`/`too_long` are for text and lists.
  it('rejects device sequence number 0', () => rejects('deviceSeq', 0, 'invalid_value'));
  it('rejects a negative device sequence number', () => rejects('deviceSeq', -3, 'invalid_value'));
  it('rejects a device sequence number past the safe integers', () => rejects('deviceSeq', 2 ** 53, 'invalid_value'));
  it('rejects a fractional device sequence number', () => rejects('deviceSeq', 1.5, 'invalid_type'));
  it('rejects a device sequence number sent as a string', () => rejects('deviceSeq', '1', 'invalid_type'));

  it('rejects upper-case ids, which would be a second key for the same item', () => {
    rejects('id', '0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B', 'invalid_id');
    rejects('contributor', '0B6F4C36-0D43-4BB0-9D4C-8F0F5D1B2A11', 'invalid_id');
  });

  it('accepts timestamps in UTC and with an offset', () => {
    accepts('createdAt', '2026-11-01T10:00:00Z');
    accepts('createdAt', '2026-11-01T10:00:00.123+03:00');
  });
  it('rejects a date without a time', () => rejects('createdAt', '2026-11-01', 'invalid_timestamp'));
  it('rejects a local time without an offset', () => rejects('createdAt', '2026-11-01T10:00:00', 'invalid_timestamp'));
  it('rejects an impossible date', () => rejects('createdAt', '2026-13-01T10:00:00Z', 'invalid_timestamp'));
  it('rejects a timestamp as a number', () => rejects('createdAt', 1_790_000_000_000, 'invalid_type'));

  it('accepts every listed licence', () => {
    for (const licence of LICENCES) accepts('consent.licence', licence);
  });
  it('rejects a licence that is not listed', () => rejects('consent.licence', 'MIT', 'invalid_value'));
  it('rejects a consent version with spaces', () => rejects('consent.version', 'v 1', 'invalid_value'));
  it('rejects a consent version over the limit', () =>
    rejects('consent.version', 'a'.repeat(LIMITS.consentVersion + 1), 'invalid_value'));
  it('rejects a missing consent', () => rejects('consent', ABSENT, 'missing_field'));
  it('rejects unknown consent fields', () => rejects('consent.age', 18, 'unknown_field'));

  it('rejects unknown top-level fields', () => rejects('rating', 5, 'unknown_field'));
  it('rejects a missing data object', () => rejects('data', ABSENT, 'missing_field'));
  it('rejects data that is not an object', () => rejects('data', 'Haraka', 'invalid_type'));
  it('rejects unknown data fields', () => rejects('data.translation', 'Hurry', 'unknown_field'));
});

const TEXT_FIELDS = [
  { field: 'expression', limit: LIMITS.idiom.expression, required: true },
  { field: 'meaning', limit: LIMITS.idiom.meaning, required: true },
  { field: 'example', limit: LIMITS.idiom.example, required: true },
  { field: 'region', limit: LIMITS.idiom.region, required: false },
] as const;

describe.each(TEXT_FIELDS)('data.$field', ({ field, limit, required }) => {
  const path = `data.${field}`;

  if (required) {
    it('is required', () => rejects(path, ABSENT, 'missing_field'));
  } else {
    it('may be left out', () => accepts(path, ABSENT));
  }
  it('rejects the wrong type', () => rejects(path, 12, 'invalid_type'));
  it('rejects an empty string', () => rejects(path, '', 'empty'));
  it('rejects whitespace only', () => rejects(path, ' \n\t ', 'empty'));
  it('accepts exactly the limit', () => accepts(path, 'a'.repeat(limit)));
  it('rejects one character over the limit', () => rejects(path, 'a'.repeat(limit + 1), 'too_long'));
  it('counts an astral character (emoji) as one character', () => {
    accepts(path, '😀'.repeat(limit));
    rejects(path, '😀'.repeat(limit + 1), 'too_long');
  });
  it('measures the length after NFC normalisation', () => accepts(path, 'e\u0301'.repeat(limit)));
  it('measures the length after trimming', () => accepts(path, ` ${'a'.repeat(limit)}\n`));
  it('rejects control characters', () => {
    for (const c of ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085']) rejects(path, `a${c}b`, 'invalid_text');
  });
  it('rejects bidirectional embeddings, overrides and isolates', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']) rejects(path, `a${c}b`, 'invalid_text');
  });
  it('allows the directional marks (LRM, RLM, ALM)', () => accepts(path, 'a\u200eb\u200fc\u061cd'));
  it('allows tabs and newlines', () => accepts(path, 'line one\n\tline two'));
  it('rejects a lone surrogate', () => {
    rejects(path, 'a\ud800b', 'invalid_text');
    rejects(path, 'a\udfffb', 'invalid_text');
  });
});

describe('normalisation of accepted text', () => {
  it('stores text in NFC, trimmed, with CRLF and CR turned into LF', () => {
    const parsed = Idiom.parse(idiom({ data: { expression: '  Cafe\u0301\r\nau lait\rnoir \n' } }));
    expect(parsed.data.expression).toBe('Caf\u00e9\nau lait\nnoir');
  });

  it('gives the same output for text typed in NFC or NFD', () => {
    const nfc = Idiom.parse(idiom({ id: '0190c8b2-7f4a-7c3d-8e2f-1a2b3c4d5e6f', data: { meaning: 'Ọ̀rọ̀'.normalize('NFC') } }));
    const nfd = Idiom.parse(idiom({ id: '0190c8b2-7f4a-7c3d-8e2f-1a2b3c4d5e6f', data: { meaning: 'Ọ̀rọ̀'.normalize('NFD') } }));
    expect(nfd.data.meaning).toBe(nfc.data.meaning);
  });
});

describe('data.register', () => {
  it('accepts every listed register', () => {
    for (const register of REGISTERS) accepts('data.register', register);
  });
  it('rejects a register that is not listed', () => rejects('data.register', 'posh', 'invalid_value'));
  it('rejects null', () => rejects('data.register', null, 'invalid_value'));
});
