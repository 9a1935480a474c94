/** `vernacular reviewer grant|revoke|list` as a librarian runs them (in process, on a real SQLite store). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Contribution } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { KyselyStaffStore } from '../staff/store.ts';
import { idiom, person, review } from '../../test/support/contributions.ts';
import { run } from './main.ts';

let data: string;
beforeEach(() => {
  data = mkdtempSync(join(tmpdir(), 'vernacular-cli-reviewer-'));
});
afterEach(() => rmSync(data, { recursive: true, force: true }));

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run([...args, '--data', data], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir: data });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe('vernacular reviewer', () => {
  it('grants, lists and revokes a credential; the votes it covers count at once, and each step is audited', async () => {
    expect((await cli('campaign', 'create', '--slug', 'shule', '--title', 'Shule', '--languages', 'sw', '--kinds', 'idiom')).code).toBe(0);
    const item = idiom({ campaign: 'shule' });
    const keys = [person(), person(), person(), person()];
    await withStore((store) => store.ingest('6f1c1d7e-3d5b-4a53-9d0e-1f2a3b4c5d6e', [item, ...keys.map((k) => review(item.id, { campaign: 'shule', contributor: k.contributor }))].map((i) => Contribution.parse(i))));

    for (const k of keys) {
      const granted = await cli('reviewer', 'grant', '--campaign', 'shule', k.contributor.toUpperCase(), '--note', 'met at the drive');
      expect(granted.code, granted.stderr).toBe(0);
      expect(granted.stdout).toContain(`${k.contributor} holds a reviewer credential in shule`);
    }
    expect(await withStore(async (store) => (await store.statuses([item.id]))[0])).toMatchObject({ status: 'accepted', votes: { up: 4 } });

    const listed = await cli('reviewer', 'list', '--campaign', 'shule', '--eligible');
    expect(listed.stdout.split('\n')[0]).toBe('# shule: eligible by a credential or 5 gold votes at 80%; a decision needs a lead of 4; 300 new items a key a day');
    const rows = listed.stdout.split('\n').slice(2).map((l) => l.split('\t'));
    expect(rows.map((r) => r[0]).sort()).toEqual(keys.map((k) => k.contributor).sort());
    expect(rows.every((r) => r.slice(1).join('|') === 'local|yes|yes|cli|0|0|1|1|met at the drive')).toBe(true);

    const revoked = await cli('reviewer', 'revoke', '--campaign', 'shule', keys[0]!.contributor);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('their votes there no longer count');
    expect(await withStore(async (store) => (await store.statuses([item.id]))[0])).toMatchObject({ status: 'pending', votes: { up: 3 } });
    expect((await cli('reviewer', 'list', '--campaign', 'shule', '--not-eligible')).stdout.split('\n').slice(2)).toEqual([
      `${keys[0]!.contributor}\tlocal\tno\tno\t\t0\t0\t1\t0\t`,
    ]);

    const audit = await withStore(async (store) => (await new KyselyStaffStore(store.db).audit({ limit: 20 })).entries);
    expect(audit.filter((e) => e.action === 'reviewer_grant')).toHaveLength(4);
    expect(audit.find((e) => e.action === 'reviewer_revoke')).toMatchObject({ actor: { kind: 'cli' }, target: keys[0]!.contributor, details: { campaign: 'shule', eligible: false } });
  });

  it('refuses what it cannot do, changing nothing', async () => {
    const key = person().contributor;
    expect((await cli('reviewer', 'grant', '--campaign', 'nowhere', key)).code).toBe(1);
    expect((await cli('reviewer', 'grant', key)).code).toBe(2);
    expect((await cli('reviewer', 'grant', '--campaign', 'general', 'not-a-key')).code).toBe(2);
    expect((await cli('reviewer', 'revoke', '--campaign', 'general', key)).code).toBe(1);
    expect((await cli('reviewer', 'list', '--campaign', 'general', '--eligible', '--not-eligible')).code).toBe(2);
    expect((await cli('reviewer', 'shout')).code).toBe(2);
    expect((await cli('reviewer', 'grant', '--campaign', 'general', key)).code).toBe(0);
    expect(await withStore((store) => store.reviewerEligible('general', key))).toBe(true);
  });
});
