/**
 * Shapes of the read endpoints around contributions: campaigns, seeds, the review queue and the
 * status of one's own items. (Sync itself is in sync.ts.)
 */
import { z } from 'zod';
import { CampaignSlug, PublicCampaign, Seed } from './campaign.ts';
import { ITEM_STATUSES } from './consensus.ts';
import { CONTENT_KINDS, ReviewContent } from './contribution.ts';

/** GET /api/v1/campaigns: the listed (public) campaigns, without their join codes. */
export const CampaignList = z.object({ campaigns: z.array(PublicCampaign) }).strict().meta({ id: 'CampaignList' });
export type CampaignList = z.output<typeof CampaignList>;

/**
 * GET /api/v1/campaigns/{slug}/progress: what this node holds of a campaign, per content kind
 * that has a goal or any item — items still counting (pending or accepted: not withdrawn,
 * replaced by an edit, hidden or rejected), how many are accepted, and the goal if one is set.
 * Counted again once something was stored (`countedAt`: when; see server/campaigns.ts).
 */
export const CampaignProgress = z
  .object({
    campaign: CampaignSlug,
    kinds: z.array(
      z
        .object({
          kind: z.enum(CONTENT_KINDS),
          collected: z.int().min(0),
          accepted: z.int().min(0),
          goal: z.int().min(1).optional(),
        })
        .strict(),
    ),
    countedAt: z.iso.datetime(),
  })
  .strict()
  .meta({ id: 'CampaignProgress' });
export type CampaignProgress = z.output<typeof CampaignProgress>;

/** GET /api/v1/campaigns/{slug}/seeds?type=&language=&device=&limit= */
export const SeedQuery = z
  .object({
    type: z.enum(['prompt', 'draft', 'pair', 'pivot']),
    language: z.string().max(35).optional(),
    device: z.uuid(),
    limit: z.coerce.number().int().min(1).max(50).default(10),
  })
  .strict();
export const SeedList = z.object({ seeds: z.array(Seed) }).strict().meta({ id: 'SeedList' });
export type SeedList = z.output<typeof SeedList>;

/**
 * GET /api/v1/review/queue?campaign=&language=&limit=, signed by the reviewer's key (a device
 * request, signing.ts): the server leaves out their own items and those they reviewed, serves
 * items not yet decided in an order of the reviewer's own, at most the campaign's `servesPerDay`
 * new ones a day (reviewers.ts), and records what it served: only votes on served items count.
 */
export const ReviewQueueQuery = z
  .object({
    campaign: z.string().max(64),
    language: z.string().max(35),
    limit: z.coerce.number().int().min(1).max(50).default(10),
  })
  .strict();

export const ReviewItem = z
  .object({
    item: ReviewContent,
    /**
     * No longer sent: reviewers judge each item on its own, and a tally would tell gold items
     * (test questions every reviewer gets) from real ones. Kept optional for older servers.
     */
    votes: z.object({ up: z.int(), down: z.int(), flags: z.int() }).strict().optional(),
  })
  .strict()
  .meta({ id: 'ReviewItem' });
export const ReviewQueue = z.object({ items: z.array(ReviewItem) }).strict().meta({ id: 'ReviewQueue' });
export type ReviewQueue = z.output<typeof ReviewQueue>;

/**
 * POST /api/v1/status { ids }, signed by a contributor's key: the derived status of each of their
 * own items held here; any other id (someone else's, a gold item, one not held) is `unknown`.
 */
export const StatusRequest = z.object({ ids: z.array(z.string().max(64)).max(500) }).strict().meta({ id: 'StatusRequest' });
export const ItemStatusEntry = z
  .object({
    id: z.string(),
    status: z.enum([...ITEM_STATUSES, 'unknown']),
    votes: z.object({ up: z.int(), down: z.int(), flags: z.int() }).strict().optional(),
  })
  .strict();
export const StatusResponse = z.object({ items: z.array(ItemStatusEntry) }).strict().meta({ id: 'StatusResponse' });
export type StatusResponse = z.output<typeof StatusResponse>;
