/**
 * The campaigns' glossaries, durably and with their authors (migration 0012), on the main store's
 * own database connection.
 *
 * The log (`glossary_log`) is append-only: one row per record — a device's signed sync request, a
 * record relayed from another server, or a server's own update — with its author and what it added
 * here (its novel part, attribution.ts). Nothing is ever folded away there, so who wrote what, and
 * what the glossary was at any time, can always be rebuilt. `glossary_state` is only a cache for
 * serving: the merged novel parts through some row, refreshed when rows pile up after it.
 *
 * `sync` is a device's whole exchange in ONE transaction: read the glossary, apply the device's
 * update, and when it adds anything — and only then — check that the author may write (decided by
 * the caller beforehand) and writes under Yjs client ids of its own, append it, and commit (SQLite
 * `synchronous=FULL`, PostgreSQL `synchronous_commit=on`) before the answer is handed back. A
 * refused update changes nothing. `revert` and `restore` rebuild the document from the log without
 * some rows (restore.ts) and append the difference as a server record, which reaches every replica
 * like any other update.
 */
import * as Y from 'yjs';
import type { Generated, Kysely, Transaction } from 'kysely';
import {
  canonicalJson,
  type ContributorGlossaryRecord,
  type GlossaryActionResult,
  type GlossaryLog,
  type GlossaryRecord,
  type GlossaryServerAction,
  GLOSSARY_MAX_UPDATE_BYTES,
  MAX_ALIASES,
  type ServerGlossaryRecord,
} from '../protocol/index.ts';
import { listTerms } from '../protocol/glossary.doc.ts';
import { type ClientRequest, encodeServerAnswer, GlossarySyncError } from '../protocol/glossary.sync.ts';
import type { Database } from '../store/schema.ts';
import { lockGlossary } from '../store/locks.ts';
import { applyAttributed, docOf, partsOf, type Ranges, unionRanges } from './attribution.ts';
import { replacedBy, restoreUpdate } from './restore.ts';
import { type ReadRecord, recordId, serverRecord } from './records.ts';

export interface GlossaryLogTable {
  seq: Generated<number>;
  campaign: string;
  record_id: string;
  kind: string;
  author: string;
  /** Canonical JSON of the record (protocol/glossary.log.ts). */
  record: string;
  /** What it added here, or null when nothing. */
  novel: Uint8Array | null;
  stored_at: string;
  /** `local`, `hub`, or the node id it came from. */
  origin: string;
}

export type GlossaryDatabase = {
  glossary_log: GlossaryLogTable;
  glossary_state: { campaign: string; data: Uint8Array; through: number };
  glossary_clients: { campaign: string; client: number; author: string };
  glossary_cursors: { campaign: string; pushed: number; pulled: number };
};

/** Where records made on this server (by its devices and staff) come from. */
export const LOCAL_ORIGIN = 'local';

/** Rows after the cached state before it is refreshed. */
export const DEFAULT_COMPACT_AFTER = 32;

export type GlossaryRefusalCode = 'not_eligible' | 'foreign_client';

/** A device's update that adds something and may not: nothing was stored. */
export class GlossaryRefusal extends Error {
  constructor(
    readonly code: GlossaryRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'GlossaryRefusal';
  }
}

/** Who sends a device sync, as the endpoint verified it. */
export interface DeviceWrite {
  /** The record of this very request: its signed Authorization fields and body. */
  record: ContributorGlossaryRecord;
  contributor: string;
  /** Whether the contributor may write to this campaign (asked before the transaction). */
  eligible: boolean;
}

export interface GlossarySyncResult {
  /** Step 2 (what the device lacks) then step 1 (the server's state vector). */
  answer: Uint8Array;
  /** Whether the device's update added something and was appended. */
  stored: boolean;
  /** Whether this request refreshed the cached state. */
  compacted: boolean;
}

export type RelayStatus = 'accepted' | 'duplicate' | 'invalid';

export interface StoredRecord {
  seq: number;
  /** The record's canonical JSON, as relayed. */
  json: string;
}

export interface RecordsQuery {
  after: number;
  /** At most this seq (a bound read first, so that a cursor never passes a row committed later). */
  through?: number;
  /** Leave out records that came from here. */
  excludeOrigin?: string;
  limit?: number;
  /** Stop once this many characters of JSON were read (at least one record is always given). */
  maxChars?: number;
}

/** Who makes a server record: the issuer (this server's id) and the staff account or `cli`. */
export interface ActionBy {
  issuer: string;
  actor: string;
}

export interface GlossaryStore {
  sync(campaign: string, request: ClientRequest, writer: DeviceWrite): Promise<GlossarySyncResult>;
  /** Records relayed from another server (checked by the caller), stored once each, in order. */
  ingest(campaign: string, records: readonly ReadRecord[], origin: string): Promise<RelayStatus[]>;
  records(campaign: string, query: RecordsQuery): Promise<StoredRecord[]>;
  /** The campaign's last seq (0 when it has no log). */
  top(campaign: string): Promise<number>;
  /** The campaign's document as this server holds it (empty if it has none). */
  load(campaign: string): Promise<Y.Doc>;
  /** Every campaign with a glossary log, sorted. */
  campaigns(): Promise<string[]>;
  log(campaign: string, query: { limit: number; before?: number | undefined }): Promise<GlossaryLog>;
  /** The glossary as it would be without `author`'s records, written as a new server record. */
  revert(campaign: string, author: string, by: ActionBy): Promise<GlossaryActionResult>;
  /** The glossary as this server held it at `asOf`, written as a new server record. */
  restore(campaign: string, asOf: Date, by: ActionBy): Promise<GlossaryActionResult>;
  /** On a node: how far the campaign's log went to the hub and came from it. */
  cursors(campaign: string): Promise<{ pushed: number; pulled: number }>;
  saveCursors(campaign: string, cursors: { pushed: number; pulled: number }): Promise<void>;
  /** Rows in the campaign's log, and how many of them the cached state does not cover. */
  stats(campaign: string): Promise<{ records: number; unfolded: number }>;
}

export interface GlossaryStoreOptions {
  compactAfter?: number;
  now?: () => Date;
  random?: () => number;
}

type Db = Kysely<GlossaryDatabase> | Transaction<GlossaryDatabase>;

interface Loaded {
  doc: Y.Doc;
  state: Uint8Array | null;
  /** Novel parts of the rows after the state, in order. */
  tail: Uint8Array[];
  /** Rows after the state (novel or not). */
  unfolded: number;
}

async function loadDoc(db: Db, campaign: string): Promise<Loaded> {
  const state = await db.selectFrom('glossary_state').select(['data', 'through']).where('campaign', '=', campaign).executeTakeFirst();
  const rows = await db
    .selectFrom('glossary_log')
    .select('novel')
    .where('campaign', '=', campaign)
    .where('seq', '>', state?.through ?? 0)
    .orderBy('seq')
    .execute();
  const data = state === undefined ? null : new Uint8Array(state.data);
  const tail = rows.flatMap((r) => (r.novel === null ? [] : [new Uint8Array(r.novel)]));
  return { doc: docOf(data === null ? tail : [data, ...tail]), state: data, tail, unfolded: rows.length };
}

interface Appended {
  seq: number;
  novel: Uint8Array | null;
}

async function appendRow(
  trx: Transaction<GlossaryDatabase>,
  campaign: string,
  row: { id: string; kind: GlossaryRecord['kind']; author: string; json: string; novel: Uint8Array | null; origin: string; storedAt: string },
): Promise<Appended> {
  const inserted = await trx
    .insertInto('glossary_log')
    .values({ campaign, record_id: row.id, kind: row.kind, author: row.author, record: row.json, novel: row.novel, stored_at: row.storedAt, origin: row.origin })
    .returning('seq')
    .executeTakeFirstOrThrow();
  return { seq: Number(inserted.seq), novel: row.novel };
}

/**
 * Notes `author` as the writer under `clients`. With `strict` (a device's own update), a client id
 * another author already writes under is refused: otherwise one key could write structs in
 * another's name and clocks, and a revert of it would take the other's later work along.
 */
async function claimClients(trx: Transaction<GlossaryDatabase>, campaign: string, clients: readonly number[], author: string, strict: boolean): Promise<void> {
  if (clients.length === 0) return;
  const owned = await trx.selectFrom('glossary_clients').select(['client', 'author']).where('campaign', '=', campaign).where('client', 'in', [...clients]).execute();
  if (strict && owned.some((o) => o.author !== author)) {
    throw new GlossaryRefusal('foreign_client', 'This update writes under a Yjs client id that belongs to another author');
  }
  const known = new Set(owned.map((o) => Number(o.client)));
  const fresh = clients.filter((c) => !known.has(c));
  if (fresh.length > 0) {
    await trx
      .insertInto('glossary_clients')
      .values(fresh.map((client) => ({ campaign, client, author })))
      .onConflict((oc) => oc.columns(['campaign', 'client']).doNothing())
      .execute();
  }
}

export function openGlossaryStore(main: Kysely<Database>, options: GlossaryStoreOptions = {}): GlossaryStore {
  const db: Kysely<GlossaryDatabase> = main.withTables<GlossaryDatabase>();
  const compactAfter = Math.max(2, options.compactAfter ?? DEFAULT_COMPACT_AFTER);
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;

  /** Refreshes the cached state when enough rows follow it; true when it did. */
  async function compact(trx: Transaction<GlossaryDatabase>, campaign: string, loaded: Loaded, appended: readonly Appended[]): Promise<boolean> {
    const last = appended[appended.length - 1];
    if (last === undefined || loaded.unfolded + appended.length < compactAfter) return false;
    const parts = [...(loaded.state === null ? [] : [loaded.state]), ...loaded.tail, ...appended.flatMap((a) => (a.novel === null ? [] : [a.novel]))];
    const data = parts.length === 0 ? Y.encodeStateAsUpdate(new Y.Doc()) : parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts);
    await trx
      .insertInto('glossary_state')
      .values({ campaign, data, through: last.seq })
      .onConflict((oc) => oc.column('campaign').doUpdateSet({ data, through: last.seq }))
      .execute();
    return true;
  }

  /**
   * Writes, as a server record, what makes the glossary show what it would without the rows
   * `keep` refuses (restore.ts): their structs left out, only the kept rows' deletions counted,
   * and the kept server records' copies standing in for their originals.
   */
  async function act(campaign: string, action: Exclude<GlossaryServerAction, 'legacy'>, subject: string, keep: (row: { author: string; storedAt: string }) => boolean, by: ActionBy): Promise<GlossaryActionResult> {
    return db.transaction().execute(async (trx) => {
      await lockGlossary(trx, campaign);
      const rows = await trx.selectFrom('glossary_log').select(['kind', 'author', 'record', 'novel', 'stored_at']).where('campaign', '=', campaign).orderBy('seq').execute();
      const leftOut: Ranges[] = [];
      const deletions: Ranges[] = [];
      const replaced: Ranges = new Map();
      const novels: Uint8Array[] = [];
      let dropped = 0;
      for (const r of rows) {
        const kept = keep({ author: r.author, storedAt: r.stored_at });
        if (!kept) dropped++;
        else if (r.kind === 'server') replacedBy((JSON.parse(r.record) as ServerGlossaryRecord).aliases ?? [], replaced);
        if (r.novel === null) continue;
        const novel = new Uint8Array(r.novel);
        novels.push(novel);
        const parts = partsOf(novel);
        if (kept) deletions.push(parts.deletions);
        else leftOut.push(parts.structs);
      }
      const full = docOf(novels, false);
      const before = listTerms(full).length;
      const result = { campaign, action, leftOut: dropped };
      const restored = restoreUpdate(full, { leftOut: unionRanges(leftOut), deletions: unionRanges(deletions), replaced }, random);
      if (restored === null) return { ...result, changed: false, record: null, terms: { before, after: before } };
      // A record every server takes: one that the hub's schema refused would stop this campaign's exchange.
      if (restored.aliases.length > MAX_ALIASES || restored.update.byteLength > GLOSSARY_MAX_UPDATE_BYTES) {
        throw new Error(`This ${action} would write ${restored.update.byteLength} bytes and ${restored.aliases.length} copies, more than one record holds`);
      }
      const at = now().toISOString();
      const record = serverRecord({ campaign, issuer: by.issuer, action, subject, actor: by.actor, at, ...(restored.aliases.length > 0 ? { aliases: restored.aliases } : {}) }, restored.update);
      const loaded = await loadDoc(trx, campaign);
      const { novel, clients } = applyAttributed(loaded.doc, restored.update, 'server');
      const id = recordId(record);
      const appended = await appendRow(trx, campaign, { id, kind: 'server', author: by.issuer, json: canonicalJson(record), novel, origin: LOCAL_ORIGIN, storedAt: at });
      await claimClients(trx, campaign, clients, by.issuer, false);
      await compact(trx, campaign, loaded, [appended]);
      return { ...result, changed: true, record: id, terms: { before, after: listTerms(loaded.doc).length } };
    });
  }

  return {
    sync(campaign, { stateVector, update }, writer) {
      // This transaction is what makes the answer a promise: the update is committed before it.
      return db.transaction().execute(async (trx) => {
        // PostgreSQL runs syncs concurrently: one campaign's are taken in turn, so `seq` order is
        // commit order within a campaign (a relay cursor never passes a row committed later).
        await lockGlossary(trx, campaign);
        const loaded = await loadDoc(trx, campaign);
        let stored = false;
        let compacted = false;
        if (update !== null) {
          const { novel, clients } = applyAttributed(loaded.doc, update, 'device');
          if (novel !== null) {
            if (!writer.eligible) throw new GlossaryRefusal('not_eligible', 'This campaign’s glossary does not take edits from this contributor key');
            await claimClients(trx, campaign, clients, writer.contributor, true);
            const appended = await appendRow(trx, campaign, {
              id: recordId(writer.record),
              kind: 'contributor',
              author: writer.contributor,
              json: canonicalJson(writer.record),
              novel,
              origin: LOCAL_ORIGIN,
              storedAt: now().toISOString(),
            });
            stored = true;
            compacted = await compact(trx, campaign, loaded, [appended]);
          }
        }
        return { answer: encodeServerAnswer(loaded.doc, stateVector), stored, compacted };
      });
    },

    ingest(campaign, records, origin) {
      return db.transaction().execute(async (trx) => {
        await lockGlossary(trx, campaign);
        const loaded = await loadDoc(trx, campaign);
        let doc = loaded.doc;
        const ids = records.map((r) => r.id);
        const held = new Set<string>();
        for (let i = 0; i < ids.length; i += 500) {
          const rows = await trx.selectFrom('glossary_log').select('record_id').where('record_id', 'in', ids.slice(i, i + 500)).execute();
          for (const r of rows) held.add(r.record_id);
        }
        const statuses: RelayStatus[] = [];
        const appended: Appended[] = [];
        for (const r of records) {
          if (held.has(r.id)) {
            statuses.push('duplicate');
            continue;
          }
          let attributed;
          try {
            attributed = applyAttributed(doc, r.update, 'relay');
          } catch (err) {
            if (!(err instanceof GlossarySyncError)) throw err;
            // Yjs may have applied part of it: start again from what is stored.
            doc = (await loadDoc(trx, campaign)).doc;
            statuses.push('invalid');
            continue;
          }
          appended.push(
            await appendRow(trx, campaign, { id: r.id, kind: r.record.kind, author: r.author, json: canonicalJson(r.record), novel: attributed.novel, origin, storedAt: now().toISOString() }),
          );
          await claimClients(trx, campaign, attributed.clients, r.author, false);
          held.add(r.id);
          statuses.push('accepted');
        }
        await compact(trx, campaign, loaded, appended);
        return statuses;
      });
    },

    async records(campaign, { after, through, excludeOrigin, limit = 500, maxChars = Infinity }) {
      let query = db.selectFrom('glossary_log').select(['seq', 'record']).where('campaign', '=', campaign).where('seq', '>', after);
      if (through !== undefined) query = query.where('seq', '<=', through);
      if (excludeOrigin !== undefined) query = query.where('origin', '!=', excludeOrigin);
      const rows = await query.orderBy('seq').limit(limit).execute();
      const out: StoredRecord[] = [];
      let chars = 0;
      for (const r of rows) {
        if (out.length > 0 && chars + r.record.length > maxChars) break;
        out.push({ seq: Number(r.seq), json: r.record });
        chars += r.record.length;
      }
      return out;
    },

    async top(campaign) {
      const row = await db.selectFrom('glossary_log').select((eb) => eb.fn.max('seq').as('top')).where('campaign', '=', campaign).executeTakeFirst();
      return Number(row?.top ?? 0);
    },

    async load(campaign) {
      return (await loadDoc(db, campaign)).doc;
    },

    async campaigns() {
      const rows = await db.selectFrom('glossary_log').select('campaign').distinct().orderBy('campaign').execute();
      return rows.map((r) => r.campaign);
    },

    async log(campaign, { limit, before }) {
      let query = db.selectFrom('glossary_log').select(['seq', 'record_id', 'kind', 'author', 'record', 'novel', 'stored_at', 'origin']).where('campaign', '=', campaign);
      if (before !== undefined) query = query.where('seq', '<', before);
      const rows = await query.orderBy('seq', 'desc').limit(limit + 1).execute();
      const entries = rows.slice(0, limit).map((r) => {
        const entry: GlossaryLog['entries'][number] = {
          seq: Number(r.seq),
          id: r.record_id,
          kind: r.kind === 'server' ? 'server' : 'contributor',
          author: r.author,
          storedAt: r.stored_at,
          origin: r.origin,
          bytes: r.novel === null ? 0 : r.novel.byteLength,
        };
        if (r.kind === 'server') {
          const record = JSON.parse(r.record) as { action: GlossaryServerAction; subject: string; actor: string };
          Object.assign(entry, { action: record.action, subject: record.subject, actor: record.actor });
        }
        return entry;
      });
      return { campaign, entries, next: rows.length > limit ? entries[entries.length - 1]!.seq : null };
    },

    revert(campaign, author, by) {
      return act(campaign, 'revert', author, (row) => row.author !== author, by);
    },

    restore(campaign, asOf, by) {
      const at = asOf.toISOString();
      return act(campaign, 'restore', at, (row) => row.storedAt <= at, by);
    },

    async cursors(campaign) {
      const row = await db.selectFrom('glossary_cursors').select(['pushed', 'pulled']).where('campaign', '=', campaign).executeTakeFirst();
      return { pushed: Number(row?.pushed ?? 0), pulled: Number(row?.pulled ?? 0) };
    },

    async saveCursors(campaign, { pushed, pulled }) {
      await db
        .insertInto('glossary_cursors')
        .values({ campaign, pushed, pulled })
        .onConflict((oc) => oc.column('campaign').doUpdateSet({ pushed, pulled }))
        .execute();
    },

    async stats(campaign) {
      const state = await db.selectFrom('glossary_state').select('through').where('campaign', '=', campaign).executeTakeFirst();
      const count = async (after: number) =>
        Number(
          (
            await db
              .selectFrom('glossary_log')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('campaign', '=', campaign)
              .where('seq', '>', after)
              .executeTakeFirstOrThrow()
          ).n,
        );
      return { records: await count(0), unfolded: await count(Number(state?.through ?? 0)) };
    },
  };
}
