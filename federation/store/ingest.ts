/**
 * The idempotent-ingest rules, shared by every backend (the shape of Actual Budget's sync server:
 * insert-or-ignore, all in one transaction, and only what was really inserted counts as new).
 *
 * A backend inserts the first occurrence of each id with "insert, ignore if the id exists" inside
 * one transaction, and reports which ids it inserted and, for the others, the content hash the id
 * already holds. From that, each item is `accepted` (this batch stored it), `duplicate` (the id
 * holds identical content) or `conflict` (the id holds different content; nothing changed). When
 * an id appears twice in one batch the first occurrence is the one stored or compared; later ones
 * are compared, in memory, with whatever the id holds once the first has been handled.
 *
 * A new id may also be refused by the semantic rules (semantics.ts); it is then not stored, and
 * every occurrence of it in the batch gets that rejection.
 */
import type { Contribution } from '../protocol/index.ts';
import type { NewContributionRow } from './schema.ts';
import type { IngestStatus, RelayedRecord } from './store.ts';
import type { Rejection } from './semantics.ts';
import { toRow, type Canonical } from './rows.ts';

export interface InsertOutcome {
  /** Ids this transaction inserted. */
  inserted: ReadonlySet<string>;
  /** For every id that was not inserted: the content hash stored under it… */
  storedHash: ReadonlyMap<string, string>;
  /** …or, for a new id the semantic rules refused, why (semantics.ts). */
  rejected: ReadonlyMap<string, Rejection>;
}

export interface BatchPlan {
  /** One row per item, in order. */
  rows: NewContributionRow[];
  /** The rows to write: the first occurrence of each id… */
  firsts: NewContributionRow[];
  /** …and the contributions they were made from. */
  firstItems: Contribution[];
  /** Index (into `rows`) of the first occurrence of each id. */
  firstIndex: Map<string, number>;
  /** Relayed reviews whose origin node vouched that its queue had served the item (store.ts RelayedRecord). */
  served: Set<string>;
}

export function planBatch(
  deviceId: string,
  items: readonly Contribution[],
  receivedAt: string,
  canonical?: readonly Canonical[],
): BatchPlan {
  return planRows(items.map((item, i) => toRow(item, deviceId, receivedAt, canonical?.[i])), items, new Set());
}

/** The plan for records relayed from `origin`: each keeps its device and the origin's receipt time. */
export function planRelayed(origin: string, records: readonly RelayedRecord[], receivedAt: string): BatchPlan {
  const rows = records.map((r) =>
    toRow(r.contribution, r.deviceId, receivedAt, r.canonical, { origin, originReceivedAt: r.receivedAt }),
  );
  const served = new Set(records.filter((r) => r.served === true).map((r) => r.contribution.id));
  return planRows(rows, records.map((r) => r.contribution), served);
}

function planRows(rows: NewContributionRow[], items: readonly Contribution[], served: Set<string>): BatchPlan {
  const firstIndex = new Map<string, number>();
  const firsts: NewContributionRow[] = [];
  const firstItems: Contribution[] = [];
  rows.forEach((row, i) => {
    if (!firstIndex.has(row.id)) {
      firstIndex.set(row.id, i);
      firsts.push(row);
      firstItems.push(items[i]!);
    }
  });
  return { rows, firsts, firstItems, firstIndex, served };
}

export function classify(plan: BatchPlan, outcome: InsertOutcome): IngestStatus[] {
  const { rows, firstIndex } = plan;
  return rows.map((row, i): IngestStatus => {
    const first = firstIndex.get(row.id)!;
    const wasInserted = outcome.inserted.has(row.id);
    if (first === i && wasInserted) return 'accepted';
    // A refused id holds nothing; every occurrence gets the answer its first one got.
    const rejection = outcome.rejected.get(row.id);
    if (rejection !== undefined) return rejection;
    // What the id holds now: this batch's first occurrence if it was inserted, else the old row.
    const holds = wasInserted ? rows[first]!.content_hash : outcome.storedHash.get(row.id);
    if (holds === undefined) {
      throw new Error(`Contribution ${row.id} was neither inserted nor found in the store`);
    }
    return holds === row.content_hash ? 'duplicate' : 'conflict';
  });
}
