import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import * as Y from 'yjs';
import { parse as parseYaml } from 'yaml';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { openGlossaryStore } from '../glossary/store.ts';
import { addTerm } from '../protocol/glossary.doc.ts';
import { syncDoc } from '../../test/support/glossary.ts';
import { idiom, resign, withdrawal } from '../../test/support/contributions.ts';
import { parseReleaseConfig } from './config.ts';
import { buildRelease, type ReleaseManifest } from './pipeline.ts';
import { TEST_PSEUDONYM_KEY } from './backends.contract.ts';
import { bucketDimension, bucketOf, describeDimension, MIN_GROUP } from './demographics.ts';
import { CROISSANT_SPEC, RAI_PROPERTIES, RAI_SPEC } from './croissant.ts';
import { REPORT_SECTIONS } from './report.ts';

/** Distinct made-up sentences (no two near-duplicates): words drawn by a fixed sequence. */
const WORDS = ['maji', 'mlima', 'jua', 'mvua', 'nyumba', 'shamba', 'mtoto', 'chakula', 'barabara', 'soko', 'kitabu', 'mto', 'ndege', 'samaki', 'upepo', 'moto', 'mwezi', 'nyota', 'jiwe', 'mti', 'ua', 'kijiji', 'mji', 'bahari'];
function sentence(seed: number, n: number): string {
  let x = seed * 7919 + 17;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(WORDS[x % WORDS.length]!);
  }
  return out.join(' ');
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** The paths a Hugging Face data_files pattern (with `*`) matches, relative to the release. */
function expand(dir: string, pattern: string): string[] {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  return [...files(dir).keys()].filter((p) => re.test(p));
}

describe('demographic suppression', () => {
  it('shows a group of 5 contributors and suppresses a group of 4, saying only how many groups it hid', () => {
    const d = bucketDimension('language', 'declared language', new Map([['sw', 5], ['yo', 4], ['ha', 120]]));
    expect(MIN_GROUP).toBe(5);
    expect(d.shown).toEqual([{ group: 'ha', contributors: '100–499' }, { group: 'sw', contributors: '5–9' }]);
    expect(d.suppressedGroups).toBe(1);
    const text = describeDimension(d);
    expect(text).not.toContain('yo');
    expect(text).toContain('1 group with fewer than 5 contributors not shown');
  });

  it('buckets coarsely and never gives a count under 5', () => {
    expect(bucketOf(4)).toBeUndefined();
    expect(bucketOf(5)).toBe('5–9');
    expect(bucketOf(49)).toBe('10–49');
    expect(bucketOf(1000)).toBe('1000 or more');
  });
});

describe('release documents: croissant.json, report.html and the card', () => {
  let dir: string;
  let store: Store;
  let manifest: ReleaseManifest;
  const out = () => join(dir, 'a');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-release-docs-'));
    store = await openStore({ dataDir: join(dir, 'data') });
    const items: ContributionInput[] = [];
    // 5 contributors in sw, 4 in yo (a group of 4: suppressed); two items each, across months.
    const people = [...Array.from({ length: 5 }, () => ['sw', uuidv4()]), ...Array.from({ length: 4 }, () => ['yo', uuidv4()])] as [string, string][];
    people.forEach(([language, contributor], p) => {
      for (let k = 0; k < 2; k++) {
        const i = p * 2 + k;
        items.push(idiom({
          language, contributor, deviceSeq: k + 1,
          createdAt: `2026-${String(8 + (i % 4)).padStart(2, '0')}-0${1 + k}T10:00:00.000Z`,
          data: { expression: sentence(i, 4), example: sentence(i + 100, 12), meaning: sentence(i + 200, 10) },
        }));
      }
    });
    const [copy] = resign({ ...items[0]!, id: idiom().id, deviceSeq: 3 } as ContributionInput);
    const pii = idiom({ contributor: people[1]![1], deviceSeq: 9, data: { expression: sentence(900, 4), example: sentence(901, 12), meaning: 'Write to amina.juma@example.org or call +255 712 345 678 for more.' } });
    const gone = idiom({ data: { expression: sentence(950, 4), example: sentence(951, 12) } });
    await store.ingest(uuidv4(), [...items, copy, pii, gone, withdrawal(gone.id, { contributor: gone.contributor })].map((c) => Contribution.parse(c)));
    const relayed = idiom({ contributor: people[2]![1], deviceSeq: 10, data: { expression: sentence(970, 4), example: sentence(971, 12) } });
    await store.ingestRelayed('n-libraryaaaaaaaaaa', [{ contribution: Contribution.parse(relayed), deviceId: 'd', receivedAt: '2026-11-02T00:00:00.000Z' }]);
    // Two campaigns' glossaries: the glossary config is in every document and built byte-identically too.
    const glossaries = openGlossaryStore(store.db);
    for (const [campaign, terms] of [['library-drive', [['shamba', 'farm']]], ['general', [['zamani', 'long ago'], ['asante', 'thank you']]]] as const) {
      const doc = new Y.Doc();
      terms.forEach(([term, rendering], i) => addTerm(doc, `${campaign}-${i}`, { term, rendering, language: 'sw', notes: '' }));
      await syncDoc(glossaries, campaign, doc);
    }

    const build = (name: string) =>
      buildRelease({ store, config: parseReleaseConfig({ name: 'Vernacular test', version: '1.0.0', includePending: true, language: { check: false } }), outDir: join(dir, name), snapshot: 'test', pseudonymKey: TEST_PSEUDONYM_KEY });
    manifest = await build('a');
    await new Promise((r) => setTimeout(r, 1100));
    await build('b');
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is byte-identical on two builds', () => {
    const a = files(join(dir, 'a'));
    const b = files(join(dir, 'b'));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect(a.has('croissant.json') && a.has('report.html')).toBe(true);
    expect(a.has('glossary/train.jsonl') && a.has('glossary/train-00000-of-00001.parquet')).toBe(true);
    for (const [path, bytes] of a) expect(b.get(path)?.equals(bytes), path).toBe(true);
  });

  it('croissant.json: Croissant 1.1 required fields, the RAI fields, JSON-LD shape', () => {
    const doc = JSON.parse(readFileSync(join(out(), 'croissant.json'), 'utf8')) as Record<string, unknown>;
    const context = doc['@context'] as Record<string, unknown>;
    expect(context).toMatchObject({ '@vocab': 'http://schema.org/', sc: 'http://schema.org/', cr: 'http://mlcommons.org/croissant/', rai: 'http://mlcommons.org/croissant/RAI/', dct: 'http://purl.org/dc/terms/', conformsTo: 'dct:conformsTo' });
    expect(doc['@type']).toBe('sc:Dataset');
    expect(doc.conformsTo).toEqual([CROISSANT_SPEC, RAI_SPEC]);
    for (const key of ['name', 'description', 'license', 'url', 'creator', 'datePublished', 'version', 'distribution', 'recordSet']) expect(doc[key], key).toBeTruthy();
    expect(doc.datePublished).toBe('2026-11-02'); // the snapshot's newest item (device clock), not the build's date
    expect(doc.license).toBe('https://spdx.org/licenses/CC0-1.0.html');
    for (const key of RAI_PROPERTIES) {
      const v = doc[key];
      expect(typeof v === 'string' ? v.length : Array.isArray(v) ? v.length : 0, key).toBeGreaterThan(0);
    }
    // Personal data: the stage's counts; demographics: not collected, small groups suppressed.
    const pii = (doc['rai:personalSensitiveInformation'] as string[]).join('\n');
    expect(pii).toContain('1 item had personal data replaced');
    expect(pii).toContain('0 items dropped');
    expect(pii).toMatch(/email: 1/);
    const demographics = (doc['rai:annotatorDemographics'] as string[]).join('\n');
    expect(demographics).toContain('not collected');
    expect(demographics).toMatch(/Contributors by language[^\n]*sw: 5–9; 1 group with fewer than 5 contributors not shown/);
    expect(demographics).not.toMatch(/\byo\b/);
    expect(doc['rai:dataCollectionTimeframe']).toBe('2026-08-01/2026-11-02');
  });

  it('croissant.json lists every file of the release with its correct sha256, and record sets with typed fields', () => {
    const doc = JSON.parse(readFileSync(join(out(), 'croissant.json'), 'utf8')) as { distribution: Record<string, unknown>[]; recordSet: { '@id': string; field: Record<string, unknown>[] }[] };
    const objects = doc.distribution.filter((d) => d['@type'] === 'cr:FileObject');
    for (const o of objects) {
      const path = join(out(), o.contentUrl as string);
      expect(existsSync(path), o.contentUrl as string).toBe(true);
      expect(o.sha256, o.contentUrl as string).toBe(sha256(path));
      expect(o.encodingFormat).toBeTruthy();
    }
    const listed = new Set(objects.map((o) => o.contentUrl));
    const onDisk = [...files(out()).keys()].filter((p) => p !== 'croissant.json');
    expect(onDisk.filter((p) => !listed.has(p))).toEqual([]);
    for (const f of manifest.files) expect(listed.has(f.path), f.path).toBe(true);
    expect(listed.has('report.html') && listed.has('README.md')).toBe(true);

    const ids = new Set(doc.distribution.map((d) => d['@id']));
    const idioms = doc.recordSet.find((r) => r['@id'] === 'idioms')!;
    expect(idioms).toBeDefined();
    const byName = new Map(idioms.field.map((f) => [f.name, f]));
    expect(byName.get('expression')).toMatchObject({ dataType: 'sc:Text', source: { extract: { column: 'expression' } } });
    expect(byName.get('created_at')).toMatchObject({ dataType: 'sc:DateTime' });
    expect(byName.get('split')).toMatchObject({ source: { extract: { fileProperty: 'filename' } } });
    for (const f of idioms.field) expect(ids.has(((f.source as { fileSet: { '@id': string } }).fileSet)['@id'])).toBe(true);
    expect(manifest.counts.glossary).toEqual({ train: 3 });
    expect(doc.recordSet.find((r) => r['@id'] === 'glossary')?.field.map((f) => f.name)).toEqual(['split', 'campaign', 'term', 'rendering', 'language', 'notes']);
    const sft = doc.recordSet.find((r) => r['@id'] === 'sft');
    if (sft) expect(sft.field.find((f) => f.name === 'messages')).toMatchObject({ isArray: true, subField: [{ name: 'role' }, { name: 'content' }] });
  });

  it('the card: its YAML front matter parses and every configs[].data_files[].path points at files that exist', () => {
    const card = readFileSync(join(out(), 'README.md'), 'utf8');
    const match = /^---\n([\s\S]*?)\n---\n/.exec(card);
    expect(match).not.toBeNull();
    const meta = parseYaml(match![1]!) as { license: string; language: string[]; configs: { config_name: string; data_files: { split: string; path: string }[] }[]; annotations_creators: string[] };
    expect(meta.license).toBe('cc0-1.0');
    expect(meta.language).toEqual(['sw', 'yo']);
    expect(meta.annotations_creators).toEqual(['crowdsourced']);
    expect(meta.configs.length).toBeGreaterThan(0);
    expect(meta.configs.map((c) => c.config_name)).toContain('glossary');
    for (const c of meta.configs) {
      for (const f of c.data_files) {
        const matched = f.path.includes('*') ? expand(out(), f.path) : existsSync(join(out(), f.path)) ? [f.path] : [];
        expect(matched.length, `${c.config_name}/${f.split}: ${f.path}`).toBeGreaterThan(0);
      }
    }
  });

  it('report.html: every section, an SVG chart each with a title and description, no script, nothing loaded from elsewhere', () => {
    const html = readFileSync(join(out(), 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    for (const id of REPORT_SECTIONS) expect(html, id).toContain(`<section id="${id}"`);
    for (const chart of ['rejections', 'time', 'languages', 'nodes', 'duplicates', 'splits']) {
      expect(html, chart).toMatch(new RegExp(`<figure class="chart" id="chart-${chart}">[\\s\\S]*?<svg [^>]*role="img" aria-labelledby="${chart}-title ${chart}-desc"[\\s\\S]*?<title id="${chart}-title">[^<]+</title>\\n<desc id="${chart}-desc">[^<]+</desc>`));
    }
    expect(html.match(/<svg /g)?.length).toBe(6);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\b(src|srcset)=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/ style="/);
    expect(html).toContain('<meta name="viewport"');
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'; style-src 'sha256-/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(html).toContain(`'sha256-${createHash('sha256').update(style, 'utf8').digest('base64')}'`);
    // Every table has a caption; the figures appear.
    expect(html.match(/<table /g)?.length).toBe(html.match(/<caption /g)?.length);
    expect(html).toContain('n-libraryaaaaaaaaaa');
    expect(html).toContain('2026-08');
    expect(html).toContain('exclusions: withdrawn');
    expect(html).toContain('duplicates: exact_duplicate');
    expect(html).not.toMatch(/<code>yo<\/code>/); // the group of 4 contributors is not shown
  });
});
