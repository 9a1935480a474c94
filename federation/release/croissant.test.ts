/**
 * croissant.json and the card, checked against the files they describe and by the rules of the
 * tools that read them: every field source resolves against the Parquet schema as written (read
 * with hyparquet, cross-checked with DuckDB); the record sets, read the way mlcroissant reads them
 * (a column per field; a repeated nested field's sub-fields from the parent column, a JSONPath
 * into each element), give the JSONL rows; JSON-LD expansion (jsonld.js) resolves every `@id`
 * against the release's absolute URL; the card's language, multilinguality and task categories
 * follow the data.
 */
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import * as Y from 'yjs';
import jsonld from 'jsonld';
import { parse as parseYaml } from 'yaml';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { DuckDBInstance } from '@duckdb/node-api';
import { Contribution, type ContributionInput } from '../protocol/index.ts';
import { addTerm } from '../protocol/glossary.doc.ts';
import { syncDoc } from '../../test/support/glossary.ts';
import type { Store } from '../store/index.ts';
import { openGlossaryStore } from '../glossary/store.ts';
import { compare, evalItem, idiom, instruction, norm, rewrite, rule, translation } from '../../test/support/contributions.ts';
import { parseReleaseConfig } from './config.ts';
import { buildRelease, type ReleaseManifest } from './pipeline.ts';
import { cardLanguages } from './card.ts';
import { type BackendStore, releaseBackends, TEST_PSEUDONYM_KEY } from './backends.contract.ts';

const URL_BASE = 'https://hub.example.org/releases/vernacular/2026.12.0/';

interface Field {
  '@id': string;
  name: string;
  dataType?: string | string[];
  isArray?: boolean;
  arrayShape?: string;
  subField?: Field[];
  source?: { fileSet?: { '@id': string }; extract: { column?: string; fileProperty?: string }; transform?: { jsonPath?: string; regex?: string } };
}
interface RecordSet { '@id': string; field: Field[] }
interface Croissant { '@context': Record<string, unknown>; url: string; distribution: Record<string, unknown>[]; recordSet: RecordSet[]; inLanguage: string[] }

type Tree = ReturnType<typeof parquetSchema>;

const fileOf = (path: string) => {
  const bytes = readFileSync(path);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
};

/** The files a FileSet's `includes` glob (`<config>/*.<ext>`) names. */
function included(out: string, glob: string): string[] {
  const [folder, pattern] = glob.split('/') as [string, string];
  const ext = pattern.replace(/^\*/, '');
  return readdirSync(join(out, folder)).filter((f) => f.endsWith(ext)).sort().map((f) => `${folder}/${f}`);
}

/** A LIST column's element (Parquet's three-level list: column → repeated `list` → `element`). */
function listElement(column: Tree): Tree | undefined {
  if (column.element.converted_type !== 'LIST') return undefined;
  const repeated = column.children[0];
  return repeated?.element.repetition_type === 'REPEATED' ? repeated.children[0] : undefined;
}

const TEXT = (t: Tree) => t.element.type === 'BYTE_ARRAY' && (t.element.converted_type === 'UTF8' || t.element.converted_type === 'JSON');
const TYPE_CHECKS: Record<string, (t: Tree) => boolean> = {
  'sc:Text': TEXT,
  'sc:DateTime': TEXT,
  'sc:Integer': (t) => t.element.type === 'INT32' || t.element.type === 'INT64',
  'sc:Boolean': (t) => t.element.type === 'BOOLEAN',
};

/** Reads one row the way mlcroissant's ReadFields does: a column per leaf; sub-fields of a repeated field zipped into its elements. */
function readRecord(fields: Field[], row: Record<string, unknown>, fileName: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.subField !== undefined) {
      const members = f.subField.map((sub) => {
        const column = row[sub.source!.extract.column!] as Record<string, unknown>[];
        return column.map((element) => element[sub.source!.transform!.jsonPath!]);
      });
      out[f.name] = members[0]!.map((_, i) => Object.fromEntries(f.subField!.map((sub, k) => [sub.name, members[k]![i]])));
    } else if (f.source?.extract.fileProperty === 'filename') {
      out[f.name] = new RegExp(f.source.transform!.regex!).exec(fileName)?.[1];
    } else {
      out[f.name] = row[f.source!.extract.column!];
    }
  }
  return out;
}

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)));

for (const backend of releaseBackends()) describe(`croissant.json and the card, read by their tools' rules (${backend.name})`, () => {
  let dir: string;
  let backing: BackendStore;
  let store: Store;
  let manifest: ReleaseManifest;
  const out = () => join(dir, 'r');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-croissant-'));
    backing = await backend.store(join(dir, 'data'));
    store = await backing.open();
    const model = { type: 'model', model: 'tiny-llama', revision: 'r1', dtype: 'q4', device: 'wasm', settings: { temperature: 0.7 } } as const;
    const items: ContributionInput[] = [
      idiom(), idiom({ language: 'yo', data: { expression: 'Ile la ni ile eni', example: 'Ile la ni ile eni, o so.' } }),
      instruction(), rewrite({ data: { draftSource: model } }), compare({ data: { choice: 'b', comment: 'Bora zaidi.' } }),
      compare({ data: { a: { text: 'Shikamoo, mzee.', source: model }, b: { text: 'Mambo vipi?', source: { type: 'seed', seed: 's-1' } }, choice: 'a' } }),
      translation(), translation({ data: { sourceLanguage: 'fr', source: 'Bonjour à tous.', translation: 'Hamjambo nyote.' } }),
      norm(), rule(), evalItem(),
    ];
    await store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)));
    const doc = new Y.Doc();
    addTerm(doc, 't1', { term: 'shamba', rendering: 'farm', language: 'en', notes: '' });
    await syncDoc(openGlossaryStore(store.db), 'general', doc);
    manifest = await buildRelease({
      store,
      config: parseReleaseConfig({ version: '2026.12.0', url: URL_BASE.slice(0, -1), includePending: true, language: { check: false }, duplicates: { near: false }, splits: { validation: 0, test: 0 } }),
      outDir: out(),
      snapshot: 'test',
      pseudonymKey: TEST_PSEUDONYM_KEY,
    });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await backing?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const croissant = () => JSON.parse(readFileSync(join(out(), 'croissant.json'), 'utf8')) as Croissant;

  it('describes every column of every Parquet file, and every field source resolves against the schema written', async () => {
    const doc = croissant();
    expect(doc.recordSet.map((r) => r['@id']).sort()).toEqual(['eval', 'glossary', 'idioms', 'kto', 'norms', 'preference', 'rules', 'sft', 'translation']);
    const duck = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
    for (const records of doc.recordSet) {
      const sources = new Set(records.field.flatMap((f) => [f, ...(f.subField ?? [])]).flatMap((f) => (f.source?.fileSet ? [f.source.fileSet['@id']] : [])));
      expect([...sources], records['@id']).toEqual([`${records['@id']}-parquet`]);
      const fileSet = doc.distribution.find((d) => d['@id'] === `${records['@id']}-parquet`)!;
      const paths = included(out(), fileSet.includes as string);
      expect(paths.length, records['@id']).toBeGreaterThan(0);
      for (const path of paths) {
        const columns = new Map(parquetSchema(parquetMetadata(fileOf(join(out(), path)))).children.map((c) => [c.element.name, c]));
        const described = new Set<string>();
        for (const field of records.field) {
          const where = `${path}: ${field['@id']}`;
          if (field.source?.extract.fileProperty === 'filename') {
            expect(new RegExp(field.source.transform!.regex!).exec(basename(path))?.[1], where).toBe(basename(path).split('-')[0]);
            continue;
          }
          if (field.subField !== undefined) {
            // Sibling sub-fields share one source, the parent's column: a list of structs holding each member.
            const shared = new Set(field.subField.map((s) => JSON.stringify({ ...s.source, transform: undefined })));
            expect(shared.size, where).toBe(1);
            const column = columns.get(field.subField[0]!.source!.extract.column!);
            expect(column, where).toBeDefined();
            const element = listElement(column!);
            expect(element?.children.length, where).toBeGreaterThan(0);
            expect(field.isArray, where).toBe(true);
            for (const sub of field.subField) {
              const member = element!.children.find((c) => c.element.name === sub.source!.transform!.jsonPath);
              expect(member, `${where}/${sub.name}`).toBeDefined();
              expect(TYPE_CHECKS[sub.dataType as string]!(member!), `${where}/${sub.name}`).toBe(true);
            }
            described.add(column!.element.name);
            continue;
          }
          const column = columns.get(field.source!.extract.column!);
          expect(column, where).toBeDefined();
          const element = listElement(column!);
          expect(field.isArray === true, where).toBe(element !== undefined);
          expect(TYPE_CHECKS[field.dataType as string]!(element ?? column!), `${where} is ${String(field.dataType)}`).toBe(true);
          described.add(column!.element.name);
        }
        expect([...columns.keys()].filter((c) => !described.has(c)), `${path}: columns no field describes`).toEqual([]);
        // DuckDB reads the same columns, the chat members inside a list of structs.
        const types = new Map((await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${join(out(), path)}')`)).getRowObjectsJson().map((r) => [String(r.column_name), String(r.column_type)]));
        expect([...types.keys()].sort(), path).toEqual([...columns.keys()].sort());
        for (const field of records.field.filter((f) => f.subField !== undefined)) {
          expect(types.get(field.name), `${path}: ${field.name}`).toMatch(/^STRUCT\("?role"? VARCHAR, "?content"? VARCHAR\)\[\]$/);
        }
      }
    }
    duck.closeSync();
  });

  it('gives the JSONL rows when read the way mlcroissant reads record sets', async () => {
    const doc = croissant();
    for (const records of doc.recordSet) {
      const name = records['@id'];
      const fileSet = doc.distribution.find((d) => d['@id'] === `${name}-parquet`)!;
      const read: Record<string, unknown>[] = [];
      const jsonl: Record<string, unknown>[] = [];
      for (const path of included(out(), fileSet.includes as string)) {
        for (const row of (await parquetReadObjects({ file: fileOf(join(out(), path)) })) as Record<string, unknown>[]) read.push(readRecord(records.field, row, basename(path)));
        const split = basename(path).split('-')[0]!;
        jsonl.push(...readFileSync(join(out(), name, `${split}.jsonl`), 'utf8').trim().split('\n').map((l) => ({ ...(JSON.parse(l) as Record<string, unknown>), split })));
      }
      expect(read.length, name).toBe(jsonl.length);
      read.forEach((record, i) => {
        const { split, ...rest } = record;
        expect(split).toBe(jsonl[i]!.split);
        delete jsonl[i]!.split;
        // A JSON column is text in Parquet (croissant says so: sc:Text), an object in JSONL.
        const parsed = Object.fromEntries(Object.entries(plain(rest) as Record<string, unknown>).map(([k, v]) => [k, k.endsWith('_generation') && typeof v === 'string' ? JSON.parse(v) : v]));
        expect(parsed, `${name} row ${i}`).toEqual(jsonl[i]);
      });
    }
  });

  it('is JSON-LD whose every @id resolves to an absolute IRI under the release\'s URL, with nothing lost in expansion', async () => {
    const doc = croissant();
    expect(doc.url).toBe(URL_BASE);
    expect(doc['@context']['@base']).toBe(URL_BASE);
    const expanded = await jsonld.expand(doc as unknown as jsonld.JsonLdDocument);
    const ids = new Set<string>();
    const references: string[] = [];
    const types = new Map<string, number>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      if (typeof o['@id'] === 'string') {
        expect(() => new URL(o['@id'] as string)).not.toThrow();
        if (Object.keys(o).length === 1) references.push(o['@id'] as string);
        else ids.add(o['@id'] as string);
      }
      for (const t of (o['@type'] as string[] | undefined) ?? []) types.set(t, (types.get(t) ?? 0) + 1);
      for (const [k, v] of Object.entries(o)) if (k !== '@value') walk(v);
    };
    walk(expanded);
    expect([...ids].every((id) => id.startsWith(URL_BASE))).toBe(true);
    // Every reference into the release (a field's fileSet, a record set's key) names a node of the
    // document; the others are vocabulary (data types such as http://schema.org/Text).
    expect(references.filter((r) => r.startsWith(URL_BASE) && !ids.has(r))).toEqual([]);
    expect(references.filter((r) => !r.startsWith(URL_BASE) && !/^http:\/\/(schema\.org|mlcommons\.org\/croissant)\//.test(r))).toEqual([]);
    expect(references.filter((r) => r.startsWith(URL_BASE)).length).toBeGreaterThan(50);
    const fields = doc.recordSet.flatMap((r) => r.field.flatMap((f) => [f, ...(f.subField ?? [])]));
    expect(types.get('http://mlcommons.org/croissant/Field')).toBe(fields.length);
    expect(types.get('http://mlcommons.org/croissant/RecordSet')).toBe(doc.recordSet.length);
    const text = JSON.stringify(expanded);
    expect(text).toContain('"http://mlcommons.org/croissant/transform":[{"http://mlcommons.org/croissant/jsonPath":[{"@language":"en","@value":"content"}]}]');
    expect(text).toContain('"http://mlcommons.org/croissant/isArray":[{"@value":true}]');
    expect(text).toContain(`"@id":"${URL_BASE}sft/messages/role"`);
  });

  it('the card and croissant name the languages of the data, a translation\'s both, and the tasks of the configs written', () => {
    const card = readFileSync(join(out(), 'README.md'), 'utf8');
    const meta = parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(card)![1]!) as { language: string[]; multilinguality: string[]; task_categories: string[] };
    // Items in sw and yo; translations from en and fr; a glossary rendering in en.
    expect(manifest.configLanguages.translation).toEqual(['en', 'fr', 'sw']);
    expect(manifest.configLanguages.glossary).toEqual(['en']);
    expect(meta.language).toEqual(['en', 'fr', 'sw', 'yo']);
    expect(meta.multilinguality).toEqual(['multilingual', 'translation']);
    expect(meta.task_categories).toEqual(['question-answering', 'text-classification', 'text-generation', 'translation']);
    expect(croissant().inLanguage).toEqual(['en', 'fr', 'sw', 'yo']);
  });
});

describe('the card\'s language metadata', () => {
  const of = (counts: Record<string, Record<string, number>>, configLanguages: Record<string, string[]>) => cardLanguages({ counts, configLanguages });

  it('says monolingual with one language, and only the tasks of configs that have rows', () => {
    expect(of({ idioms: { train: 3 }, sft: { train: 3 }, eval: { test: 0 } }, { idioms: ['sw'], sft: ['sw-KE'], eval: ['en'] })).toEqual({ language: ['sw'], multilinguality: ['monolingual'], taskCategories: ['text-generation'] });
  });

  it('says translation for a translation config, and lists its source and target languages', () => {
    expect(of({ translation: { train: 2 } }, { translation: ['en', 'fil'] })).toEqual({ language: ['en', 'fil'], multilinguality: ['translation'], taskCategories: ['translation'] });
    expect(of({ translation: { train: 2 }, idioms: { train: 1 } }, { translation: ['en', 'sw'], idioms: ['sw'] })).toEqual({ language: ['en', 'sw'], multilinguality: ['monolingual', 'translation'], taskCategories: ['text-generation', 'translation'] });
  });

  it('says multilingual when the other configs hold more than one language, and nothing for an empty release', () => {
    expect(of({ rules: { train: 1 }, norms: { train: 1 } }, { rules: ['sw'], norms: ['yo'] })).toMatchObject({ multilinguality: ['multilingual'], taskCategories: ['text-classification', 'text-generation'] });
    expect(of({}, {})).toEqual({ language: [], multilinguality: [], taskCategories: [] });
  });
});
