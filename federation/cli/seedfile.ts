/**
 * Reading a campaign's seed file: CSV (a header row naming Seed fields, parsed by csv-parse, so
 * quoted fields may hold commas, quotes and newlines) or JSONL (one Seed per line). Every row is
 * validated with the protocol `Seed` schema and every problem is reported — row, field, stable
 * code — so a librarian fixes the file in one pass. The caller imports nothing unless there are
 * no problems at all.
 *
 * CSV rows are numbered as a spreadsheet shows them (the header is row 1); `line` is the line of
 * the file the row ends on (a quoted field can span lines). JSONL rows are line numbers.
 */
import { parse } from 'csv-parse/sync';
import { LIMITS, Seed, issueCode } from '../protocol/index.ts';

export type SeedFileFormat = 'csv' | 'jsonl';

export interface SeedProblem {
  row: number;
  line: number;
  /** The field, or '' for the row as a whole. */
  field: string;
  /** A protocol item error code, or malformed_csv / malformed_json / too_many_rows for the file. */
  code: string;
  message: string;
}

export interface SeedFile {
  seeds: Seed[];
  problems: SeedProblem[];
}

export function seedFormat(path: string): SeedFileFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return undefined;
}

interface Reading extends SeedFile {
  ids: Set<string>;
}

function validate(value: unknown, row: number, line: number, out: Reading): void {
  const parsed = Seed.safeParse(value, { reportInput: true });
  if (parsed.success) {
    if (out.ids.has(parsed.data.id)) {
      out.problems.push({ row, line, field: 'id', code: 'duplicate_in_batch', message: `Seed id ${parsed.data.id} appears twice` });
      return;
    }
    out.ids.add(parsed.data.id);
    out.seeds.push(parsed.data);
    return;
  }
  for (const issue of parsed.error.issues) {
    const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.');
    out.problems.push({ row, line, field, code: issueCode(issue), message: issue.message });
  }
}

/** A CSV cell → the Seed field value: empty cells are absent, `source` holds a JSON object. */
function cellsToObject(header: string[], cells: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const cell = cells[i];
    if (cell === undefined || cell === '') return;
    out[name] = name === 'source' ? JSON.parse(cell) : cell;
  });
  return out;
}

/**
 * The rows of a steward's file (seeds, gold items), CSV with a header or JSON Lines: each row
 * turned into a value and handed to `onRow` with its row and line numbers; what cannot be read
 * goes to `problems`. `cells` makes a CSV row's value (throwing when a JSON cell, `jsonField`,
 * is not an object).
 */
export function readRows(
  text: string,
  format: SeedFileFormat,
  problems: SeedProblem[],
  cells: (header: string[], record: string[]) => Record<string, unknown>,
  jsonField: string,
  onRow: (value: unknown, row: number, line: number) => void,
): void {
  if (format === 'jsonl') {
    text.split('\n').forEach((raw, i) => {
      const line = i + 1;
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (err) {
        problems.push({ row: line, line, field: '', code: 'malformed_json', message: (err as Error).message });
        return;
      }
      onRow(value, line, line);
    });
    return;
  }
  let records: Array<{ record: string[]; info: { lines: number; records: number } }>;
  try {
    // With `info: true` each record comes with where it was read (the typings do not say so).
    records = parse(text, { info: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as unknown as typeof records;
  } catch (err) {
    problems.push({ row: 0, line: (err as { lines?: number }).lines ?? 0, field: '', code: 'malformed_csv', message: (err as Error).message });
    return;
  }
  const [head, ...rows] = records;
  if (head === undefined) return;
  const header = head.record.map((h) => h.trim());
  for (const { record, info } of rows) {
    const row = info.records;
    if (record.length !== header.length) {
      problems.push({ row, line: info.lines, field: '', code: 'invalid_value', message: `Has ${record.length} fields; the header has ${header.length}` });
      continue;
    }
    let value: Record<string, unknown>;
    try {
      value = cells(header, record);
    } catch {
      problems.push({ row, line: info.lines, field: jsonField, code: 'invalid_value', message: 'Must be a JSON object' });
      continue;
    }
    onRow(value, row, info.lines);
  }
}

export function readSeedFile(text: string, format: SeedFileFormat): SeedFile {
  const out: Reading = { seeds: [], problems: [], ids: new Set() };
  readRows(text, format, out.problems, cellsToObject, 'source', (value, row, line) => validate(value, row, line, out));
  const rows = out.seeds.length + new Set(out.problems.map((p) => p.row)).size;
  if (rows > LIMITS.seedsPerImport) {
    out.problems.push({ row: 0, line: 0, field: '', code: 'too_many_rows', message: `At most ${LIMITS.seedsPerImport} seeds per import` });
  }
  return { seeds: out.seeds, problems: out.problems };
}

export function describeProblem(p: SeedProblem, format: SeedFileFormat): string {
  const where = p.row === 0 ? (p.line > 0 ? `line ${p.line}` : 'file') : format === 'csv' ? `row ${p.row} (line ${p.line})` : `line ${p.line}`;
  return `${where}${p.field ? `, ${p.field}` : ''}: ${p.code} — ${p.message}`;
}
