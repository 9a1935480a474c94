/** `vernacular gold import|list` as a steward runs them (in process, on a real SQLite store). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GoldContent } from '../protocol/index.ts';
import { openStore } from '../store/index.ts';
import { goldItems } from '../store/gold.ts';
import { run } from './main.ts';

let data: string;
beforeEach(() => {
  data = mkdtempSync(join(tmpdir(), 'vernacular-cli-gold-'));
});
afterEach(() => rmSync(data, { recursive: true, force: true }));

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run([...args, '--data', data], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

function file(name: string, text: string): string {
  const path = join(data, name);
  writeFileSync(path, text);
  return path;
}

const createCampaign = () => cli('campaign', 'create', '--slug', 'shule', '--title', 'Shule', '--languages', 'sw,en', '--kinds', 'idiom,translation');
const held = async () => {
  const store = await openStore({ dataDir: data, mustExist: true });
  try {
    return await goldItems(store.db);
  } finally {
    await store.close();
  }
};

const idiomRow = (n: number, expected = 'good') =>
  JSON.stringify({ kind: 'idiom', language: 'sw', data: { expression: `Methali ${n}`, meaning: 'Maana yake.', example: 'Mfano wake.' }, expected });

describe('vernacular gold import / list', () => {
  it('imports a JSONL file, all valid rows as gold items, and again only updates their answers', async () => {
    expect((await createCampaign()).code).toBe(0);
    const path = file('gold.jsonl', `${idiomRow(1)}\n${idiomRow(2, 'bad')}\n\n${JSON.stringify({ kind: 'translation', language: 'sw', data: { sourceLanguage: 'en', source: 'Good morning.', translation: 'Habari za asubuhi.' }, expected: 'good', note: 'textbook' })}\n`);
    const first = await cli('gold', 'import', '--campaign', 'shule', path, '--every', '5');
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toBe('Imported 3 gold items into shule (3 new, 0 updated; 2 good, 1 bad); its queue serves one in 5');
    const items = await held();
    expect(items).toHaveLength(3);
    for (const g of items) expect(GoldContent.safeParse(g.item).success).toBe(true);
    const again = await cli('gold', 'import', '--campaign', 'shule', file('again.jsonl', idiomRow(1, 'bad')));
    expect(again.stdout).toContain('(0 new, 1 updated; 0 good, 1 bad); its queue serves one in 5');
    expect((await held()).map((g) => g.item.id).sort()).toEqual(items.map((g) => g.item.id).sort());
    const listed = await cli('gold', 'list', '--campaign', 'shule');
    expect(listed.code).toBe(0);
    const lines = listed.stdout.split('\n');
    expect(lines[0]).toBe('id\tcampaign\tkind\tlanguage\texpected\tserved\tvotes\tagainst\tnote');
    expect(lines).toHaveLength(4);
    expect(lines.some((l) => l.endsWith('\tgood\t0\t0\t0\ttextbook'))).toBe(true);
  });

  it('imports a CSV file: text columns are data fields, a data column holds JSON', async () => {
    await createCampaign();
    const csv = file('gold.csv', 'kind,language,expected,note,expression,meaning,example\n' +
      'idiom,sw,good,,"Haraka haraka, haina baraka",Hurrying has no blessing.,Usikimbilie.\n' +
      'idiom,sw,bad,meaning is wrong,Asiyesikia la mkuu,It is about food.,Asiyesikia la mkuu huvunjika guu.\n');
    const result = await cli('gold', 'import', '--campaign', 'shule', csv);
    expect(result.code).toBe(0);
    const items = await held();
    expect(items.map((g) => g.item.data).sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)).toEqual([
      { expression: 'Asiyesikia la mkuu', meaning: 'It is about food.', example: 'Asiyesikia la mkuu huvunjika guu.' },
      { expression: 'Haraka haraka, haina baraka', meaning: 'Hurrying has no blessing.', example: 'Usikimbilie.' },
    ]);
    expect(items.find((g) => g.expected === 'bad')!.note).toBe('meaning is wrong');
  });

  it('reports every bad row by row, field and code, and imports nothing', async () => {
    await createCampaign();
    const rows = [
      idiomRow(1),
      JSON.stringify({ kind: 'idiom', language: 'sw', data: { expression: 'X y z' }, expected: 'good' }),
      JSON.stringify({ kind: 'norm', language: 'sw', data: { situation: 'a', expectation: 'b' }, expected: 'good' }),
      JSON.stringify({ kind: 'idiom', language: 'fr', data: { expression: 'Q', meaning: 'M' }, expected: 'maybe', colour: 'red' }),
      JSON.stringify({ kind: 'review', language: 'sw', data: {}, expected: 'good' }),
      idiomRow(1, 'bad'),
      '{not json',
    ];
    const result = await cli('gold', 'import', '--campaign', 'shule', file('bad.jsonl', rows.join('\n')));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nothing was imported');
    expect(result.stderr).toContain('line 2, data.meaning: missing_field');
    expect(result.stderr).toContain('line 3, kind: kind_not_enabled');
    expect(result.stderr).toContain('line 4, colour: unknown_field');
    expect(result.stderr).toContain('line 4, expected: invalid_value');
    expect(result.stderr).toContain('line 4, language: language_not_in_campaign');
    expect(result.stderr).toContain('line 5, kind: unknown_kind');
    expect(result.stderr).toContain('line 6, data: duplicate_in_batch');
    expect(result.stderr).toContain('line 7: malformed_json');
    expect(await held()).toEqual([]);
  });

  it('refuses a campaign it does not hold, general, a wrong file name and a bad --every', async () => {
    const path = file('gold.jsonl', idiomRow(1));
    expect((await cli('gold', 'import', '--campaign', 'nowhere', path)).code).toBe(1);
    expect((await cli('gold', 'import', '--campaign', 'general', path)).code).toBe(1);
    await createCampaign();
    expect((await cli('gold', 'import', '--campaign', 'shule', file('gold.txt', ''))).code).toBe(2);
    expect((await cli('gold', 'import', '--campaign', 'shule', path, '--every', '1')).code).toBe(2);
    expect((await cli('gold', 'import', path)).code).toBe(2);
  });
});
