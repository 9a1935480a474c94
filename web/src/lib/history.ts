/**
 * What the device knows about its own items, derived from the outbox alone (so it holds offline):
 * which items were replaced by a later edit, which were withdrawn, which other people's items were
 * already reviewed from here. The node's view (accepted, rejected…) is layered on top by the
 * status map; local facts win because they are newer than any answer the node gave.
 */
import { isContent, type ContentContribution, type ItemStatus, type StatusResponse, type Unsigned } from '../../../federation/protocol/index.ts';
import type { OutboxEntry } from './outbox/outbox.ts';

export type ShownStatus = 'waiting' | 'rejected' | 'replaced' | 'withdrawn' | ItemStatus | 'sent';

export interface HistoryItem {
  entry: OutboxEntry;
  contribution: Unsigned<ContentContribution>;
  /** The id of the newer revision of this item made on this device, if any. */
  replacedBy?: string;
  withdrawn: boolean;
  status: ShownStatus;
}

export type StatusMap = Record<string, StatusResponse['items'][number]>;

export interface History {
  /** Content items, newest first; replaced ones stay listed, marked. */
  items: HistoryItem[];
  /** Ids of items (anyone's) this device reviewed. */
  reviewed: Set<string>;
  /** Whether a "withdraw everything" was saved. */
  withdrewAll: boolean;
  records: number;
}

export function history(entries: OutboxEntry[], statuses: StatusMap = {}, contributor?: string): History {
  const replacedBy = new Map<string, string>();
  const withdrawnIds = new Set<string>();
  const reviewed = new Set<string>();
  let withdrewAll = false;
  let records = 0;
  const own = (e: OutboxEntry) => contributor === undefined || e.contribution.contributor === contributor;
  // Entries come newest first; walk oldest first so later revisions replace earlier ones.
  for (const e of [...entries].reverse()) {
    const c = e.contribution;
    if (c.kind === 'review') {
      records++;
      reviewed.add(c.data.target);
    } else if (c.kind === 'withdrawal') {
      records++;
      if (e.status === 'rejected') continue;
      if (c.data.scope === 'all') withdrewAll = own(e) || withdrewAll;
      else withdrawnIds.add(c.data.target);
    } else if (c.revisionOf && own(e) && e.status !== 'rejected') {
      replacedBy.set(c.revisionOf, c.id);
    }
  }
  // A withdrawal covers the item's whole chain of revisions.
  const chainWithdrawn = (id: string): boolean => {
    const seen = new Set<string>();
    let cur: string | undefined = id;
    while (cur && !seen.has(cur)) {
      if (withdrawnIds.has(cur)) return true;
      seen.add(cur);
      cur = replacedBy.get(cur);
    }
    return false;
  };
  const byId = new Map(entries.map((e) => [e.id, e]));
  const isWithdrawn = (c: Unsigned<ContentContribution>): boolean => {
    if (withdrewAll && own(byId.get(c.id)!)) return true;
    // Walk back to the original, then forward: any withdrawn link withdraws the chain.
    let first: Unsigned<ContentContribution> = c;
    const seen = new Set<string>();
    while (first.revisionOf && !seen.has(first.id)) {
      seen.add(first.id);
      const prev = byId.get(first.revisionOf)?.contribution;
      if (!prev || !isContent(prev) || prev.contributor !== c.contributor) break;
      first = prev;
    }
    return chainWithdrawn(first.id);
  };

  const items: HistoryItem[] = [];
  for (const entry of entries) {
    const c = entry.contribution;
    if (!isContent(c)) continue;
    const withdrawn = isWithdrawn(c);
    const next = replacedBy.get(c.id);
    let status: ShownStatus;
    if (entry.status === 'rejected') status = 'rejected';
    else if (withdrawn) status = 'withdrawn';
    else if (next) status = 'replaced';
    else if (entry.status === 'waiting') status = 'waiting';
    else status = shownFromNode(statuses[c.id]?.status);
    items.push({ entry, contribution: c, ...(next ? { replacedBy: next } : {}), withdrawn, status });
  }
  return { items, reviewed, withdrewAll, records };
}

function shownFromNode(status: StatusResponse['items'][number]['status'] | undefined): ShownStatus {
  if (status === undefined || status === 'unknown') return 'sent';
  if (status === 'superseded') return 'replaced';
  return status;
}
