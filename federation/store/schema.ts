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
}

export interface Database {
  contributions: ContributionsTable;
}

export type ContributionRow = Omit<ContributionsTable, 'seq'> & { seq: number };
export type NewContributionRow = Omit<ContributionsTable, 'seq'>;
