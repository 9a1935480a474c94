/** `--database` and `DATABASE_URL` on the commands that open a store, against a real PostgreSQL. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution } from '../protocol/index.ts';
import { openStore } from '../store/index.ts';
import { run } from './main.ts';
import { databaseUrl } from './database.ts';
import { idiom } from '../../test/support/contributions.ts';
import { NO_DATA_DIR, type Schema, usePostgresStores } from '../../test/support/postgres-stores.ts';

const postgres = usePostgresStores();

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('vernacular … --database', () => {
  let schema: Schema;
  let dir: string;
  const saved = process.env['DATABASE_URL'];
  beforeEach(async () => {
    schema = await postgres.freshSchema();
    dir = await mkdtemp(join(tmpdir(), 'vernacular-cli-database-'));
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env['DATABASE_URL'];
    else process.env['DATABASE_URL'] = saved;
    await schema.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs campaign, seeds import, moderate and dataset build on PostgreSQL, by option or DATABASE_URL', async () => {
    const data = ['--data', join(dir, 'unused')];
    const made = await cli(['campaign', 'create', '--slug', 'shule', '--title', 'Shule', '--languages', 'sw', '--kinds', 'idiom', '--database', schema.url, ...data]);
    expect(made).toMatchObject({ code: 0 });
    process.env['DATABASE_URL'] = schema.url;
    expect((await cli(['campaign', 'list', ...data])).stdout).toMatch(/^shule\t/m);
    const seeds = join(dir, 'seeds.jsonl');
    await writeFile(seeds, `${JSON.stringify({ id: 'p1', type: 'prompt', prompt: 'Swali?' })}\n`);
    expect(await cli(['campaign', 'seeds', 'import', 'shule', seeds, ...data])).toMatchObject({ code: 0 });

    const store = await openStore({ dataDir: NO_DATA_DIR, database: schema.url });
    const [kept, hidden] = [idiom(), idiom()];
    try {
      await store.ingest(uuidv4(), [kept, hidden].map((i) => Contribution.parse(i)));
    } finally {
      await store.close();
    }
    expect(await cli(['moderate', 'hide', hidden.id, ...data])).toMatchObject({ code: 0 });
    const out = join(dir, 'release');
    const built = await cli(['dataset', 'build', '--out', out, '--include-pending', '--database', schema.url, ...data]);
    expect(built).toMatchObject({ code: 0 });
    const lines = (await readFile(join(out, 'idioms', 'train.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([kept.id]);
  });

  it('says which server it cannot reach, without the password, and exits 1', async () => {
    const result = await cli(['campaign', 'list', '--database', 'postgres://vern:s3cret@127.0.0.1:1/x', '--data', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cannot open the PostgreSQL database postgres:\/\/vern:\*\*\*@127\.0\.0\.1:1\/x/);
    expect(result.stderr).not.toContain('s3cret');
  });

  it('refuses a database URL that is not PostgreSQL rather than falling back to SQLite', async () => {
    const result = await cli(['moderate', 'hide', uuidv4(), '--database', 'sqlite:///tmp/x.db', '--data', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Unsupported database/);
  });

  it('takes DATABASE_URL only when --database is not given, and ignores it when empty', () => {
    expect(databaseUrl(undefined, { DATABASE_URL: 'postgres://a/b' })).toBe('postgres://a/b');
    expect(databaseUrl('postgres://c/d', { DATABASE_URL: 'postgres://a/b' })).toBe('postgres://c/d');
    expect(databaseUrl(undefined, { DATABASE_URL: '' })).toBeUndefined();
    expect(databaseUrl(undefined, {})).toBeUndefined();
  });
});
