/**
 * The on-device checks of a form before it is saved: which text to ask the language check about,
 * which fields to scan for personal data, asking the model worker for both (never on the UI
 * thread, never for longer than CHECK_TIMEOUT_MS), one-tap redaction of what was found, and the
 * `checks` record the saved item carries (kinds and counts only, never the personal data itself).
 */
import {
  PERSONAL_DATA_TYPES,
  REDACTION_PLACEHOLDER,
  type Checks,
  type ContentKind,
  type PersonalDataType,
} from '../../../federation/protocol/index.ts';
import type { ModelWorker } from '../../../worker/client.ts';
import type { Span } from '../../../worker/pii.ts';
import { visibleFields, type FormState, type Values } from './forms.ts';

/** A worker that has not answered by then is taken as failed: the item is saved unchecked. */
export const CHECK_TIMEOUT_MS = 8_000;

/** Text fields written in something other than the item's language: a pivot sentence, a place, a law's name. */
const NOT_IN_ITEM_LANGUAGE: Partial<Record<ContentKind, readonly string[]>> = {
  idiom: ['region'],
  translation: ['sourceLanguage', 'source'],
  rule: ['citation', 'jurisdiction'],
};

const TEXT_TYPES = new Set(['line', 'text', 'language']);

function textFields(form: FormState): Array<[string, string]> {
  return visibleFields(form.kind, form.context)
    .filter((f) => TEXT_TYPES.has(f.type))
    .map((f): [string, string] => [f.name, typeof form.values[f.name] === 'string' ? (form.values[f.name] as string) : ''])
    .filter(([, v]) => v.trim() !== '');
}

/** The free text in the item's language, one field per paragraph (the language check reads it whole). */
export function languageText(form: FormState): string {
  const skip = NOT_IN_ITEM_LANGUAGE[form.kind] ?? [];
  return textFields(form)
    .filter(([name]) => !skip.includes(name))
    .map(([, v]) => v.trim())
    .join('\n\n');
}

/** Every typed text field, for the personal-data scan (a pivot sentence may hold a phone number too). */
export function scannedFields(form: FormState): Record<string, string> {
  return Object.fromEntries(textFields(form).filter(([name]) => name !== 'sourceLanguage'));
}

export interface Finding extends Span {
  field: string;
}

export interface LanguageResult {
  detected: string | null;
  score: number;
  matches: boolean;
  detector: string;
}

export interface CheckReport {
  language: LanguageResult;
  /** In field order, then text order. */
  findings: Finding[];
}

/** Asks the worker for both checks at once; rejects when it fails or takes too long. */
export async function runChecks(
  worker: Pick<ModelWorker, 'call'>,
  form: FormState,
  language: string,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<CheckReport> {
  const fields = scannedFields(form);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('The checks took too long')), timeoutMs);
  });
  try {
    const [lang, scan] = await Promise.race([
      Promise.all([worker.call('detectLanguage', { text: languageText(form), language }), worker.call('scanPersonalData', { fields })]),
      timeout,
    ]);
    const findings: Finding[] = [];
    for (const name of Object.keys(fields)) for (const span of scan.fields[name] ?? []) findings.push({ ...span, field: name });
    return { language: lang, findings };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the contributor must look before it is saved: personal data found, or another language. */
export function needsReview(report: CheckReport): boolean {
  return report.findings.length > 0 || !report.language.matches;
}

export type Counts = Partial<Record<PersonalDataType, number>>;

/**
 * Replaces `chosen` findings by their placeholders in the values. Returns the new values, the
 * findings still left (offsets moved to the new text), and how many of each type were replaced.
 */
export function redactFindings(
  values: Values,
  findings: readonly Finding[],
  chosen: readonly Finding[],
): { values: Values; findings: Finding[]; redacted: Counts } {
  const out: Values = { ...values };
  const left: Finding[] = [];
  const redacted: Counts = {};
  const byField = new Map<string, Finding[]>();
  for (const f of findings) byField.set(f.field, [...(byField.get(f.field) ?? []), f]);
  for (const [field, list] of byField) {
    const current = out[field];
    if (typeof current !== 'string') continue;
    let text = current;
    let shift = 0;
    for (const f of [...list].sort((a, b) => a.start - b.start)) {
      const start = f.start + shift;
      const end = f.end + shift;
      if (!chosen.includes(f) || text.slice(start, end) !== f.text) {
        left.push({ ...f, start, end });
        continue;
      }
      const placeholder = REDACTION_PLACEHOLDER[f.type];
      text = text.slice(0, start) + placeholder + text.slice(end);
      shift += placeholder.length - (end - start);
      redacted[f.type] = (redacted[f.type] ?? 0) + 1;
    }
    out[field] = text;
  }
  return { values: out, findings: left, redacted };
}

export function addCounts(a: Counts, b: Counts): Counts {
  const out: Counts = { ...a };
  for (const [type, n] of Object.entries(b) as Array<[PersonalDataType, number]>) out[type] = (out[type] ?? 0) + n;
  return out;
}

const asList = (counts: Counts) =>
  PERSONAL_DATA_TYPES.filter((type) => (counts[type] ?? 0) > 0).map((type) => ({ type, count: counts[type] as number }));

/** The record saved with the item: what was detected and confirmed, what was kept and redacted. */
export function checksRecord(report: CheckReport, redacted: Counts, confirmed: boolean): Checks {
  const kept: Counts = {};
  for (const f of report.findings) kept[f.type] = (kept[f.type] ?? 0) + 1;
  return {
    language: { ...report.language, confirmed: !report.language.matches && confirmed },
    personalData: { kept: asList(kept), redacted: asList(redacted) },
  };
}
