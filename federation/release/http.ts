/**
 * GET /api/v1/releases on a hub: the recorded releases (registry.ts), newest first, for the
 * steward's view. What a release holds is public; where it was written on the hub's disk and its
 * full config are not published (the config hash is).
 */
import type { Hono } from 'hono';
import type { ReleaseList, ReleaseSummary } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { methodNotAllowed } from '../server/errors.ts';
import { type RecordedRelease, ReleaseRegistry } from './registry.ts';

export function releaseSummary(r: RecordedRelease): ReleaseSummary {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    snapshot: r.snapshot,
    snapshotSha256: r.snapshotSha256,
    configHash: r.configHash,
    items: r.items,
    contributors: r.contributors,
    builtAt: r.builtAt,
    counts: r.counts,
    languages: r.languages,
    stages: r.stages.map((s) => ({ stage: s.stage, in: s.in, excluded: s.excluded })),
    files: r.files.map((f) => ({ path: f.path, config: f.config, split: f.split, rows: f.rows, bytes: f.bytes, sha256: f.sha256 })),
  };
}

export function releaseRoutes(app: Hono, store: Store): void {
  const registry = new ReleaseRegistry(store.db);
  app.get('/api/v1/releases', async (c) => {
    const body: ReleaseList = { releases: (await registry.list()).map(releaseSummary) };
    return c.json(body);
  });
  app.all('/api/v1/releases', methodNotAllowed(['GET', 'HEAD']));
}
