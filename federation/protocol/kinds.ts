/**
 * The `data` of each contribution kind: what the contributor writes or chooses. See DESIGN.md for
 * what each kind becomes in the datasets. Text fields use the shared text validator (NFC, trimmed,
 * no control characters, bounded in code points).
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { LanguageTag } from './language.ts';
import { text } from './text.ts';

export const REGISTERS = ['formal', 'neutral', 'informal', 'slang', 'vulgar', 'archaic'] as const;
export type Register = (typeof REGISTERS)[number];

export const DOMAINS = ['general', 'health', 'law', 'agriculture', 'education', 'public_services', 'culture', 'other'] as const;
export type Domain = (typeof DOMAINS)[number];

/** Why one answer is better than the other (compare). */
export const REASON_TAGS = ['more_natural', 'more_accurate', 'more_polite', 'local_norms', 'safer'] as const;
export type ReasonTag = (typeof REASON_TAGS)[number];

export const COMPARE_CHOICES = ['a', 'b', 'tie', 'both_bad'] as const;
export type CompareChoice = (typeof COMPARE_CHOICES)[number];

export const RULE_TYPES = ['law', 'regulation', 'policy'] as const;

const SeedRef = z.string().regex(/^[A-Za-z0-9._:-]{1,80}$/).meta({ description: 'Id of the campaign seed item shown' });

/** Where a machine-written text came from. Hidden from contributors in compare; always recorded. */
export const TextSource = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('seed'), seed: SeedRef, label: z.string().max(LIMITS.shortText).optional() }).strict(),
    z
      .object({
        type: z.literal('model'),
        model: z.string().min(1).max(200),
        revision: z.string().min(1).max(100),
        dtype: z.string().max(20).optional(),
        device: z.enum(['webgpu', 'wasm', 'server']).optional(),
        settings: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
      })
      .strict(),
  ])
  .meta({ id: 'TextSource' });
export type TextSource = z.output<typeof TextSource>;

export const IdiomData = z
  .object({
    expression: text(LIMITS.idiom.expression),
    meaning: text(LIMITS.idiom.meaning),
    example: text(LIMITS.idiom.example),
    region: text(LIMITS.idiom.region).optional(),
    register: z.enum(REGISTERS).optional(),
  })
  .strict()
  .meta({ id: 'IdiomData' });
export type IdiomData = z.output<typeof IdiomData>;

export const InstructionData = z
  .object({
    prompt: text(LIMITS.prompt),
    answer: text(LIMITS.answer),
    domain: z.enum(DOMAINS),
    seed: SeedRef.optional(),
  })
  .strict()
  .meta({ id: 'InstructionData', description: 'A prompt and a good answer, written in the language' });
export type InstructionData = z.output<typeof InstructionData>;

export const RewriteData = z
  .object({
    prompt: text(LIMITS.prompt),
    draft: text(LIMITS.answer),
    draftSource: TextSource,
    rewrite: text(LIMITS.answer),
    draftRating: z.int().min(1).max(5),
  })
  .strict()
  .meta({ id: 'RewriteData', description: 'A draft answer rewritten as a fluent local speaker would' });
export type RewriteData = z.output<typeof RewriteData>;

const Answer = z.object({ text: text(LIMITS.answer), source: TextSource }).strict();

export const CompareData = z
  .object({
    prompt: text(LIMITS.prompt),
    /** The answers in the order they were shown (the order is random; sources were hidden). */
    a: Answer,
    b: Answer,
    choice: z.enum(COMPARE_CHOICES),
    reasons: z.array(z.enum(REASON_TAGS)).max(REASON_TAGS.length),
    comment: text(LIMITS.comment).optional(),
    seed: SeedRef.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (new Set(d.reasons).size !== d.reasons.length) {
      ctx.addIssue({ code: 'custom', path: ['reasons'], message: 'Each reason once', params: { code: 'invalid_value' } });
    }
  })
  .meta({ id: 'CompareData', description: 'The better of two answers to one prompt, and why' });
export type CompareData = z.output<typeof CompareData>;

export const TranslationData = z
  .object({
    sourceLanguage: LanguageTag,
    source: text(LIMITS.answer),
    translation: text(LIMITS.answer),
    seed: SeedRef.optional(),
  })
  .strict()
  .meta({ id: 'TranslationData', description: 'A sentence in a pivot language and its translation (into `language`)' });
export type TranslationData = z.output<typeof TranslationData>;

export const NormData = z
  .object({
    situation: text(LIMITS.prompt),
    expectation: text(LIMITS.answer),
    goodExample: text(LIMITS.answer),
    poorExample: text(LIMITS.answer),
    domain: z.enum(DOMAINS).optional(),
  })
  .strict()
  .meta({ id: 'NormData', description: 'A cultural preference: what people here expect in a situation' });
export type NormData = z.output<typeof NormData>;

export const RuleData = z
  .object({
    rule: text(LIMITS.prompt),
    ruleType: z.enum(RULE_TYPES),
    citation: text(LIMITS.citation),
    jurisdiction: text(LIMITS.shortText),
    compliantExample: text(LIMITS.answer),
    violatingExample: text(LIMITS.answer),
  })
  .strict()
  .meta({ id: 'RuleData', description: 'A hard rule (law, regulation, policy) with its source and examples' });
export type RuleData = z.output<typeof RuleData>;

export const EvalData = z
  .object({
    question: text(LIMITS.prompt),
    referenceAnswer: text(LIMITS.answer),
    gradingNotes: text(LIMITS.answer),
    domain: z.enum(DOMAINS).optional(),
  })
  .strict()
  .meta({ id: 'EvalData', description: 'A held-out evaluation question with a reference answer' });
export type EvalData = z.output<typeof EvalData>;

export const REVIEW_ACTIONS = ['up', 'down', 'flag'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];
export const FLAG_REASONS = ['spam', 'wrong_language', 'offensive', 'personal_data', 'unsafe', 'duplicate'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];

const TargetId = z.uuidv7().refine((s) => s === s.toLowerCase(), { params: { code: 'invalid_id' } });

export const ReviewData = z
  .object({
    target: TargetId,
    action: z.enum(REVIEW_ACTIONS),
    reason: z.enum(FLAG_REASONS).optional(),
    comment: text(LIMITS.comment).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if ((d.action === 'flag') !== (d.reason !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message: 'A flag needs a reason; a vote has none',
        params: { code: d.action === 'flag' ? 'missing_field' : 'invalid_value' },
      });
    }
  })
  .meta({ id: 'ReviewData', description: 'A vote or a flag on someone else’s item (never one’s own)' });
export type ReviewData = z.output<typeof ReviewData>;

export const WithdrawalData = z
  .discriminatedUnion('scope', [
    z.object({ scope: z.literal('item'), target: TargetId }).strict(),
    z.object({ scope: z.literal('all') }).strict(),
  ])
  .meta({ id: 'WithdrawalData', description: 'A tombstone: one item (with its revisions) or everything by this contributor' });
export type WithdrawalData = z.output<typeof WithdrawalData>;
