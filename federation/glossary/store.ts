/**
 * The node's glossaries, durably: one row per update a device sent (`glossary_updates`, migration
 * 0003), on the main store's own database connection.
 *
 * `sync` is the whole exchange for one request, in ONE transaction: read the campaign's rows, apply
 * the device's update, append it if it taught the node anything, compact when the rows pile up,
 * and commit (durably: SQLite runs `synchronous=FULL`, PostgreSQL `synchronous_commit=on`) — only
 * then is the answer, the diff for the device's state vector, handed back. A device that never
 * hears the answer just sends the same update again, which changes nothing.
 *
 * Compaction replaces all of a campaign's rows by their `Y.mergeUpdates` in the same transaction,
 * so a reader sees either the old rows or the merged one, never neither.
 */
import * as Y from 'yjs';
import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { lockGlossary } from '../store/locks.ts';
import { applyCheckedUpdate, type ClientRequest, encodeServerAnswer } from '../protocol/glossary.sync.ts';

export type GlossaryUpdatesTable = {
  id: Generated<number>;
  campaign: string;
  data: Uint8Array;
  stored_at: string;
};

export type GlossaryDatabase = {
  glossary_updates: GlossaryUpdatesTable;
};

/** Rows a campaign may hold before they are folded into one. */
export const DEFAULT_COMPACT_AFTER = 32;

export interface GlossarySyncResult {
  /** Step 2 (what the device lacks) then step 1 (the node's state vector). */
  answer: Uint8Array;
  /** Whether the device's update was new to the node and appended. */
  stored: boolean;
  /** Whether this request folded the campaign's rows into one. */
  compacted: boolean;
}

export interface GlossaryStore {
  sync(campaign: string, request: ClientRequest): Promise<GlossarySyncResult>;
  /** The campaign's document as the node holds it (empty if it has none). */
  load(campaign: string): Promise<Y.Doc>;
  /** Every campaign with a stored glossary, sorted. */
  campaigns(): Promise<string[]>;
  /** How many rows hold the campaign's glossary (for operators and tests of compaction). */
  rowCount(campaign: string): Promise<number>;
}

export interface GlossaryStoreOptions {
  compactAfter?: number;
  now?: () => Date;
}

type Db = Kysely<GlossaryDatabase> | Transaction<GlossaryDatabase>;

async function readRows(db: Db, campaign: string): Promise<Uint8Array[]> {
  const rows = await db
    .selectFrom('glossary_updates')
    .select('data')
    .where('campaign', '=', campaign)
    .orderBy('id')
    .execute();
  return rows.map((r) => new Uint8Array(r.data));
}

function docOf(updates: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  if (updates.length > 0) Y.applyUpdate(doc, updates.length === 1 ? updates[0]! : Y.mergeUpdates([...updates]));
  return doc;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);

/** The state vector and delete set, which together say whether an update taught the doc anything. */
function fingerprint(doc: Y.Doc): Uint8Array[] {
  const sv = Y.encodeStateVector(doc);
  return [sv, Y.encodeStateAsUpdate(doc, sv)];
}

export function openGlossaryStore(main: Kysely<Database>, options: GlossaryStoreOptions = {}): GlossaryStore {
  const db: Kysely<GlossaryDatabase> = main.withTables<GlossaryDatabase>();
  const compactAfter = Math.max(2, options.compactAfter ?? DEFAULT_COMPACT_AFTER);
  const now = options.now ?? (() => new Date());

  return {
    sync(campaign, { stateVector, update }) {
      // This transaction is what makes the answer a promise: the update is committed before it.
      return db.transaction().execute(async (trx) => {
        // PostgreSQL runs syncs concurrently: without this, two compactions could each drop the
        // other's update. (SQLite has one writer at a time.)
        await lockGlossary(trx, campaign);
        const rows = await readRows(trx, campaign);
        const doc = docOf(rows);
        let stored = false;
        let compacted = false;
        if (update !== null) {
          const before = fingerprint(doc);
          applyCheckedUpdate(doc, update, 'device');
          const after = fingerprint(doc);
          const pending = doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
          stored = pending || !before.every((b, i) => sameBytes(b, after[i]!));
          if (stored) {
            const storedAt = now().toISOString();
            if (rows.length + 1 > compactAfter) {
              await trx.deleteFrom('glossary_updates').where('campaign', '=', campaign).execute();
              const merged = Y.mergeUpdates([...rows, update]);
              await trx.insertInto('glossary_updates').values({ campaign, data: merged, stored_at: storedAt }).execute();
              compacted = true;
            } else {
              await trx.insertInto('glossary_updates').values({ campaign, data: update, stored_at: storedAt }).execute();
            }
          }
        }
        return { answer: encodeServerAnswer(doc, stateVector), stored, compacted };
      });
    },
    async load(campaign) {
      return docOf(await readRows(db, campaign));
    },
    async campaigns() {
      const rows = await db.selectFrom('glossary_updates').select('campaign').distinct().orderBy('campaign').execute();
      return rows.map((r) => r.campaign);
    },
    async rowCount(campaign) {
      const row = await db
        .selectFrom('glossary_updates')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('campaign', '=', campaign)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
