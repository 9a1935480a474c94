import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { idiom, review, withdrawal } from '../../test/support/contributions.ts';
import { credentialed } from '../../test/support/reviewers.ts';
import { parseReleaseConfig } from './config.ts';
import { buildRelease, type ReleaseManifest } from './pipeline.ts';
import { openSnapshot, takeSnapshot } from './snapshot.ts';
import { type BackendStore, releaseBackends, TEST_PSEUDONYM_KEY } from './backends.contract.ts';

const SW = [
  ['Asiyefunzwa na mamaye hufunzwa na ulimwengu', 'Mtoto asiyesikia wazazi wake atajifunza kwa shida duniani.'],
  ['Bandu bandu huisha gogo', 'Kidogo kidogo mtu humaliza kazi kubwa, usikate tamaa.'],
  ['Mchagua jembe si mkulima', 'Mtu anayechagua sana kazi zake hatafanya kazi yoyote.'],
  ['Usipoziba ufa utajenga ukuta', 'Tatizo dogo lisipotatuliwa mapema litakuwa kubwa baadaye.'],
  ['Pole pole ndio mwendo', 'Ukienda taratibu utafika salama na kwa wakati unaofaa.'],
  ['Dalili ya mvua ni mawingu', 'Kila jambo kubwa huonyesha ishara zake kabla halijatokea.'],
] as const;

function swIdiom(i: number, overrides: Parameters<typeof idiom>[0] = {}) {
  const [expression, example] = SW[i % SW.length]!;
  return idiom({ ...overrides, data: { expression, example, meaning: 'Explained in English for learners.', ...overrides.data } });
}

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  return out;
}

for (const backend of releaseBackends()) describe(`the release pipeline (${backend.name})`, () => {
  let dir: string;
  let store: Store;
  let backing: BackendStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-release-'));
    backing = await backend.store(join(dir, 'data'));
    store = await backing.open();
  });
  afterEach(async () => {
    await store.close();
    await backing.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingest = (...items: ContributionInput[]) => store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
  const build = (name: string, overrides: Record<string, unknown> = {}, quarantined = new Set<string>()): Promise<ReleaseManifest> =>
    buildRelease({ store, config: parseReleaseConfig({ version: '1.0.0', includePending: true, ...overrides }), outDir: join(dir, name), snapshot: 'test', quarantined, pseudonymKey: TEST_PSEUDONYM_KEY });
  const rejected = (name: string) =>
    readFileSync(join(dir, name, 'rejected.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; stage: string; rule: string });

  it('leaves out, each at its stage with its rule: wrong language, withdrawn, edited, quarantined, exact duplicates; redacts personal data', async () => {
    const good = [0, 1, 2].map((i) => swIdiom(i));
    const english = idiom({ data: { expression: 'The early bird catches the worm', example: 'Get up early and you will find the best things before the others do.' } });
    const withPii = swIdiom(3, { data: { meaning: 'Write to amina.juma@example.org or call +255 712 345 678 for more.' } });
    const copy = swIdiom(0);
    const gone = swIdiom(4);
    const original = swIdiom(5);
    const edit = swIdiom(5, { contributor: original.contributor, revisionOf: original.id, data: { meaning: 'Better meaning.' } });
    await ingest(...good, english, withPii, copy, gone, original, edit, withdrawal(gone.id, { contributor: gone.contributor }));
    const relayed = swIdiom(1, { data: { example: 'Mfano mwingine kutoka kituo kilichotengwa na msimamizi.' } });
    await store.ingestRelayed('n-quarantinedaaaaaa', [{ contribution: Contribution.parse(relayed), deviceId: 'd', receivedAt: new Date().toISOString() }]);

    const manifest = await build('r1', {}, new Set(['n-quarantinedaaaaaa']));
    const why = new Map(rejected('r1').map((r) => [r.id, `${r.stage}/${r.rule}`]));
    expect(why.get(english.id)).toBe('language/wrong_language');
    expect(why.get(gone.id)).toBe('exclusions/withdrawn');
    expect(why.get(original.id)).toBe('exclusions/superseded');
    expect(why.get(relayed.id)).toBe('exclusions/quarantined_node');
    expect(why.get(copy.id)).toBe('duplicates/exact_duplicate');
    expect(why.size).toBe(5);

    const idioms = Object.entries(manifest.counts.idioms ?? {}).reduce((n, [, c]) => n + c, 0);
    expect(idioms).toBe(5); // three good, the redacted one, the edit
    const all = [...files(join(dir, 'r1'))].filter(([p]) => p.startsWith('idioms/')).map(([, text]) => text).join('');
    expect(all).toContain('[EMAIL]');
    expect(all).toContain('[PHONE]');
    expect(all).not.toContain('amina.juma@example.org');

    const stages = Object.fromEntries(manifest.stages.map((s) => [s.stage, s]));
    expect(stages.validate!.in).toBe(10);
    expect(stages.exclusions!.excluded).toEqual({ quarantined_node: 1, superseded: 1, withdrawn: 1 });
    expect(stages.language!.excluded).toEqual({ wrong_language: 1 });
    expect(stages.duplicates!.in).toBe(6);
    expect(readFileSync(join(dir, 'r1', 'contributors.txt'), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('keeps only items accepted by review unless the config includes pending ones', async () => {
    const accepted = swIdiom(0);
    const pending = swIdiom(1);
    const reviewers = await credentialed(store, 'general', 4);
    await ingest(accepted, pending, ...reviewers.map((contributor) => review(accepted.id, { contributor })));
    const manifest = await build('r', { includePending: false });
    expect(Object.values(manifest.counts.idioms ?? {}).reduce((a, b) => a + b, 0)).toBe(1);
    expect(rejected('r').map((r) => [r.id, r.rule])).toEqual([[pending.id, 'not_yet_reviewed']]);
  });

  it('never puts one contributor in two splits', async () => {
    const items = Array.from({ length: 60 }, (_, i) => swIdiom(i, { contributor: `c-${i % 20}`, data: { example: `Mfano wa sentensi ya Kiswahili nambari ${i} kwa ajili ya jaribio hili.` } }));
    // The 20 labels name 20 test people (each with a key; their ids derived from it).
    await ingest(...items);
    // The examples differ only by a number (near duplicates, not what this test is about).
    await build('s', { splits: { validation: 0.2, test: 0.2 }, duplicates: { near: false } });
    const splitOf = new Map<string, Set<string>>();
    for (const split of ['train', 'validation', 'test']) {
      const path = join(dir, 's', 'idioms', `${split}.jsonl`);
      let text = '';
      try { text = readFileSync(path, 'utf8'); } catch { continue; }
      for (const line of text.trim().split('\n').filter(Boolean)) {
        const c = (JSON.parse(line) as { contributor: string }).contributor;
        splitOf.set(c, (splitOf.get(c) ?? new Set()).add(split));
      }
    }
    expect(splitOf.size).toBe(20);
    for (const s of splitOf.values()) expect(s.size).toBe(1);
    expect(new Set([...splitOf.values()].map((s) => [...s][0])).size).toBeGreaterThan(1);
  });

  it('gives the same release from a snapshot of the store as from the store itself', async () => {
    const items = Array.from({ length: 12 }, (_, i) => swIdiom(i, { data: { example: `Sentensi ya mfano nambari ${i} iliyoandikwa kwa Kiswahili sanifu.` } }));
    await ingest(...items, review(items[0]!.id), review(items[0]!.id, { data: { action: 'down' } }), withdrawal(items[1]!.id, { contributor: items[1]!.contributor }));
    await build('live');
    const snapshot = await takeSnapshot(store, join(dir, 'data'), 'frozen');
    const frozen = await openSnapshot(join(dir, 'data'), 'frozen');
    try {
      await buildRelease({ store: frozen, config: parseReleaseConfig({ version: '1.0.0', includePending: true }), outDir: join(dir, 'frozen'), snapshot: 'test', snapshotFile: snapshot.path, quarantined: new Set(), pseudonymKey: TEST_PSEUDONYM_KEY });
    } finally {
      await frozen.close();
    }
    const live = files(join(dir, 'live'));
    const fromSnapshot = files(join(dir, 'frozen'));
    expect([...fromSnapshot.keys()].sort()).toEqual([...live.keys()].sort());
    for (const [path, text] of live) expect(fromSnapshot.get(path), path).toBe(text);
    expect(readdirSync(join(dir, 'data', 'snapshots'))).toEqual(['frozen.sqlite']);
  });

  it('writes byte-identical files when built twice from the same store and config', async () => {
    await ingest(...Array.from({ length: 30 }, (_, i) => swIdiom(i, { data: { example: `Sentensi ya mfano nambari ${i} iliyoandikwa kwa Kiswahili sanifu.` } })));
    await build('a');
    await new Promise((r) => setTimeout(r, 1100));
    await build('b');
    const a = files(join(dir, 'a'));
    const b = files(join(dir, 'b'));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [path, text] of a) expect(b.get(path), path).toBe(text);
  });
});
