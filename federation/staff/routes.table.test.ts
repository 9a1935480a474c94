/**
 * The role × route test. Every route Hono registers, on a node and on a hub, must have a rule in
 * the route table; then each route gets a request from every kind of caller — anonymous, a
 * contributor, another contributor, an ineligible reviewer, a teacher, a librarian, a steward, a
 * revoked session and a forged one — and the answer must be what the route's rule says:
 *
 * - public, contributor, node, sign-in and fallback routes answer every caller alike (a staff
 *   session grants nothing there, and its absence refuses nothing);
 * - session routes answer any signed-in staff member, and 401 staff_sign_in_required to the rest;
 * - staff routes answer the roles (and, for a teacher, the campaigns) the policy allows, 403
 *   forbidden — with an audit entry — to other staff, and 401 staff_sign_in_required to the rest.
 *
 * Contributors are anonymous today (no signatures yet), so the contributor rows are requests
 * without a staff session; the `Principal` type (context.ts) is where contributor keys will go.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { Contribution, ErrorBody, type Role, type StaffRole } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { createApp } from '../server/app.ts';
import { NO_RATE_LIMITS } from '../server/ratelimit.ts';
import { ModelStore, modelsRoot } from '../models/store.ts';
import { onnxRuntimeWebFiles } from '../models/http.ts';
import { idiom, person } from '../../test/support/contributions.ts';
import { signedHeader } from '../../test/support/device-requests.ts';
import type { ContributorSigner } from '../trust/contributors.ts';
import { KyselyStaffStore } from './store.ts';
import { newToken, tokenHash } from './tokens.ts';
import { allowed } from './policy.ts';
import { ROUTE_TABLE, ruleFor, tableKey, type Rule } from './routes.table.ts';

const FAST_SCRYPT = { logN: 10, r: 8, p: 1 };
const ORIGIN = 'http://localhost';

type Caller = 'anonymous' | 'contributor' | 'another contributor' | 'ineligible reviewer' | 'teacher' | 'librarian' | 'steward' | 'revoked session' | 'forged session';
const CALLERS: Caller[] = ['anonymous', 'contributor', 'another contributor', 'ineligible reviewer', 'teacher', 'librarian', 'steward', 'revoked session', 'forged session'];
const STAFF: Partial<Record<Caller, StaffRole>> = { teacher: 'teacher', librarian: 'librarian', steward: 'steward' };

interface World {
  app: Hono;
  store: Store;
  staff: KyselyStaffStore;
  dir: string;
  cookies: Partial<Record<Caller, string>>;
  users: Partial<Record<Caller, { id: string; role: StaffRole; campaigns: string[]; state: 'active' }>>;
  items: { own: string; other: string };
  joinCode: string;
  target: string;
}

async function world(role: Role): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), `vernacular-routes-${role}-`));
  const store = await openStore({ dataDir: dir });
  const models = { models: new ModelStore(modelsRoot(dir)), runtime: await onnxRuntimeWebFiles() };
  // Rate limits are not this test's subject (ratelimit.test.ts): some 900 requests from one caller.
  const app = createApp({ store, role, version: '0.0.0-test', webRoot: join(dir, 'web'), models, staff: { scrypt: FAST_SCRYPT }, rateLimits: NO_RATE_LIMITS });
  const base = { description: '', languages: ['sw'], kinds: ['idiom' as const], goals: [], licence: 'CC0-1.0' as const, consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 } };
  const own = await store.saveCampaign({ ...base, slug: 'class-7b', title: 'Class 7B', visibility: 'unlisted' });
  await store.saveCampaign({ ...base, slug: 'library-drive', title: 'Library drive' });
  const ownItem = idiom({ campaign: 'class-7b' });
  const otherItem = idiom({ campaign: 'library-drive' });
  await store.ingest('6f1c1d7e-3d5b-4a53-9d0e-1f2a3b4c5d6e', [ownItem, otherItem].map((i) => Contribution.parse(i)));

  const staff = new KyselyStaffStore(store.db);
  const cookies: World['cookies'] = {};
  const users: World['users'] = {};
  const signedIn = async (name: string, r: StaffRole, campaigns: string[] = []) => {
    const user = await staff.addUser({ name, role: r, campaigns, createdBy: 'cli' });
    const link = newToken();
    await staff.createLink(user.id, tokenHash(link), new Date(Date.now() + 60_000));
    const token = newToken();
    await staff.welcome(tokenHash(link), { passphrase: 'not-used' }, { tokenHash: tokenHash(token), expiresAt: new Date(Date.now() + 3_600_000), address: 'test' });
    return { user: { id: user.id, role: r, campaigns, state: 'active' as const }, token };
  };
  for (const [caller, r] of Object.entries(STAFF) as [Caller, StaffRole][]) {
    const { user, token } = await signedIn(`The ${caller}`, r, r === 'teacher' ? ['class-7b'] : []);
    users[caller] = user;
    cookies[caller] = token;
  }
  const revoked = await signedIn('Revoked librarian', 'librarian');
  await staff.revokeSession(tokenHash(revoked.token));
  cookies['revoked session'] = revoked.token;
  cookies['forged session'] = newToken();
  const target = await staff.addUser({ name: 'Someone to manage', role: 'teacher', campaigns: [], createdBy: 'cli' });
  return { app, store, staff, dir, cookies, users, items: { own: ownItem.id, other: otherItem.id }, joinCode: own.joinCode, target: target.id };
}

interface Example {
  method: string;
  path: string;
  /** The campaign the request acts on, for a teacher's scope. */
  campaign?: string;
  body?: string;
}

/** Concrete requests for a registered route: for campaign-scoped routes, one on the teacher's class and one on another campaign. */
function examples(w: World, method: string, path: string): Example[] {
  const send = method === 'ALL' ? 'PUT' : method;
  const body = send === 'POST' || send === 'PATCH' || send === 'PUT' ? '{}' : undefined;
  const fill = (campaign: 'own' | 'other') => {
    const slug = campaign === 'own' ? 'class-7b' : 'library-drive';
    return path
      .replace(/^\/\*$/, '/some/page')
      .replace(/\/\*$/, '/x')
      .replace(':slug', slug)
      .replace(':code', w.joinCode)
      .replace(':campaign', 'general')
      .replace(':token', newToken())
      .replace(':revision', 'main')
      .replace(':file', 'ort.wasm')
      .replace(/\/items\/:id/, `/items/${campaign === 'own' ? w.items.own : w.items.other}`)
      .replace(/\/users\/:id/, `/users/${w.target}`)
      .replace(':id', 'tiny');
  };
  const scoped = path.includes(':slug') || path.includes('/items/:id');
  const one = (c: 'own' | 'other'): Example => ({ method: send, path: fill(c), ...(scoped ? { campaign: c === 'own' ? 'class-7b' : 'library-drive' } : {}), ...(body !== undefined ? { body } : {}) });
  return scoped ? [one('own'), one('other')] : [one('own')];
}

/** The contributor callers' keys: they sign every request as the app does (only signed routes look). */
const KEYS: Partial<Record<Caller, ContributorSigner>> = { contributor: person(), 'another contributor': person(), 'ineligible reviewer': person() };

async function call(w: World, caller: Caller, ex: Example): Promise<{ status: number; code: string | undefined }> {
  const headers: Record<string, string> = { host: 'localhost', origin: ORIGIN };
  if (ex.body !== undefined) headers['content-type'] = 'application/json';
  const key = KEYS[caller];
  if (key !== undefined) headers.authorization = signedHeader(key, ex.method, ex.path, ex.body ?? '');
  let token = w.cookies[caller];
  // Signing out ends the session: each caller signs out a fresh one of their own.
  if (ex.method === 'DELETE' && ex.path === '/api/v1/staff/session' && w.users[caller] !== undefined) {
    token = newToken();
    await w.staff.openSession(w.users[caller]!.id, { tokenHash: tokenHash(token), expiresAt: new Date(Date.now() + 3_600_000), address: 'test' });
  }
  if (token !== undefined) headers.cookie = `__Host-vernacular-staff=${token}`;
  const res = await w.app.request(`${ORIGIN}${ex.path}`, { method: ex.method, headers, ...(ex.body !== undefined ? { body: ex.body } : {}) });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = ErrorBody.safeParse(JSON.parse(text)).data?.error.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code };
}

const STAFF_REFUSALS = new Set(['staff_sign_in_required', 'forbidden', 'cross_origin']);

for (const role of ['node', 'hub'] as const) {
  describe(`the route table on a ${role}`, () => {
    let w: World;
    beforeAll(async () => {
      w = await world(role);
    });
    afterAll(async () => {
      await w?.store.close();
      if (w) rmSync(w.dir, { recursive: true, force: true });
    });

    it('has a rule for every route the server registers', () => {
      const missing = w.app.routes.filter((r) => ruleFor(r.method, r.path) === undefined).map((r) => `${r.method} ${r.path}`);
      expect(missing).toEqual([]);
    });

    it('gives every caller the answer the route’s rule says', async () => {
      const seen = new Set<string>();
      const wrong: string[] = [];
      for (const route of w.app.routes) {
        const rule = ruleFor(route.method, route.path)!;
        const key = `${route.method} ${route.path}`;
        if (seen.has(key)) continue; // a path with middleware and a handler is listed twice
        seen.add(key);
        for (const ex of examples(w, route.method, route.path)) {
          const anonymous = await call(w, 'anonymous', ex);
          for (const caller of CALLERS) {
            const got = await call(w, caller, ex);
            const expected = expectation(rule, w.users[caller], role, ex.campaign, anonymous, KEYS[caller] !== undefined);
            const ok = expected === 'allowed' ? got.status !== 401 && got.status !== 403 && !STAFF_REFUSALS.has(got.code ?? '') : got.status === expected.status && got.code === expected.code;
            if (!ok) wrong.push(`${ex.method} ${ex.path} as ${caller}: got ${got.status} ${got.code ?? ''}, expected ${expected === 'allowed' ? 'allowed' : `${expected.status} ${expected.code ?? ''}`}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });

    it('logs every refusal of a signed-in staff member, with who, what and the code', async () => {
      const { entries } = await w.staff.audit({ limit: 500 });
      const denied = entries.filter((e) => e.outcome === 'denied');
      expect(denied.length).toBeGreaterThan(5);
      for (const e of denied) {
        expect(e.code).toBe('forbidden');
        expect(e.actor.kind).toBe('staff');
        expect(e.actor.id).toBeDefined();
      }
      const teacher = w.users.teacher!.id;
      expect(denied.some((e) => e.actor.id === teacher && e.action === 'campaign_update' && e.target === 'library-drive')).toBe(true);
      expect(denied.some((e) => e.actor.id === teacher && e.action === 'audit_read')).toBe(true);
      const outsider = role === 'node' ? w.users.steward!.id : w.users.librarian!.id;
      expect(denied.some((e) => e.actor.id === outsider && e.action === 'users_read')).toBe(true);
    });

    if (role === 'hub') {
      // A hub serves every route a node does and more: a rule none of its routes uses is stale.
      it('has no rule for a route that does not exist', () => {
        const used = new Set(w.app.routes.map((r) => `${tableKey(r.path)} ${r.method}`));
        const stale = Object.entries(ROUTE_TABLE).flatMap(([path, rules]) => Object.keys(rules).map((m) => `${path} ${m}`)).filter((k) => !used.has(k));
        expect(stale).toEqual([]);
      });
    }
  });
}

type Answer = { status: number; code: string | undefined };

function expectation(rule: Rule, user: World['users'][Caller], server: Role, campaign: string | undefined, anonymous: Answer, hasKey: boolean): 'allowed' | Answer {
  const signedIn = user !== undefined;
  switch (rule.access) {
    case 'public':
    case 'contributor':
    case 'node':
    case 'sign-in':
    case 'fallback':
      // Everyone alike, and never a staff refusal.
      return STAFF_REFUSALS.has(anonymous.code ?? '') ? { status: 0, code: 'a staff refusal on a non-staff route' } : anonymous;
    case 'signed':
      // Only a contributor's own signature opens it; a staff session is not one.
      return hasKey ? 'allowed' : { status: 401, code: 'unauthenticated' };
    case 'session':
      return signedIn ? 'allowed' : { status: 401, code: 'staff_sign_in_required' };
    case 'staff':
      if (!signedIn) return { status: 401, code: 'staff_sign_in_required' };
      return allowed(user, server, { roles: rule.roles, campaign: rule.scope === 'campaign' ? campaign : undefined }) ? 'allowed' : { status: 403, code: 'forbidden' };
  }
}
