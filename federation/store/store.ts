/**
 * The storage seam. One interface, one implementation per backend (`store.sqlite.ts` now,
 * `store.postgres.ts` later), chosen once at start-up. Every implementation keeps the same
 * promises:
 *
 * - `ingest` is idempotent and atomic per batch: an item is `accepted` only if this call stored it,
 *   `duplicate` if the same id is already stored with identical content, `conflict` if the id is
 *   taken by different content (nothing changes). The batch commits durably before it resolves.
 * - Contributions are immutable and get a server order (`seq`) when first stored; `contributions()`
 *   streams them in that order by keyset pages and never loads the whole table.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Contribution, ContributionKind } from '../protocol/index.ts';

export type IngestStatus = 'accepted' | 'duplicate' | 'conflict';

export interface StoredContribution {
  /** Server order: increases with every newly stored contribution, never reused. */
  seq: number;
  deviceId: string;
  /** When this server first stored it (ISO 8601, server clock). */
  receivedAt: string;
  /** sha256 (hex) of the canonical JSON of the contribution. */
  contentHash: string;
  contribution: Contribution;
}

export interface ReadOptions {
  /** Only this kind. */
  kind?: ContributionKind;
  /** Rows fetched per page (default 1000). */
  pageSize?: number;
}

export interface StoreCounts {
  total: number;
  byKind: Record<string, number>;
  byLanguage: Record<string, number>;
}

export interface Store {
  /** Stores a batch in one durable transaction; one status per item, in order. */
  ingest(deviceId: string, items: readonly Contribution[]): Promise<IngestStatus[]>;
  /**
   * Every contribution stored when the iteration starts (later ones are left out), in `seq`
   * order, fetched page by page.
   */
  contributions(options?: ReadOptions): AsyncIterable<StoredContribution>;
  counts(): Promise<StoreCounts>;
  /** The Kysely instance behind this store, for feature stores that share its connection (the glossary). */
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}
