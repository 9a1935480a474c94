/**
 * Where each content kind keeps its strings, read from the protocol's own schemas (kinds.ts) once:
 * the free text people typed (the `text()` fields) and every other string the item carries — seed
 * ids, model names and revisions, generation settings (their keys too), language tags. Stage 2
 * normalises the free text; stage 6 scans all of them for personal data, redacts it in free text
 * and leaves out an item that has it anywhere else (an id or a tag cannot be redacted). A field a
 * kind gains is covered without a list to update; a schema shape this walk does not know fails
 * at start-up rather than being skipped.
 */
import type { z } from 'zod';
import {
  CompareData,
  type ContentKind,
  EvalData,
  IdiomData,
  InstructionData,
  isTextField,
  NormData,
  RewriteData,
  RuleData,
  TranslationData,
} from '../protocol/index.ts';

/** Keys from `data` down; `*` is every value of a record, `*key` every key of it, `[]` every element of an array. */
export type FieldPath = readonly string[];

export interface KindFields {
  /** Free-text fields, in the order stage 2 joins them (key by key, alphabetically at each level). */
  text: FieldPath[];
  /** Every other string: ids, names, tags, codes that are not from a closed list. */
  other: FieldPath[];
}

const DATA: Record<ContentKind, z.ZodType> = {
  idiom: IdiomData,
  instruction: InstructionData,
  rewrite: RewriteData,
  compare: CompareData,
  translation: TranslationData,
  norm: NormData,
  rule: RuleData,
  eval: EvalData,
};

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Types that hold no string, or only one from a closed list (which cannot carry personal data). */
const NO_FREE_STRING = new Set(['enum', 'literal', 'number', 'int', 'boolean', 'bigint', 'null', 'undefined', 'date', 'nan']);

function walk(schema: z.ZodType, path: string[], out: KindFields): void {
  if (isTextField(schema)) {
    out.text.push(path);
    return;
  }
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return walk(def.innerType!, path, out);
    case 'pipe':
      return walk(def.in!, path, out);
    case 'string':
    case 'template_literal':
      out.other.push(path);
      return;
    case 'object':
      for (const [key, value] of Object.entries(def.shape!)) walk(value, [...path, key], out);
      return;
    case 'union':
      for (const option of def.options!) walk(option, path, out);
      return;
    case 'array':
      return walk(def.element!, [...path, '[]'], out);
    case 'record':
      walk(def.keyType!, [...path, '*key'], out);
      return walk(def.valueType!, [...path, '*'], out);
    default:
      if (NO_FREE_STRING.has(def.type)) return;
      throw new Error(`fields.ts: a kind's data schema holds a ${def.type} at ${path.join('.') || '(data)'}, which this walk does not know`);
  }
}

const unique = (paths: FieldPath[]) => [...new Map(paths.map((p) => [p.join('\u0000'), p])).values()];

const compareKeys = (a: FieldPath, b: FieldPath) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
};

function fieldsOf(schema: z.ZodType): KindFields {
  const out: KindFields = { text: [], other: [] };
  walk(schema, [], out);
  const text = unique(out.text).sort(compareKeys);
  const other = unique(out.other).filter((p) => !text.some((t) => t.join('\u0000') === p.join('\u0000'))).sort(compareKeys);
  return { text, other };
}

export const KIND_FIELDS: Readonly<Record<ContentKind, KindFields>> = Object.fromEntries(
  Object.entries(DATA).map(([kind, schema]) => [kind, fieldsOf(schema)]),
) as Record<ContentKind, KindFields>;

/**
 * Calls `visit` with every string at `path` in `data` and a setter that replaces it (a record's key
 * is renamed, keeping its place). Absent optional fields are skipped.
 */
export function eachString(data: unknown, path: FieldPath, visit: (value: string, set: (next: string) => void) => void, at = 0): void {
  if (at === path.length) return;
  if (typeof data !== 'object' || data === null) return;
  const key = path[at]!;
  const last = at === path.length - 1;
  const record = data as Record<string, unknown>;
  if (key === '[]') {
    if (!Array.isArray(data)) return;
    data.forEach((value, i) => {
      if (last) {
        if (typeof value === 'string') visit(value, (next) => (data[i] = next));
      } else eachString(value, path, visit, at + 1);
    });
    return;
  }
  if (key === '*key') {
    for (const k of Object.keys(record)) visit(k, (next) => renameKey(record, k, next));
    return;
  }
  const keys = key === '*' ? Object.keys(record) : [key];
  for (const k of keys) {
    const value = record[k];
    if (last) {
      if (typeof value === 'string') visit(value, (next) => (record[k] = next));
    } else eachString(value, path, visit, at + 1);
  }
}

function renameKey(record: Record<string, unknown>, from: string, to: string): void {
  if (from === to) return;
  const entries = Object.entries(record).map(([k, v]) => [k === from ? to : k, v] as const);
  for (const k of Object.keys(record)) delete record[k];
  for (const [k, v] of entries) record[k] = v;
}

/** A copy of `data` deep enough to change its strings in place. */
export function copyData<T>(data: T): T {
  return structuredClone(data);
}
