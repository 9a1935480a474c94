/**
 * Stages 2–6 on collect threads give the same release, byte for byte, as on the main thread.
 * A worker thread cannot load TypeScript, so this test drives the server build in dist/ — `npm
 * test` builds it first (the other release tests run the sources, on the main thread).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { packageRoot } from '../package.ts';
import { idiom, person } from '../../test/support/contributions.ts';
import { syntheticIdioms } from '../../test/bench/corpus.ts';
import { parseReleaseConfig } from './config.ts';
import { TEST_PSEUDONYM_KEY } from './backends.contract.ts';

const BUILT = join(packageRoot(), 'dist', 'server', 'federation', 'release');

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.set(relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), 'latin1'));
  }
  return out;
}

describe('the collect threads', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    for (const f of ['pipeline.js', 'collect.thread.js', 'collect.threads.js']) {
      if (!existsSync(join(BUILT, f))) throw new Error(`${join(BUILT, f)} is missing: run \`npm run build:server\` first (\`npm test\` does).`);
    }
    dir = mkdtempSync(join(tmpdir(), 'vernacular-collect-threads-'));
    store = await openStore({ dataDir: join(dir, 'data') });
    // More than two pages of items (2,000 a page), many of them near duplicates of each other,
    // plus an item in another language and one with personal data.
    for (let c = 0; c < 4; c++) await store.ingest(uuidv4(), syntheticIdioms(1100, person(), c * 1100).map((i) => Contribution.parse(i)));
    await store.ingest(uuidv4(), [
      Contribution.parse(idiom({ data: { expression: 'The early bird catches the worm', example: 'Get up early and you will find the best things before the others do.' } })),
      Contribution.parse(idiom({ data: { expression: 'Mvua ya masika', example: 'Andika kwa amina.juma@example.org au piga +255 712 345 678 kesho asubuhi.' } })),
    ]);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('run on real threads when built', async () => {
    const { pageRunner } = (await import(pathToFileURL(join(BUILT, 'collect.threads.js')).href)) as typeof import('./collect.threads.ts');
    const runner = pageRunner({ config: parseReleaseConfig({ version: '1' }), quarantined: [], pseudonymKey: TEST_PSEUDONYM_KEY }, 2);
    try {
      expect(runner.threads).toBe(2);
    } finally {
      await runner.close();
    }
  });

  it('give the same release, byte for byte, as the main thread', async () => {
    const { buildRelease } = (await import(pathToFileURL(join(BUILT, 'pipeline.js')).href)) as typeof import('./pipeline.ts');
    const config = parseReleaseConfig({ version: '1.0.0', includePending: true });
    const threaded = await buildRelease({ store, config, outDir: join(dir, 'threads'), snapshot: 'test', threads: 2, pseudonymKey: TEST_PSEUDONYM_KEY });
    const inline = await buildRelease({ store, config, outDir: join(dir, 'inline'), snapshot: 'test', threads: 0, pseudonymKey: TEST_PSEUDONYM_KEY });
    // From a snapshot file, the threads read their pages themselves.
    const { takeSnapshot, openSnapshot } = (await import(pathToFileURL(join(BUILT, 'snapshot.js')).href)) as typeof import('./snapshot.ts');
    const snap = await takeSnapshot(store, join(dir, 'data'), 'test');
    const frozen = await openSnapshot(join(dir, 'data'), 'test');
    const fromFile = await buildRelease({ store: frozen, config, outDir: join(dir, 'file'), snapshot: 'test', snapshotFile: snap.path, threads: 2, pseudonymKey: TEST_PSEUDONYM_KEY }).finally(() => frozen.close());
    expect(threaded).toEqual(inline);
    expect(fromFile).toEqual(inline);
    const a = files(join(dir, 'threads'));
    for (const other of ['inline', 'file']) {
      const b = files(join(dir, other));
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      for (const [path, bytes] of a) expect(bytes === b.get(path), `${other}: ${path}`).toBe(true);
    }
    // The stages really ran: near duplicates found, the English item and the personal data caught.
    const stages = Object.fromEntries(threaded.stages.map((s) => [s.stage, s]));
    expect(stages.duplicates!.excluded.near_duplicate ?? 0).toBeGreaterThan(0);
    expect(stages.language!.excluded.wrong_language).toBe(1);
    expect([...a].some(([path, text]) => path.endsWith('.jsonl') && text.includes('[EMAIL]'))).toBe(true);
  }, 240_000);
});
