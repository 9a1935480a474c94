/**
 * `vernacular release diff A B`: what changed between two recorded releases — rows per config and
 * split, languages, each stage's counts, files added, removed or changed (by sha256) and, when
 * both release folders can be read, the item ids added and removed (from the data files' `id`s),
 * each removed item with the stage and rule that left it out of B when `rejected.jsonl` says.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordedRelease } from './registry.ts';

export interface Change {
  a: number;
  b: number;
  delta: number;
}

export interface ReleaseDiff {
  a: string;
  b: string;
  items: Change;
  /** `<config>/<split>` → rows, where either release has any. */
  rows: Record<string, Change>;
  /** Only the languages whose count changed. */
  languages: Record<string, Change>;
  /** Stage → items in and left out per rule, where anything changed. */
  stages: Record<string, { in: Change; excluded: Record<string, Change> }>;
  files: { added: string[]; removed: string[]; changed: string[]; unchanged: number };
  configChanged: boolean;
  snapshotChanged: boolean;
  /** Present when both release folders were readable. */
  ids?: { added: string[]; removed: Array<{ id: string; stage?: string; rule?: string }> };
}

const change = (a: number, b: number): Change => ({ a, b, delta: b - a });

function changes(a: Record<string, number>, b: Record<string, number>, onlyChanged: boolean): Record<string, Change> {
  const out: Record<string, Change> = {};
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const c = change(a[key] ?? 0, b[key] ?? 0);
    if (!onlyChanged || c.delta !== 0) out[key] = c;
  }
  return out;
}

function flatRows(r: RecordedRelease): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [config, splits] of Object.entries(r.counts)) for (const [split, n] of Object.entries(splits)) out[`${config}/${split}`] = n;
  return out;
}

async function jsonl(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The ids of the items in a release folder's data files. */
export async function releaseItemIds(release: RecordedRelease, dir: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const file of release.files) {
    if (file.config === '' || !file.path.endsWith('.jsonl')) continue;
    for (const row of await jsonl(join(dir, file.path))) if (typeof row.id === 'string') ids.add(row.id);
  }
  return ids;
}

/** Whether a folder still holds the release's data files (by name and size). */
export function holdsRelease(release: RecordedRelease, dir: string | null | undefined): dir is string {
  if (dir === null || dir === undefined) return false;
  return release.files.every((f) => existsSync(join(dir, f.path)));
}

export async function diffReleases(a: RecordedRelease, b: RecordedRelease, dirs: { a?: string | null; b?: string | null } = {}): Promise<ReleaseDiff> {
  const stages: ReleaseDiff['stages'] = {};
  const names = [...new Set([...a.stages.map((s) => s.stage), ...b.stages.map((s) => s.stage)])];
  for (const name of names) {
    const sa = a.stages.find((s) => s.stage === name);
    const sb = b.stages.find((s) => s.stage === name);
    const entry = { in: change(sa?.in ?? 0, sb?.in ?? 0), excluded: changes(sa?.excluded ?? {}, sb?.excluded ?? {}, true) };
    if (entry.in.delta !== 0 || Object.keys(entry.excluded).length > 0) stages[name] = entry;
  }
  const filesA = new Map(a.files.map((f) => [f.path, f.sha256]));
  const filesB = new Map(b.files.map((f) => [f.path, f.sha256]));
  const files: ReleaseDiff['files'] = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const [path, sha] of filesB) {
    if (!filesA.has(path)) files.added.push(path);
    else if (filesA.get(path) !== sha) files.changed.push(path);
    else files.unchanged++;
  }
  for (const path of filesA.keys()) if (!filesB.has(path)) files.removed.push(path);
  const diff: ReleaseDiff = {
    a: a.id,
    b: b.id,
    items: change(a.items, b.items),
    rows: changes(flatRows(a), flatRows(b), false),
    languages: changes(a.languages, b.languages, true),
    stages,
    files,
    configChanged: a.configHash !== b.configHash,
    snapshotChanged: a.snapshot !== b.snapshot || a.snapshotSha256 !== b.snapshotSha256,
  };
  const dirA = dirs.a ?? a.outDir;
  const dirB = dirs.b ?? b.outDir;
  if (holdsRelease(a, dirA) && holdsRelease(b, dirB)) {
    const [idsA, idsB] = await Promise.all([releaseItemIds(a, dirA), releaseItemIds(b, dirB)]);
    const rejected = new Map<string, { stage?: string; rule?: string }>();
    if (existsSync(join(dirB, 'rejected.jsonl'))) {
      for (const row of await jsonl(join(dirB, 'rejected.jsonl'))) {
        if (typeof row.id === 'string') rejected.set(row.id, { stage: String(row.stage), rule: String(row.rule) });
      }
    }
    diff.ids = {
      added: [...idsB].filter((id) => !idsA.has(id)).sort(),
      removed: [...idsA]
        .filter((id) => !idsB.has(id))
        .sort()
        .map((id) => ({ id, ...rejected.get(id) })),
    };
  }
  return diff;
}

const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '±0');

/** The diff in words, one line each. */
export function describeDiff(d: ReleaseDiff): string[] {
  const lines = [`${d.a} → ${d.b}: ${d.items.a} → ${d.items.b} items (${signed(d.items.delta)})`];
  if (d.snapshotChanged) lines.push('  snapshot: different');
  if (d.configChanged) lines.push('  config: different');
  lines.push('  rows:');
  for (const [key, c] of Object.entries(d.rows)) lines.push(`    ${key}: ${c.a} → ${c.b} (${signed(c.delta)})`);
  const langs = Object.entries(d.languages);
  lines.push(langs.length === 0 ? '  languages: unchanged' : `  languages: ${langs.map(([l, c]) => `${l} ${c.a} → ${c.b} (${signed(c.delta)})`).join(', ')}`);
  const stages = Object.entries(d.stages);
  if (stages.length === 0) lines.push('  stages: unchanged');
  else {
    lines.push('  stages:');
    for (const [name, s] of stages) {
      const rules = Object.entries(s.excluded).map(([rule, c]) => `${rule} ${c.a} → ${c.b}`);
      lines.push(`    ${name}: in ${s.in.a} → ${s.in.b}${rules.length ? `; left out ${rules.join(', ')}` : ''}`);
    }
  }
  const f = d.files;
  lines.push(`  files: ${f.added.length} added, ${f.removed.length} removed, ${f.changed.length} changed, ${f.unchanged} unchanged`);
  for (const p of f.added) lines.push(`    + ${p}`);
  for (const p of f.removed) lines.push(`    − ${p}`);
  for (const p of f.changed) lines.push(`    ~ ${p}`);
  if (d.ids === undefined) lines.push('  items: release folders not available (give --a-dir and --b-dir) — ids not compared');
  else {
    lines.push(`  items: ${d.ids.added.length} added, ${d.ids.removed.length} removed`);
    for (const id of d.ids.added) lines.push(`    + ${id}`);
    for (const r of d.ids.removed) lines.push(`    − ${r.id}${r.rule ? ` (${r.stage}: ${r.rule})` : ''}`);
  }
  return lines;
}
