/**
 * Campaigns through the staff API — what `vernacular campaign …`, `campaign seeds import` and
 * `gold import` do, for staff signed in to the node. The join codes are here, and only here.
 *
 * A teacher sees and changes only their classes, and a campaign a teacher creates becomes one of
 * them; librarians (on a node) and stewards (on a hub) manage every campaign. Everything is
 * validated with the same schemas as the CLI and the wire (Campaign, Seed, the gold file's rows),
 * all rows or none.
 */
import type { Hono } from 'hono';
import {
  Campaign,
  CampaignDraft,
  CampaignPatch,
  DEFAULT_CAMPAIGN,
  DEFAULT_CONSENSUS,
  DEFAULT_LICENCE,
  FileImport,
  generalCampaign,
  GoldImport,
  type ImportProblem,
  type ImportResult,
  issueCode,
  type StaffCampaignList,
} from '../../protocol/index.ts';
import type { CampaignInput, Store } from '../../store/index.ts';
import { goldEvery, importGold } from '../../store/gold.ts';
import { CampaignExistsError } from '../../store/campaigns.ts';
import { ApiError } from '../../server/errors.ts';
import { describeProblem, readSeedFile } from '../../cli/seedfile.ts';
import { describeGoldProblem, readGoldFile } from '../../cli/goldfile.ts';
import { LinkStore } from '../../node/link.ts';
import { audit, kitOf, requireCampaign, type StaffPrincipal } from '../context.ts';
import { staffPath } from './route.ts';
import { IMPORT_BODY_LIMIT, staffBody } from './body.ts';

/** Slugs the node keeps for itself: `general` is built in, `join` is a path of the public API. */
const RESERVED = new Set([DEFAULT_CAMPAIGN, 'join']);
const PROBLEMS_SHOWN = 100;

/** A whole campaign checked with the protocol schema (join code and version are the node's). */
function checkCampaign(candidate: Record<string, unknown>): CampaignInput {
  const parsed = Campaign.safeParse({ joinCode: 'AAAAAA', version: 1, ...candidate });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new ApiError(400, 'invalid_request', `Invalid campaign: ${field || 'campaign'}: ${issue.message}`, { field, code: issueCode(issue), message: issue.message });
  }
  const { version: _v, joinCode: _j, ...input } = parsed.data;
  return candidate.joinCode === undefined ? input : { ...input, joinCode: parsed.data.joinCode };
}

async function joinCodeFree(store: Store, code: string | undefined, slug: string): Promise<void> {
  if (code === undefined) return;
  const holder = code.toUpperCase() === generalCampaign().joinCode ? DEFAULT_CAMPAIGN : (await store.campaignByJoinCode(code))?.slug;
  if (holder !== undefined && holder !== slug) throw new ApiError(409, 'already_exists', `Join code ${code} is used by another campaign`, { field: 'joinCode' });
}

async function stored(store: Store, slug: string): Promise<Campaign> {
  const campaign = await store.campaign(slug);
  if (campaign === undefined) throw new ApiError(404, 'not_found', `No campaign "${slug}" on this node`);
  return campaign;
}

/** The campaigns this staff member manages. */
async function managed(store: Store, who: StaffPrincipal): Promise<Campaign[]> {
  const all = await store.campaigns();
  return who.user.role === 'teacher' ? all.filter((c) => who.user.campaigns.includes(c.slug)) : all;
}

const importProblems = (problems: ImportProblem[]) =>
  new ApiError(400, 'invalid_request', `The file has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported`, {
    count: problems.length,
    problems: problems.slice(0, PROBLEMS_SHOWN),
  });

export function campaignRoutes(app: Hono, store: Store): void {
  staffPath(app, '/api/v1/staff/campaigns', {
    GET: async (c, who) => {
      const answer: StaffCampaignList = { campaigns: await managed(store, who) };
      return c.json(answer);
    },
    POST: async (c, who) => {
      const draft = await staffBody(c, CampaignDraft);
      if (RESERVED.has(draft.slug)) throw new ApiError(400, 'invalid_request', `"${draft.slug}" is reserved`, { field: 'slug' });
      if ((await store.campaign(draft.slug)) !== undefined) throw new ApiError(409, 'already_exists', `Campaign "${draft.slug}" exists`, { field: 'slug' });
      await joinCodeFree(store, draft.joinCode, draft.slug);
      const input = checkCampaign({ ...draft, licence: draft.licence ?? DEFAULT_LICENCE, consensus: draft.consensus ?? DEFAULT_CONSENSUS });
      // The slug is checked again inside the write: of two creates racing for it, one wins.
      const campaign = await store.saveCampaign(input, { create: true }).catch((err: unknown) => {
        if (err instanceof CampaignExistsError) throw new ApiError(409, 'already_exists', err.message, { field: 'slug' });
        throw err;
      });
      if (who.user.role === 'teacher') await kitOf(c).store.grantCampaign(who.user.id, campaign.slug);
      await audit(c, who, { action: 'campaign_create', target: campaign.slug, details: { visibility: campaign.visibility ?? 'public' } });
      return c.json(campaign, 201);
    },
  });

  staffPath(app, '/api/v1/staff/campaigns/:slug', {
    GET: async (c, who) => {
      const slug = c.req.param('slug')!;
      await requireCampaign(c, who, 'campaigns_read', slug);
      return c.json(await stored(store, slug));
    },
    PATCH: async (c, who) => {
      const slug = c.req.param('slug')!;
      await requireCampaign(c, who, 'campaign_update', slug);
      const before = await stored(store, slug);
      const patch = await staffBody(c, CampaignPatch);
      await joinCodeFree(store, patch.joinCode, slug);
      const { version: _v, ...merged } = before as Record<string, unknown>;
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete merged[key];
        else if (value !== undefined) merged[key] = value;
      }
      const campaign = await store.saveCampaign(checkCampaign(merged));
      await audit(c, who, { action: 'campaign_update', target: slug, details: { fields: Object.keys(patch), version: campaign.version } });
      return c.json(campaign);
    },
  });

  staffPath(app, '/api/v1/staff/campaigns/:slug/seeds', {
    POST: async (c, who) => {
      const slug = c.req.param('slug')!;
      await requireCampaign(c, who, 'seeds_import', slug);
      if (slug !== DEFAULT_CAMPAIGN) await stored(store, slug);
      const { format, text } = await staffBody(c, FileImport, IMPORT_BODY_LIMIT);
      const { seeds, problems } = readSeedFile(text, format);
      if (problems.length > 0) {
        throw importProblems(problems.map((p) => ({ row: p.row, field: p.field, code: p.code, message: describeProblem(p, format) })));
      }
      const result: ImportResult = await store.importSeeds(slug, seeds);
      await audit(c, who, { action: 'seeds_import', target: slug, details: { rows: seeds.length, ...result } });
      return c.json(result);
    },
  });

  staffPath(app, '/api/v1/staff/campaigns/:slug/gold', {
    POST: async (c, who) => {
      const slug = c.req.param('slug')!;
      await requireCampaign(c, who, 'gold_import', slug);
      const campaign = await stored(store, slug);
      const link = await new LinkStore(store.db).get();
      if (link !== undefined) {
        // The hub must know every gold item its nodes' reviewers vote on: gold comes from there.
        await audit(c, who, { action: 'gold_import', target: slug, outcome: 'denied', code: 'forbidden', details: { reason: 'federated' } });
        throw new ApiError(403, 'forbidden', `This node is enrolled with the hub "${link.hubName}": gold is imported on the hub`, { reason: 'federated' });
      }
      const { format, text, every } = await staffBody(c, GoldImport, IMPORT_BODY_LIMIT);
      const { rows, problems } = readGoldFile(text, format, campaign);
      if (problems.length > 0) {
        throw importProblems(problems.map((p) => ({ row: p.row, field: p.field, code: p.code, message: describeGoldProblem(p, format) })));
      }
      const { added, updated } = await importGold(store.db, slug, rows, every);
      const result: ImportResult = { added, updated, every: await goldEvery(store.db, slug) };
      await audit(c, who, { action: 'gold_import', target: slug, details: { rows: rows.length, ...result } });
      return c.json(result);
    },
  });
}

