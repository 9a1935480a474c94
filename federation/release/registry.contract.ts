/**
 * The release registry contract, run on every backend (registry.sqlite.test.ts,
 * registry.postgres.test.ts): record a built release, refuse the same version with different
 * content, list, and diff two recorded releases (counts, stages, files and item ids).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import type { StoreHarness } from '../store/store.contract.ts';
import { idiom, withdrawal } from '../../test/support/contributions.ts';
import { parseReleaseConfig } from './config.ts';
import { buildRelease } from './pipeline.ts';
import { TEST_PSEUDONYM_KEY } from './backends.contract.ts';
import { ReleaseConflictError, ReleaseRegistry } from './registry.ts';
import { describeDiff, diffReleases } from './diff.ts';
import { createApp } from '../server/app.ts';
import { ReleaseList } from '../protocol/index.ts';

const SW = ['Bandu bandu huisha gogo', 'Mchagua jembe si mkulima', 'Usipoziba ufa utajenga ukuta', 'Pole pole ndio mwendo', 'Dalili ya mvua ni mawingu'];
const item = (i: number, o: Parameters<typeof idiom>[0] = {}) => idiom({ ...o, data: { expression: SW[i]!, example: `${SW[i]!}, alisema bibi.`, meaning: `Meaning number ${i}.` } });

export function releaseRegistryContract(name: string, harness: () => StoreHarness): void {
  describe(`release registry on ${name}`, () => {
    let h: StoreHarness;
    let store: Store;
    let registry: ReleaseRegistry;
    let dir: string;
    beforeEach(async () => {
      h = harness();
      store = await h.open();
      registry = new ReleaseRegistry(store.db);
      dir = mkdtempSync(join(tmpdir(), 'vernacular-releases-'));
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    const ingest = (...items: ContributionInput[]) => store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
    const config = (version: string, extra: Record<string, unknown> = {}) =>
      parseReleaseConfig({ version, includePending: true, language: { check: false }, duplicates: { near: false }, ...extra });
    const build = async (version: string, folder = version, extra: Record<string, unknown> = {}) => {
      const c = config(version, extra);
      const manifest = await buildRelease({ store, config: c, outDir: join(dir, folder), snapshot: `snap-${version}`, pseudonymKey: TEST_PSEUDONYM_KEY });
      return { manifest, config: c, outDir: join(dir, folder) };
    };

    it('records a release with its snapshot, config, counts and files, and lists it after a restart', async () => {
      await ingest(item(0), item(1));
      const built = await build('1.0.0');
      const { release, created } = await registry.record({ ...built, snapshotSha256: 'a'.repeat(64), builtAt: new Date('2026-11-20T10:00:00Z') });
      expect(created).toBe(true);
      expect(release).toMatchObject({
        id: 'Vernacular@1.0.0',
        name: 'Vernacular',
        version: '1.0.0',
        snapshot: 'snap-1.0.0',
        snapshotSha256: 'a'.repeat(64),
        configHash: built.manifest.configHash,
        items: 2,
        outDir: built.outDir,
        builtAt: '2026-11-20T10:00:00.000Z',
        counts: built.manifest.counts,
        stages: built.manifest.stages,
      });
      expect(release.config).toEqual(built.config);
      // The split is the contributor's hash's: the idioms are in one of them.
      expect(release.files.map((f) => f.path).filter((p) => /^idioms\/(train|validation|test)\.jsonl$/.test(p)).length).toBeGreaterThan(0);
      expect(release.files.map((f) => f.path)).toEqual(built.manifest.files.map((f) => f.path));
      expect(release.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && f.bytes >= 0)).toBe(true);

      await store.close();
      store = await h.reopen();
      registry = new ReleaseRegistry(store.db);
      expect((await registry.list()).map((r) => r.id)).toEqual(['Vernacular@1.0.0']);
      expect((await registry.get('1.0.0'))?.id).toBe('Vernacular@1.0.0');
      expect(await registry.get('9.9.9')).toBeUndefined();
    });

    it('accepts the same release again (same content), refuses the same version with different content', async () => {
      await ingest(item(0));
      const first = await build('1.0.0', 'a');
      await registry.record({ ...first, snapshotSha256: 'a'.repeat(64) });
      const again = await build('1.0.0', 'b');
      expect(again.manifest.files).toEqual(first.manifest.files);
      const repeat = await registry.record({ ...again, snapshotSha256: 'a'.repeat(64) });
      expect(repeat.created).toBe(false);
      expect(repeat.release.outDir).toBe(first.outDir);

      await ingest(item(1));
      const changed = await build('1.0.0', 'c');
      const refused = registry.record({ ...changed, snapshotSha256: 'b'.repeat(64) });
      // The new item's contributor lands in whichever split their id hashes to: any idioms file.
      await expect(refused).rejects.toThrow(ReleaseConflictError);
      await expect(refused).rejects.toThrow(/Vernacular@1\.0\.0 is already recorded .*different content.*files differ: .*idioms\/.*new version/);
      expect((await registry.list()).map((r) => r.contentHash)).toEqual([repeat.release.contentHash]);
    });

    it('serves the releases at GET /api/v1/releases on a hub (not on a node), without where they were written', async () => {
      await ingest(item(0));
      const built = await build('2.0.0');
      await registry.record({ ...built, snapshotSha256: 'c'.repeat(64) });
      const res = await createApp({ store, role: 'hub', version: 'test' }).request('/api/v1/releases');
      expect(res.status).toBe(200);
      const body = ReleaseList.parse(await res.json());
      expect(body.releases).toHaveLength(1);
      expect(body.releases[0]).toMatchObject({ id: 'Vernacular@2.0.0', snapshotSha256: 'c'.repeat(64), items: 1, configHash: built.manifest.configHash });
      expect(body.releases[0]!.files.map((f) => f.sha256)).toEqual(built.manifest.files.map((f) => f.sha256));
      expect(JSON.stringify(body)).not.toContain(dir);
      expect((await createApp({ store, role: 'hub', version: 'test' }).request('/api/v1/releases', { method: 'POST' })).status).toBe(405);
      expect((await createApp({ store, role: 'node', version: 'test' }).request('/api/v1/releases')).status).toBe(404);
    });

    it('lists newest first, and diffs two releases: rows, languages, stages, files and item ids', async () => {
      const [a, b, c] = [item(0), item(1), item(2)];
      await ingest(a, b, c);
      const v1 = await build('1.0.0');
      await registry.record({ ...v1, snapshotSha256: 'a'.repeat(64), builtAt: new Date('2026-11-01T00:00:00Z') });
      const d = item(3, { language: 'yo' });
      await ingest(d, withdrawal(b.id, { contributor: b.contributor }));
      const v2 = await build('1.1.0');
      await registry.record({ ...v2, snapshotSha256: 'b'.repeat(64), builtAt: new Date('2026-11-02T00:00:00Z') });
      expect((await registry.list()).map((r) => r.version)).toEqual(['1.1.0', '1.0.0']);

      const [r1, r2] = [(await registry.get('1.0.0'))!, (await registry.get('1.1.0'))!];
      const diff = await diffReleases(r1, r2);
      expect(diff.items).toEqual({ a: 3, b: 3, delta: 0 });
      expect(diff.languages).toEqual({ sw: { a: 3, b: 2, delta: -1 }, yo: { a: 0, b: 1, delta: 1 } });
      for (const [config, splits] of Object.entries(r2.counts)) {
        for (const [split, n] of Object.entries(splits)) expect(diff.rows[`${config}/${split}`]).toEqual({ a: r1.counts[config]?.[split] ?? 0, b: n, delta: n - (r1.counts[config]?.[split] ?? 0) });
      }
      expect(diff.stages.exclusions?.excluded).toEqual({ withdrawn: { a: 0, b: 1, delta: 1 } });
      expect(diff.snapshotChanged).toBe(true);
      expect(diff.configChanged).toBe(true);
      expect(diff.files.changed).toContain('rejected.jsonl');
      expect(diff.ids).toEqual({ added: [d.id], removed: [{ id: b.id, stage: 'exclusions', rule: 'withdrawn' }] });
      const words = describeDiff(diff).join('\n');
      expect(words).toContain('Vernacular@1.0.0 → Vernacular@1.1.0: 3 → 3 items (±0)');
      expect(words).toContain('sw 3 → 2 (−1)');
      expect(words).toContain(`− ${b.id} (exclusions: withdrawn)`);

      // Folders gone: the ids cannot be compared, everything else still can.
      cpSync(v1.outDir, join(dir, 'moved'), { recursive: true });
      rmSync(v1.outDir, { recursive: true });
      const without = await diffReleases(r1, r2);
      expect(without.ids).toBeUndefined();
      expect(describeDiff(without).join('\n')).toContain('ids not compared');
      // …unless the folders are given.
      const given = await diffReleases(r1, r2, { a: join(dir, 'moved') });
      expect(given.ids).toEqual(diff.ids);
    });
  });
}
