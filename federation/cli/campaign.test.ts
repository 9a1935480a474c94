/** `vernacular campaign …` and `vernacular moderate …` as a librarian runs them: the real program. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { CONSENT_VERSION, Contribution, DEFAULT_LICENCE } from '../protocol/index.ts';
import { openStore } from '../store/index.ts';
import { runCli, tempDir } from '../../test/support/server.ts';
import { countSeeds } from '../../test/support/store.ts';
import { idiom, review } from '../../test/support/contributions.ts';
import { credentialed } from '../../test/support/reviewers.ts';

let data: string;
beforeEach(async () => {
  data = await tempDir('cli-campaign');
});

const create = (...extra: string[]) =>
  runCli(['campaign', 'create', '--slug', 'shule', '--title', 'Shule ya Msingi', '--languages', 'sw,en', '--kinds', 'idiom,translation', '--data', data, ...extra]);

async function file(name: string, text: string): Promise<string> {
  const path = join(data, name);
  await writeFile(path, text);
  return path;
}

describe('vernacular campaign create / update / list', () => {
  it('creates a campaign and prints its slug and join code; list shows it after general', async () => {
    const made = await create('--goal', 'idiom=2000', '--goal', 'translation=500', '--region', 'Pwani', '--starts', '2026-12-01T00:00:00Z');
    expect(made.code).toBe(0);
    const [, code] = /^Campaign shule \(version 1\), join code ([23456789A-HJKMNP-Z]{6})$/m.exec(made.stdout) ?? [];
    expect(code).toBeDefined();
    const listed = await runCli(['campaign', 'list', '--data', data]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual([
      'general\tSHARED\tv1\tGeneral (built in)',
      `shule\t${code}\tv1\tShule ya Msingi\tsw,en\tidiom,translation`,
    ]);
  });

  it('prints a campaign’s items per kind toward its goals with progress', async () => {
    expect((await create('--goal', 'idiom=2000', '--goal', 'translation=500', '--margin', '1', '--credentials-only')).code).toBe(0);
    const store = await openStore({ dataDir: data, mustExist: true });
    try {
      const items = [idiom({ campaign: 'shule', consent: { version: CONSENT_VERSION, licence: DEFAULT_LICENCE } }), idiom({ campaign: 'shule', consent: { version: CONSENT_VERSION, licence: DEFAULT_LICENCE } })];
      expect(await store.ingest(uuidv4(), items.map((i) => Contribution.parse(i)))).toEqual(['accepted', 'accepted']);
      const [a, b] = await credentialed(store, 'shule', 2);
      await store.ingest(uuidv4(), [review(items[0]!.id, { campaign: 'shule', contributor: a }), review(items[0]!.id, { campaign: 'shule', contributor: b })].map((i) => Contribution.parse(i)));
    } finally {
      await store.close();
    }
    const shown = await runCli(['campaign', 'progress', 'shule', '--data', data]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout.trim().split('\n')).toEqual(['idiom\t2 of 2000\t1 accepted', 'translation\t0 of 500\t0 accepted']);
    const missing = await runCli(['campaign', 'progress', 'nowhere', '--data', data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no campaign "nowhere"');
    expect((await runCli(['campaign', 'progress', '--data', data])).code).toBe(2);
  });

  it('sets the reviewer policy: only the options given change it, on top of the stored one', async () => {
    const policyOf = async () => {
      const store = await openStore({ dataDir: data, mustExist: true });
      try {
        return (await store.campaign('shule'))?.reviewers;
      } finally {
        await store.close();
      }
    };
    expect((await create()).code).toBe(0);
    expect(await policyOf()).toBeUndefined();
    expect((await runCli(['campaign', 'update', '--slug', 'shule', '--margin', '3', '--gold-agreement', '0.9', '--data', data])).code).toBe(0);
    expect(await policyOf()).toEqual({ gold: { min: 5, agreement: 0.9 }, margin: 3, servesPerDay: 300 });
    expect((await runCli(['campaign', 'update', '--slug', 'shule', '--serves-per-day', '50', '--credentials-only', '--data', data])).code).toBe(0);
    expect(await policyOf()).toEqual({ gold: null, margin: 3, servesPerDay: 50 });
    expect((await runCli(['campaign', 'update', '--slug', 'shule', '--gold-min', '8', '--data', data])).code).toBe(0);
    expect(await policyOf()).toEqual({ gold: { min: 8, agreement: 0.8 }, margin: 3, servesPerDay: 50 });
    for (const bad of [['--margin', '0'], ['--gold-agreement', '2'], ['--gold-agreement', 'most'], ['--credentials-only', '--gold-min', '3']]) {
      const refused = await runCli(['campaign', 'update', '--slug', 'shule', ...bad, '--data', data]);
      expect(refused.code, bad.join(' ')).not.toBe(0);
    }
    expect(await policyOf()).toEqual({ gold: { min: 8, agreement: 0.8 }, margin: 3, servesPerDay: 50 });
  });

  it('bumps the version on update and keeps the join code; refuses to create it twice', async () => {
    const code = /join code (\w+)/.exec((await create()).stdout)![1];
    const updated = await runCli(['campaign', 'update', '--slug', 'shule', '--title', 'Shule', '--min-votes', '3', '--data', data]);
    expect(updated.stdout).toContain(`Campaign shule (version 2), join code ${code}`);
    expect((await create()).code).toBe(1);
    const store = await openStore({ dataDir: data, mustExist: true });
    try {
      expect(await store.campaign('shule')).toMatchObject({ title: 'Shule', version: 2, consensus: { minVotes: 3 } });
    } finally {
      await store.close();
    }
  });

  it('names a draft model with --draft-model ID[@REVISION] and its settings, changes it on update and removes it with "none"', async () => {
    const revision = 'a'.repeat(32);
    const made = await create('--draft-model', 'tiny-llama');
    expect(made.code).toBe(0);
    expect(made.stderr).toContain('warning: this node has no model tiny-llama yet');
    const read = async () => {
      const store = await openStore({ dataDir: data, mustExist: true });
      try {
        return (await store.campaign('shule'))?.models;
      } finally {
        await store.close();
      }
    };
    expect(await read()).toEqual({ draft: { id: 'tiny-llama' } });
    const pinned = await runCli(['campaign', 'update', '--slug', 'shule', '--draft-model', `tiny-llama@${revision}`, '--draft-max-tokens', '64', '--draft-temperature', '0.7', '--data', data]);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(await read()).toEqual({ draft: { id: 'tiny-llama', revision, maxNewTokens: 64, temperature: 0.7 } });
    expect((await runCli(['campaign', 'update', '--slug', 'shule', '--title', 'Shule', '--data', data])).code).toBe(0);
    expect((await read())?.draft?.revision).toBe(revision);
    expect((await runCli(['campaign', 'update', '--slug', 'shule', '--draft-model', 'none', '--data', data])).code).toBe(0);
    expect(await read()).toBeUndefined();
  });

  it('refuses a malformed --draft-model, and draft settings without a model', async () => {
    expect((await create('--draft-model', 'tiny@')).code).toBe(2);
    expect((await create('--draft-model', 'tiny-llama@not-a-revision')).stderr).toContain('models.draft.revision');
    expect((await create('--draft-max-tokens', '64')).code).toBe(2);
    expect((await runCli(['campaign', 'list', '--data', data])).stdout.trim().split('\n')).toHaveLength(1);
  });

  it('names one or two compare models with --compare-model (repeatable), keeps the draft model, warns for each missing model and removes them with "none"', async () => {
    const revision = 'b'.repeat(32);
    const read = async () => {
      const store = await openStore({ dataDir: data, mustExist: true });
      try {
        return (await store.campaign('shule'))?.models;
      } finally {
        await store.close();
      }
    };
    const made = await create('--draft-model', 'tiny-llama', '--compare-model', 'tiny-llama');
    expect(made.code, made.stderr).toBe(0);
    expect(await read()).toEqual({ draft: { id: 'tiny-llama' }, compare: [{ id: 'tiny-llama' }] });
    const two = await runCli(['campaign', 'update', '--slug', 'shule', '--compare-model', 'tiny-llama', '--compare-model', `other@${revision}`, '--data', data]);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stderr).toContain(`warning: this node has no model other@${revision} yet`);
    expect(await read()).toEqual({ draft: { id: 'tiny-llama' }, compare: [{ id: 'tiny-llama' }, { id: 'other', revision }] });
    expect((await runCli(['campaign', 'update', '--slug', 'shule', '--compare-model', 'none', '--data', data])).code).toBe(0);
    expect(await read()).toEqual({ draft: { id: 'tiny-llama' } });
    expect((await runCli(['campaign', 'update', '--slug', 'shule', '--draft-model', 'none', '--data', data])).code).toBe(0);
    expect(await read()).toBeUndefined();
  });

  it('refuses more than two compare models, the same one twice, and a malformed one', async () => {
    expect((await create('--compare-model', 'a', '--compare-model', 'b', '--compare-model', 'c')).code).toBe(2);
    expect((await create('--compare-model', 'a', '--compare-model', 'a')).stderr).toContain('models.compare.1');
    expect((await create('--compare-model', 'a@')).code).toBe(2);
    expect((await create('--compare-model', 'none', '--compare-model', 'a')).code).toBe(2);
    expect((await runCli(['campaign', 'list', '--data', data])).stdout.trim().split('\n')).toHaveLength(1);
  });

  it('lists every invalid field with its code, exit status 2, and stores nothing', async () => {
    const bad = await runCli(['campaign', 'create', '--slug', 'Shule!', '--title', 'x', '--languages', 'EN_gb', '--kinds', 'idiom,poem', '--licence', 'MIT', '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('slug: invalid_value');
    expect(bad.stderr).toContain('languages.0: invalid_language');
    expect(bad.stderr).toContain('kinds.1: invalid_value');
    expect(bad.stderr).toContain('licence: invalid_value');
    expect((await runCli(['campaign', 'list', '--data', data])).stdout.trim().split('\n')).toHaveLength(1);
  });

  it('refuses the built-in general campaign and a missing slug as usage errors', async () => {
    expect((await runCli(['campaign', 'create', '--slug', 'general', '--title', 'x', '--data', data])).code).toBe(2);
    expect((await runCli(['campaign', 'create', '--title', 'x', '--data', data])).code).toBe(2);
  });
});

describe('vernacular campaign seeds import', () => {
  it('imports a CSV with quoted commas and newlines, and again without duplicating', async () => {
    await create();
    const csv = await file('seeds.csv', 'id,type,language,prompt,text,sourceLanguage\n' +
      'p1,prompt,sw,"Habari, rafiki?\nUmeamkaje?",,\n' +
      'v1,pivot,sw,,Good morning.,en\n');
    const first = await runCli(['campaign', 'seeds', 'import', 'shule', csv, '--data', data]);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('Imported 2 seeds into shule (2 new, 0 replaced)');
    const again = await runCli(['campaign', 'seeds', 'import', 'shule', csv, '--data', data]);
    expect(again.stdout).toContain('(0 new, 2 replaced)');
    expect(countSeeds(data, 'shule')).toBe(2);
  });

  it('imports JSONL, one seed per line', async () => {
    await create();
    const jsonl = await file('seeds.jsonl', `${JSON.stringify({ id: 'a', type: 'pair', prompt: 'Swali?', answerA: 'Moja', answerB: 'Mbili' })}\n`);
    expect((await runCli(['campaign', 'seeds', 'import', 'shule', jsonl, '--data', data])).code).toBe(0);
    expect(countSeeds(data, 'shule')).toBe(1);
  });

  it('rejects a malformed CSV naming every bad row, and imports nothing', async () => {
    await create();
    const csv = await file('bad.csv', 'id,type,prompt,draft\n' +
      'p1,prompt,Swali?,\n' +
      'd1,draft,Swali?,\n' +
      'p3,essay,Swali?,\n' +
      'p4,prompt,Swali?\n');
    const result = await runCli(['campaign', 'seeds', 'import', 'shule', csv, '--data', data]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has 3 problems; nothing was imported');
    expect(result.stderr).toContain('row 3 (line 3), draft: missing_field');
    expect(result.stderr).toContain('row 4 (line 4), type: ');
    expect(result.stderr).toContain('row 5 (line 5): invalid_value');
    expect(countSeeds(data, 'shule')).toBe(0);
  });

  it('refuses seeds for a campaign the node does not hold', async () => {
    await create();
    const csv = await file('ok.csv', 'id,type,prompt\np1,prompt,Swali?\n');
    const result = await runCli(['campaign', 'seeds', 'import', 'nowhere', csv, '--data', data]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no campaign "nowhere"');
  });
});

describe('vernacular moderate', () => {
  it('hides an item and clears it again', async () => {
    const item = Contribution.parse(idiom());
    const store = await openStore({ dataDir: data });
    await store.ingest(uuidv4(), [item]);
    await store.close();
    const hidden = await runCli(['moderate', 'hide', item.id, '--data', data]);
    expect(hidden).toMatchObject({ code: 0 });
    expect(hidden.stdout).toContain('status is now hidden');
    expect((await runCli(['moderate', 'clear', item.id, '--data', data])).stdout).toContain('status is now pending');
    expect((await runCli(['moderate', 'hide', idiom().id, '--data', data])).code).toBe(1);
    expect((await runCli(['moderate', 'delete', item.id, '--data', data])).code).toBe(2);
  });
});
