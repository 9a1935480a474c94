/**
 * No personal data in a release, whatever field it was typed into. The test walks every string
 * field of every content kind's schema (the envelope, the data, the sources of drafts and answers,
 * the device's checks), plants an e-mail address, a phone number, a payment card and an IBAN in
 * each — wherever the schema accepts one — stores the items, builds a release from the store (SQLite
 * and PostgreSQL) and searches every file it wrote, Parquet rows decoded, for any of them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { CONTENT_KINDS, type ContentKind, Contribution, type ContributionInput, DEFAULT_CONSENSUS, type TextSource } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { compare, evalItem, idiom, instruction, norm, person, rewrite, rule, translation } from '../../test/support/contributions.ts';
import { signItems } from '../trust/contributors.ts';
import { parseReleaseConfig } from './config.ts';
import { buildRelease } from './pipeline.ts';
import { type BackendStore, releaseBackends, TEST_PSEUDONYM_KEY } from './backends.contract.ts';
import { occurrences, releaseTexts } from './files.contract.ts';
import { KIND_FIELDS } from './fields.ts';

/** What is planted, as written and as a field with a narrow format may hold it; and what must not appear anywhere after. */
const SAMPLES = [
  { type: 'email', forms: ['amina.juma@example.org'], traces: ['amina.juma@', 'juma@example'] },
  { type: 'phone', forms: ['+255 712 345 678', '0712345678'], traces: ['712 345 678', '712345678'] },
  { type: 'card', forms: ['4111 1111 1111 1111', '4111111111111111'], traces: ['4111 1111', '41111111'] },
  { type: 'iban', forms: ['GB82 WEST 1234 5698 7654 32', 'GB82WEST12345698765432'], traces: ['GB82', 'WEST 1234', 'WEST1234'] },
] as const;

const CHECKS: NonNullable<ContributionInput['checks']> = {
  language: { detected: 'sw', score: 0.9, matches: true, confirmed: false, detector: 'franc@6.2.0' },
  personalData: { kept: [{ type: 'email', count: 1 }], redacted: [{ type: 'phone', count: 1 }] },
};
const MODEL_SOURCE: TextSource = { type: 'model', model: 'tiny-llama', revision: 'r1', dtype: 'q4', device: 'wasm', settings: { temperature: 0.5 } };
const SEED_SOURCE: TextSource = { type: 'seed', seed: 's-1', label: 'Jibu A' };

/** Items of every kind with every optional field present, every union's options among them. */
function bases(kind: ContentKind): ContributionInput[] {
  const envelope = { checks: CHECKS };
  switch (kind) {
    case 'idiom':
      return [idiom({ ...envelope, data: { region: 'Pwani', register: 'informal' } })];
    case 'instruction':
      return [instruction({ ...envelope, data: { seed: 's-2' } })];
    case 'rewrite':
      return [rewrite({ ...envelope, data: { draftSource: SEED_SOURCE } }), rewrite({ ...envelope, data: { draftSource: MODEL_SOURCE } })];
    case 'compare':
      return [
        compare({ ...envelope, data: { a: { text: 'Shikamoo, mzee.', source: SEED_SOURCE }, b: { text: 'Mambo vipi?', source: MODEL_SOURCE }, comment: 'Heshima kwanza.', seed: 's-3' } }),
        compare({ ...envelope, data: { a: { text: 'Shikamoo, mzee.', source: MODEL_SOURCE }, b: { text: 'Mambo vipi?', source: SEED_SOURCE }, comment: 'Heshima kwanza.', seed: 's-3' } }),
      ];
    case 'translation':
      return [translation({ ...envelope, data: { seed: 's-4' } })];
    case 'norm':
      return [norm({ ...envelope, data: { domain: 'culture' } })];
    case 'rule':
      return [rule(envelope)];
    case 'eval':
      return [evalItem({ ...envelope, data: { domain: 'culture' } })];
  }
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType>; options?: z.ZodType[]; element?: z.ZodType; keyType?: z.ZodType; valueType?: z.ZodType };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Every path to a string (free, formatted, enum or literal) in a schema; `*` a record's values, `*key` its keys, `[]` an array's elements. */
function stringPaths(schema: z.ZodType, path: string[] = [], out: string[][] = []): string[][] {
  const def = defOf(schema);
  if (['optional', 'nullable', 'default', 'readonly', 'catch', 'prefault', 'nonoptional'].includes(def.type)) return stringPaths(def.innerType!, path, out);
  if (def.type === 'pipe') return stringPaths(def.in!, path, out);
  if (['string', 'enum', 'literal', 'template_literal'].includes(def.type)) out.push(path);
  else if (def.type === 'object') for (const [k, v] of Object.entries(def.shape!)) stringPaths(v, [...path, k], out);
  else if (def.type === 'union') for (const o of def.options!) stringPaths(o, path, out);
  else if (def.type === 'array') stringPaths(def.element!, [...path, '[]'], out);
  else if (def.type === 'record') {
    stringPaths(def.keyType!, [...path, '*key'], out);
    stringPaths(def.valueType!, [...path, '*'], out);
  }
  return [...new Map(out.map((p) => [p.join('.'), p])).values()];
}

/** `item` with `value` at `path`, or undefined where the item has no such place (another union option). */
function planted(item: ContributionInput, path: string[], value: string): Record<string, unknown> | undefined {
  const copy = structuredClone(item) as Record<string, unknown>;
  let at: unknown = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    if (typeof at !== 'object' || at === null) return undefined;
    at = key === '[]' ? (at as unknown[])[0] : key === '*' ? Object.values(at)[0] : (at as Record<string, unknown>)[key];
  }
  if (typeof at !== 'object' || at === null) return undefined;
  const last = path[path.length - 1]!;
  if (last === '[]') (at as unknown[])[0] = value;
  else if (last === '*key') (at as Record<string, unknown>)[value] = 1;
  else if (last === '*') (at as Record<string, unknown>).note = value;
  else (at as Record<string, unknown>)[last] = value;
  return copy;
}

interface Plant {
  id: string;
  kind: ContentKind;
  field: string;
  type: string;
  /** Whether the field is free text (fields.ts): redacted and kept, else the item is left out. */
  freeText: boolean;
}

/** Two free-text fields per kind: the second makes each item's text unique when the first is planted. */
const UNIQUE_IN: Record<ContentKind, [string, string]> = {
  idiom: ['meaning', 'example'], instruction: ['answer', 'prompt'], rewrite: ['rewrite', 'prompt'], compare: ['prompt', 'comment'],
  translation: ['translation', 'source'], norm: ['expectation', 'situation'], rule: ['rule', 'citation'], eval: ['gradingNotes', 'question'],
};

function corpus() {
  const plants: Plant[] = [];
  const items: Contribution[] = [];
  const refused: string[] = [];
  let n = 0;
  for (const kind of CONTENT_KINDS) {
    const schema = defOf(Contribution).options!.find((o) => (defOf(defOf(o).shape!.kind!) as Def & { values: unknown[] }).values[0] === kind)!;
    const text = new Set(KIND_FIELDS[kind].text.map((p) => `data.${p.join('.')}`));
    for (const path of stringPaths(schema)) {
      const field = path.join('.');
      let any = false;
      for (const sample of SAMPLES) {
        for (const form of sample.forms) {
          for (const value of [`Andika kwa ${form} leo.`, form]) {
            for (const base of bases(kind)) {
              const raw = planted(base, path, value);
              if (raw === undefined) continue;
              // Fresh ids, unless an id is what is planted; a person's key, unless a key is.
              if (field !== 'id') raw.id = uuidv7();
              const who = person();
              if (field !== 'contributor') raw.contributor = who.contributor;
              if (field !== 'key') raw.key = who.key;
              // A unique text: exact duplicates would leave all but one out, and the test wants to see each kept.
              const [first, second] = UNIQUE_IN[kind];
              const tag = field === `data.${first}` ? second : first;
              (raw.data as Record<string, string>)[tag] += ` (${++n})`;
              // Signed as its author's device would (the release checks every signature again).
              const parsed = Contribution.safeParse(field === 'signature' ? raw : signItems(who, [raw])[0]);
              if (!parsed.success) continue;
              any = true;
              items.push(parsed.data);
              plants.push({ id: parsed.data.id, kind, field, type: sample.type, freeText: text.has(field) });
              break;
            }
          }
        }
      }
      if (!any) refused.push(`${kind}:${field}`);
    }
  }
  return { plants, items, refused };
}

const ALL_TRACES = SAMPLES.flatMap((s) => [...s.forms, ...s.traces]);

for (const backend of releaseBackends()) describe(`personal data in a release (${backend.name})`, () => {
  let dir: string;
  let backing: BackendStore;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-release-pii-'));
    backing = await backend.store(join(dir, 'data'));
    store = await backing.open();
  });
  afterEach(async () => {
    await store.close();
    await backing.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is found in every string field of every kind the schema lets it into, and none of it is in any file of the release', async () => {
    const { plants, items, refused } = corpus();
    // Campaign slugs can hold a bare phone or card number: such campaigns exist, so the items are stored.
    for (const slug of new Set(items.map((i) => i.campaign).filter((c) => c !== 'general'))) {
      await store.saveCampaign({ slug, title: 'Kampeni', description: '', languages: ['sw'], kinds: [...CONTENT_KINDS], goals: [], licence: 'CC0-1.0', consensus: DEFAULT_CONSENSUS });
    }
    for (let i = 0; i < items.length; i += 200) {
      const answers = await store.ingest(uuidv4(), items.slice(i, i + 200));
      expect(answers.filter((a) => a !== 'accepted')).toEqual([]);
    }
    // The free-text fields of every kind were planted with every type; the translation's pivot too.
    for (const kind of CONTENT_KINDS) {
      for (const path of KIND_FIELDS[kind].text) {
        const field = `data.${path.join('.')}`;
        expect(new Set(plants.filter((p) => p.kind === kind && p.field === field).map((p) => p.type)), `${kind} ${field}`).toEqual(new Set(SAMPLES.map((s) => s.type)));
      }
    }
    // What refused every sample refuses free text too: a format (id, tag, time, closed list) keeps it out.
    for (const where of refused) {
      const [kind, field] = where.split(':') as [ContentKind, string];
      const accepted = bases(kind).some((base) => {
        const raw = planted(base, field.split('.'), 'Hello world, a free text');
        return raw !== undefined && Contribution.safeParse(raw).success;
      });
      expect(accepted, `${where} refused every sample but takes free text`).toBe(false);
    }

    const config = parseReleaseConfig({
      version: '1.0.0', includePending: true, language: { check: false }, duplicates: { near: false },
      abuse: { phraseContributors: 1_000_000 },
    });
    const out = join(dir, 'release');
    await buildRelease({ store, config, outDir: out, snapshot: 'test', pseudonymKey: TEST_PSEUDONYM_KEY });

    const texts = await releaseTexts(out);
    expect(occurrences(texts, ALL_TRACES)).toEqual([]);

    // Not vacuous: free text kept with placeholders; elsewhere, where published, the item is left out.
    const data = [...texts].filter(([path]) => /\/(train|validation|test)\.jsonl$/.test(path)).map(([, text]) => text).join('\n');
    const rejected = new Map(readFileSync(join(out, 'rejected.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; stage: string; rule: string }).map((r) => [r.id, r]));
    for (const p of plants.filter((p) => p.freeText)) {
      expect(data.includes(p.id) && !rejected.has(p.id), `${p.kind} ${p.field} ${p.type}: kept, redacted`).toBe(true);
    }
    for (const p of plants.filter((p) => !p.freeText && (p.field.startsWith('data.') || p.field === 'campaign'))) {
      expect(rejected.get(p.id), `${p.kind} ${p.field} ${p.type}`).toMatchObject({ stage: 'personal_data', rule: 'personal_data' });
    }
    const translations = plants.filter((p) => p.kind === 'translation' && p.field === 'data.source');
    expect(translations.length).toBeGreaterThanOrEqual(4);
    for (const placeholder of ['[EMAIL]', '[PHONE]', '[CARD]', '[IBAN]']) expect(texts.get('translation/train.jsonl')).toContain(placeholder);
  });
});
