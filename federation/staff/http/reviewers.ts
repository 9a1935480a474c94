/**
 * Reviewer credentials through the staff API (what `vernacular reviewer …` does): every key's
 * standing in a campaign — eligible or not, why, and how many of its votes count — and a
 * credential granted or revoked. A teacher acts on their classes only, a librarian on every
 * campaign of their node, a steward on the hub's. A credential is given in person: the reviewer
 * shows the contributor id from their app's settings. Every grant and revocation is audited, and
 * the items the key voted on are judged again at once (store/reviewers.ts).
 */
import type { Hono } from 'hono';
import {
  ContributorIdText,
  DEFAULT_CAMPAIGN,
  type ReviewerChange,
  ReviewerGrant,
  type ReviewerList,
  ReviewerListQuery,
  reviewerPolicyOf,
} from '../../protocol/index.ts';
import type { Store } from '../../store/index.ts';
import { ApiError } from '../../server/errors.ts';
import { parseQuery } from '../../server/query.ts';
import { audit, requireCampaign } from '../context.ts';
import { staffPath } from './route.ts';
import { staffBody } from './body.ts';

export function reviewerRoutes(app: Hono, store: Store): void {
  /** The campaign's reviewer policy, or a 404 for a campaign not held here. */
  async function policyOf(slug: string) {
    if (slug === DEFAULT_CAMPAIGN) return reviewerPolicyOf({});
    const campaign = await store.campaign(slug);
    if (campaign === undefined) throw new ApiError(404, 'not_found', `No campaign "${slug}" on this server`);
    return reviewerPolicyOf(campaign);
  }

  staffPath(app, '/api/v1/staff/campaigns/:slug/reviewers', {
    GET: async (c, who) => {
      const slug = c.req.param('slug')!;
      await requireCampaign(c, who, 'reviewers_read', slug);
      const policy = await policyOf(slug);
      const query = parseQuery(c, ReviewerListQuery);
      const reviewers = await store.reviewers.list(slug, { limit: query.limit, ...(query.eligible !== undefined ? { eligible: query.eligible === 'true' } : {}) });
      const answer: ReviewerList = { campaign: slug, policy, reviewers };
      return c.json(answer);
    },
    POST: async (c, who) => {
      const slug = c.req.param('slug')!;
      await requireCampaign(c, who, 'reviewer_grant', slug);
      await policyOf(slug);
      const grant = await staffBody(c, ReviewerGrant);
      const answer: ReviewerChange = await store.reviewers.grant({ campaign: slug, reviewer: grant.reviewer, by: who.user.name, note: grant.note });
      await audit(c, who, { action: 'reviewer_grant', target: grant.reviewer, details: { campaign: slug, eligible: answer.eligible, ...(grant.note !== undefined ? { note: grant.note } : {}) } });
      return c.json(answer);
    },
  });

  staffPath(app, '/api/v1/staff/campaigns/:slug/reviewers/:reviewer', {
    DELETE: async (c, who) => {
      const slug = c.req.param('slug')!;
      await requireCampaign(c, who, 'reviewer_revoke', slug);
      await policyOf(slug);
      const reviewer = c.req.param('reviewer')!.toLowerCase();
      if (!ContributorIdText.safeParse(reviewer).success) throw new ApiError(400, 'invalid_request', 'Not a contributor id', { field: 'reviewer' });
      const answer = await store.reviewers.revoke(slug, reviewer);
      if (answer === undefined) throw new ApiError(404, 'not_found', `${reviewer} holds no reviewer credential in "${slug}" here`);
      await audit(c, who, { action: 'reviewer_revoke', target: reviewer, details: { campaign: slug, eligible: answer.eligible } });
      return c.json(answer);
    },
  });
}
