/**
 * The releases a hub has built and recorded (federation/release/registry.ts), as GET
 * /api/v1/releases lists them for the steward's view: newest first, each with its snapshot,
 * config hash, counts and files with their sha256. Where a release was written on the hub's
 * disk is not published.
 */
import { z } from 'zod';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Counts = z.record(z.string(), z.int().min(0));

export const ReleaseFileEntry = z
  .object({ path: z.string(), config: z.string(), split: z.string(), rows: z.int().min(0), bytes: z.int().min(0), sha256: Sha256 })
  .strict()
  .meta({ id: 'ReleaseFileEntry' });

export const ReleaseStageCount = z
  .object({ stage: z.string(), in: z.int().min(0), excluded: Counts })
  .strict()
  .meta({ id: 'ReleaseStageCount' });

export const ReleaseSummary = z
  .object({
    id: z.string().describe('`<name>@<version>`'),
    name: z.string(),
    version: z.string(),
    snapshot: z.string(),
    snapshotSha256: Sha256,
    configHash: Sha256,
    items: z.int().min(0),
    contributors: z.int().min(0),
    builtAt: z.iso.datetime(),
    counts: z.record(z.string(), Counts).describe('Rows per config and split'),
    languages: Counts,
    stages: z.array(ReleaseStageCount),
    files: z.array(ReleaseFileEntry),
  })
  .strict()
  .meta({ id: 'ReleaseSummary' });
export type ReleaseSummary = z.infer<typeof ReleaseSummary>;

export const ReleaseList = z.object({ releases: z.array(ReleaseSummary) }).strict().meta({ id: 'ReleaseList' });
export type ReleaseList = z.infer<typeof ReleaseList>;
