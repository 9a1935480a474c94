/**
 * Campaigns and their seeds, shared by every SQL backend (portable SQL through Kysely).
 *
 * A campaign is stored as the canonical JSON of the protocol `Campaign`, with the columns it is
 * looked up by. Saving again bumps `version`, so the app knows when its cached copy is stale.
 * Seeds are drawn least-served first and never one a device already got unless there is no
 * other; among equals the database's `random()` decides, so two devices asking at once rarely
 * get the same seed.
 */
import { randomInt } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import {
  Campaign,
  type CampaignProgress,
  canonicalJson,
  CONTENT_KINDS,
  type ContentKind,
  DEFAULT_CAMPAIGN,
  GENERAL_JOIN_CODE,
  JOIN_CODE_ALPHABET,
  type Seed,
} from '../protocol/index.ts';
import type { Database } from './schema.ts';
import type { CampaignInput, CampaignTally, SeedDraw, SeedImportResult } from './store.ts';
import { rederiveCampaign } from './standing.ts';
import { campaignFacts } from './semantics.ts';
import { lockItems } from './locks.ts';

const JOIN_CODE_LENGTH = 6;
/** Rows per multi-row INSERT of seeds (6 parameters each, well under every backend's limit). */
const SEED_CHUNK = 200;

export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

const parse = (data: string) => JSON.parse(data) as Campaign;

export async function listCampaigns(db: Kysely<Database>): Promise<Campaign[]> {
  const rows = await db.selectFrom('campaigns').select('data').orderBy('slug').execute();
  return rows.map((r) => parse(r.data));
}

export async function getCampaign(db: Kysely<Database>, slug: string): Promise<Campaign | undefined> {
  const row = await db.selectFrom('campaigns').select('data').where('slug', '=', slug).executeTakeFirst();
  return row === undefined ? undefined : parse(row.data);
}

export async function campaignByJoinCode(db: Kysely<Database>, code: string): Promise<Campaign | undefined> {
  const row = await db
    .selectFrom('campaigns')
    .select('data')
    .where('join_code', '=', code.toUpperCase())
    .executeTakeFirst();
  return row === undefined ? undefined : parse(row.data);
}

/**
 * What every campaign holds, per content kind: items still counting (pending or accepted: not
 * withdrawn, replaced by an edit, hidden or rejected) and items accepted. One scan of the table
 * (there is no index by campaign: it would cost every ingested item), so callers cache it.
 */
export async function campaignTallies(db: Kysely<Database>): Promise<CampaignTally[]> {
  const rows = await db
    .selectFrom('contributions as c')
    .leftJoin('item_state as s', 's.id', 'c.id')
    .select((eb) => [
      'c.campaign',
      'c.kind',
      eb.fn.countAll<number | string>().as('collected'),
      eb.fn.sum<number | string | null>(eb.case().when('s.status', '=', 'accepted').then(1).else(0).end()).as('accepted'),
    ])
    .where('c.kind', 'in', [...CONTENT_KINDS])
    .where((eb) => eb.or([eb('s.status', 'is', null), eb('s.status', 'in', ['pending', 'accepted'])]))
    .groupBy(['c.campaign', 'c.kind'])
    .orderBy('c.campaign')
    .orderBy('c.kind')
    .execute();
  return rows.map((r) => ({ campaign: r.campaign, kind: r.kind, collected: Number(r.collected), accepted: Number(r.accepted ?? 0) }));
}

/**
 * One campaign's progress from every campaign's tallies: per kind it collects or holds items of,
 * those with a goal or at least one item, with the goal when set (the API's and the CLI's answer).
 */
export function goalProgress(campaign: Campaign, tallies: readonly CampaignTally[]): CampaignProgress['kinds'] {
  const mine = tallies.filter((t) => t.campaign === campaign.slug);
  const goals = new Map<string, number>(campaign.goals.map((g) => [g.kind, g.target]));
  const kinds = [...new Set<string>([...campaign.kinds, ...mine.map((t) => t.kind)])];
  return kinds.flatMap((kind) => {
    const tally = mine.find((t) => t.kind === kind);
    const goal = goals.get(kind);
    if (goal === undefined && tally === undefined) return [];
    return [{ kind: kind as ContentKind, collected: tally?.collected ?? 0, accepted: tally?.accepted ?? 0, ...(goal !== undefined ? { goal } : {}) }];
  });
}

/** `saveCampaign(…, { create: true })` found the slug taken: nothing was changed. */
export class CampaignExistsError extends Error {
  constructor(readonly slug: string) {
    super(`Campaign "${slug}" exists`);
    this.name = 'CampaignExistsError';
  }
}

/**
 * Creates or updates a campaign. With `create`, only creates: a slug already held (checked inside
 * the write transaction, so two creates racing for one slug cannot both win) is CampaignExistsError.
 */
export async function saveCampaign(db: Kysely<Database>, input: CampaignInput, options: { create?: boolean } = {}): Promise<Campaign> {
  if (input.slug === DEFAULT_CAMPAIGN) throw new Error(`"${DEFAULT_CAMPAIGN}" is built in and cannot be saved`);
  // GET /api/v1/campaigns/join/{code} would shadow a campaign's own paths.
  if (input.slug === 'join') throw new Error('"join" is reserved and cannot be a campaign slug');
  return db.transaction().execute(async (trx) => {
    // Ingest reads the consensus rule to derive statuses; a change re-derives them (locks.ts).
    await lockItems(trx);
    const existing = await trx.selectFrom('campaigns').select('data').where('slug', '=', input.slug).executeTakeFirst();
    if (existing !== undefined && options.create === true) throw new CampaignExistsError(input.slug);
    const before = existing === undefined ? undefined : parse(existing.data);
    let joinCode = input.joinCode?.toUpperCase() ?? before?.joinCode;
    const taken = async (code: string) =>
      code === GENERAL_JOIN_CODE ||
      (await trx
        .selectFrom('campaigns')
        .select('slug')
        .where('join_code', '=', code)
        .where('slug', '<>', input.slug)
        .executeTakeFirst()) !== undefined;
    if (joinCode === undefined) {
      do joinCode = newJoinCode();
      while (await taken(joinCode));
    } else if (await taken(joinCode)) {
      throw new Error(`Join code ${joinCode} is already used by another campaign`);
    }
    const campaign = Campaign.parse({ ...input, joinCode, version: (before?.version ?? 0) + 1 });
    const row = {
      slug: campaign.slug,
      join_code: campaign.joinCode,
      version: campaign.version,
      data: canonicalJson(campaign),
      updated_at: new Date().toISOString(),
    };
    await trx
      .insertInto('campaigns')
      .values(row)
      .onConflict((oc) =>
        oc.column('slug').doUpdateSet({
          join_code: row.join_code,
          version: row.version,
          data: row.data,
          updated_at: row.updated_at,
        }),
      )
      .execute();
    // A new rule or reviewer policy judges every key and item again; a new campaign may find
    // standing a node vouched for before the campaign reached this hub.
    const facts = campaignFacts(row.data);
    const judged = (c: Campaign) => canonicalJson({ consensus: c.consensus, reviewers: c.reviewers ?? null });
    if (before === undefined || judged(before) !== judged(campaign)) await rederiveCampaign(trx, campaign.slug, facts);
    return campaign;
  });
}

export async function importSeeds(
  db: Kysely<Database>,
  campaign: string,
  seeds: readonly Seed[],
): Promise<SeedImportResult> {
  return db.transaction().execute(async (trx) => {
    if (campaign !== DEFAULT_CAMPAIGN) {
      const found = await trx.selectFrom('campaigns').select('slug').where('slug', '=', campaign).executeTakeFirst();
      if (found === undefined) throw new Error(`No campaign "${campaign}" on this node`);
    }
    const existing = new Set(
      (await trx.selectFrom('seeds').select('id').where('campaign', '=', campaign).execute()).map((r) => r.id),
    );
    // The last row with an id wins, as it would if the rows were imported one by one.
    const byId = new Map(seeds.map((s) => [s.id, s]));
    const rows = [...byId.values()].map((s) => ({
      campaign,
      id: s.id,
      type: s.type,
      language: s.language ?? null,
      data: canonicalJson(s),
    }));
    for (let i = 0; i < rows.length; i += SEED_CHUNK) {
      await trx
        .insertInto('seeds')
        .values(rows.slice(i, i + SEED_CHUNK))
        .onConflict((oc) =>
          oc.columns(['campaign', 'id']).doUpdateSet((eb) => ({
            type: eb.ref('excluded.type'),
            language: eb.ref('excluded.language'),
            data: eb.ref('excluded.data'),
          })),
        )
        .execute();
    }
    const updated = rows.filter((r) => existing.has(r.id)).length;
    return { added: rows.length - updated, updated };
  });
}

export async function drawSeeds(db: Kysely<Database>, draw: SeedDraw): Promise<Seed[]> {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('seeds as s')
      .select(['s.id', 's.data'])
      .where('s.campaign', '=', draw.campaign)
      .where('s.type', '=', draw.type);
    if (draw.language !== undefined) {
      const language = draw.language;
      query = query.where((eb) => eb.or([eb('s.language', '=', language), eb('s.language', 'is', null)]));
    }
    const picked = await query
      .orderBy(
        (eb) =>
          eb
            .case()
            .when(
              eb.exists(
                eb
                  .selectFrom('seed_serves as v')
                  .select('v.seed')
                  .whereRef('v.campaign', '=', 's.campaign')
                  .whereRef('v.seed', '=', 's.id')
                  .where('v.device', '=', draw.device),
              ),
            )
            .then(1)
            .else(0)
            .end(),
      )
      .orderBy('s.served')
      .orderBy(sql`random()`)
      .limit(draw.limit)
      .execute();
    if (picked.length === 0) return [];
    const ids = picked.map((p) => p.id);
    await trx
      .updateTable('seeds')
      .set((eb) => ({ served: eb('served', '+', 1) }))
      .where('campaign', '=', draw.campaign)
      .where('id', 'in', ids)
      .execute();
    const servedAt = new Date().toISOString();
    await trx
      .insertInto('seed_serves')
      .values(ids.map((seed) => ({ campaign: draw.campaign, seed, device: draw.device, served_at: servedAt })))
      .onConflict((oc) => oc.columns(['campaign', 'device', 'seed']).doNothing())
      .execute();
    return picked.map((p) => JSON.parse(p.data) as Seed);
  });
}
