/**
 * Who decides review: each campaign's reviewer policy, and the pure rules that apply it. Votes of
 * every key are stored; only those of keys *eligible* in the campaign count toward consensus
 * (consensus.ts), and of those only the votes on items the review queue served to that key,
 * unless a staff member vouched for the key in person.
 *
 * A key is eligible in a campaign when it holds a reviewer credential there (a teacher for their
 * classes, a librarian on their node, a steward on the hub, granted in person) or has earned
 * standing: at least `gold.min` votes on gold items (test questions with a known answer, served
 * like any item) agreeing with the answer at least `gold.agreement` of the time. Standing is lost
 * as soon as the agreement falls below that. A decision needs the winning side to lead by
 * `margin` eligible votes, so a few colluding eligible keys that happen to vote first do not
 * decide alone; `servesPerDay` caps how many new items the queue serves one key a day, so no key
 * can page through a campaign looking for the items it wants to push. See docs/reviewers.md.
 */
import { z } from 'zod';

/** Earned standing by agreement with gold answers (null in a policy: credentials only). */
export const GoldStanding = z
  .object({
    /** Gold votes (on gold items the queue served) before the agreement is judged. */
    min: z.int().min(1).max(1000),
    /** Share of those votes that must agree with the known answer (0.5–1). */
    agreement: z.number().min(0.5).max(1),
  })
  .strict()
  .meta({ id: 'GoldStanding' });
export type GoldStanding = z.output<typeof GoldStanding>;

export const DEFAULT_GOLD_STANDING: GoldStanding = { min: 5, agreement: 0.8 };
/** Lead in eligible votes a decision needs by default (see docs/reviewers.md for the drill). */
export const DEFAULT_MARGIN = 4;
export const DEFAULT_SERVES_PER_DAY = 300;

export const ReviewerPolicy = z
  .object({
    gold: GoldStanding.nullable().default(DEFAULT_GOLD_STANDING),
    /**
     * Eligible votes the winning side must lead by: accepted when up − (down + flags) ≥ margin,
     * rejected (hidden, with enough flags) when (down + flags) − up ≥ margin. 1: the campaign's
     * consensus rule alone, as before reviewer policies existed.
     */
    margin: z.int().min(1).max(20).default(DEFAULT_MARGIN),
    /** New items the review queue serves one key in a day, in this campaign. */
    servesPerDay: z.int().min(1).max(100_000).default(DEFAULT_SERVES_PER_DAY),
  })
  .strict()
  .meta({ id: 'ReviewerPolicy', description: 'Whose votes decide review in a campaign (docs/reviewers.md)' });
export type ReviewerPolicy = z.output<typeof ReviewerPolicy>;

export const DEFAULT_REVIEWER_POLICY: ReviewerPolicy = {
  gold: DEFAULT_GOLD_STANDING,
  margin: DEFAULT_MARGIN,
  servesPerDay: DEFAULT_SERVES_PER_DAY,
};

/** A campaign's policy: its own, or the default (campaigns stored before policies, and `general`). */
export function reviewerPolicyOf(campaign: { reviewers?: ReviewerPolicy | undefined }): ReviewerPolicy {
  return campaign.reviewers ?? DEFAULT_REVIEWER_POLICY;
}

/** A vote on a gold item agrees with its answer: up on a good item, down or flag on a bad one. */
export function agreesWithGold(expected: string, action: string): boolean {
  return expected === 'good' ? action === 'up' : action !== 'up';
}

/** What eligibility is decided from, for one key in one campaign. */
export interface StandingFacts {
  credential: boolean;
  goldVotes: number;
  goldAgreed: number;
}

/** Standing earned on gold alone (a credential aside). */
export function earnedOnGold(facts: Pick<StandingFacts, 'goldVotes' | 'goldAgreed'>, policy: ReviewerPolicy): boolean {
  const gold = policy.gold;
  if (gold === null || facts.goldVotes < gold.min) return false;
  // Integer arithmetic in thousandths, so every backend and the drill decide alike.
  return facts.goldAgreed * 1000 >= Math.round(gold.agreement * 1000) * facts.goldVotes;
}

export function isEligible(facts: StandingFacts, policy: ReviewerPolicy): boolean {
  return facts.credential || earnedOnGold(facts, policy);
}

/** A contributor id as staff type it (the app shows it in its settings). */
export const ContributorIdText = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'Not a contributor id (shown in the app’s settings)')
  .meta({ id: 'ContributorId' });
