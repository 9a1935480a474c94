import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/support/random.ts';
import { TextFile } from './textfile.ts';

describe('TextFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-textfile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every line, in order, with its size and sha256, across many chunks and lines of any script', () => {
    const random = mulberry32(7);
    const pieces = ['plain ascii', 'café naïve', 'Ελληνικά', 'العربية', 'हिन्दी', '中文字符', '😀🎉 emoji', '\u{10348} gothic', 'tab\tquote"'];
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) {
      const n = 1 + Math.floor(random() * 12);
      lines.push(Array.from({ length: n }, () => pieces[Math.floor(random() * pieces.length)]!).join(' '));
    }
    // One line longer than a whole chunk (1 MiB), between the others.
    lines.splice(20_000, 0, '日本語'.repeat(200_000));
    lines.push('');
    const path = join(dir, 'out.jsonl');
    const file = new TextFile(path);
    for (const l of lines) file.line(l);
    expect(existsSync(path)).toBe(false);
    const written = file.commit();
    const expected = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const bytes = readFileSync(path);
    expect(bytes.equals(expected)).toBe(true);
    expect(written).toEqual({ rows: lines.length, bytes: expected.length, sha256: createHash('sha256').update(expected).digest('hex') });
  });

  it('an empty file has the sha256 of nothing; an aborted one leaves nothing behind', () => {
    const empty = new TextFile(join(dir, 'empty.jsonl'));
    expect(empty.commit()).toEqual({ rows: 0, bytes: 0, sha256: createHash('sha256').update('').digest('hex') });
    expect(readFileSync(join(dir, 'empty.jsonl'), 'utf8')).toBe('');
    const aborted = new TextFile(join(dir, 'aborted.jsonl'));
    aborted.line('x'.repeat(3_000_000));
    aborted.abort();
    expect(existsSync(join(dir, 'aborted.jsonl'))).toBe(false);
    expect(existsSync(join(dir, 'aborted.jsonl.partial'))).toBe(false);
  });
});
