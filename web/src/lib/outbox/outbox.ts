/**
 * The outbox: the device's source of truth for what the contributor saved. An entry stays
 * `waiting` until the server has durably stored it and said so (`accepted` or `duplicate`); then
 * it is `sent` and stays listed under "My contributions". Items the server refuses for good
 * (`rejected`, `conflict`) are kept as `rejected`, with the reason, never silently dropped.
 *
 * Two implementations honour one contract (outbox.contract.ts): IndexedDB for the app, memory
 * for tests and for browsers where IndexedDB is unavailable.
 */
import type { ItemErrorCode, UnsignedContribution } from '../../../../federation/protocol/index.ts';

export type OutboxStatus = 'waiting' | 'sent' | 'rejected';

export interface Rejection {
  code: ItemErrorCode;
  field?: string;
  message?: string;
}

export interface OutboxEntry {
  id: string;
  /** Copy of contribution.deviceSeq, for ordering. */
  seq: number;
  status: OutboxStatus;
  /** As saved: signed (with the other items of its batch) only when it is sent. */
  contribution: UnsignedContribution;
  savedAt: number;
  sentAt?: number;
  rejection?: Rejection;
}

export type Outcome = { id: string; outcome: 'sent' } | { id: string; outcome: 'rejected'; rejection: Rejection };

export interface OutboxCounts {
  waiting: number;
  sent: number;
  rejected: number;
}

export interface Outbox {
  /**
   * Allocates the next device sequence number and stores the contribution `make` builds from it,
   * in one atomic step: if `make` throws or storage fails, nothing changes.
   */
  save(make: (deviceSeq: number) => UnsignedContribution, now?: number): Promise<OutboxEntry>;
  /** Waiting entries, oldest first (by device sequence). */
  waiting(limit: number): Promise<OutboxEntry[]>;
  /** Records what the server said. Unknown ids and entries no longer waiting are left alone. */
  settle(outcomes: Outcome[], now?: number): Promise<void>;
  /** Every entry, newest first. */
  list(): Promise<OutboxEntry[]>;
  counts(): Promise<OutboxCounts>;
  getMeta<T>(key: string): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  close(): void;
}

export type StorageErrorCode = 'storage_full' | 'storage_unavailable' | 'storage_failed';

/** A storage failure the UI can explain. Whatever was saved before it is untouched. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'StorageError';
  }
}

/** Maps what browsers throw (DOMException names) onto our three codes. */
export function toStorageError(e: unknown, opening = false): StorageError {
  if (e instanceof StorageError) return e;
  const name = (e as { name?: string } | null)?.name ?? '';
  if (name === 'QuotaExceededError' || (e as { code?: number } | null)?.code === 22) {
    return new StorageError('storage_full', { cause: e });
  }
  if (opening || name === 'SecurityError') {
    return new StorageError('storage_unavailable', { cause: e });
  }
  return new StorageError('storage_failed', { cause: e });
}
