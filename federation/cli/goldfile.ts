/**
 * Reading a campaign's gold file: CSV or JSONL, one gold item per row — a content body (`kind`,
 * `language`, `data`) and its known answer (`expected`: good or bad, an optional `note`). Every
 * row is checked with the one wire schema (the body as the `GoldContent` it becomes, under a
 * stand-in envelope the node replaces) and against the campaign (its kinds and languages); every
 * problem is reported by row, field and stable code, and the caller imports nothing unless there
 * are none.
 *
 * JSONL: `{"kind":"idiom","language":"sw","data":{…},"expected":"good","note":"…"}` per line.
 * CSV: a header row; the columns kind, language, expected and note, optionally `data` (a JSON
 * object), and any other column is a text field of `data` (e.g. expression, meaning); empty cells
 * are absent. Rows are numbered as a spreadsheet shows them (the header is row 1).
 */
import {
  type Campaign,
  CONSENT_VERSION,
  CONTENT_KINDS,
  GoldContent,
  GoldAnswerFields,
  issueCode,
  MAX_GOLD_IMPORT,
} from '../protocol/index.ts';
import { goldContentKey, type GoldInput } from '../store/gold.ts';
import { readRows, seedFormat } from './seedfile.ts';

export type GoldFileFormat = 'csv' | 'jsonl';

/**
 * Codes: the protocol's item codes (missing_field, invalid_value, unknown_kind, …) for the body
 * and answer, and kind_not_enabled, language_not_in_campaign, duplicate_in_batch, malformed_csv,
 * malformed_json, too_many_rows.
 */
export interface GoldProblem {
  row: number;
  line: number;
  /** The field (dotted, e.g. data.meaning), or '' for the row as a whole. */
  field: string;
  code: string;
  message: string;
}

export interface GoldFile {
  rows: GoldInput[];
  problems: GoldProblem[];
}

/** A gold file is read like a seed file: CSV, or JSON Lines (.jsonl, .ndjson). */
export function goldFormat(path: string): GoldFileFormat | undefined {
  return seedFormat(path);
}

/** Stands in for the envelope the node makes, so that only the steward's fields are checked. */
const STAND_IN = {
  id: '01900000-0000-7000-8000-000000000000',
  contributor: '00000000-0000-4000-8000-000000000000',
  deviceSeq: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  consent: { version: CONSENT_VERSION, licence: 'CC0-1.0' },
};

const ROW_FIELDS = new Set(['kind', 'language', 'data', 'expected', 'note']);
const CONTENT = new Set<string>(CONTENT_KINDS);

interface Reading extends GoldFile {
  keys: Map<string, number>;
}

function check(value: unknown, row: number, line: number, campaign: Campaign, out: Reading): void {
  const problem = (field: string, code: string, message: string) => out.problems.push({ row, line, field, code, message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problem('', 'invalid_type', 'Each row must be an object');
    return;
  }
  const start = out.problems.length;
  const { kind, language, data, expected, note, ...rest } = value as Record<string, unknown>;
  for (const key of Object.keys(rest)) problem(key, 'unknown_field', `Not a gold field (${[...ROW_FIELDS].join(', ')})`);
  const answer = GoldAnswerFields.safeParse({ expected, ...(note !== undefined ? { note } : {}) }, { reportInput: true });
  if (!answer.success) for (const issue of answer.error.issues) problem(issue.path.join('.'), issueCode(issue), issue.message);
  if (typeof kind === 'string' && !CONTENT.has(kind)) {
    problem('kind', 'unknown_kind', `A gold item is a content item: ${CONTENT_KINDS.join(', ')}`);
  } else {
    const body = GoldContent.safeParse({ ...STAND_IN, campaign: campaign.slug, kind, language, data }, { reportInput: true });
    if (!body.success) {
      for (const issue of body.error.issues) {
        const field = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys.join(', ')].join('.') : issue.path.join('.');
        problem(field, issueCode(issue), issue.message);
      }
    }
  }
  if (typeof kind === 'string' && CONTENT.has(kind) && !campaign.kinds.includes(kind as (typeof campaign.kinds)[number])) {
    problem('kind', 'kind_not_enabled', `Campaign "${campaign.slug}" does not collect ${kind} items`);
  }
  if (typeof language === 'string' && !campaign.languages.includes(language)) {
    problem('language', 'language_not_in_campaign', `Campaign "${campaign.slug}" is in ${campaign.languages.join(', ')}`);
  }
  if (out.problems.length > start) return;
  const input: GoldInput = { kind: kind as GoldInput['kind'], language: language as string, data, expected: answer.data!.expected, note: answer.data!.note };
  const key = goldContentKey(campaign.slug, input);
  const first = out.keys.get(key);
  if (first !== undefined) {
    problem('data', 'duplicate_in_batch', `The same ${String(kind)} as row ${first}`);
    return;
  }
  out.keys.set(key, row);
  out.rows.push(input);
}

function csvRow(header: string[], cells: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const data: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const cell = cells[i];
    if (cell === undefined || cell === '') return;
    if (name === 'data') Object.assign(data, JSON.parse(cell) as object);
    else if (ROW_FIELDS.has(name)) out[name] = cell;
    else data[name] = cell;
  });
  if (Object.keys(data).length > 0) out.data = data;
  return out;
}

/** The rows of a gold file for `campaign`, and every problem found. */
export function readGoldFile(text: string, format: GoldFileFormat, campaign: Campaign): GoldFile {
  const out: Reading = { rows: [], problems: [], keys: new Map() };
  readRows(text, format, out.problems, csvRow, 'data', (value, row, line) => check(value, row, line, campaign, out));
  const rows = out.rows.length + new Set(out.problems.map((p) => p.row)).size;
  if (rows > MAX_GOLD_IMPORT) out.problems.push({ row: 0, line: 0, field: '', code: 'too_many_rows', message: `At most ${MAX_GOLD_IMPORT} gold items per import` });
  return { rows: out.rows, problems: out.problems };
}

export function describeGoldProblem(p: GoldProblem, format: GoldFileFormat): string {
  const where = p.row === 0 ? (p.line > 0 ? `line ${p.line}` : 'file') : format === 'csv' ? `row ${p.row} (line ${p.line})` : `line ${p.line}`;
  return `${where}${p.field ? `, ${p.field}` : ''}: ${p.code} — ${p.message}`;
}
