/**
 * Gold items, shared by every SQL backend (portable SQL through Kysely): test questions with a
 * known answer, imported per campaign by a steward (`vernacular gold import`) or pulled from the
 * hub, and mixed into the review queue (review.ts) at a steady rate.
 *
 * Guarantees:
 * - A gold item is never in `contributions`: no release, export, push, count or status sees it.
 *   Ingest knows it only as a target (a review of it is an ordinary review, stored, tallied on the
 *   gold item's own `item_state`, pushed to the hub like any record).
 * - On the app's wire it is an ordinary item: the node makes its envelope (id, contributor, device
 *   sequence, time, consent) the way a device would, deterministically from its content, so
 *   importing the same body again only changes its answer, and every node that pulls it from the
 *   hub serves the very same item (same id).
 * - The queue serves a given gold item at most once to a reviewer (`gold_serves`), and which gold
 *   items, how many and where in the page depend only on the reviewer, the campaign and what it
 *   was served before — never on chance — so a reviewer cannot tell them apart by reloading. No
 *   item of the queue carries a tally (a gold item's would grow with every reviewer it met).
 * - A vote on a gold item the queue served is what earns (or loses) a key its standing in the
 *   campaign (protocol/reviewers.ts, standing.ts).
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import {
  canonicalJson,
  CONSENT_VERSION,
  type ContentKind,
  type GoldAnswer,
  type GoldItem,
  type ReviewQueue,
  reviewContentOf,
  GoldContent,
} from '../protocol/index.ts';
import type { Database } from './schema.ts';
import type { QueueRequest } from './store.ts';

/** By default one item in this many of a review page is gold. */
export const DEFAULT_GOLD_EVERY = 10;

/** A gold row as a steward writes it: a content body and its answer. */
export interface GoldInput {
  kind: ContentKind;
  language: string;
  data: unknown;
  expected: GoldAnswer;
  note?: string | undefined;
}

export interface GoldImportResult {
  added: number;
  /** Bodies already held for the campaign: their answer and note replaced. */
  updated: number;
}

export interface GoldSummary {
  id: string;
  campaign: string;
  kind: string;
  language: string;
  expected: GoldAnswer;
  note?: string;
  /** Reviews of it held here, and how many of them disagree with its answer. */
  votes: number;
  against: number;
  /** Reviewers it was served to here. */
  served: number;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function goldContentKey(campaign: string, body: { kind: string; language: string; data: unknown }): string {
  return sha256(canonicalJson({ campaign, kind: body.kind, language: body.language, data: body.data })).toString('hex');
}

/** A version-4-shaped UUID from 16 bytes. */
function uuidFrom(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Up to two weeks before `now`: gold items do not all carry their import time. */
const SPREAD_MS = 14 * 24 * 3600 * 1000;

/**
 * The item reviewers are served: the body in an envelope made from its content key (a contributor
 * id, a device sequence, a time within two weeks before the import, a UUIDv7 of that time), under
 * the campaign's licence. Throws when the body does not pass the content schema. It has no key
 * or signature (it is never a contribution), and reviewers are never shown those of any item.
 */
export function goldContribution(campaign: string, licence: string, input: GoldInput, key: string, now: number): GoldContent {
  const seed = sha256(`vernacular-gold\u0000${key}`);
  const ms = now - (seed.readUInt32BE(16) % SPREAD_MS);
  const item = {
    id: uuidv7({ msecs: ms, random: Uint8Array.from(sha256(`id\u0000${key}`).subarray(0, 16)) }),
    kind: input.kind,
    campaign,
    language: input.language,
    contributor: uuidFrom(seed),
    deviceSeq: 1 + (seed.readUInt32BE(20) % 400),
    createdAt: new Date(ms).toISOString(),
    consent: { version: CONSENT_VERSION, licence },
    data: input.data,
  };
  return GoldContent.parse(item);
}

/** Imports a validated file's rows into a stored campaign, all or none; `now` is the import's time (ms). */
export async function importGold(db: Kysely<Database>, campaign: string, rows: readonly GoldInput[], every?: number, now = Date.now()): Promise<GoldImportResult> {
  return db.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('campaigns').select('data').where('slug', '=', campaign).executeTakeFirst();
    if (found === undefined) throw new Error(`No campaign "${campaign}" on this node`);
    const licence = (JSON.parse(found.data) as { licence: string }).licence;
    let added = 0;
    let updated = 0;
    const importedAt = new Date(now).toISOString();
    for (const row of rows) {
      const key = goldContentKey(campaign, row);
      const held = await trx
        .selectFrom('gold_items')
        .select('id')
        .where('campaign', '=', campaign)
        .where('content_key', '=', key)
        .executeTakeFirst();
      if (held !== undefined) {
        await trx.updateTable('gold_items').set({ expected: row.expected, note: row.note ?? null }).where('id', '=', held.id).execute();
        updated++;
        continue;
      }
      const item = goldContribution(campaign, licence, row, key, now);
      await trx
        .insertInto('gold_items')
        .values({
          id: item.id,
          campaign,
          kind: item.kind,
          language: item.language,
          contributor: item.contributor,
          content_key: key,
          item: canonicalJson(item),
          expected: row.expected,
          note: row.note ?? null,
          imported_at: importedAt,
        })
        .execute();
      added++;
    }
    if (every !== undefined) await setGoldEvery(trx, campaign, every);
    return { added, updated };
  });
}

/**
 * Stores gold items made elsewhere (pulled from the hub), keeping their ids: a body held under
 * another id for the campaign gives way to the hub's, and an id held already gets the hub's answer.
 */
export async function storeGoldItems(db: Kysely<Database>, items: readonly GoldItem[]): Promise<number> {
  if (items.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    let changed = 0;
    const importedAt = new Date().toISOString();
    for (const { item, expected, note } of items) {
      const key = goldContentKey(item.campaign, item);
      const held = await trx.selectFrom('gold_items').select(['id', 'expected', 'note', 'item']).where('id', '=', item.id).executeTakeFirst();
      if (held !== undefined) {
        if (held.expected === expected && (held.note ?? undefined) === note) continue;
        await trx.updateTable('gold_items').set({ expected, note: note ?? null }).where('id', '=', item.id).execute();
        changed++;
        continue;
      }
      await trx.deleteFrom('gold_items').where('campaign', '=', item.campaign).where('content_key', '=', key).execute();
      await trx
        .insertInto('gold_items')
        .values({
          id: item.id,
          campaign: item.campaign,
          kind: item.kind,
          language: item.language,
          contributor: item.contributor,
          content_key: key,
          item: canonicalJson(item),
          expected,
          note: note ?? null,
          imported_at: importedAt,
        })
        .execute();
      changed++;
    }
    return changed;
  });
}

/** How often the campaign's queue serves gold: one item in `every` (stored with the gold). */
export async function setGoldEvery(db: Kysely<Database>, campaign: string, every: number): Promise<void> {
  if (!Number.isInteger(every) || every < 2) throw new Error('Gold can be at most one item in 2 of a review page');
  await db
    .insertInto('gold_campaigns')
    .values({ campaign, every })
    .onConflict((oc) => oc.column('campaign').doUpdateSet({ every }))
    .execute();
}

export async function goldEvery(db: Kysely<Database>, campaign: string): Promise<number> {
  const row = await db.selectFrom('gold_campaigns').select('every').where('campaign', '=', campaign).executeTakeFirst();
  return row === undefined ? DEFAULT_GOLD_EVERY : Number(row.every);
}

/** The campaigns (of these) whose queue rate was set, and the rate. */
export async function goldRates(db: Kysely<Database>, campaigns: readonly string[]): Promise<Record<string, number>> {
  if (campaigns.length === 0) return {};
  const rows = await db.selectFrom('gold_campaigns').select(['campaign', 'every']).where('campaign', 'in', campaigns).orderBy('campaign').execute();
  return Object.fromEntries(rows.map((r) => [r.campaign, Number(r.every)]));
}

/** The gold items of these campaigns (all when none are named), in id order, as the hub hands them out. */
export async function goldItems(db: Kysely<Database>, campaigns?: readonly string[]): Promise<GoldItem[]> {
  if (campaigns !== undefined && campaigns.length === 0) return [];
  let query = db.selectFrom('gold_items').select(['item', 'expected', 'note']).orderBy('id');
  if (campaigns !== undefined) query = query.where('campaign', 'in', campaigns);
  const rows = await query.execute();
  return rows.map((r) => ({
    item: JSON.parse(r.item) as GoldContent,
    expected: r.expected as GoldAnswer,
    ...(r.note !== null ? { note: r.note } : {}),
  }));
}

/** What `vernacular gold list` shows: every gold item with the votes it got here. */
export async function listGold(db: Kysely<Database>, campaign?: string): Promise<GoldSummary[]> {
  let query = db
    .selectFrom('gold_items as g')
    .select(['g.id', 'g.campaign', 'g.kind', 'g.language', 'g.expected', 'g.note'])
    .select((eb) => [
      eb.selectFrom('reviews as r').select(eb.fn.countAll<number>().as('n')).whereRef('r.target', '=', 'g.id').as('votes'),
      eb
        .selectFrom('reviews as r')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('r.target', '=', 'g.id')
        .where((w) => w.or([w.and([w('g.expected', '=', 'good'), w('r.action', '<>', 'up')]), w.and([w('g.expected', '=', 'bad'), w('r.action', '=', 'up')])]))
        .as('against'),
      eb.selectFrom('gold_serves as v').select(eb.fn.countAll<number>().as('n')).whereRef('v.gold', '=', 'g.id').as('served'),
    ])
    .orderBy('g.campaign')
    .orderBy('g.id');
  if (campaign !== undefined) query = query.where('g.campaign', '=', campaign);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    campaign: r.campaign,
    kind: r.kind,
    language: r.language,
    expected: r.expected as GoldAnswer,
    ...(r.note !== null ? { note: r.note } : {}),
    votes: Number(r.votes ?? 0),
    against: Number(r.against ?? 0),
    served: Number(r.served ?? 0),
  }));
}

/** A number from a string, the same on every run and every machine. */
function unit(text: string): number {
  return sha256(text).readUInt32BE(0);
}

/**
 * Mixes gold into a page of real queue items (already at most `request.limit`): about one item
 * in `every`, never more than the limit, only while there are real items to hide among, each
 * gold item at most once per reviewer. Records what it served.
 */
export async function mixGold(db: Kysely<Database>, request: QueueRequest, real: ReviewQueue['items']): Promise<ReviewQueue['items']> {
  if (real.length === 0) return real;
  const every = await goldEvery(db, request.campaign);
  const who = `${request.reviewer}\u0000${request.campaign}`;
  // g gold among n real keeps g / (n + g) near 1 / every; the reviewer's own offset spreads the
  // remainder, so a short page sometimes has one and sometimes none.
  // At least one real item stays on the page, and the page stays within its limit.
  const wanted = Math.min(Math.floor((real.length + (unit(who) % (every - 1))) / (every - 1)), request.limit - 1);
  if (wanted <= 0) return real;
  const candidates = await db
    .selectFrom('gold_items as g')
    .select(['g.id', 'g.item'])
    .where('g.campaign', '=', request.campaign)
    .where('g.language', '=', request.language)
    .where('g.contributor', '<>', request.reviewer)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('gold_serves as v').select('v.gold').whereRef('v.gold', '=', 'g.id').where('v.reviewer', '=', request.reviewer))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('reviews as r').select('r.target').whereRef('r.target', '=', 'g.id').where('r.reviewer', '=', request.reviewer))))
    .orderBy('g.id')
    .limit(5000)
    .execute();
  if (candidates.length === 0) return real;
  const chosen = candidates
    .map((c) => ({ ...c, rank: unit(`${who}\u0000${c.id}`) }))
    .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1))
    .slice(0, wanted);
  // Noted as served before it is served, and served only where this request noted it: of two
  // requests of one reviewer at once that chose the same item, one serves it and the other not.
  const servedAt = (request.now ?? new Date()).toISOString();
  const noted = await db
    .insertInto('gold_serves')
    .values(chosen.map((g) => ({ reviewer: request.reviewer, gold: g.id, served_at: servedAt })))
    .onConflict((oc) => oc.columns(['reviewer', 'gold']).doNothing())
    .returning('gold')
    .execute();
  const mine = new Set(noted.map((n) => n.gold));
  const picked = chosen.filter((g) => mine.has(g.id));
  const out = real.slice(0, Math.min(real.length, request.limit - picked.length));
  for (const g of picked) {
    const at = g.rank % (out.length + 1);
    out.splice(at, 0, { item: reviewContentOf(JSON.parse(g.item) as Record<string, unknown>) });
  }
  return out;
}
