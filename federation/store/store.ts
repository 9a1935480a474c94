/**
 * The storage seam. One interface, one implementation per backend (`store.sqlite.ts`,
 * `store.postgres.ts`), chosen once at start-up (index.ts). Every implementation keeps the same
 * promises:
 *
 * - `ingest` is idempotent and atomic per batch: an item is `accepted` only if this call stored it,
 *   `duplicate` if the same id is already stored with identical content, `conflict` if the id is
 *   taken by different content (nothing changes). The batch commits durably before it resolves.
 * - `ingestRelayed` does the same for records another node stored first, keeping who sent them
 *   (`origin`); whether a record is new depends on its content alone, never on where it came from.
 * - Contributions are immutable and get a server order (`seq`) when first stored; `contributions()`
 *   streams them in that order by keyset pages and never loads the whole table.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type {
  Campaign,
  Contribution,
  ContributionKind,
  ItemStatus,
  ReviewQueue,
  Seed,
  SeedType,
  StatusResponse,
} from '../protocol/index.ts';
import type { Rejection } from './semantics.ts';
import type { Canonical } from './rows.ts';
import type { ReviewerStore } from './reviewers.ts';

/**
 * One item's outcome: a plain status for what the idempotency rules decide, or a rejection (with
 * its stable code) for what the semantic rules (semantics.ts) refuse.
 */
export type IngestStatus = 'accepted' | 'duplicate' | 'conflict' | Rejection;

export interface StoredContribution {
  /** Server order: increases with every newly stored contribution, never reused. */
  seq: number;
  deviceId: string;
  /** When this server first stored it (ISO 8601, server clock). */
  receivedAt: string;
  /** sha256 (hex) of the canonical JSON of the contribution. */
  contentHash: string;
  /** The node it was relayed from (the first that relayed it here), or null: a device sent it here. */
  origin: string | null;
  /** When the origin node stored it (ISO 8601, its clock), or null when `origin` is. */
  originReceivedAt: string | null;
  /** Derived status (for reviews and withdrawals, always `pending`: they are records, not items). */
  status: ItemStatus;
  contribution: Contribution;
}

export interface ReadOptions {
  /** Only this kind. */
  kind?: ContributionKind;
  /** Rows fetched per page (default 1000). */
  pageSize?: number;
  /** Only those with a `seq` strictly greater (a push cursor). */
  after?: number;
  /** Stop after this many. */
  limit?: number;
  /** Leave out records relayed from this node (what it sent need not go back to it). */
  excludeOrigin?: string;
}

/**
 * A stored record as a push relays it, read for that alone: its batch-manifest entry (id, content
 * hash, device, receipt time) and the JSON text of its protocol `PushRecord`, written from the
 * stored columns (the stored canonical `data` and `checks` as they are) without rebuilding the
 * contribution object. Parsing `json` gives exactly `{ deviceId, receivedAt, contribution }` of the
 * same record read through `contributions()`.
 */
export interface RelayText {
  seq: number;
  id: string;
  contentHash: string;
  deviceId: string;
  receivedAt: string;
  json: string;
}

/** A page of records to relay: after a cursor, at most `limit`, leaving out one origin's. */
export interface RelayReadOptions {
  after: number;
  limit: number;
  excludeOrigin?: string;
}

/**
 * More writes for the transaction of an `ingestRelayed`, run in it after the records were written
 * (the hub records the batch and moves the node's cursor there): the records and these writes
 * commit together, with one durable commit, or not at all. `trx` is the transaction's executor.
 */
export type WithinIngest = (trx: Kysely<Database>) => Promise<void>;

/** A record another node stored, relayed here with what that node knew of it. */
export interface RelayedRecord {
  contribution: Contribution;
  /** The device that sent it to the origin node. */
  deviceId: string;
  /** When the origin node stored it (its clock). */
  receivedAt: string;
  /** `canonicalOf(contribution)`, when computed elsewhere. */
  canonical?: Canonical;
  /** A review the origin node's review queue had served the item for (it vouches in its push). */
  served?: boolean;
}

export interface StoreCounts {
  total: number;
  byKind: Record<string, number>;
  byLanguage: Record<string, number>;
}

/** A campaign as a librarian writes it; the node adds the join code (if none) and the version. */
export type CampaignInput = Omit<Campaign, 'joinCode' | 'version'> & { joinCode?: string };

/** A campaign's content items of one kind that count toward its goals (see `campaignTallies`). */
export interface CampaignTally {
  campaign: string;
  kind: string;
  /** Pending or accepted (not withdrawn, replaced by an edit, hidden or rejected). */
  collected: number;
  accepted: number;
}

export interface SeedImportResult {
  /** Seeds newly stored. */
  added: number;
  /** Seeds whose id was already stored for the campaign: replaced by the imported content. */
  updated: number;
}

export interface SeedDraw {
  campaign: string;
  type: SeedType;
  language?: string;
  device: string;
  limit: number;
}

export interface QueueRequest {
  campaign: string;
  language: string;
  reviewer: string;
  limit: number;
  /** The time of the request (default now): serves are recorded at it and limited per day before it. */
  now?: Date;
}

export type ModeratorAction = 'hide' | 'clear';

export interface Store {
  /** Stores a batch in one durable transaction; one status per item, in order. */
  ingest(deviceId: string, items: readonly Contribution[], canonical?: readonly Canonical[]): Promise<IngestStatus[]>;
  /**
   * Stores records relayed from the node `origin`, like `ingest` (same idempotency, checks and
   * derived state, one durable transaction), keeping each record's device and the origin's
   * receipt time; `receivedAt` becomes now. A record already held, from wherever, keeps its origin.
   */
  ingestRelayed(origin: string, records: readonly RelayedRecord[], within?: WithinIngest): Promise<IngestStatus[]>;
  /**
   * Every contribution stored when the iteration starts (later ones are left out), in `seq`
   * order, fetched page by page; `after`, `limit` and `excludeOrigin` narrow it (push batches).
   */
  contributions(options?: ReadOptions): AsyncIterable<StoredContribution>;
  /**
   * The records `contributions({ after, limit, excludeOrigin })` would give, in the same order, as
   * a push sends them (RelayText): one read, no derived status.
   */
  relayTexts(options: RelayReadOptions): Promise<RelayText[]>;
  counts(): Promise<StoreCounts>;

  /** Stored campaigns, by slug (`general` is not stored; see campaigns.ts in server/). */
  campaigns(): Promise<Campaign[]>;
  campaign(slug: string): Promise<Campaign | undefined>;
  /** The campaign with this join code (upper case). */
  campaignByJoinCode(code: string): Promise<Campaign | undefined>;
  /**
   * Creates the campaign, or updates it (version + 1, join code kept unless given). A changed
   * consensus rule re-derives the status of its items.
   */
  saveCampaign(input: CampaignInput, options?: { create?: boolean }): Promise<Campaign>;
  /** Every campaign's items per content kind, collected and accepted (one scan: cache it). */
  campaignTallies(): Promise<CampaignTally[]>;
  /** Stores seeds for a stored campaign, all or none; the same ids again replace them. */
  importSeeds(campaign: string, seeds: readonly Seed[]): Promise<SeedImportResult>;
  /**
   * Up to `limit` seeds for a device, least served first, never one already given to this device
   * unless there is no other, random among equals; records what it served.
   */
  drawSeeds(draw: SeedDraw): Promise<Seed[]>;
  /**
   * Pending content items of others, not yet reviewed by the reviewer: those served to them before
   * first, then new ones (at most the campaign's `servesPerDay` a day), fewest counted votes first,
   * in the reviewer's own order among equals; records what it served (review.ts).
   */
  reviewQueue(request: QueueRequest): Promise<ReviewQueue['items']>;
  /**
   * The derived status of each id (`unknown` when not held, not a content item, or — when
   * `contributor` is given — not that contributor's).
   */
  statuses(ids: readonly string[], contributor?: string): Promise<StatusResponse['items']>;
  /** A moderator's decision on a content item; false when no such item is held. */
  moderate(id: string, action: ModeratorAction): Promise<boolean>;
  /**
   * Reviewer credentials and standing (reviewers.ts in this folder): whether a key's votes count
   * in a campaign, staff grants and revocations, what staff see, and the standing a node vouches
   * for to its hub.
   */
  readonly reviewers: ReviewerStore;
  /** Whether the key's votes count in the campaign here: eligible under its reviewer policy. */
  reviewerEligible(campaign: string, contributor: string): Promise<boolean>;

  /** The Kysely instance behind this store, for feature stores that share its connection (the glossary). */
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}
