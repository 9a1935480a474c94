/**
 * Every schema migration, in order, compiled into the program (no directory scanning, so the
 * bundle and the source tree cannot disagree). Names sort in the order they must run; a migration
 * never changes once released, a new one is added instead.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_contributions.ts';
import * as m0002 from './0002_campaigns_reviews.ts';
import * as m0003 from './0003_glossary.ts';
import * as m0004 from './0004_checks.ts';
import * as m0005 from './0005_provenance.ts';
import * as m0006 from './0006_federation.ts';
import * as m0007 from './0007_releases.ts';
import * as m0008 from './0008_gold.ts';
import * as m0009 from './0009_signatures.ts';
import * as m0010 from './0010_staff.ts';
import * as m0011 from './0011_reviewers.ts';
import * as m0012 from './0012_glossary_log.ts';
import * as m0013 from './0013_steward_withdrawals.ts';
import * as m0014 from './0014_set_aside.ts';
import * as m0015 from './0015_node_reports.ts';
import * as m0016 from './0016_leaderboard.ts';

const MIGRATIONS: Record<string, Migration> = {
  '0001_contributions': m0001,
  '0002_campaigns_reviews': m0002,
  '0003_glossary': m0003,
  '0004_checks': m0004,
  '0005_provenance': m0005,
  '0006_federation': m0006,
  '0007_releases': m0007,
  '0008_gold': m0008,
  '0009_signatures': m0009,
  '0010_staff': m0010,
  '0011_reviewers': m0011,
  '0012_glossary_log': m0012,
  '0013_steward_withdrawals': m0013,
  '0014_set_aside': m0014,
  '0015_node_reports': m0015,
  '0016_leaderboard': m0016,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
