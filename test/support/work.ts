/**
 * Test support for the release's work table (federation/release/work.ts): rows as stages 1–6
 * leave them, and fresh tables in a temporary folder, closed and removed after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { WorkInsert } from '../../federation/release/collect.ts';
import { textHash } from '../../federation/release/collect.ts';
import { WorkTable } from '../../federation/release/work.ts';

/** A kept, accepted Swahili idiom of its own contributor (`c-<seq>`), hashed from its text; `fields` override any of it. */
export function workRow(seq: number, text: string, fields: Partial<WorkInsert> = {}): WorkInsert {
  return {
    seq, id: `item-${seq}`, kind: 'idiom', language: 'sw', contributor: `c-${seq}`, origin: null, campaign: 'general',
    created_at: '2026-11-01T00:00:00.000Z', status: 'accepted', item: '{}', text, hash: textHash(text),
    stage: null, rule: null, detail: null, notes: null, ...fields,
  };
}

/**
 * Registers, in the calling `describe`, a temporary folder per test; answers a function that opens
 * a new work table there (holding `rows`, if given). Every table is closed and the folder removed
 * after the test.
 */
export function workTables(prefix: string): (rows?: readonly WorkInsert[]) => WorkTable {
  let dir: string | undefined;
  const open: WorkTable[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `vernacular-${prefix}-`));
  });
  afterEach(() => {
    for (const t of open.splice(0)) t.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return (rows = []) => {
    if (dir === undefined) throw new Error('workTables: open tables inside a test');
    const table = new WorkTable(join(dir, `work-${open.length}.sqlite`));
    open.push(table);
    if (rows.length > 0) table.insert(rows);
    return table;
  };
}
