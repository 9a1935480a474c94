/**
 * The rows of each dataset configuration, one mapping per kind. Every row of a configuration has
 * the same keys (absent optional values are `null`), because dataset loaders infer one column
 * schema for the whole file. Where a text came from (a seed, a model) is given as a short string
 * — `seed:<id>`, `model:<id>@<revision>`, `contributor` — for the same reason.
 */
import type { StoredContribution } from '../store/index.ts';
import type { ContentKind, ContributionOf, TextSource } from '../protocol/index.ts';
import {
  assistant,
  type ChatMessage,
  idiomConversation,
  normConversation,
  translationConversation,
  user,
} from './prompts.ts';

export type Stored<K extends ContentKind> = StoredContribution & { contribution: ContributionOf<K> };

export function isKind<K extends ContentKind>(stored: StoredContribution, kind: K): stored is Stored<K> {
  return stored.contribution.kind === kind;
}

/** Where a record came from; on every row of every configuration except `sft`. */
export interface Provenance {
  licence: string;
  /** The contributor's pseudonym: the release pipeline writes a keyed hash of their id (release/pseudonyms.ts), never the id. */
  contributor: string;
  campaign: string;
  created_at: string;
  /** The item this one revises (an edit or an improvement), or null. */
  revision_of: string | null;
}

function provenance(c: ContributionOf<ContentKind>): Provenance {
  return {
    licence: c.consent.licence,
    contributor: c.contributor,
    campaign: c.campaign,
    created_at: c.createdAt,
    revision_of: c.revisionOf ?? null,
  };
}

export function sourceLabel(source: TextSource): string {
  return source.type === 'seed' ? `seed:${source.seed}` : `model:${source.model}@${source.revision}`;
}

/** How a model wrote a text (dtype, device, generation settings); null for other texts. */
export interface Generation {
  dtype: string | null;
  device: string | null;
  settings: Record<string, number | string | boolean>;
}

export function generationOf(source: TextSource | 'contributor'): Generation | null {
  if (source === 'contributor' || source.type !== 'model') return null;
  return { dtype: source.dtype ?? null, device: source.device ?? null, settings: source.settings ?? {} };
}

export interface IdiomRecord extends Provenance {
  id: string;
  language: string;
  expression: string;
  meaning: string;
  example: string;
  region: string | null;
  register: string | null;
}

export function idiomRecord({ contribution: c }: Stored<'idiom'>): IdiomRecord {
  return {
    id: c.id,
    language: c.language,
    expression: c.data.expression,
    meaning: c.data.meaning,
    example: c.data.example,
    region: c.data.region ?? null,
    register: c.data.register ?? null,
    ...provenance(c),
  };
}

export interface SftRecord {
  messages: ChatMessage[];
  id: string;
  language: string;
  /** The kind it was made from. */
  kind: ContentKind;
}

/** The chat for the kinds that make one (idiom, instruction, rewrite, translation, norm). */
export function sftRecord(stored: StoredContribution): SftRecord | undefined {
  const c = stored.contribution;
  let messages: ChatMessage[];
  switch (c.kind) {
    case 'idiom':
      messages = idiomConversation(c.data);
      break;
    case 'instruction':
      messages = [user(c.data.prompt), assistant(c.data.answer)];
      break;
    case 'rewrite':
      messages = [user(c.data.prompt), assistant(c.data.rewrite)];
      break;
    case 'translation':
      messages = translationConversation(c.data, c.language);
      break;
    case 'norm':
      messages = normConversation(c.data);
      break;
    default:
      return undefined;
  }
  return { messages, id: c.id, language: c.language, kind: c.kind };
}

/** TRL's explicit-prompt conversational preference format, with why and from where. */
export interface PreferenceRecord extends Provenance {
  id: string;
  language: string;
  kind: 'rewrite' | 'compare';
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
  /** Reason tags (compare), or [] (rewrite). */
  reasons: string[];
  comment: string | null;
  chosen_source: string;
  rejected_source: string;
  /** For a model-written text: the dtype, device and settings it was generated with. */
  chosen_generation: Generation | null;
  rejected_generation: Generation | null;
  /** The contributor's 1–5 rating of the draft (rewrite), or null. */
  draft_rating: number | null;
}

/**
 * A rewrite prefers the contributor's rewrite over the draft; a compare prefers the answer picked.
 * A tie or "both bad" says nothing about which is better, so it makes no pair.
 */
export function preferenceRecord(stored: StoredContribution): PreferenceRecord | undefined {
  const c = stored.contribution;
  if (c.kind === 'rewrite') {
    return {
      id: c.id,
      language: c.language,
      kind: 'rewrite',
      prompt: [user(c.data.prompt)],
      chosen: [assistant(c.data.rewrite)],
      rejected: [assistant(c.data.draft)],
      reasons: [],
      comment: null,
      chosen_source: 'contributor',
      rejected_source: sourceLabel(c.data.draftSource),
      chosen_generation: null,
      rejected_generation: generationOf(c.data.draftSource),
      draft_rating: c.data.draftRating,
      ...provenance(c),
    };
  }
  if (c.kind === 'compare' && (c.data.choice === 'a' || c.data.choice === 'b')) {
    const [chosen, rejected] = c.data.choice === 'a' ? [c.data.a, c.data.b] : [c.data.b, c.data.a];
    return {
      id: c.id,
      language: c.language,
      kind: 'compare',
      prompt: [user(c.data.prompt)],
      chosen: [assistant(chosen.text)],
      rejected: [assistant(rejected.text)],
      reasons: [...c.data.reasons],
      comment: c.data.comment ?? null,
      chosen_source: sourceLabel(chosen.source),
      rejected_source: sourceLabel(rejected.source),
      chosen_generation: generationOf(chosen.source),
      rejected_generation: generationOf(rejected.source),
      draft_rating: null,
      ...provenance(c),
    };
  }
  return undefined;
}

export interface TranslationRecord extends Provenance {
  id: string;
  source_language: string;
  source: string;
  target_language: string;
  target: string;
}

export function translationRecord({ contribution: c }: Stored<'translation'>): TranslationRecord {
  return {
    id: c.id,
    source_language: c.data.sourceLanguage,
    source: c.data.source,
    target_language: c.language,
    target: c.data.translation,
    ...provenance(c),
  };
}

export interface NormRecord extends Provenance {
  id: string;
  language: string;
  situation: string;
  expectation: string;
  good_example: string;
  poor_example: string;
  domain: string | null;
}

export function normRecord({ contribution: c }: Stored<'norm'>): NormRecord {
  return {
    id: c.id,
    language: c.language,
    situation: c.data.situation,
    expectation: c.data.expectation,
    good_example: c.data.goodExample,
    poor_example: c.data.poorExample,
    domain: c.data.domain ?? null,
    ...provenance(c),
  };
}

export interface RuleRecord extends Provenance {
  id: string;
  language: string;
  rule: string;
  type: string;
  citation: string;
  jurisdiction: string;
  compliant_example: string;
  violating_example: string;
}

export function ruleRecord({ contribution: c }: Stored<'rule'>): RuleRecord {
  return {
    id: c.id,
    language: c.language,
    rule: c.data.rule,
    type: c.data.ruleType,
    citation: c.data.citation,
    jurisdiction: c.data.jurisdiction,
    compliant_example: c.data.compliantExample,
    violating_example: c.data.violatingExample,
    ...provenance(c),
  };
}

export interface EvalRecord extends Provenance {
  id: string;
  language: string;
  question: string;
  reference_answer: string;
  grading_notes: string;
  domain: string | null;
}

export function evalRecord({ contribution: c }: Stored<'eval'>): EvalRecord {
  return {
    id: c.id,
    language: c.language,
    question: c.data.question,
    reference_answer: c.data.referenceAnswer,
    grading_notes: c.data.gradingNotes,
    domain: c.data.domain ?? null,
    ...provenance(c),
  };
}
