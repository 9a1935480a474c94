/**
 * Staff sign-in over the app's real HTTP handlers, in process: the one-time link, passphrase
 * rules, the session cookie and its rotation, expiry and revocation, failed sign-ins (same
 * answer, audited, throttled), and the Origin check. (Passkeys: test/e2e/staff.test.ts, with a
 * real browser's virtual authenticator.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaffSession, WelcomeInfo } from '../../protocol/index.ts';
import { errorCode, invite, ORIGIN, signedIn, StaffClient, type StaffWorld, staffWorld } from '../../../test/support/staff.ts';

let w: StaffWorld;
beforeEach(async () => {
  w = await staffWorld();
});
afterEach(async () => {
  await w.close();
});

const HOUR = 3_600_000;

describe('a one-time sign-in link', () => {
  it('says whose it is, sets a passphrase once, and signs in with a __Host- cookie', async () => {
    const { token } = await invite(w, 'Amina Njeri', 'librarian');
    const browser = new StaffClient(w);
    const info = await browser.get(`/api/v1/staff/welcome/${token}`);
    expect(info.status).toBe(200);
    expect(WelcomeInfo.parse(info.body)).toMatchObject({ name: 'Amina Njeri', role: 'librarian' });

    const res = await browser.welcome(token, 'haba na haba hujaza kibaba');
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^__Host-vernacular-staff=[A-Za-z0-9_-]{43};/);
    for (const attribute of ['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/']) expect(cookie).toContain(attribute);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(StaffSession.parse(res.body)).toMatchObject({ user: { name: 'Amina Njeri', state: 'active', passphrase: true }, server: 'node', authority: true, idleMinutes: 720 });

    expect(StaffSession.parse((await browser.get('/api/v1/staff/session')).body).user.name).toBe('Amina Njeri');
    // Spent: it neither shows nor works again.
    expect(errorCode(await new StaffClient(w).get(`/api/v1/staff/welcome/${token}`))).toBe('invalid_sign_in_link');
    expect(errorCode(await new StaffClient(w).welcome(token, 'another long passphrase'))).toBe('invalid_sign_in_link');
  });

  it('refuses a short or common passphrase, with its code, and stays unspent', async () => {
    const { token } = await invite(w, 'Baraka', 'teacher');
    const browser = new StaffClient(w);
    const short = await browser.welcome(token, 'too short');
    expect([short.status, errorCode(short)]).toEqual([400, 'passphrase_too_short']);
    expect((short.body as { error: { details: { min: number } } }).error.details.min).toBe(12);
    expect(errorCode(await browser.welcome(token, 'password1234'))).toBe('passphrase_common');
    expect(errorCode(await browser.welcome(token, 'qwerasdfzxcv'))).toBe('passphrase_common');
    expect(browser.cookie).toBeUndefined();
    expect((await browser.welcome(token, 'mti mkavu hauzai tunda')).status).toBe(200);
  });

  it('refuses a malformed, unknown or expired link with invalid_sign_in_link', async () => {
    const browser = new StaffClient(w);
    for (const token of ['short', 'x'.repeat(43)]) expect(errorCode(await browser.get(`/api/v1/staff/welcome/${token}`))).toBe('invalid_sign_in_link');
    const { token } = await invite(w, 'Chausiku', 'teacher');
    w.clock.ms += HOUR + 1;
    expect(errorCode(await browser.welcome(token))).toBe('invalid_sign_in_link');
  });
});

describe('signing in with a passphrase', () => {
  const signIn = (client: StaffClient, name: string, passphrase: string) => client.post('/api/v1/staff/session/passphrase', { name, passphrase });

  it('opens a new session each time and ends the one the browser held (rotation)', async () => {
    const first = await signedIn(w, 'Amina Njeri', 'librarian');
    const before = first.cookie!;
    const res = await signIn(first, 'AMINA NJERI', 'haba na haba hujaza kibaba');
    expect(res.status).toBe(200);
    expect(first.cookie).toBeDefined();
    expect(first.cookie).not.toBe(before);
    const stale = new StaffClient(w);
    stale.cookie = before;
    expect(errorCode(await stale.get('/api/v1/staff/session'))).toBe('staff_sign_in_required');
    expect((await first.get('/api/v1/staff/session')).status).toBe(200);
  });

  it('answers a wrong passphrase and an unknown name alike, and writes both to the audit log', async () => {
    const librarian = await signedIn(w, 'Amina Njeri', 'librarian');
    const wrong = await signIn(new StaffClient(w), 'Amina Njeri', 'not the passphrase');
    const unknown = await signIn(new StaffClient(w), 'Nobody', 'not the passphrase');
    expect([wrong.status, errorCode(wrong)]).toEqual([401, 'invalid_credentials']);
    expect([unknown.status, errorCode(unknown)]).toEqual([401, 'invalid_credentials']);
    expect((wrong.body as { error: { message: string } }).error.message).toBe((unknown.body as { error: { message: string } }).error.message);
    const { entries } = (await librarian.get<{ entries: { action: string; outcome: string; actor: { name?: string } }[] }>('/api/v1/staff/audit')).body;
    const failed = entries.filter((e) => e.action === 'sign_in' && e.outcome === 'failed').map((e) => e.actor.name);
    expect(failed.sort()).toEqual(['Amina Njeri', 'Nobody']);
  });

  it('refuses a name after five failures with 429 too_many_attempts, even with the right passphrase, until the window passes', async () => {
    await signedIn(w, 'Amina Njeri', 'librarian');
    for (let i = 0; i < 5; i++) expect((await signIn(new StaffClient(w), 'amina njeri', `wrong guess ${i}`)).status).toBe(401);
    const blocked = await signIn(new StaffClient(w), 'Amina Njeri', 'haba na haba hujaza kibaba');
    expect([blocked.status, errorCode(blocked)]).toEqual([429, 'too_many_attempts']);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    w.clock.ms += 16 * 60_000;
    expect((await signIn(new StaffClient(w), 'Amina Njeri', 'haba na haba hujaza kibaba')).status).toBe(200);
  });

  it('refuses an account that has no passphrase yet or was revoked', async () => {
    await invite(w, 'Invited', 'teacher');
    expect(errorCode(await signIn(new StaffClient(w), 'Invited', 'anything long enough'))).toBe('invalid_credentials');
    const librarian = await signedIn(w, 'Amina Njeri', 'librarian');
    const teacher = await signedIn(w, 'Baraka', 'teacher');
    const id = (await teacher.get<{ user: { id: string } }>('/api/v1/staff/session')).body.user.id;
    expect((await librarian.post(`/api/v1/staff/users/${id}/revoke`)).status).toBe(200);
    expect(errorCode(await teacher.get('/api/v1/staff/session'))).toBe('staff_sign_in_required');
    expect(errorCode(await signIn(new StaffClient(w), 'Baraka', 'haba na haba hujaza kibaba'))).toBe('invalid_credentials');
  });
});

describe('a staff session', () => {
  it('ends after 12 hours idle, but not while in use', async () => {
    const browser = await signedIn(w, 'Amina Njeri', 'librarian');
    for (let i = 0; i < 3; i++) {
      w.clock.ms += 11 * HOUR;
      expect((await browser.get('/api/v1/staff/session')).status).toBe(200);
    }
    w.clock.ms += 12 * HOUR + 1000;
    expect(errorCode(await browser.get('/api/v1/staff/session'))).toBe('staff_sign_in_required');
  });

  it('ends 7 days after sign-in however busy', async () => {
    const browser = await signedIn(w, 'Amina Njeri', 'librarian');
    for (let h = 0; h < 7 * 24; h += 10) {
      w.clock.ms += 10 * HOUR;
      if ((await browser.get('/api/v1/staff/session')).status !== 200) break;
    }
    expect(errorCode(await browser.get('/api/v1/staff/session'))).toBe('staff_sign_in_required');
  });

  it('ends at sign-out: 204, the cookie cleared, the token refused afterwards', async () => {
    const browser = await signedIn(w, 'Amina Njeri', 'librarian');
    const token = browser.cookie!;
    const res = await browser.request('DELETE', '/api/v1/staff/session');
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/__Host-vernacular-staff=;.*Max-Age=0/);
    const replay = new StaffClient(w);
    replay.cookie = token;
    expect(errorCode(await replay.get('/api/v1/staff/session'))).toBe('staff_sign_in_required');
  });

  it('says when a role has no authority on this server (a steward on a node)', async () => {
    const steward = await signedIn(w, 'Steward', 'steward');
    expect(StaffSession.parse((await steward.get('/api/v1/staff/session')).body).authority).toBe(false);
    expect(errorCode(await steward.get('/api/v1/staff/campaigns'))).toBe('forbidden');
  });
});

describe('the Origin check (CSRF)', () => {
  it('refuses a state-changing staff request without Origin, from another origin or cross-site, and changes nothing', async () => {
    const librarian = await signedIn(w, 'Amina Njeri', 'librarian');
    const draft = { slug: 'drive', title: 'Drive', languages: ['sw'], kinds: ['idiom'] };
    const noOrigin = new StaffClient(w, {});
    noOrigin.cookie = librarian.cookie;
    expect(errorCode(await noOrigin.post('/api/v1/staff/campaigns', draft))).toBe('cross_origin');
    const evil = new StaffClient(w, { origin: 'https://evil.example' });
    evil.cookie = librarian.cookie;
    expect(errorCode(await evil.post('/api/v1/staff/campaigns', draft))).toBe('cross_origin');
    expect(errorCode(await librarian.request('POST', '/api/v1/staff/campaigns', draft, { 'sec-fetch-site': 'cross-site' }))).toBe('cross_origin');
    expect(errorCode(await evil.post('/api/v1/staff/session/passphrase', { name: 'Amina Njeri', passphrase: 'haba na haba hujaza kibaba' }))).toBe('cross_origin');
    expect(await w.store.campaign('drive')).toBeUndefined();
    // Reads need no Origin.
    expect((await noOrigin.get('/api/v1/staff/campaigns')).status).toBe(200);
    expect((await librarian.post('/api/v1/staff/campaigns', draft)).status).toBe(201);
    expect(ORIGIN).toBe('http://localhost');
  });
});
