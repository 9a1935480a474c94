/**
 * The tables as Kysely sees them, shared by every SQL backend. Column names are snake_case SQL;
 * `rows.ts` maps them to and from the wire types.
 */
import type { Generated } from 'kysely';

export interface ContributionsTable {
  seq: Generated<number>;
  id: string;
  kind: string;
  campaign: string;
  language: string;
  contributor: string;
  device_id: string;
  device_seq: number;
  created_at: string;
  received_at: string;
  licence: string;
  consent_version: string;
  /** Canonical JSON of the kind-specific `data`. */
  data: string;
  /** sha256 (hex) of the canonical JSON of the whole contribution. */
  content_hash: string;
  /** The item this one revises (migration 0002), or null. */
  revision_of: string | null;
  /** Canonical JSON of the envelope's on-device `checks` (migration 0004), or null. */
  checks: string | null;
  /** The node it was relayed from (migration 0005), or null when a device sent it here. */
  origin: string | null;
  /** When the origin node stored it (migration 0005), or null. */
  origin_received_at: string | null;
  /** The author's public key (migration 0009; null only on rows stored before signatures). */
  key: string | null;
  /** The author's signature (protocol/signing.ts; null only on rows stored before signatures). */
  signature: string | null;
}

export interface CampaignsTable {
  slug: string;
  join_code: string;
  version: number;
  /** Canonical JSON of the protocol `Campaign`. */
  data: string;
  updated_at: string;
}

export interface SeedsTable {
  campaign: string;
  id: string;
  type: string;
  language: string | null;
  /** Canonical JSON of the protocol `Seed`. */
  data: string;
  served: Generated<number>;
}

export interface SeedServesTable {
  campaign: string;
  seed: string;
  device: string;
  served_at: string;
}

export interface ReviewsTable {
  target: string;
  reviewer: string;
  review_id: string;
  action: string;
  reason: string | null;
  /** 1 when the review queue had served the target to the reviewer (migration 0011). */
  served: Generated<number>;
  /** Where the vote was cast: '' here, or the node it was relayed from (migration 0011). */
  scope: Generated<string>;
}

export interface ItemStateTable {
  id: string;
  root: string;
  revision_of: string | null;
  /** The votes that count (reviewer policy, migration 0011): the status is made of these. */
  up: Generated<number>;
  down: Generated<number>;
  flags: Generated<number>;
  /** Every vote held, counted or not (migration 0011). */
  all_up: Generated<number>;
  all_down: Generated<number>;
  all_flags: Generated<number>;
  moderator: string | null;
  status: string;
  withdrawn_by: string | null;
}

/** Withdrawals still waiting for items not held yet (migration 0005). */
export interface TombstonesTable {
  id: string;
  contributor: string;
  /** The item withdrawn, or null for a withdrawal of everything. */
  target: string | null;
  created_at: string;
}

/** Gold items (migration 0008, store/gold.ts): test questions with a known answer, never in `contributions`. */
export interface GoldItemsTable {
  id: string;
  campaign: string;
  kind: string;
  language: string;
  contributor: string;
  /** sha256 of the canonical JSON of { campaign, kind, language, data }. */
  content_key: string;
  /** Canonical JSON of the `Contribution` reviewers are served. */
  item: string;
  /** `good` or `bad`. */
  expected: string;
  note: string | null;
  imported_at: string;
}

/** Which reviewer was served which gold item (never twice). */
export interface GoldServesTable {
  reviewer: string;
  gold: string;
  served_at: string;
}

/** How often a campaign's review queue serves gold: one item in `every`. */
export interface GoldCampaignsTable {
  campaign: string;
  every: number;
}

/** Withdrawals a steward made for a contributor without their key (migration 0013, steward.ts). */
export interface StewardWithdrawalsTable {
  id: string;
  contributor: string;
  /** Everything of the contributor's made up to this time is withdrawn. */
  at: string;
  /** Who: the staff member's id, or `cli`. */
  by: string;
  reason: string;
}

/** Reviewer credentials granted on this server (migration 0011, store/standing.ts). */
export interface ReviewerCredentialsTable {
  campaign: string;
  reviewer: string;
  /** Who granted it: a staff member's name, or `cli`. */
  granted_by: string;
  granted_at: string;
  note: string | null;
}

/** What a key's eligibility in a campaign is decided from, per scope ('' here, or a vouching node). */
export interface ReviewerStandingTable {
  campaign: string;
  reviewer: string;
  scope: string;
  credential: number;
  gold_votes: number;
  gold_agreed: number;
  eligible: number;
  /** Orders changes of local ('') rows, which a node pushes to its hub. */
  version: number;
}

/** Which key the review queue served which item (migration 0011). */
export interface QueueServesTable {
  reviewer: string;
  item: string;
  campaign: string;
  served_at: string;
}

export interface Database {
  contributions: ContributionsTable;
  campaigns: CampaignsTable;
  seeds: SeedsTable;
  seed_serves: SeedServesTable;
  reviews: ReviewsTable;
  item_state: ItemStateTable;
  tombstones: TombstonesTable;
  gold_items: GoldItemsTable;
  gold_serves: GoldServesTable;
  gold_campaigns: GoldCampaignsTable;
  steward_withdrawals: StewardWithdrawalsTable;
  reviewer_credentials: ReviewerCredentialsTable;
  reviewer_standing: ReviewerStandingTable;
  queue_serves: QueueServesTable;
}

export type ContributionRow = Omit<ContributionsTable, 'seq'> & { seq: number };
export type NewContributionRow = Omit<ContributionsTable, 'seq'>;
