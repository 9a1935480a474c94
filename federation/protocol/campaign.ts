/**
 * Campaigns: what a library drive or a class works on. A node stores them; the app lists them,
 * caches them for offline use and draws seed items from them. Seeds are what some kinds start
 * from: prompts (instruction), drafts (rewrite), answer pairs (compare), pivot sentences
 * (translation).
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { LanguageTag } from './language.ts';
import { CONTENT_KINDS, DEFAULT_CAMPAIGN, LICENCES } from './contribution.ts';
import { ConsensusRule, DEFAULT_CONSENSUS } from './consensus.ts';
import { ReviewerPolicy } from './reviewers.ts';
import { DOMAINS, TextSource } from './kinds.ts';
import { text } from './text.ts';

export const CampaignSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/)
  .max(LIMITS.campaignSlug)
  .meta({ id: 'CampaignSlug' });

/** Short, unambiguous, easy to read aloud or type: no 0/O, 1/I/L. */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const JoinCode = z
  .string()
  .regex(new RegExp(`^[${JOIN_CODE_ALPHABET}]{6,${LIMITS.joinCode}}$`))
  .meta({ id: 'JoinCode', description: 'Short code people type to join a campaign' });

export const Goal = z.object({ kind: z.enum(CONTENT_KINDS), target: z.int().min(1).max(10_000_000) }).strict();

/**
 * A model the campaign drafts rewrite answers with, on the contributor's device: an id from the
 * node's model manifest (`vernacular models list`), at a revision (absent: the latest import), with
 * the campaign's default generation settings: `maxNewTokens` (default 128) and `temperature`
 * (absent or 0: greedy decoding, which makes the same draft for the same prompt on every device).
 */
export const DraftModel = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/),
    revision: z.string().regex(/^[0-9a-f]{32}$/).optional(),
    maxNewTokens: z.int().min(1).max(1024).optional(),
    temperature: z.number().min(0).max(2).optional(),
  })
  .strict()
  .meta({ id: 'DraftModel' });
export type DraftModel = z.output<typeof DraftModel>;

/** Greedy and 128 new tokens unless the campaign says otherwise. */
export const DEFAULT_DRAFT_MAX_NEW_TOKENS = 128;

/** The same model named twice: same id and same revision (absent = the latest import). */
const sameModel = (a: DraftModel, b: DraftModel) => a.id === b.id && a.revision === b.revision;

/**
 * The models a campaign's compare items come from: one (paired with the seed's reference answer)
 * or two different ones (two models, or two revisions of one model); each with its own settings.
 */
export const CompareModels = z
  .array(DraftModel)
  .min(1)
  .max(2)
  .superRefine((models, ctx) => {
    if (models.length === 2 && sameModel(models[0]!, models[1]!)) {
      ctx.addIssue({ code: 'custom', path: [1], message: 'The two compare models must differ (id or revision)', params: { code: 'invalid_value' } });
    }
  })
  .meta({
    id: 'CompareModels',
    description: "The models whose on-device answers contributors compare: one (against the seed's reference answer) or two different ones (model or revision)",
  });
export type CompareModels = z.output<typeof CompareModels>;

/**
 * Who finds a campaign: `public` ones are listed to everyone (GET /api/v1/campaigns); `unlisted`
 * ones only by their join code (a class). Absent means public, so campaigns stored before the
 * field existed keep their bytes.
 */
export const CAMPAIGN_VISIBILITIES = ['public', 'unlisted'] as const;
export type CampaignVisibility = (typeof CAMPAIGN_VISIBILITIES)[number];

export const Campaign = z
  .object({
    slug: CampaignSlug,
    title: text(LIMITS.campaignTitle),
    description: text(LIMITS.campaignDescription, { min: 0 }),
    languages: z.array(LanguageTag).min(1).max(50),
    region: text(LIMITS.shortText).optional(),
    domain: z.enum(DOMAINS).optional(),
    kinds: z.array(z.enum(CONTENT_KINDS)).min(1),
    goals: z.array(Goal).default([]),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    licence: z.enum(LICENCES),
    joinCode: JoinCode,
    consensus: ConsensusRule.default(DEFAULT_CONSENSUS),
    /**
     * Whose votes count and how far they must agree (reviewers.ts). Absent: the default policy,
     * which campaigns stored before policies existed follow too.
     */
    reviewers: ReviewerPolicy.optional(),
    /**
     * The on-device models the campaign uses: `draft` writes rewrite drafts; `compare` writes the
     * answers of compare items — one model (its answer against the seed's reference answer) or two
     * (two models, or two revisions of one, against each other).
     */
    models: z.object({ draft: DraftModel.optional(), compare: CompareModels.optional() }).strict().optional(),
    /** Listed to everyone (absent: public) or found only by join code. */
    visibility: z.enum(CAMPAIGN_VISIBILITIES).optional(),
    /** Bumped by the node on every change, so the app knows when its cached copy is stale. */
    version: z.int().min(1),
  })
  .strict()
  .meta({ id: 'Campaign', description: 'A campaign as staff and federation see it, join code included' });
export type Campaign = z.output<typeof Campaign>;

/**
 * A campaign as contributors get it: everything but the join code, which goes only to the staff
 * who may manage the campaign (a listed code would let anyone into any class).
 */
export const PublicCampaign = Campaign.omit({ joinCode: true })
  .strict()
  .meta({ id: 'PublicCampaign', description: 'A campaign as contributors see it: no join code' });
export type PublicCampaign = z.output<typeof PublicCampaign>;

export function publicCampaign(campaign: Campaign | PublicCampaign): PublicCampaign {
  const { joinCode: _code, ...rest } = campaign as Campaign;
  return rest;
}

/** Whether GET /api/v1/campaigns lists it. */
export const isListed = (campaign: Pick<Campaign, 'visibility'>): boolean => campaign.visibility !== 'unlisted';

/** The join code of `general` (a valid code, so the campaign passes its own schema). */
export const GENERAL_JOIN_CODE = 'SHARED';

/** The open campaign every node offers, even before a librarian creates one. */
export function generalCampaign(languages: string[] = []): Campaign {
  return {
    slug: DEFAULT_CAMPAIGN,
    title: 'General',
    description: '',
    languages: languages.length ? languages : ['und'],
    kinds: [...CONTENT_KINDS],
    goals: [],
    licence: 'CC0-1.0',
    joinCode: GENERAL_JOIN_CODE,
    consensus: DEFAULT_CONSENSUS,
    version: 1,
  };
}

export const SEED_TYPES = ['prompt', 'draft', 'pair', 'pivot'] as const;
export type SeedType = (typeof SEED_TYPES)[number];

const SeedId = z.string().regex(/^[A-Za-z0-9._:-]{1,80}$/);
const seedBase = { id: SeedId, language: LanguageTag.optional() };

/** A seed item as imported (one CSV row or JSONL line) and as served to the app. */
export const Seed = z
  .discriminatedUnion('type', [
    z.object({ ...seedBase, type: z.literal('prompt'), prompt: text(LIMITS.prompt) }).strict(),
    z
      .object({ ...seedBase, type: z.literal('draft'), prompt: text(LIMITS.prompt), draft: text(LIMITS.answer), source: TextSource.optional() })
      .strict(),
    z
      .object({
        ...seedBase,
        type: z.literal('pair'),
        prompt: text(LIMITS.prompt),
        answerA: text(LIMITS.answer),
        answerB: text(LIMITS.answer),
        sourceA: text(LIMITS.shortText).optional(),
        sourceB: text(LIMITS.shortText).optional(),
      })
      .strict(),
    z.object({ ...seedBase, type: z.literal('pivot'), text: text(LIMITS.answer), sourceLanguage: LanguageTag }).strict(),
  ])
  .meta({ id: 'Seed' });
export type Seed = z.output<typeof Seed>;

/** Which contribution kind each seed type feeds. */
export const SEED_FOR_KIND = { instruction: 'prompt', rewrite: 'draft', compare: 'pair', translation: 'pivot' } as const;
