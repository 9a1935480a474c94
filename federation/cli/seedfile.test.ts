import { describe, expect, it } from 'vitest';
import { describeProblem, readSeedFile, seedFormat } from './seedfile.ts';

describe('readSeedFile (CSV)', () => {
  it('reads quoted fields holding commas, quotes and newlines; empty cells are absent', () => {
    const csv = 'id,type,language,prompt,draft\n' +
      'p1,prompt,sw,"Habari, rafiki?\nSema ""ndiyo"".",\n' +
      'd1,draft,,Swali?,Jibu la rasimu.\n';
    expect(readSeedFile(csv, 'csv')).toEqual({
      seeds: [
        { id: 'p1', type: 'prompt', language: 'sw', prompt: 'Habari, rafiki?\nSema "ndiyo".' },
        { id: 'd1', type: 'draft', prompt: 'Swali?', draft: 'Jibu la rasimu.' },
      ],
      problems: [],
    });
  });

  it('reports every bad row with its spreadsheet row, line, field and code', () => {
    const csv = 'id,type,prompt,text,sourceLanguage\n' +
      'ok,prompt,Swali?,,\n' +
      'bad id!,prompt,Swali?,,\n' +
      'p3,prompt,,,\n' +
      'v1,pivot,,Good morning.,EN-gb\n' +
      'p5,prompt,Swali?\n' +
      'ok,prompt,Tena?,,\n';
    const { problems } = readSeedFile(csv, 'csv');
    expect(problems.map((p) => [p.row, p.field, p.code])).toEqual([
      [3, 'id', 'invalid_value'],
      [4, 'prompt', 'missing_field'],
      [5, 'sourceLanguage', 'invalid_language'],
      [6, '', 'invalid_value'],
      [7, 'id', 'duplicate_in_batch'],
    ]);
    expect(describeProblem(problems[1]!, 'csv')).toMatch(/^row 4 \(line 4\), prompt: missing_field — /);
  });

  it('reports a column the Seed schema does not know', () => {
    const { problems } = readSeedFile('id,type,prompt,colour\np1,prompt,Swali?,red\n', 'csv');
    expect(problems).toEqual([expect.objectContaining({ row: 2, field: 'colour', code: 'unknown_field' })]);
  });

  it('reports a file that is not CSV at all', () => {
    const { problems } = readSeedFile('id,type,prompt\np1,prompt,"never closed\n', 'csv');
    expect(problems).toEqual([expect.objectContaining({ code: 'malformed_csv' })]);
  });
});

describe('readSeedFile (JSONL)', () => {
  it('reads one seed per line and reports bad lines by number', () => {
    const jsonl = [
      JSON.stringify({ id: 'a', type: 'pair', prompt: 'Swali?', answerA: 'Moja', answerB: 'Mbili' }),
      '',
      '{"id": "b", "type": ',
      JSON.stringify({ id: 'c', type: 'draft', prompt: 'Swali?' }),
    ].join('\n');
    const { seeds, problems } = readSeedFile(jsonl, 'jsonl');
    expect(seeds.map((s) => s.id)).toEqual(['a']);
    expect(problems.map((p) => [p.line, p.field, p.code])).toEqual([
      [3, '', 'malformed_json'],
      [4, 'draft', 'missing_field'],
    ]);
  });
});

describe('seedFormat', () => {
  it('goes by the file name', () => {
    expect(seedFormat('seeds.CSV')).toBe('csv');
    expect(seedFormat('seeds.jsonl')).toBe('jsonl');
    expect(seedFormat('seeds.xlsx')).toBeUndefined();
  });
});
