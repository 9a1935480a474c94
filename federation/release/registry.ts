/**
 * The releases a hub has built (migration 0007): `vernacular release build` records each one
 * after it succeeds, in the live store it froze the snapshot from; `release list` and
 * GET /api/v1/releases show them, `release diff` compares two.
 *
 * A release's id is `<name>@<version>`. Recording the same id again is a no-op when the content
 * (the config hash and every file's path, bytes and sha256) is the same —
 * a rebuild from the same snapshot and config is byte-identical — and refused otherwise: a
 * version names one set of files, forever. Kysely only, so it runs unchanged on SQLite and
 * PostgreSQL.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalJson } from '../protocol/index.ts';
import type { Database } from '../store/schema.ts';
import type { ReleaseConfig } from './config.ts';
import type { ReleaseManifest } from './pipeline.ts';

export interface ReleasesTable {
  id: string;
  name: string;
  version: string;
  snapshot: string;
  snapshot_sha256: string;
  config_hash: string;
  config: string;
  content_hash: string;
  items: number | string;
  out_dir: string | null;
  built_at: string;
  manifest: string;
}

export type ReleaseTables = { releases: ReleasesTable };

export interface RecordedRelease extends ReleaseManifest {
  id: string;
  snapshotSha256: string;
  /** The config as built (every default filled in). */
  config: ReleaseConfig;
  /** sha256 over the config hash and every file's path, bytes and sha256. */
  contentHash: string;
  /** Items in the release (each once, whatever number of configs it feeds). */
  items: number;
  /** Where the release was written (absolute), or null. */
  outDir: string | null;
  builtAt: string;
}

export interface RecordInput {
  manifest: ReleaseManifest;
  config: ReleaseConfig;
  snapshotSha256: string;
  outDir?: string | null;
  builtAt?: Date;
}

export class ReleaseConflictError extends Error {
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReleaseConflictError';
  }
}

export function releaseId(name: string, version: string): string {
  return `${name}@${version}`;
}

/**
 * What a version names: its config and its files. (Not the snapshot file's own sha256, which
 * SQLite may change by opening it; the same snapshot and config give the same files.)
 */
export function releaseContentHash(manifest: ReleaseManifest): string {
  const content = {
    configHash: manifest.configHash,
    files: manifest.files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })),
  };
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}

const itemsOf = (manifest: ReleaseManifest) => Object.values(manifest.kinds).reduce((a, b) => a + b, 0);

function toRelease(row: ReleasesTable): RecordedRelease {
  const manifest = JSON.parse(row.manifest) as ReleaseManifest;
  return {
    ...manifest,
    id: row.id,
    name: row.name,
    version: row.version,
    snapshot: row.snapshot,
    snapshotSha256: row.snapshot_sha256,
    configHash: row.config_hash,
    config: JSON.parse(row.config) as ReleaseConfig,
    contentHash: row.content_hash,
    items: Number(row.items),
    outDir: row.out_dir,
    builtAt: row.built_at,
  };
}

export class ReleaseRegistry {
  readonly db: Kysely<ReleaseTables>;

  constructor(main: Kysely<Database>) {
    this.db = main.withTables<ReleaseTables>();
  }

  /**
   * Records a built release. `created` is false when the same release (same content) was already
   * recorded; a different content under the same id throws ReleaseConflictError.
   */
  async record(input: RecordInput): Promise<{ release: RecordedRelease; created: boolean }> {
    const { manifest } = input;
    const id = releaseId(manifest.name, manifest.version);
    const contentHash = releaseContentHash(manifest);
    const inserted = await this.db
      .insertInto('releases')
      .values({
        id,
        name: manifest.name,
        version: manifest.version,
        snapshot: manifest.snapshot,
        snapshot_sha256: input.snapshotSha256,
        config_hash: manifest.configHash,
        config: JSON.stringify(input.config),
        content_hash: contentHash,
        items: itemsOf(manifest),
        out_dir: input.outDir ?? null,
        built_at: (input.builtAt ?? new Date()).toISOString(),
        manifest: JSON.stringify(manifest),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning(['id'])
      .executeTakeFirst();
    const release = await this.get(id);
    if (release === undefined) throw new Error(`Release ${id} was not recorded`);
    if (inserted !== undefined) return { release, created: true };
    if (release.contentHash !== contentHash) {
      const why: string[] = [];
      if (release.snapshot !== manifest.snapshot) why.push(`snapshot ${release.snapshot} → ${manifest.snapshot}`);
      if (release.configHash !== manifest.configHash) why.push('config changed');
      const before = new Map(release.files.map((f) => [f.path, f.sha256]));
      const changed = manifest.files.filter((f) => before.get(f.path) !== f.sha256).map((f) => f.path);
      const gone = release.files.filter((f) => !manifest.files.some((g) => g.path === f.path)).map((f) => f.path);
      if (changed.length + gone.length > 0) why.push(`files differ: ${[...changed, ...gone].slice(0, 5).join(', ')}${changed.length + gone.length > 5 ? ', …' : ''}`);
      throw new ReleaseConflictError(
        id,
        `Release ${id} is already recorded (built ${release.builtAt} from snapshot ${release.snapshot}) with different content (${why.join('; ') || 'content hash differs'}); a version names one set of files — give this build a new version`,
      );
    }
    return { release, created: false };
  }

  /** A release by id (`<name>@<version>`), or by version when exactly one release has it. */
  async get(idOrVersion: string): Promise<RecordedRelease | undefined> {
    const byId = await this.db.selectFrom('releases').selectAll().where('id', '=', idOrVersion).executeTakeFirst();
    if (byId !== undefined) return toRelease(byId);
    const byVersion = await this.db.selectFrom('releases').selectAll().where('version', '=', idOrVersion).limit(2).execute();
    return byVersion.length === 1 ? toRelease(byVersion[0]!) : undefined;
  }

  /** Every release, newest first. */
  async list(): Promise<RecordedRelease[]> {
    const rows = await this.db.selectFrom('releases').selectAll().orderBy('built_at', 'desc').orderBy('id', 'asc').execute();
    return rows.map(toRelease);
  }
}
