/**
 * Contributions: what a citizen gives. Every kind shares an envelope (id, campaign, language,
 * contributor and their public key, device sequence, time, consent, the author's signature, and for
 * content kinds the item it revises) and has its own `data` (kinds.ts). Contributions are
 * immutable: the same id always means the same content (the server answers `conflict` otherwise);
 * the signature is not content (signing.ts): a retry may carry another.
 */
import { z } from 'zod';
import { Checks } from './checks.ts';
import { LIMITS } from './limits.ts';
import { LanguageTag } from './language.ts';
import { ContributorKey, ItemSignature } from './signing.ts';
import {
  CompareData,
  EvalData,
  IdiomData,
  InstructionData,
  NormData,
  RewriteData,
  RuleData,
  TranslationData,
  ReviewData,
  WithdrawalData,
} from './kinds.ts';

/** Licences a campaign may give contributions under (SPDX ids of open data/content licences). */
export const LICENCES = [
  'CC0-1.0',
  'CC-BY-4.0',
  'CC-BY-SA-4.0',
  'ODC-By-1.0',
  'ODbL-1.0',
  'PDDL-1.0',
  'CDLA-Permissive-2.0',
  'CDLA-Sharing-1.0',
] as const;
export const DEFAULT_LICENCE = 'CC0-1.0';

/** The consent text version shown on the first-run screen; bump it when the text changes. */
export const CONSENT_VERSION = '2026-11-1';

export const DEFAULT_CAMPAIGN = 'general';

const CampaignSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/)
  .max(LIMITS.campaignSlug)
  .meta({ description: 'Campaign slug; "general" is the open campaign every node has' });

export const Consent = z
  .object({
    version: z.string().regex(/^[A-Za-z0-9.-]{1,32}$/),
    licence: z.enum(LICENCES),
  })
  .strict()
  .meta({ id: 'Consent', description: 'What the contributor agreed to when this was saved' });

const envelope = {
  id: z
    .uuidv7()
    .refine((s) => s === s.toLowerCase(), { message: 'Must be lower case', params: { code: 'invalid_id' } })
    .meta({ description: 'Client-made UUIDv7, lower case; the idempotency key' }),
  campaign: CampaignSlug,
  language: LanguageTag,
  contributor: z
    .uuid()
    .refine((s) => s === s.toLowerCase(), { message: 'Must be lower case', params: { code: 'invalid_id' } })
    .meta({ description: 'Pseudonymous contributor id: derived from `key` (signing.ts contributorIdOf)' }),
  key: ContributorKey,
  signature: ItemSignature,
  deviceSeq: z.int().min(1).max(Number.MAX_SAFE_INTEGER).meta({
    description: 'Per-device sequence number, 1, 2, 3… in the order things were saved',
  }),
  createdAt: z.iso.datetime({ offset: true }).meta({ description: 'When it was saved, device clock' }),
  consent: Consent,
  checks: Checks.optional(),
};

const revisionOf = z
  .uuidv7()
  .refine((s) => s === s.toLowerCase(), { message: 'Must be lower case', params: { code: 'invalid_id' } })
  .optional()
  .meta({
    description:
      'The item this one revises. By the same contributor: an edit, which supersedes it. ' +
      'By someone else: an improvement, a new item linked to the original.',
  });

function kind<K extends string, D extends z.ZodType>(name: K, data: D, description: string) {
  return z
    .object({ ...envelope, revisionOf, kind: z.literal(name), data })
    .strict()
    .meta({ id: name.charAt(0).toUpperCase() + name.slice(1), description });
}

/** A record about other items (review, withdrawal): never revised, so no `revisionOf`. */
function recordKind<K extends string, D extends z.ZodType>(name: K, data: D, description: string) {
  return z
    .object({ ...envelope, kind: z.literal(name), data })
    .strict()
    .meta({ id: name.charAt(0).toUpperCase() + name.slice(1), description });
}

export const Idiom = kind('idiom', IdiomData, 'An expression, what it means and how it is used');
export const Instruction = kind('instruction', InstructionData, 'A prompt and a good answer in the language');
export const Rewrite = kind('rewrite', RewriteData, 'A draft rewritten by a fluent speaker, with a rating of the draft');
export const Compare = kind('compare', CompareData, 'A preference between two answers');
export const Translation = kind('translation', TranslationData, 'A translation from a pivot language');
export const Norm = kind('norm', NormData, 'A cultural norm ("soft" culture)');
export const Rule = kind('rule', RuleData, 'A hard rule (guardrail)');
export const Eval = kind('eval', EvalData, 'An evaluation question');
export const Review = recordKind('review', ReviewData, 'A review of someone else’s item');
export const Withdrawal = recordKind('withdrawal', WithdrawalData, 'A withdrawal (tombstone)');

/** Every kind of contribution, discriminated by `kind`. */
export const Contribution = z
  .discriminatedUnion('kind', [Idiom, Instruction, Rewrite, Compare, Translation, Norm, Rule, Eval, Review, Withdrawal])
  .meta({ id: 'Contribution' });
export type Contribution = z.output<typeof Contribution>;
export type ContributionInput = z.input<typeof Contribution>;
export type ContributionKind = Contribution['kind'];
export type ContributionOf<K extends ContributionKind> = Extract<Contribution, { kind: K }>;

/** Kinds that carry knowledge and go through review; the others are records about them. */
export const CONTENT_KINDS = ['idiom', 'instruction', 'rewrite', 'compare', 'translation', 'norm', 'rule', 'eval'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];
export const RECORD_KINDS = ['review', 'withdrawal'] as const;
export const CONTRIBUTION_KINDS = [...CONTENT_KINDS, ...RECORD_KINDS] as const satisfies readonly ContributionKind[];
export type ContentContribution = ContributionOf<ContentKind>;

/** Envelope members that say who made an item and when: never shown to other contributors. */
const PRIVATE = { contributor: true, key: true, signature: true, deviceSeq: true, createdAt: true, checks: true } as const;

/**
 * What a reviewer is shown of a content item: its content, never who made it, with which key, on
 * which device or when (pseudonyms stay private; gold items look the same).
 */
export const ReviewContent = z
  .discriminatedUnion('kind', [
    Idiom.omit(PRIVATE), Instruction.omit(PRIVATE), Rewrite.omit(PRIVATE), Compare.omit(PRIVATE),
    Translation.omit(PRIVATE), Norm.omit(PRIVATE), Rule.omit(PRIVATE), Eval.omit(PRIVATE),
  ])
  .meta({ id: 'ReviewContent' });
export type ReviewContent = z.output<typeof ReviewContent>;

/** `item` as a reviewer is shown it (ReviewContent). */
export function reviewContentOf(item: { [key: string]: unknown }): ReviewContent {
  const { contributor: _c, key: _k, signature: _s, deviceSeq: _d, createdAt: _t, checks: _x, ...content } = item;
  return content as unknown as ReviewContent;
}

/**
 * A contribution before its author signs it: what the device keeps in its outbox (it signs a
 * batch at a time when it sends, signing.ts).
 */
const NO_SIGNATURE = { signature: true } as const;
export const UnsignedContribution = z
  .discriminatedUnion('kind', [
    Idiom.omit(NO_SIGNATURE), Instruction.omit(NO_SIGNATURE), Rewrite.omit(NO_SIGNATURE), Compare.omit(NO_SIGNATURE),
    Translation.omit(NO_SIGNATURE), Norm.omit(NO_SIGNATURE), Rule.omit(NO_SIGNATURE), Eval.omit(NO_SIGNATURE),
    Review.omit(NO_SIGNATURE), Withdrawal.omit(NO_SIGNATURE),
  ])
  .meta({ id: 'UnsignedContribution' });
export type UnsignedContribution = z.output<typeof UnsignedContribution>;
/** `T` without its signature, kind by kind. */
export type Unsigned<T> = T extends unknown ? Omit<T, 'signature'> : never;

/** A content item without key and signature: what a node makes of a gold item (never a contribution). */
const KEYLESS = { key: true, signature: true } as const;
export const GoldContent = z
  .discriminatedUnion('kind', [
    Idiom.omit(KEYLESS), Instruction.omit(KEYLESS), Rewrite.omit(KEYLESS), Compare.omit(KEYLESS),
    Translation.omit(KEYLESS), Norm.omit(KEYLESS), Rule.omit(KEYLESS), Eval.omit(KEYLESS),
  ])
  .meta({ id: 'GoldContent' });
export type GoldContent = z.output<typeof GoldContent>;

export function isContent<T extends { kind: string }>(c: T): c is Extract<T, { kind: ContentKind }> {
  return (CONTENT_KINDS as readonly string[]).includes(c.kind);
}
