/** `vernacular user …` and `vernacular audit` as an operator runs them: the real program on a data folder. */
import { beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { KyselyStaffStore } from '../staff/store.ts';
import { tokenHash } from '../staff/tokens.ts';
import { runCli, tempDir } from '../../test/support/server.ts';

let data: string;
beforeEach(async () => {
  data = await tempDir('cli-user');
});

const cli = (...args: string[]) => runCli([...args, '--data', data]);
const LINK = /^(https?:\/\/[^/]+)\/#\/staff\/welcome\/([A-Za-z0-9_-]{43})$/m;

async function withStaff<T>(work: (staff: KyselyStaffStore) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir: data, mustExist: true });
  try {
    return await work(new KyselyStaffStore(store.db));
  } finally {
    await store.close();
  }
}

describe('vernacular user', () => {
  it('adds an account and prints a one-time link on the node’s origin that the node accepts once', async () => {
    const added = await cli('user', 'add', '--role', 'librarian', '--name', 'Amina Njeri');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('One-time sign-in link for Amina Njeri (librarian), valid until');
    const [, origin, token] = LINK.exec(added.stdout)!;
    expect(origin).toBe('http://localhost:8080');
    const found = await withStaff((staff) => staff.linkUser(tokenHash(token!)));
    expect(found?.user).toMatchObject({ name: 'Amina Njeri', role: 'librarian', state: 'invited' });
    const other = await cli('user', 'add', '--role', 'teacher', '--name', 'Baraka', '--origin', 'https://maktaba.example:8443');
    expect(LINK.exec(other.stdout)?.[1]).toBe('https://maktaba.example:8443');
  });

  it('gives a teacher their campaigns, refuses an unknown one, a taken name and a bad role', async () => {
    expect((await cli('campaign', 'create', '--slug', 'class-7b', '--title', 'Class 7B', '--languages', 'sw', '--kinds', 'idiom', '--visibility', 'unlisted')).code).toBe(0);
    expect((await cli('user', 'add', '--role', 'teacher', '--name', 'Baraka', '--campaign', 'class-7b')).code).toBe(0);
    expect(await withStaff(async (staff) => (await staff.find('baraka'))?.campaigns)).toEqual(['class-7b']);
    const unknown = await cli('user', 'add', '--role', 'teacher', '--name', 'Chausiku', '--campaign', 'nowhere');
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('no campaign "nowhere"')]);
    const taken = await cli('user', 'add', '--role', 'librarian', '--name', 'BARAKA');
    expect([taken.code, taken.stderr]).toEqual([1, expect.stringContaining('already called')]);
    expect((await cli('user', 'add', '--role', 'admin', '--name', 'X')).code).toBe(2);
    expect((await cli('user', 'add', '--role', 'librarian', '--name', 'X', '--campaign', 'class-7b')).code).toBe(2);
    expect((await cli('user', 'add', '--role', 'librarian', '--name', 'X', '--origin', 'localhost:8080')).code).toBe(2);
    expect((await cli('campaign', 'update', '--slug', 'class-7b', '--visibility', 'secret')).code).toBe(2);
  });

  it('lists, revokes and issues new links; revoking ends sessions and voids links; everything is in the audit log', async () => {
    const first = LINK.exec((await cli('user', 'add', '--role', 'librarian', '--name', 'Amina Njeri')).stdout)![2]!;
    const again = await cli('user', 'link', 'amina njeri', '--expires-hours', '2');
    expect(again.code).toBe(0);
    const second = LINK.exec(again.stdout)![2]!;
    await withStaff(async (staff) => {
      expect(await staff.linkUser(tokenHash(first))).toBeUndefined();
      expect(await staff.linkUser(tokenHash(second))).toBeDefined();
    });
    const listed = await cli('user', 'list');
    expect(listed.stdout.trim().split('\n')[1]).toMatch(/^u-[A-Za-z0-9_-]{16}\tAmina Njeri\tlibrarian\tinvited\t-\t-\t-$/);
    const revoked = await cli('user', 'revoke', 'Amina Njeri');
    expect([revoked.code, revoked.stdout.trim()]).toEqual([0, 'Revoked Amina Njeri (librarian); every session of the account has ended']);
    await withStaff(async (staff) => expect(await staff.linkUser(tokenHash(second))).toBeUndefined());
    expect((await cli('user', 'link', 'Amina Njeri')).code).toBe(1);
    expect((await cli('user', 'revoke', 'nobody')).code).toBe(1);

    const audit = await cli('audit', '--limit', '10');
    expect(audit.code).toBe(0);
    const rows = audit.stdout.trim().split('\n').slice(1).map((l) => l.split('\t'));
    expect(rows.map((r) => [r[1], r[2], r[4], r[5]])).toEqual([
      ['cli', 'user_revoke', 'ok', 'cli'],
      ['cli', 'user_link', 'ok', 'cli'],
      ['cli', 'user_add', 'ok', 'cli'],
    ]);
    expect((await cli('audit', '--limit', '0')).code).toBe(2);
  });

  it('prints its help', async () => {
    const help = await runCli(['user', '--help']);
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('vernacular user add --role <role> --name <name>')]);
    expect((await runCli(['--help'])).stdout).toContain('audit');
  });
});
