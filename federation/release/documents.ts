/**
 * The release's documents that describe the whole of it, written last (after every data file, the
 * card and report.json): `report.html`, the quality report, then `croissant.json`, which lists
 * every file — report.html included — with its sha256.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseConfig } from './config.ts';
import type { ReleaseManifest } from './pipeline.ts';
import type { WorkTable } from './work.ts';
import { releaseStats, type ReleaseStats } from './stats.ts';
import { reportHtml } from './report.ts';
import { croissant, croissantText } from './croissant.ts';

export interface DocumentsInput {
  work: WorkTable;
  manifest: ReleaseManifest;
  config: ReleaseConfig;
  outDir: string;
}

export async function writeReleaseDocuments({ work, manifest, config, outDir }: DocumentsInput): Promise<ReleaseStats> {
  const stats = releaseStats(work);
  await writeFile(join(outDir, 'report.html'), reportHtml({ manifest, config, stats }));
  await writeFile(join(outDir, 'croissant.json'), croissantText(await croissant({ manifest, config, stats, outDir })));
  return stats;
}
