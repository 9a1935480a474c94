/**
 * Campaigns, seeds, the review queue and item status over real HTTP against a real
 * `vernacular serve` child process, with the campaign made by the real `vernacular campaign` CLI
 * on the same data folder while the node runs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import {
  CampaignList,
  CampaignProgress,
  CONSENT_VERSION,
  type ContributionInput,
  ErrorBody,
  PROTOCOL_VERSION,
  PublicCampaign,
  ReviewQueue,
  SeedList,
  StatusResponse,
  SyncResponse,
} from '../protocol/index.ts';
import { type RunningServer, runCli, startServer, tempDir } from '../../test/support/server.ts';
import { idiom, instruction, person, review } from '../../test/support/contributions.ts';
import { signedGet, signedHeader, signedPost } from '../../test/support/device-requests.ts';

let server: RunningServer;
let joinCode: string;

const get = (path: string) => fetch(`${server.url}${path}`);
const sync = async (contributions: ContributionInput[]) => {
  const res = await fetch(`${server.url}/api/v1/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: uuidv4() }, contributions }),
  });
  expect(res.status).toBe(200);
  return SyncResponse.parse(await res.json()).results;
};
/** The campaign below collects under CC-BY-4.0; its items say so. */
const BY = { consent: { version: CONSENT_VERSION, licence: 'CC-BY-4.0' as const } };
async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(ErrorBody.parse(await res.json()).error.code).toBe(code);
}

beforeAll(async () => {
  server = await startServer();
  const made = await runCli([
    'campaign', 'create', '--slug', 'library-drive', '--title', 'Library drive', '--languages', 'sw,en',
    '--kinds', 'idiom,rewrite', '--goal', 'idiom=2000', '--licence', 'CC-BY-4.0', '--data', server.dataDir,
  ]);
  expect(made.code).toBe(0);
  joinCode = /join code (\w+)/.exec(made.stdout)![1]!;
  const seeds = join(await tempDir('seeds'), 'seeds.csv');
  await writeFile(seeds, 'id,type,prompt\n' + [1, 2, 3, 4].map((i) => `p${i},prompt,"Swali, la ${i}?"`).join('\n') + '\n');
  expect((await runCli(['campaign', 'seeds', 'import', 'library-drive', seeds, '--data', server.dataDir])).code).toBe(0);
});
afterAll(async () => {
  await server?.dispose();
});

describe('GET /api/v1/campaigns', () => {
  it('lists the built-in general campaign first, then the node’s campaigns', async () => {
    const { campaigns } = CampaignList.parse(await (await get('/api/v1/campaigns')).json());
    expect(campaigns.map((c) => c.slug)).toEqual(['general', 'library-drive']);
    expect(campaigns[1]).toMatchObject({ title: 'Library drive', languages: ['sw', 'en'], kinds: ['idiom', 'rewrite'], goals: [{ kind: 'idiom', target: 2000 }], licence: 'CC-BY-4.0', version: 1 });
  });

  it('gives one campaign by slug, without its join code, and 404 not_found for an unknown one', async () => {
    expect(PublicCampaign.parse(await (await get('/api/v1/campaigns/library-drive')).json()).slug).toBe('library-drive');
    expect(JSON.stringify(await (await get('/api/v1/campaigns')).json())).not.toContain(joinCode);
    expect((await (await get('/api/v1/campaigns/general')).json()) as { slug: string }).toMatchObject({ slug: 'general' });
    await expectError(await get('/api/v1/campaigns/nowhere'), 404, 'not_found');
  });

  it('finds a campaign by its join code in any letter case', async () => {
    expect(PublicCampaign.parse(await (await get(`/api/v1/campaigns/join/${joinCode.toLowerCase()}`)).json()).slug).toBe('library-drive');
    await expectError(await get('/api/v1/campaigns/join/ZZZZZZ'), 404, 'not_found');
  });

  it('answers 405 for other methods', async () => {
    await expectError(await fetch(`${server.url}/api/v1/campaigns`, { method: 'POST' }), 405, 'method_not_allowed');
  });
});

describe('GET /api/v1/campaigns/{slug}/seeds', () => {
  const draw = async (device: string, limit = 2) => {
    const res = await get(`/api/v1/campaigns/library-drive/seeds?type=prompt&device=${device}&limit=${limit}`);
    expect(res.status).toBe(200);
    return SeedList.parse(await res.json()).seeds.map((s) => s.id);
  };

  it('gives two devices different seeds', async () => {
    const a = await draw(uuidv4());
    const b = await draw(uuidv4());
    expect(a).toHaveLength(2);
    expect(new Set([...a, ...b]).size).toBe(4);
  });

  it('answers 400 invalid_query for a missing device, an unknown type or a bad limit', async () => {
    for (const query of ['type=prompt', `type=poem&device=${uuidv4()}`, `type=prompt&device=${uuidv4()}&limit=500`, `type=prompt&device=${uuidv4()}&colour=red`]) {
      await expectError(await get(`/api/v1/campaigns/library-drive/seeds?${query}`), 400, 'invalid_query');
    }
    await expectError(await get(`/api/v1/campaigns/nowhere/seeds?type=prompt&device=${uuidv4()}`), 404, 'not_found');
  });
});

describe('sync of items about campaigns and other items', () => {
  it('rejects items for an unknown campaign or a kind the campaign does not collect, with their codes', async () => {
    const results = await sync([idiom({ campaign: 'nowhere' }), instruction({ campaign: 'library-drive', ...BY }), idiom({ campaign: 'library-drive', ...BY })]);
    expect(results.map((r) => [r.status, r.code, r.field])).toEqual([
      ['rejected', 'unknown_campaign', 'campaign'],
      ['rejected', 'kind_not_enabled', 'kind'],
      ['accepted', undefined, undefined],
    ]);
  });

  it('rejects a review of one’s own item with own_item', async () => {
    const item = idiom();
    const results = await sync([item, review(item.id, { contributor: item.contributor })]);
    expect(results[1]).toMatchObject({ index: 1, status: 'rejected', code: 'own_item', field: 'data.target', id: results[1]!.id });
  });
});

describe('the review queue and item status', () => {
  it('offers a reviewer others’ items, never their own nor their authors, and tells each only of their own items', async () => {
    const reviewer = person();
    const own = idiom({ campaign: 'library-drive', contributor: reviewer.contributor, language: 'en', ...BY });
    const theirs = idiom({ campaign: 'library-drive', language: 'en', ...BY });
    await sync([own, theirs]);
    const queue = async () => {
      const res = await signedGet(server.url, '/api/v1/review/queue?campaign=library-drive&language=en', reviewer);
      expect(res.status).toBe(200);
      return ReviewQueue.parse(await res.json()).items;
    };
    const offered = await queue();
    expect(offered.map((q) => q.item.id)).toEqual([theirs.id]);
    expect(JSON.stringify(offered)).not.toContain(theirs.contributor);
    expect(JSON.stringify(offered)).not.toContain(theirs.key);
    // The reviewer and three others hold a credential (given in person); a stranger's vote is kept, never counted.
    const others = [person(), person(), person()];
    for (const k of [reviewer, ...others]) {
      const granted = await runCli(['reviewer', 'grant', '--campaign', 'library-drive', k.contributor, '--data', server.dataDir]);
      expect(granted.code, granted.stderr).toBe(0);
    }
    await sync([
      review(theirs.id, { contributor: reviewer.contributor, campaign: 'library-drive' }),
      ...others.map((o) => review(theirs.id, { contributor: o.contributor, campaign: 'library-drive' })),
      review(theirs.id, { campaign: 'library-drive' }),
    ]);
    expect(await queue()).toEqual([]);

    const ids = { ids: [theirs.id, own.id, 'not-an-id'] };
    const mine = await signedPost(server.url, '/api/v1/status', ids, reviewer);
    expect(StatusResponse.parse(await mine.json()).items).toEqual([
      { id: theirs.id, status: 'unknown' },
      { id: own.id, status: 'pending', votes: { up: 0, down: 0, flags: 0 } },
      { id: 'not-an-id', status: 'unknown' },
    ]);
    const author = await signedPost(server.url, '/api/v1/status', ids, person(theirs.contributor));
    expect(StatusResponse.parse(await author.json()).items[0]).toEqual({ id: theirs.id, status: 'accepted', votes: { up: 4, down: 0, flags: 0 } });
  });

  it('refuses unsigned, forged, altered and stale requests with 401 and stable codes', async () => {
    const path = '/api/v1/review/queue?campaign=general&language=sw';
    const signer = person();
    await expectError(await get(path), 401, 'unauthenticated');
    // Naming a reviewer is no longer a thing a client can do.
    await expectError(await signedGet(server.url, `${path}&reviewer=${signer.contributor}`, signer), 400, 'invalid_query');
    // Signed for another path, or by someone else for this one with the signer's key named.
    const header = signedHeader(signer, 'GET', '/api/v1/review/queue?campaign=general&language=yo');
    await expectError(await fetch(`${server.url}${path}`, { headers: { authorization: header } }), 401, 'bad_signature');
    const other = person();
    const forged = signedHeader(other, 'GET', path).replace(other.key, signer.key);
    await expectError(await fetch(`${server.url}${path}`, { headers: { authorization: forged } }), 401, 'bad_signature');
    const old = signedHeader(signer, 'GET', path, '', Date.now() - 3_600_000);
    const stale = await fetch(`${server.url}${path}`, { headers: { authorization: old } });
    expect(stale.status).toBe(401);
    expect(ErrorBody.parse(await stale.json()).error).toMatchObject({ code: 'stale_request', details: { serverTime: expect.any(String) } });
    // The status body is covered too: the same header over other ids does not verify.
    const signedFor = signedHeader(signer, 'POST', '/api/v1/status', JSON.stringify({ ids: ['a'] }));
    const swapped = await fetch(`${server.url}/api/v1/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: signedFor },
      body: JSON.stringify({ ids: ['b'] }),
    });
    await expectError(swapped, 401, 'bad_signature');
  });

  it('answers 400 for a bad queue query or status body, 404 for an unknown campaign', async () => {
    const signer = person();
    await expectError(await signedGet(server.url, '/api/v1/review/queue?campaign=general', signer), 400, 'invalid_query');
    await expectError(await signedGet(server.url, '/api/v1/review/queue?campaign=general&language=!!', signer), 400, 'invalid_query');
    await expectError(await signedGet(server.url, '/api/v1/review/queue?campaign=nowhere&language=sw', signer), 404, 'not_found');
    await expectError(await signedPost(server.url, '/api/v1/status', '{"ids": 3}', signer), 400, 'invalid_request');
    await expectError(await signedPost(server.url, '/api/v1/status', '{"ids": [', signer), 400, 'malformed_json');
    await expectError(await get('/api/v1/status'), 405, 'method_not_allowed');
  });
});

describe('GET /api/v1/campaigns/{slug}/progress', () => {
  it('counts a campaign’s items per kind toward its goals', async () => {
    const made = await runCli([
      'campaign', 'create', '--slug', 'progress-drive', '--title', 'Progress drive', '--languages', 'sw',
      '--kinds', 'idiom,rewrite,norm', '--goal', 'idiom=10', '--goal', 'rewrite=5', '--margin', '1', '--credentials-only', '--data', server.dataDir,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const items = [1, 2, 3].map(() => idiom({ campaign: 'progress-drive' }));
    expect(await sync(items)).toEqual(items.map(() => expect.objectContaining({ status: 'accepted' })));
    const reviewers = [person(), person()];
    for (const k of reviewers) expect((await runCli(['reviewer', 'grant', '--campaign', 'progress-drive', k.contributor, '--data', server.dataDir])).code).toBe(0);
    await sync(reviewers.map((k) => review(items[0]!.id, { campaign: 'progress-drive', contributor: k.contributor })));
    const progress = async () => {
      const res = await get('/api/v1/campaigns/progress-drive/progress');
      expect(res.status).toBe(200);
      return CampaignProgress.parse(await res.json());
    };
    const first = await progress();
    // The goals' kinds, and kinds with items; `norm` has neither.
    expect(first.kinds).toEqual([
      { kind: 'idiom', collected: 3, accepted: 1, goal: 10 },
      { kind: 'rewrite', collected: 0, accepted: 0, goal: 5 },
    ]);
    expect(Date.now() - Date.parse(first.countedAt)).toBeLessThan(60_000);
    const general = await (await get('/api/v1/campaigns/general/progress')).json();
    expect(CampaignProgress.parse(general).campaign).toBe('general');
    await expectError(await get('/api/v1/campaigns/nowhere/progress'), 404, 'not_found');
    expect((await fetch(`${server.url}/api/v1/campaigns/progress-drive/progress`, { method: 'POST' })).status).toBe(405);
  });
});
