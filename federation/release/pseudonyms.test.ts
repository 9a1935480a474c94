/**
 * Pseudonyms stay private: a release names contributors and reviewers only by a keyed hash of
 * their id. Checked on the key file, the hash, and every file a release writes (data in JSONL and
 * Parquet, the OpenAI and LLaMA-Factory views, the card, croissant.json, report.json and
 * report.html, rejected.jsonl, contributors.txt), on SQLite and PostgreSQL.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { goldItems, importGold } from '../store/gold.ts';
import { idiom, instruction, review, rewrite, translation, withdrawal, person } from '../../test/support/contributions.ts';
import { RULE_ONLY } from '../../test/support/reviewers.ts';
import { parseReleaseConfig } from './config.ts';
import { buildRelease } from './pipeline.ts';
import { type BackendStore, releaseBackends, TEST_PSEUDONYM_KEY } from './backends.contract.ts';
import { occurrences, releaseTexts } from './files.contract.ts';
import { loadPseudonymKey, PSEUDONYM_KEY_FILE, Pseudonyms } from './pseudonyms.ts';

describe('pseudonyms', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-pseudonyms-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are 128-bit keyed hashes: the same id and key give the same one, another key another', () => {
    const id = uuidv4();
    const a = new Pseudonyms(TEST_PSEUDONYM_KEY);
    expect(a.of(id)).toMatch(/^[0-9a-f]{32}$/);
    expect(new Pseudonyms(TEST_PSEUDONYM_KEY).of(id)).toBe(a.of(id));
    expect(new Pseudonyms('01'.repeat(32)).of(id)).not.toBe(a.of(id));
    expect(a.of(uuidv4())).not.toBe(a.of(id));
    expect(() => new Pseudonyms('short')).toThrow(/64 hex digits/);
  });

  it('come from a key made once in the data folder, readable only by its owner, and kept', async () => {
    const data = join(dir, 'data');
    const [first, second] = await Promise.all([loadPseudonymKey(data), loadPseudonymKey(data)]);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
    expect(await loadPseudonymKey(data)).toBe(first);
    const path = join(data, PSEUDONYM_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(`${first}\n`);
    writeFileSync(path, 'not a key\n');
    await expect(loadPseudonymKey(data)).rejects.toThrow(/is not a release pseudonym key .* Restore it from a backup/);
    // A damaged key is never replaced by a new one (every pseudonym would change).
    expect(readFileSync(path, 'utf8')).toBe('not a key\n');
  });
});

for (const backend of releaseBackends()) describe(`a release's files and the people in it (${backend.name})`, () => {
  let dir: string;
  let backing: BackendStore;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-pseudonyms-release-'));
    backing = await backend.store(join(dir, 'data'));
    store = await backing.open();
  });
  afterEach(async () => {
    await store.close();
    await backing.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingest = async (...items: ContributionInput[]) => {
    const answers = await store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
    expect(answers).toEqual(items.map(() => 'accepted'));
  };
  const vote = (target: string, contributor: string, action: 'up' | 'down') => review(target, { campaign: 'shule', contributor, data: { action } });

  /**
   * Contributors of every kind of item, reviewers, a reviewer who fails gold (named in a rule's
   * detail), a contributor over the cap (named in another), a withdrawal. Returns every id.
   */
  async function corpus(): Promise<{ people: string[]; capped: string; unreliable: string; carried: string }> {
    await store.saveCampaign({
      slug: 'shule', title: 'Shule', description: '', languages: ['sw'], kinds: ['idiom', 'instruction', 'rewrite', 'translation'], goals: [], licence: 'CC0-1.0',
      consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 },
      reviewers: RULE_ONLY,
    });
    const [h1, h2, unreliable, capped, withdrawer] = Array.from({ length: 5 }, () => person().contributor) as [string, string, string, string, string];
    for (const reviewer of [h1, h2, unreliable]) await store.reviewers.grant({ campaign: 'shule', reviewer, by: 'test' });
    await importGold(store.db, 'shule', Array.from({ length: 5 }, (_, i) => ({
      kind: 'idiom' as const, language: 'sw', expected: 'good' as const,
      data: { expression: `Dhahabu nambari ${i} ya mtihani`, meaning: `Maana ya dhahabu ${i}.`, example: `Mfano wa dhahabu nambari ${i}.` },
    })));
    const gold = await goldItems(store.db);
    const items = [
      idiom({ campaign: 'shule', data: { expression: 'Haraka haraka haina baraka', example: 'Alisema haraka haraka haina baraka.' } }),
      instruction({ campaign: 'shule', data: { prompt: 'Nifanyeje nikipata homa kali?', answer: 'Kunywa maji mengi na umwone daktari.' } }),
      rewrite({ campaign: 'shule' }),
      translation({ campaign: 'shule' }),
      idiom({ campaign: 'shule', contributor: capped, data: { expression: 'Mchagua jembe si mkulima', example: 'Mchagua jembe si mkulima, alisema.' } }),
      idiom({ campaign: 'shule', contributor: capped, data: { expression: 'Bandu bandu huisha gogo', example: 'Bandu bandu huisha gogo, kweli.' } }),
    ];
    const carried = idiom({ campaign: 'shule', data: { expression: 'Usipoziba ufa utajenga ukuta', example: 'Usipoziba ufa utajenga ukuta, bibi alisema.' } });
    const gone = idiom({ campaign: 'shule', contributor: withdrawer, data: { expression: 'Pole pole ndio mwendo', example: 'Pole pole ndio mwendo wa safari.' } });
    await ingest(...items, carried, gone);
    await ingest(
      ...gold.flatMap((g) => [vote(g.item.id, unreliable, 'down'), vote(g.item.id, h1, 'up'), vote(g.item.id, h2, 'up')]),
      ...[...items, gone].flatMap((i) => [vote(i.id, h1, 'up'), vote(i.id, h2, 'up')]),
      // Accepted only thanks to the reviewer who fails gold: left out, the reviewer named.
      vote(carried.id, unreliable, 'up'), vote(carried.id, h1, 'up'),
      withdrawal(gone.id, { campaign: 'shule', contributor: withdrawer }),
    );
    // Their contributor ids (derived from their keys), and the public keys themselves: either would name them.
    const named = [h1, h2, unreliable, withdrawer, ...[...items, carried].map((i) => i.contributor)].map((n) => person(n));
    const people = [...named.map((p) => p.contributor), ...named.map((p) => p.key), ...named.map((p) => p.key.slice(p.key.indexOf('.') + 1))];
    return { people: [...new Set(people)], capped, unreliable, carried: carried.id };
  }

  const config = parseReleaseConfig({
    version: '1.0.0', language: { check: false }, duplicates: { near: false }, splits: { validation: 0, test: 0 },
    abuse: { maxPerContributor: 1, minGold: 5, goldDisagreement: 0.5 },
  });
  const build = (name: string, pseudonymKey = TEST_PSEUDONYM_KEY) => buildRelease({ store, config, outDir: join(dir, name), snapshot: 'test', pseudonymKey });

  it('names them only by their pseudonyms, in every file it writes', async () => {
    const { people, capped, unreliable, carried } = await corpus();
    const manifest = await build('r');
    const texts = await releaseTexts(join(dir, 'r'));
    // Every kind of file is there, and none names anyone by their id.
    for (const f of ['README.md', 'croissant.json', 'report.json', 'report.html', 'rejected.jsonl', 'contributors.txt', 'idioms/train.jsonl', 'sft/train.jsonl', 'preference/train.jsonl', 'translation/train.jsonl']) {
      expect(texts.has(f), f).toBe(true);
    }
    expect([...texts.keys()].some((f) => f.endsWith('.parquet'))).toBe(true);
    expect([...texts.keys()].some((f) => f.startsWith('openai/'))).toBe(true);
    expect(occurrences(texts, people)).toEqual([]);
    expect(occurrences(texts, people.map((p) => p.replaceAll('-', '')))).toEqual([]);

    // What the release says of people, it says by pseudonym.
    const p = new Pseudonyms(TEST_PSEUDONYM_KEY);
    const listed = texts.get('contributors.txt')!.trim().split('\n');
    expect(listed.length).toBe(manifest.contributors);
    for (const line of listed) expect(line).toMatch(/^[0-9a-f]{32}$/);
    expect(listed).toContain(p.of(capped));
    const records = texts.get('idioms/train.jsonl')!.trim().split('\n').map((l) => JSON.parse(l) as { contributor: string });
    for (const r of records) expect(listed).toContain(r.contributor);
    const rejected = texts.get('rejected.jsonl')!.trim().split('\n').map((l) => JSON.parse(l) as { id: string; contributor: string; rule: string; detail: string });
    expect(rejected.find((r) => r.rule === 'contributor_cap')).toMatchObject({ contributor: p.of(capped), detail: `over 1 items of contributor ${p.of(capped)}` });
    expect(rejected.find((r) => r.id === carried)).toMatchObject({ rule: 'unreliable_votes' });
    expect(rejected.find((r) => r.id === carried)!.detail).toContain(p.of(unreliable));
    for (const r of rejected) expect(r.contributor).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives everyone the same pseudonym in every release of the deployment, and others under another key', async () => {
    await corpus();
    await build('a');
    await ingest(idiom({ data: { expression: 'Dalili ya mvua ni mawingu', example: 'Dalili ya mvua ni mawingu, mzee alisema.' } }));
    await build('b');
    await build('other', '01'.repeat(32));
    const list = (name: string) => readFileSync(join(dir, name, 'contributors.txt'), 'utf8').trim().split('\n');
    // A later release (with one item more, pending: not in it) names the same people the same way.
    expect(list('b')).toEqual(list('a'));
    expect(readFileSync(join(dir, 'b', 'idioms', 'train.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'a', 'idioms', 'train.jsonl'), 'utf8'));
    const other = list('other');
    expect(other.length).toBe(list('a').length);
    expect(other.filter((x) => list('a').includes(x))).toEqual([]);
  });
});
