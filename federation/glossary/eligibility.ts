/**
 * Who may write a campaign's glossary: the keys eligible to review it under its reviewer policy
 * (store/reviewers.ts `reviewerEligible`: a credential granted in person, or standing earned on
 * gold) — the people whose judgement already counts there. The glossary endpoints take any
 * `GlossaryEligibility`; the server wires this one (server/app.ts).
 */
import type { Store } from '../store/index.ts';

export type GlossaryEligibility = (campaign: string, contributor: string) => Promise<boolean>;

export function reviewerEligibility(store: Pick<Store, 'reviewerEligible'>): GlossaryEligibility {
  return (campaign, contributor) => store.reviewerEligible(campaign, contributor);
}
