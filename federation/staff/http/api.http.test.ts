/**
 * What was CLI-only, through the staff API over the app's real handlers (in process, SQLite):
 * campaigns with visibility and join codes, seed and gold imports, the flagged queue and
 * moderation, user management, and the audit log — each with the scope its role gives.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuditList,
  Campaign,
  CampaignList,
  Contribution,
  ContributorWithdrawResult,
  FlaggedQueue,
  PublicCampaign,
  ReviewerList,
  SignInLink,
  StaffCampaignList,
  StaffUserList,
} from '../../protocol/index.ts';
import { idiom, person, review } from '../../../test/support/contributions.ts';
import { errorCode, signedIn, StaffClient, type StaffWorld, staffWorld } from '../../../test/support/staff.ts';

let w: StaffWorld;
let librarian: StaffClient;
beforeEach(async () => {
  w = await staffWorld();
  librarian = await signedIn(w, 'Amina Njeri', 'librarian');
});
afterEach(async () => {
  await w.close();
});

const draft = (slug: string, extra: Record<string, unknown> = {}) => ({ slug, title: `Campaign ${slug}`, languages: ['sw'], kinds: ['idiom'], ...extra });
const publicGet = (path: string) => new StaffClient(w).get(path);

describe('campaigns through the staff API', () => {
  it('keeps an unlisted class out of the public list and its join code out of every public answer', async () => {
    const teacher = await signedIn(w, 'Baraka', 'teacher');
    const made = await teacher.post('/api/v1/staff/campaigns', draft('class-7b', { visibility: 'unlisted', goals: [{ kind: 'idiom', target: 30 }] }));
    expect(made.status).toBe(201);
    const campaign = Campaign.parse(made.body);
    expect(campaign).toMatchObject({ slug: 'class-7b', visibility: 'unlisted', version: 1, licence: 'CC0-1.0' });
    expect(campaign.joinCode).toMatch(/^[2-9A-HJKMNP-Z]{6,}$/);
    expect((await librarian.post('/api/v1/staff/campaigns', draft('drive'))).status).toBe(201);

    const list = await publicGet('/api/v1/campaigns');
    expect(CampaignList.parse(list.body).campaigns.map((c) => c.slug)).toEqual(['general', 'drive']);
    for (const path of ['/api/v1/campaigns', '/api/v1/campaigns/class-7b', `/api/v1/campaigns/join/${campaign.joinCode.toLowerCase()}`]) {
      expect(JSON.stringify((await publicGet(path)).body)).not.toContain('joinCode');
    }
    expect(PublicCampaign.parse((await publicGet(`/api/v1/campaigns/join/${campaign.joinCode}`)).body).slug).toBe('class-7b');

    // The teacher manages their class only; the librarian manages both, join codes included.
    expect(StaffCampaignList.parse((await teacher.get('/api/v1/staff/campaigns')).body).campaigns.map((c) => [c.slug, c.joinCode])).toEqual([['class-7b', campaign.joinCode]]);
    expect(StaffCampaignList.parse((await librarian.get('/api/v1/staff/campaigns')).body).campaigns.map((c) => c.slug).sort()).toEqual(['class-7b', 'drive']);
    expect(errorCode(await teacher.get('/api/v1/staff/campaigns/drive'))).toBe('forbidden');
  });

  it('changes a campaign by patch: the version goes up, null removes a field, visibility lists it', async () => {
    await librarian.post('/api/v1/staff/campaigns', draft('class-7b', { visibility: 'unlisted', region: 'Mombasa' }));
    const patched = await librarian.patch('/api/v1/staff/campaigns/class-7b', { visibility: 'public', region: null, title: 'Darasa 7B' });
    expect(patched.status).toBe(200);
    const campaign = Campaign.parse(patched.body);
    expect(campaign).toMatchObject({ version: 2, visibility: 'public', title: 'Darasa 7B' });
    expect(campaign.region).toBeUndefined();
    expect(CampaignList.parse((await publicGet('/api/v1/campaigns')).body).campaigns.map((c) => c.slug)).toContain('class-7b');
    expect(errorCode(await librarian.patch('/api/v1/staff/campaigns/class-7b', { kinds: [] }))).toBe('invalid_request');
    expect(errorCode(await librarian.patch('/api/v1/staff/campaigns/class-7b', { slug: 'renamed' }))).toBe('invalid_request');
    expect(errorCode(await librarian.patch('/api/v1/staff/campaigns/nowhere', { title: 'X' }))).toBe('not_found');
    expect((await w.store.campaign('class-7b'))?.version).toBe(2);
  });

  it('refuses a taken slug or join code with already_exists, a reserved slug with invalid_request, and changes nothing', async () => {
    const first = Campaign.parse((await librarian.post('/api/v1/staff/campaigns', draft('drive'))).body);
    const again = await librarian.post('/api/v1/staff/campaigns', draft('drive', { title: 'Other' }));
    expect([again.status, errorCode(again)]).toEqual([409, 'already_exists']);
    expect(errorCode(await librarian.post('/api/v1/staff/campaigns', draft('other', { joinCode: first.joinCode })))).toBe('already_exists');
    expect(errorCode(await librarian.post('/api/v1/staff/campaigns', draft('other', { joinCode: 'SHARED' })))).toBe('already_exists');
    for (const slug of ['general', 'join']) expect(errorCode(await librarian.post('/api/v1/staff/campaigns', draft(slug)))).toBe('invalid_request');
    expect(errorCode(await librarian.post('/api/v1/staff/campaigns', draft('x', { kinds: ['poem'] })))).toBe('invalid_request');
    expect((await w.store.campaign('drive'))?.title).toBe('Campaign drive');
    expect(await w.store.campaign('other')).toBeUndefined();
  });

  it('imports seeds all or none, naming every bad row', async () => {
    const teacher = await signedIn(w, 'Baraka', 'teacher');
    await teacher.post('/api/v1/staff/campaigns', draft('class-7b', { kinds: ['instruction'] }));
    const csv = 'id,type,prompt\np1,prompt,"Swali la kwanza?"\np2,prompt,"Swali la pili?"\n';
    const ok = await teacher.post('/api/v1/staff/campaigns/class-7b/seeds', { format: 'csv', text: csv });
    expect([ok.status, ok.body]).toEqual([200, { added: 2, updated: 0 }]);
    const bad = await teacher.post('/api/v1/staff/campaigns/class-7b/seeds', { format: 'jsonl', text: '{"id":"p3","type":"prompt","prompt":"Sawa?"}\n{"id":"p4","type":"poem"}\n' });
    expect([bad.status, errorCode(bad)]).toEqual([400, 'invalid_request']);
    expect((bad.body as { error: { details: { problems: { row: number }[] } } }).error.details.problems.map((p) => p.row)).toEqual([2]);
    const drawn = await publicGet('/api/v1/campaigns/class-7b/seeds?type=prompt&device=6f1c1d7e-3d5b-4a53-9d0e-1f2a3b4c5d6e&limit=10');
    expect((drawn.body as { seeds: { id: string }[] }).seeds.map((s) => s.id).sort()).toEqual(['p1', 'p2']);
    await librarian.post('/api/v1/staff/campaigns', draft('drive', { kinds: ['instruction'] }));
    expect(errorCode(await teacher.post('/api/v1/staff/campaigns/drive/seeds', { format: 'csv', text: csv }))).toBe('forbidden');
  });

  it('imports gold for librarians, not teachers', async () => {
    await librarian.post('/api/v1/staff/campaigns', draft('drive'));
    const row = (n: number, expected: string) => JSON.stringify({ kind: 'idiom', language: 'sw', data: { expression: `Methali ${n}`, meaning: 'Maana yake.', example: 'Mfano wake.' }, expected });
    const res = await librarian.post('/api/v1/staff/campaigns/drive/gold', { format: 'jsonl', text: `${row(1, 'good')}\n${row(2, 'bad')}\n`, every: 5 });
    expect([res.status, res.body]).toEqual([200, { added: 2, updated: 0, every: 5 }]);
    const teacher = await signedIn(w, 'Baraka', 'teacher', ['drive']);
    expect(errorCode(await teacher.post('/api/v1/staff/campaigns/drive/gold', { format: 'jsonl', text: row(3, 'good') }))).toBe('forbidden');
  });
});

describe('moderation through the staff API', () => {
  it('shows flagged items with their reasons, hides one, clears another; a teacher only in their class', async () => {
    await librarian.post('/api/v1/staff/campaigns', draft('class-7b'));
    await librarian.post('/api/v1/staff/campaigns', draft('drive'));
    const mine = idiom({ campaign: 'class-7b' });
    const theirs = idiom({ campaign: 'drive' });
    const flags = [review(mine.id, { data: { action: 'flag', reason: 'spam' } }), review(mine.id, { data: { action: 'flag', reason: 'offensive' } }), review(theirs.id, { data: { action: 'flag', reason: 'spam' } })];
    await w.store.ingest('6f1c1d7e-3d5b-4a53-9d0e-1f2a3b4c5d6e', [mine, theirs, ...flags].map((i) => Contribution.parse(i)));

    const teacher = await signedIn(w, 'Baraka', 'teacher', ['class-7b']);
    const queue = FlaggedQueue.parse((await teacher.get('/api/v1/staff/flagged')).body).items;
    // Keys nobody vouched for: their flags bring the item here, but count for nothing and hide nothing.
    expect(queue.map((i) => [i.item.id, i.status, i.votes.flags, i.allVotes.flags, i.reasons])).toEqual([[mine.id, 'pending', 0, 2, { spam: 1, offensive: 1 }]]);
    expect(FlaggedQueue.parse((await librarian.get('/api/v1/staff/flagged')).body).items.map((i) => i.item.id)).toEqual([mine.id, theirs.id]);
    expect(errorCode(await teacher.get('/api/v1/staff/flagged?campaign=drive'))).toBe('forbidden');

    expect((await teacher.post(`/api/v1/staff/items/${mine.id}/clear`)).body).toEqual({ id: mine.id, status: 'pending' });
    expect(errorCode(await teacher.post(`/api/v1/staff/items/${theirs.id}/hide`))).toBe('forbidden');
    expect((await librarian.post(`/api/v1/staff/items/${theirs.id}/hide`)).body).toEqual({ id: theirs.id, status: 'hidden' });
    expect(FlaggedQueue.parse((await librarian.get('/api/v1/staff/flagged')).body).items).toEqual([]);
    expect(errorCode(await librarian.post('/api/v1/staff/items/not-an-id/hide'))).toBe('not_found');
    expect(errorCode(await librarian.post(`/api/v1/staff/items/${flags[0]!.id}/hide`))).toBe('not_found');
  });
});

describe('reviewer credentials through the staff API', () => {
  it('grants in person, lists every key with its standing, revokes; a teacher in their class only; all audited', async () => {
    await librarian.post('/api/v1/staff/campaigns', draft('class-7b'));
    await librarian.post('/api/v1/staff/campaigns', draft('drive'));
    const item = idiom({ campaign: 'class-7b' });
    const students = [person(), person(), person(), person()];
    const votes = students.map((s) => review(item.id, { campaign: 'class-7b', contributor: s.contributor }));
    await w.store.ingest('6f1c1d7e-3d5b-4a53-9d0e-1f2a3b4c5d6e', [item, ...votes].map((i) => Contribution.parse(i)));
    const teacher = await signedIn(w, 'Baraka', 'teacher', ['class-7b']);
    const path = '/api/v1/staff/campaigns/class-7b/reviewers';

    const before = ReviewerList.parse((await teacher.get(path)).body);
    expect(before.policy).toEqual({ gold: { min: 5, agreement: 0.8 }, margin: 4, servesPerDay: 300 });
    expect(before.reviewers).toHaveLength(4);
    expect(before.reviewers.every((r) => !r.eligible && r.votes === 1 && r.counted === 0)).toBe(true);

    for (const s of students) {
      const granted = await teacher.post(path, { reviewer: s.contributor, note: 'Class 7B, in person' });
      expect([granted.status, granted.body]).toEqual([200, { campaign: 'class-7b', reviewer: s.contributor, eligible: true, credential: true }]);
    }
    // Their four votes count now: the item is judged again at once.
    expect((await w.store.statuses([item.id]))[0]).toMatchObject({ status: 'accepted', votes: { up: 4 } });
    const after = ReviewerList.parse((await teacher.get(`${path}?eligible=true`)).body).reviewers;
    expect(after.map((r) => [r.eligible, r.credential, r.grantedBy, r.note, r.counted])).toEqual(students.map(() => [true, true, 'Baraka', 'Class 7B, in person', 1]));

    const revoked = await teacher.delete(`${path}/${students[0]!.contributor}`);
    expect([revoked.status, revoked.body]).toEqual([200, { campaign: 'class-7b', reviewer: students[0]!.contributor, eligible: false, credential: false }]);
    expect((await w.store.statuses([item.id]))[0]).toMatchObject({ status: 'pending', votes: { up: 3 } });
    expect(errorCode(await teacher.delete(`${path}/${students[0]!.contributor}`))).toBe('not_found');
    expect(errorCode(await teacher.delete(`${path}/not-a-key`))).toBe('invalid_request');
    expect(errorCode(await teacher.post(path, { reviewer: 'someone' }))).toBe('invalid_request');
    expect(errorCode(await teacher.post('/api/v1/staff/campaigns/drive/reviewers', { reviewer: students[1]!.contributor }))).toBe('forbidden');
    expect(errorCode(await librarian.post('/api/v1/staff/campaigns/nowhere/reviewers', { reviewer: students[1]!.contributor }))).toBe('not_found');
    // A librarian grants in `general` too (the node's built-in campaign).
    expect((await librarian.post('/api/v1/staff/campaigns/general/reviewers', { reviewer: students[1]!.contributor })).status).toBe(200);

    const { entries } = AuditList.parse((await librarian.get('/api/v1/staff/audit?limit=50')).body);
    const grants = entries.filter((e) => e.action === 'reviewer_grant' && e.outcome === 'ok');
    expect(grants).toHaveLength(5);
    expect(grants.at(-1)).toMatchObject({ actor: { kind: 'staff', name: 'Baraka' }, target: students[0]!.contributor, details: { campaign: 'class-7b', note: 'Class 7B, in person' } });
    expect(entries.find((e) => e.action === 'reviewer_revoke' && e.outcome === 'ok')).toMatchObject({ target: students[0]!.contributor, details: { campaign: 'class-7b', eligible: false } });
    expect(entries.some((e) => e.action === 'reviewer_grant' && e.outcome === 'denied' && e.target === 'drive')).toBe(true);
  });
});

describe('user management through the staff API', () => {
  it('adds a teacher with a one-time link on this origin, refuses a taken name and a role above the librarian’s', async () => {
    await librarian.post('/api/v1/staff/campaigns', draft('class-7b'));
    const res = await librarian.post('/api/v1/staff/users', { name: 'Baraka', role: 'teacher', campaigns: ['class-7b'] });
    expect(res.status).toBe(201);
    const { user, link } = SignInLink.parse(res.body);
    expect(user).toMatchObject({ name: 'Baraka', role: 'teacher', state: 'invited', campaigns: ['class-7b'] });
    expect(link).toMatch(/^http:\/\/localhost\/#\/staff\/welcome\/[A-Za-z0-9_-]{43}$/);
    const baraka = new StaffClient(w);
    expect((await baraka.welcome(link.split('/').pop()!)).status).toBe(200);
    expect((await baraka.get('/api/v1/staff/campaigns/class-7b')).status).toBe(200);

    expect(errorCode(await librarian.post('/api/v1/staff/users', { name: 'baraka', role: 'teacher' }))).toBe('already_exists');
    expect(errorCode(await librarian.post('/api/v1/staff/users', { name: 'Zawadi', role: 'steward' }))).toBe('forbidden');
    expect(errorCode(await librarian.post('/api/v1/staff/users', { name: 'Zawadi', role: 'teacher', campaigns: ['nowhere'] }))).toBe('invalid_request');
    expect(errorCode(await librarian.post('/api/v1/staff/users', { name: 'Zawadi', role: 'librarian', campaigns: ['class-7b'] }))).toBe('invalid_request');
    expect(errorCode(await baraka.post('/api/v1/staff/users', { name: 'Zawadi', role: 'teacher' }))).toBe('forbidden');
    expect(StaffUserList.parse((await librarian.get('/api/v1/staff/users')).body).users.map((u) => u.name)).toEqual(['Amina Njeri', 'Baraka']);
  });

  it('revokes an account at once and gives a lost account a new link, which voids the old one', async () => {
    const added = SignInLink.parse((await librarian.post('/api/v1/staff/users', { name: 'Baraka', role: 'teacher' })).body);
    const fresh = SignInLink.parse((await librarian.post(`/api/v1/staff/users/${added.user.id}/link`)).body);
    expect(errorCode(await new StaffClient(w).welcome(added.link.split('/').pop()!))).toBe('invalid_sign_in_link');
    const baraka = new StaffClient(w);
    expect((await baraka.welcome(fresh.link.split('/').pop()!)).status).toBe(200);
    const revoked = await librarian.post(`/api/v1/staff/users/${added.user.id}/revoke`);
    expect((revoked.body as { state: string }).state).toBe('disabled');
    expect(errorCode(await baraka.get('/api/v1/staff/session'))).toBe('staff_sign_in_required');
    expect(errorCode(await librarian.post(`/api/v1/staff/users/${added.user.id}/link`))).toBe('invalid_request');
    const me = (await librarian.get<{ user: { id: string } }>('/api/v1/staff/session')).body.user.id;
    expect(errorCode(await librarian.post(`/api/v1/staff/users/${me}/revoke`))).toBe('invalid_request');
    expect(errorCode(await librarian.post('/api/v1/staff/users/u-AAAAAAAAAAAAAAAA/revoke'))).toBe('not_found');
  });
});

describe('the audit log', () => {
  it('records who did what to what, from where, newest first, readable by librarians only', async () => {
    const teacher = await signedIn(w, 'Baraka', 'teacher');
    await teacher.post('/api/v1/staff/campaigns', draft('class-7b'));
    await teacher.patch('/api/v1/staff/campaigns/class-7b', { title: 'Darasa' });
    expect(errorCode(await teacher.get('/api/v1/staff/audit'))).toBe('forbidden');
    const log = AuditList.parse((await librarian.get('/api/v1/staff/audit?limit=3')).body);
    expect(log.entries.map((e) => [e.action, e.outcome, e.actor.name, e.target])).toEqual([
      ['audit_read', 'denied', 'Baraka', null],
      ['campaign_update', 'ok', 'Baraka', 'class-7b'],
      ['campaign_create', 'ok', 'Baraka', 'class-7b'],
    ]);
    expect(log.entries[1]!.from).toBeTypeOf('string');
    const older = AuditList.parse((await librarian.get(`/api/v1/staff/audit?limit=50&before=${log.next}`)).body);
    expect(older.entries.map((e) => e.action)).toEqual(['welcome', 'welcome']);
    expect(errorCode(await librarian.get('/api/v1/staff/audit?limit=0'))).toBe('invalid_query');
  });
});

describe('a withdrawal on behalf of a contributor who lost their key', () => {
  it('withdraws everything of theirs, for an operator only, with the reason in the audit log', async () => {
    const lost = person();
    const items = [idiom({ contributor: lost.contributor }), idiom({ contributor: lost.contributor })];
    const theirs = idiom();
    await w.store.ingest('device', [...items, theirs].map((i) => Contribution.parse(i)));
    const teacher = await signedIn(w, 'Baraka', 'teacher');
    const path = `/api/v1/staff/contributors/${lost.contributor}/withdraw`;
    expect(errorCode(await teacher.post(path, { reason: 'asked at the desk' }))).toBe('forbidden');
    expect(errorCode(await new StaffClient(w).post(path, { reason: 'asked at the desk' }))).toBe('staff_sign_in_required');
    expect(errorCode(await librarian.post(path, {}))).toBe('invalid_request');
    expect(errorCode(await librarian.post('/api/v1/staff/contributors/not-an-id/withdraw', { reason: 'asked at the desk' }))).toBe('invalid_request');
    const done = await librarian.post(path, { reason: 'Asked at the desk on 7 Dec; recognised by the librarian' });
    expect(done.status).toBe(200);
    expect(ContributorWithdrawResult.parse(done.body)).toMatchObject({ contributor: lost.contributor, withdrawn: 2 });
    expect((await w.store.statuses([...items.map((i) => i.id), theirs.id])).map((s) => s.status)).toEqual(['withdrawn', 'withdrawn', 'pending']);
    const log = AuditList.parse((await librarian.get('/api/v1/staff/audit')).body).entries;
    expect(log.find((e) => e.action === 'contributor_withdraw' && e.outcome === 'ok')).toMatchObject({ target: lost.contributor, details: { withdrawn: 2 } });
    expect(log.find((e) => e.action === 'contributor_withdraw' && e.outcome === 'denied')).toMatchObject({ code: 'forbidden' });
  });
});
