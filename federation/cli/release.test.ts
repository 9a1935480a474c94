/**
 * `vernacular release build|list|diff` in-process, on SQLite and on PostgreSQL: a build (its
 * snapshot taken from the live store) is recorded in the live store, listed, compared with a later
 * one, and the same version with other content is refused.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import { idiom, withdrawal } from '../../test/support/contributions.ts';
import { type BackendStore, releaseBackends } from '../release/backends.contract.ts';
import { run } from './main.ts';

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const SW = ['Bandu bandu huisha gogo', 'Mchagua jembe si mkulima', 'Usipoziba ufa utajenga ukuta'];

for (const backend of releaseBackends()) describe(`vernacular release build, list and diff (${backend.name})`, () => {
  let dir: string;
  let data: string[];
  let backing: BackendStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-release-cli-'));
    backing = await backend.store(join(dir, 'data'));
    data = ['--data', join(dir, 'data'), ...backing.cliArgs];
  });
  afterEach(async () => {
    await backing.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingest = async (...items: ContributionInput[]) => {
    const store = await backing.open();
    try {
      await store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
    } finally {
      await store.close();
    }
  };
  const config = (version: string) => {
    const path = join(dir, `${version}.json`);
    writeFileSync(path, JSON.stringify({ version, includePending: true, language: { check: false } }));
    return path;
  };

  it('records each build, lists them, says what changed, and refuses a version with other content', async () => {
    const items = SW.map((expression) => idiom({ data: { expression, example: `${expression}, alisema bibi.` } }));
    await ingest(...items);
    const first = await cli(['release', 'build', '--config', config('1.0.0'), '--out', join(dir, 'r1'), ...data]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Recorded release Vernacular@1.0.0.');
    // The snapshot taken for it is one self-contained file (nothing left beside it), which opens again.
    const snapshots = join(dir, 'data', 'snapshots');
    expect(readdirSync(snapshots).filter((f) => f.startsWith('release-1.0.0'))).toEqual(['release-1.0.0.sqlite']);
    expect(existsSync(join(snapshots, 'release-1.0.0.sqlite.d'))).toBe(false);
    // contributors.txt names people by pseudonym; `release pseudonym` gives a contributor's, to check an erasure request.
    const listed = readFileSync(join(dir, 'r1', 'contributors.txt'), 'utf8').trim().split('\n');
    expect(listed).not.toContain(items[0]!.contributor);
    const named = await cli(['release', 'pseudonym', items[0]!.contributor, items[1]!.contributor, ...data]);
    expect(named.code, named.stderr).toBe(0);
    const pseudonyms = named.stdout.split('\n').map((l) => l.split('\t'));
    expect(pseudonyms.map(([id]) => id)).toEqual([items[0]!.contributor, items[1]!.contributor]);
    for (const [, p] of pseudonyms) expect(listed).toContain(p);
    expect((await cli(['release', 'pseudonym', 'not-an-id', ...data])).stderr).toContain('"not-an-id" is not a contributor id');

    await ingest(withdrawal(items[1]!.id, { contributor: items[1]!.contributor }));
    expect((await cli(['release', 'build', '--config', config('1.1.0'), '--out', join(dir, 'r2'), ...data])).code).toBe(0);

    const list = await cli(['release', 'list', ...data]);
    expect(list.stdout.split('\n')[0]).toBe('id\tversion\tsnapshot\titems\tbuilt at');
    expect(list.stdout).toMatch(/^Vernacular@1\.1\.0\t1\.1\.0\trelease-1\.1\.0\t2\t\d{4}-/m);
    expect(list.stdout).toMatch(/^Vernacular@1\.0\.0\t1\.0\.0\trelease-1\.0\.0\t3\t/m);
    const json = JSON.parse((await cli(['release', 'list', '--json', ...data])).stdout) as Array<{ id: string; files: unknown[] }>;
    expect(json.map((r) => r.id)).toEqual(['Vernacular@1.1.0', 'Vernacular@1.0.0']);

    const diff = await cli(['release', 'diff', '1.0.0', 'Vernacular@1.1.0', ...data]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('Vernacular@1.0.0 → Vernacular@1.1.0: 3 → 2 items (−1)');
    expect(diff.stdout).toContain('exclusions: in 3 → 3; left out withdrawn 0 → 1');
    expect(diff.stdout).toContain(`− ${items[1]!.id} (exclusions: withdrawn)`);
    const asJson = JSON.parse((await cli(['release', 'diff', '1.0.0', '1.1.0', '--json', ...data])).stdout) as { ids: { removed: Array<{ id: string }> } };
    expect(asJson.ids.removed.map((r) => r.id)).toEqual([items[1]!.id]);
    expect((await cli(['release', 'diff', '1.0.0', '7.7.7', ...data])).stderr).toContain('no recorded release "7.7.7"');

    // The same version again from a new snapshot of a changed store: refused, not recorded.
    await ingest(idiom({ data: { expression: 'Pole pole ndio mwendo' } }));
    const again = await cli(['release', 'build', '--config', config('1.0.0'), '--out', join(dir, 'r3'), '--snapshot', 'release-1.1.0', ...data]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Vernacular@1\.0\.0 is already recorded .* different content/);
    // The same snapshot and config again: identical files, accepted as the same release.
    const same = await cli(['release', 'build', '--config', config('1.0.0'), '--out', join(dir, 'r4'), '--snapshot', 'release-1.0.0', ...data]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain('already recorded with the same content');
  });
});
