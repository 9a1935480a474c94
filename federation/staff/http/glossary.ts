/**
 * The shared glossary through the staff API (what `vernacular glossary` does): a campaign's log
 * with each record's author, reverting one author's updates, and restoring the glossary as of a
 * time. Librarians on a node, stewards on a hub (routes.table.ts); each revert and restore is
 * audited, whether it changed the glossary or not.
 */
import type { Context, Hono } from 'hono';
import { CampaignSlug, DEFAULT_CAMPAIGN, GlossaryLogQuery, GlossaryRestoreRequest, GlossaryRevertRequest } from '../../protocol/index.ts';
import type { Store } from '../../store/index.ts';
import type { GlossaryStore } from '../../glossary/store.ts';
import { ApiError } from '../../server/errors.ts';
import { parseQuery } from '../../server/query.ts';
import { audit, type StaffPrincipal } from '../context.ts';
import { staffBody } from './body.ts';
import { staffPath } from './route.ts';

export interface GlossaryStaffOptions {
  glossary: GlossaryStore;
  /** This server's id as the issuer of the records its staff make (a node's id, or `hub`). */
  issuer: string;
}

async function campaignOf(c: Context, store: Store): Promise<string> {
  const slug = c.req.param('campaign') ?? '';
  if (!CampaignSlug.safeParse(slug).success || (slug !== DEFAULT_CAMPAIGN && (await store.campaign(slug)) === undefined)) {
    throw new ApiError(404, 'not_found', `No campaign "${slug.slice(0, 80)}" here`);
  }
  return slug;
}

const by = (who: StaffPrincipal, issuer: string) => ({ issuer, actor: who.user.id });

export function glossaryStaffRoutes(app: Hono, store: Store, { glossary, issuer }: GlossaryStaffOptions): void {
  staffPath(app, '/api/v1/staff/glossary/:campaign/log', {
    GET: async (c) => {
      const campaign = await campaignOf(c, store);
      const { limit, before } = parseQuery(c, GlossaryLogQuery);
      return c.json(await glossary.log(campaign, { limit, before }));
    },
  });

  staffPath(app, '/api/v1/staff/glossary/:campaign/revert', {
    POST: async (c, who) => {
      const campaign = await campaignOf(c, store);
      const { author } = await staffBody(c, GlossaryRevertRequest);
      const result = await glossary.revert(campaign, author, by(who, issuer));
      await audit(c, who, { action: 'glossary_revert', target: campaign, details: { author, changed: result.changed, record: result.record, leftOut: result.leftOut } });
      return c.json(result);
    },
  });

  staffPath(app, '/api/v1/staff/glossary/:campaign/restore', {
    POST: async (c, who) => {
      const campaign = await campaignOf(c, store);
      const { at } = await staffBody(c, GlossaryRestoreRequest);
      const asOf = new Date(at);
      const result = await glossary.restore(campaign, asOf, by(who, issuer));
      await audit(c, who, { action: 'glossary_restore', target: campaign, details: { at: asOf.toISOString(), changed: result.changed, record: result.record, leftOut: result.leftOut } });
      return c.json(result);
    },
  });
}
