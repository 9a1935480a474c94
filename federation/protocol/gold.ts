/**
 * Gold items: test questions with a known answer that a steward seeds into a campaign's review
 * queue (Appen's "test questions", Common Voice's validation clips). A reviewer's votes on them
 * measure how often they agree with the known answer, and the release pipeline counts only the
 * votes of reviewers who agree often enough (federation/release/abuse.ts).
 *
 * On the app's wire a gold item is an ordinary content item (a `ReviewContent` in the review
 * queue, nothing marks it), and a vote on it an ordinary review. Only the node ↔ hub wire and the
 * steward's import file know that it is gold and what its answer is.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { GoldContent } from './contribution.ts';
import { PROTOCOL_VERSION } from './sync.ts';

/** `good`: the item should be accepted (an up vote agrees); `bad`: rejected (a down vote or a flag agrees). */
export const GOLD_ANSWERS = ['good', 'bad'] as const;
export type GoldAnswer = (typeof GOLD_ANSWERS)[number];

/** Most gold rows in one import. */
export const MAX_GOLD_IMPORT = 5000;

/**
 * What a steward writes per row besides the body (`kind`, `language`, `data`, checked with the
 * `Contribution` schema once the node has made the envelope).
 */
export const GoldAnswerFields = z
  .object({
    expected: z.enum(GOLD_ANSWERS),
    /** Why that is the answer (for stewards; never shown to reviewers). */
    note: z.string().trim().min(1).max(LIMITS.comment).optional(),
  })
  .strict();

/** A gold item as stored and as the hub hands it to nodes: the item reviewers see, and its answer. */
export const GoldItem = z
  .object({
    item: GoldContent,
    expected: z.enum(GOLD_ANSWERS),
    note: z.string().max(LIMITS.comment).optional(),
  })
  .strict()
  .meta({ id: 'GoldItem' });
export type GoldItem = z.output<typeof GoldItem>;

/**
 * GET /federation/v1/gold?known=HASH (signed): the gold items of the campaigns the hub publishes.
 * `hash` names this set; when it is the one the node says it knows, `gold` and `every` are empty
 * and `unchanged` is true (the node asks every round; the set rarely changes).
 */
export const GoldList = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    unchanged: z.boolean(),
    gold: z.array(GoldItem),
    /** How often each campaign's review queue serves gold (one item in `every`), where the hub set it. */
    every: z.record(z.string().max(LIMITS.campaignSlug), z.int().min(2).max(1000)),
  })
  .strict()
  .meta({ id: 'GoldList' });
export type GoldList = z.output<typeof GoldList>;
