/**
 * `vernacular glossary …` as an operator runs it: the real program on a data folder — the log by
 * author, a revert and a restore written as this node's update and audited as `cli`, and usage
 * errors that change nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, listTerms, removeTerm } from '../protocol/glossary.doc.ts';
import { openStore } from '../store/index.ts';
import { openGlossaryStore } from '../glossary/store.ts';
import { KyselyStaffStore } from '../staff/store.ts';
import { loadOrCreateNodeKey } from '../trust/keys.ts';
import { runCli, tempDir } from '../../test/support/server.ts';
import { person } from '../../test/support/contributions.ts';
import { syncDoc } from '../../test/support/glossary.ts';

let data: string;
beforeEach(async () => {
  data = await tempDir('cli-glossary');
});

const cli = (...args: string[]) => runCli([...args, '--data', data]);
const alice = person('cli-glossary-alice');
const mallory = person('cli-glossary-mallory');

async function withStore<T>(work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir: data });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Alice writes two terms; Mallory deletes them. Answers a time between the two. */
async function wiped(): Promise<string> {
  return withStore(async (store) => {
    const glossary = openGlossaryStore(store.db);
    const doc = new Y.Doc();
    addTerm(doc, 'a', { term: 'maji', rendering: 'water', language: 'sw', notes: '' });
    addTerm(doc, 'b', { term: 'moto', rendering: 'fire', language: 'sw', notes: '' });
    await syncDoc(glossary, 'general', doc, null, alice);
    await new Promise((r) => setTimeout(r, 5));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    removeTerm(doc, 'a');
    removeTerm(doc, 'b');
    await syncDoc(glossary, 'general', doc, null, mallory);
    return between;
  });
}

const terms = () => withStore(async (store) => listTerms(await openGlossaryStore(store.db).load('general')).map((t) => t.term));

describe('vernacular glossary', () => {
  it('lists the log with each update’s author, newest first', async () => {
    await wiped();
    const log = await cli('glossary', 'log', '--campaign', 'general');
    expect(log.code, log.stderr).toBe(0);
    const rows = log.stdout.trim().split('\n');
    expect(rows[0]).toBe('seq\tstored at\tauthor\tkind\torigin\tbytes\taction');
    expect(rows.slice(1).map((r) => r.split('\t')[2])).toEqual([mallory.contributor, alice.contributor]);
  });

  it('reverts an author as this node, audited as the command line', async () => {
    await wiped();
    const reverted = await cli('glossary', 'revert', '--campaign', 'general', '--author', mallory.contributor);
    expect(reverted.code, reverted.stderr).toBe(0);
    expect(reverted.stdout).toMatch(/reverted: 0 terms before, 2 now/);
    expect(await terms()).toEqual(['maji', 'moto']);
    const again = await cli('glossary', 'revert', '--campaign', 'general', '--author', mallory.contributor);
    expect(again.stdout).toContain('already looks like that');
    const log = await cli('glossary', 'log', '--campaign', 'general', '--limit', '3');
    const latest = log.stdout.trim().split('\n')[1]!.split('\t');
    expect(latest[2]).toBe(loadOrCreateNodeKey(data).id);
    expect(latest[6]).toBe(`revert ${mallory.contributor}`);
    const audit = await withStore((store) => new KyselyStaffStore(store.db).audit({ limit: 10 }));
    expect(audit.entries.map((e) => [e.action, e.actor.kind, e.target, e.details?.changed])).toEqual([
      ['glossary_revert', 'cli', 'general', false],
      ['glossary_revert', 'cli', 'general', true],
    ]);
  });

  it('restores a time, as the hub with --role hub', async () => {
    const between = await wiped();
    const restored = await cli('glossary', 'restore', '--campaign', 'general', '--at', between, '--role', 'hub');
    expect(restored.code, restored.stderr).toBe(0);
    expect(await terms()).toEqual(['maji', 'moto']);
    const log = await cli('glossary', 'log', '--campaign', 'general', '--limit', '1');
    expect(log.stdout.trim().split('\n')[1]!.split('\t')[2]).toBe('hub');
  });

  it('refuses a bad command line with status 2, an unknown campaign with 1, and changes nothing', async () => {
    await wiped();
    for (const args of [
      ['glossary'],
      ['glossary', 'undo', '--campaign', 'general'],
      ['glossary', 'revert', '--campaign', 'general'],
      ['glossary', 'revert', '--campaign', 'general', '--author', 'mallory'],
      ['glossary', 'restore', '--campaign', 'general'],
      ['glossary', 'restore', '--campaign', 'general', '--at', 'yesterday'],
      ['glossary', 'restore', '--campaign', 'general', '--at', new Date().toISOString(), '--role', 'king'],
      ['glossary', 'log'],
      ['glossary', 'log', '--campaign', 'general', '--limit', '0'],
    ]) {
      expect((await cli(...args)).code, args.join(' ')).toBe(2);
    }
    const unknown = await cli('glossary', 'revert', '--campaign', 'nowhere', '--author', 'hub');
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('no campaign "nowhere"')]);
    expect(await terms()).toEqual([]);
    expect((await cli('glossary', '--help')).stdout).toContain('vernacular glossary revert --campaign <slug> --author <id>');
  });
});
