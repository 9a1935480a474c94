/**
 * From any kind's form to a contribution, with the same schemas the server applies: what a form
 * accepts, the server accepts.
 *
 * Each content kind is described once, as a list of fields (what the contributor types or picks).
 * Whatever a kind's data holds that is not one of its fields is "context": text the contributor
 * was shown, not typed — a seed prompt, a draft and its source, two answers to compare, a pivot
 * sentence. A form therefore is `{ values, context }`; its data is `{ ...context, ...values }`,
 * checked by the kind's schema. Editing an item splits its data back into the same two parts.
 */
import { v7 as uuidv7 } from 'uuid';
import {
  COMPARE_CHOICES,
  type Checks,
  CompareData,
  type Contribution,
  DEFAULT_CAMPAIGN,
  DOMAINS,
  EvalData,
  IdiomData,
  InstructionData,
  LIMITS,
  NormData,
  REASON_TAGS,
  REGISTERS,
  RULE_TYPES,
  RewriteData,
  RuleData,
  TranslationData,
  UnsignedContribution,
  fieldProblems,
  type ContentContribution,
  type ContentKind,
  type ItemErrorCode,
  type Seed,
} from '../../../federation/protocol/index.ts';
import type { ConsentRecord, Identity } from './identity.ts';

export type FieldKind = 'line' | 'text' | 'select' | 'rating' | 'choice' | 'tags' | 'language';

export interface FieldSpec {
  name: string;
  type: FieldKind;
  /** Most code points (text fields). */
  max?: number;
  optional?: boolean;
  /** Allowed values (select, choice, tags). */
  options?: readonly string[];
}

const line = (name: string, max: number, optional = false): FieldSpec => ({ name, type: 'line', max, optional });
const text = (name: string, max: number, optional = false): FieldSpec => ({ name, type: 'text', max, optional });
const select = (name: string, options: readonly string[], optional = false): FieldSpec => ({ name, type: 'select', options, optional });

export const FIELDS: Record<ContentKind, FieldSpec[]> = {
  idiom: [
    line('expression', LIMITS.idiom.expression),
    text('meaning', LIMITS.idiom.meaning),
    text('example', LIMITS.idiom.example),
    line('region', LIMITS.idiom.region, true),
    select('register', REGISTERS, true),
  ],
  instruction: [text('prompt', LIMITS.prompt), text('answer', LIMITS.answer), select('domain', DOMAINS)],
  rewrite: [text('rewrite', LIMITS.answer), { name: 'draftRating', type: 'rating', options: ['1', '2', '3', '4', '5'] }],
  compare: [
    { name: 'choice', type: 'choice', options: COMPARE_CHOICES },
    { name: 'reasons', type: 'tags', options: REASON_TAGS, optional: true },
    text('comment', LIMITS.comment, true),
  ],
  translation: [
    { name: 'sourceLanguage', type: 'language', max: LIMITS.languageTag },
    text('source', LIMITS.answer),
    text('translation', LIMITS.answer),
  ],
  norm: [
    text('situation', LIMITS.prompt),
    text('expectation', LIMITS.answer),
    text('goodExample', LIMITS.answer),
    text('poorExample', LIMITS.answer),
    select('domain', DOMAINS, true),
  ],
  rule: [
    text('rule', LIMITS.prompt),
    select('ruleType', RULE_TYPES),
    line('citation', LIMITS.citation),
    line('jurisdiction', LIMITS.shortText),
    text('compliantExample', LIMITS.answer),
    text('violatingExample', LIMITS.answer),
  ],
  eval: [
    text('question', LIMITS.prompt),
    text('referenceAnswer', LIMITS.answer),
    text('gradingNotes', LIMITS.answer),
    select('domain', DOMAINS, true),
  ],
};

const SCHEMAS = {
  idiom: IdiomData,
  instruction: InstructionData,
  rewrite: RewriteData,
  compare: CompareData,
  translation: TranslationData,
  norm: NormData,
  rule: RuleData,
  eval: EvalData,
} as const;

/** Kinds that cannot be done without something to start from (a seed, or later a model draft). */
export const NEEDS_CONTEXT: readonly ContentKind[] = ['rewrite', 'compare'];

export type Values = Record<string, string | string[]>;
export type Context = Record<string, unknown>;

export interface FormState {
  kind: ContentKind;
  values: Values;
  context: Context;
}

export type FieldErrors = Record<string, ItemErrorCode>;

export type ContentData = ContentContribution['data'];
export type Validated = { ok: true; data: ContentData } | { ok: false; errors: FieldErrors };

/** The fields a form shows: those of the kind that the context does not already give. */
export function visibleFields(kind: ContentKind, context: Context): FieldSpec[] {
  return FIELDS[kind].filter((f) => !(f.name in context));
}

export function emptyValues(kind: ContentKind): Values {
  const values: Values = {};
  for (const f of FIELDS[kind]) values[f.name] = f.type === 'tags' ? [] : '';
  return values;
}

export function emptyForm(kind: ContentKind, context: Context = {}): FormState {
  return { kind, values: emptyValues(kind), context };
}

/** What the schema is given: empty optional fields left out, ratings as numbers. */
function input(state: FormState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of visibleFields(state.kind, state.context)) {
    const v = state.values[f.name];
    if (Array.isArray(v)) {
      out[f.name] = v;
      continue;
    }
    const s = v ?? '';
    if (f.optional && s.trim() === '') continue;
    if (f.type === 'rating') out[f.name] = s === '' ? undefined : Number(s);
    else out[f.name] = s;
  }
  return { ...state.context, ...out };
}

export function validate(state: FormState): Validated {
  const parsed = SCHEMAS[state.kind].safeParse(input(state));
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const [path, code] of fieldProblems(parsed.error)) {
    // Errors inside context (e.g. a seed's own text) are shown on the form as a whole.
    const field = path.split('.')[0] || 'form';
    errors[field] ??= code;
  }
  return { ok: false, errors };
}

/** Splits an item's data back into what the contributor typed and what they were shown. */
export function formFromData(kind: ContentKind, data: ContentData): FormState {
  const values = emptyValues(kind);
  const context: Context = {};
  const names = new Set(FIELDS[kind].map((f) => f.name));
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (names.has(k)) values[k] = Array.isArray(v) ? v.map(String) : String(v);
    else context[k] = v;
  }
  // A translation typed by its author keeps its source editable; one from a seed does not.
  if (kind === 'translation' && !('seed' in context)) return { kind, values, context: {} };
  if (kind === 'translation') {
    context.source = values.source;
    context.sourceLanguage = values.sourceLanguage;
  }
  // An instruction answering a seed prompt keeps the prompt it was given.
  if (kind === 'instruction' && 'seed' in context) context.prompt = values.prompt;
  return { kind, values, context };
}

/** Pseudo-random order of two items (compare shows its answers in random order). */
export type Random = () => number;

/** The context a seed gives its kind's form; compare answers are put in random order. */
export function contextFromSeed(seed: Seed, random: Random): Context {
  switch (seed.type) {
    case 'prompt':
      return { prompt: seed.prompt, seed: seed.id };
    case 'draft':
      return { prompt: seed.prompt, draft: seed.draft, draftSource: seed.source ?? { type: 'seed', seed: seed.id } };
    case 'pair': {
      const first = { text: seed.answerA, source: { type: 'seed', seed: seed.id, ...(seed.sourceA ? { label: seed.sourceA } : {}) } };
      const second = { text: seed.answerB, source: { type: 'seed', seed: seed.id, ...(seed.sourceB ? { label: seed.sourceB } : {}) } };
      const [a, b] = random() < 0.5 ? [first, second] : [second, first];
      return { prompt: seed.prompt, a, b, seed: seed.id };
    }
    case 'pivot':
      return { source: seed.text, sourceLanguage: seed.sourceLanguage, seed: seed.id };
  }
}

/** The seed id a context came from, if any (so it can be marked used). */
export function seedOf(context: Context): string | undefined {
  if (typeof context.seed === 'string') return context.seed;
  const src = context.draftSource as { type?: string; seed?: string } | undefined;
  return src?.type === 'seed' ? src.seed : undefined;
}

export interface ContributionContext {
  identity: Identity;
  consent: ConsentRecord;
  language: string;
  campaign?: string;
}

/** Builds and checks the full contribution; throws if the schema would refuse it. */
export function makeContribution(
  kind: ContentKind,
  data: ContentData,
  ctx: ContributionContext,
  deviceSeq: number,
  options: { revisionOf?: string; now?: number; checks?: Checks } = {},
): UnsignedContribution {
  const now = options.now ?? Date.now();
  return UnsignedContribution.parse({
    id: uuidv7({ msecs: now }),
    kind,
    campaign: ctx.campaign ?? DEFAULT_CAMPAIGN,
    language: ctx.language,
    contributor: ctx.identity.contributorId,
    key: ctx.identity.key,
    deviceSeq,
    createdAt: new Date(now).toISOString(),
    consent: { version: ctx.consent.version, licence: ctx.consent.licence },
    ...(options.revisionOf ? { revisionOf: options.revisionOf } : {}),
    ...(options.checks ? { checks: options.checks } : {}),
    data,
  });
}

/** A record about another item (a review or a withdrawal); never revisable. */
export function makeRecord(
  record: { kind: 'review'; data: Extract<Contribution, { kind: 'review' }>['data'] } | { kind: 'withdrawal'; data: Extract<Contribution, { kind: 'withdrawal' }>['data'] },
  ctx: ContributionContext,
  deviceSeq: number,
  now = Date.now(),
): UnsignedContribution {
  return UnsignedContribution.parse({
    id: uuidv7({ msecs: now }),
    kind: record.kind,
    campaign: ctx.campaign ?? DEFAULT_CAMPAIGN,
    language: ctx.language,
    contributor: ctx.identity.contributorId,
    key: ctx.identity.key,
    deviceSeq,
    createdAt: new Date(now).toISOString(),
    consent: { version: ctx.consent.version, licence: ctx.consent.licence },
    data: record.data,
  });
}
