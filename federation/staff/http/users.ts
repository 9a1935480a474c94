/**
 * Staff accounts through the staff API (what `vernacular user …` does), for librarians on a node
 * and stewards on a hub: list, add (answering the one-time sign-in link), a new link for someone
 * who lost their passkey or passphrase, and revoke (disable, every session ended at once).
 * A librarian may add teachers and librarians, a steward teachers and stewards.
 */
import type { Context, Hono } from 'hono';
import { type SignInLink, StaffUserCreate, type StaffUser, type StaffUserList } from '../../protocol/index.ts';
import type { Store } from '../../store/index.ts';
import { ApiError } from '../../server/errors.ts';
import { audit, kitOf, type StaffKit, type StaffPrincipal } from '../context.ts';
import { mayCreate } from '../policy.ts';
import { StaffStoreError } from '../store.ts';
import { newToken, tokenHash, welcomeLink } from '../tokens.ts';
import { staffPath } from './route.ts';
import { staffBody } from './body.ts';

/** A new one-time link for the account (earlier ones stop working). */
export async function issueLink(kit: StaffKit, user: StaffUser, origin: string): Promise<SignInLink> {
  const token = newToken();
  const expiresAt = new Date(kit.now().getTime() + kit.linkMs);
  await kit.store.createLink(user.id, tokenHash(token), expiresAt, kit.now());
  return { user, link: welcomeLink(origin, token), expiresAt: expiresAt.toISOString() };
}

/** The origin the request was made from (checked against Host before any state-changing handler runs). */
const originOf = (c: Context) => c.req.header('origin') ?? new URL(c.req.url).origin;

async function target(c: Context): Promise<StaffUser> {
  const user = await kitOf(c).store.user(c.req.param('id') ?? '');
  if (user === undefined) throw new ApiError(404, 'not_found', 'No such staff account');
  return user;
}

async function mayManage(c: Context, who: StaffPrincipal, role: StaffUser['role'], action: 'user_add' | 'user_link', name: string): Promise<void> {
  if (mayCreate(who.user.role, kitOf(c).server, role)) return;
  await audit(c, who, { action, target: name, outcome: 'denied', code: 'forbidden', details: { role } });
  throw new ApiError(403, 'forbidden', `A ${who.user.role} may not give accounts the role ${role}`, { role });
}

export function userRoutes(app: Hono, store: Store): void {
  staffPath(app, '/api/v1/staff/users', {
    GET: async (c) => {
      const answer: StaffUserList = { users: await kitOf(c).store.users() };
      return c.json(answer);
    },
    POST: async (c, who) => {
      const kit = kitOf(c);
      const body = await staffBody(c, StaffUserCreate);
      await mayManage(c, who, body.role, 'user_add', body.name);
      if (body.role !== 'teacher' && body.campaigns.length > 0) {
        throw new ApiError(400, 'invalid_request', 'Only a teacher is given campaigns', { field: 'campaigns' });
      }
      for (const slug of body.campaigns) {
        if ((await store.campaign(slug)) === undefined) throw new ApiError(400, 'invalid_request', `No campaign "${slug}" on this node`, { field: 'campaigns' });
      }
      let user: StaffUser;
      try {
        user = await kit.store.addUser({ name: body.name, role: body.role, campaigns: body.campaigns, createdBy: who.user.id }, kit.now());
      } catch (e) {
        if (e instanceof StaffStoreError && e.code === 'already_exists') throw new ApiError(409, 'already_exists', e.message, { field: 'name' });
        throw e;
      }
      const link = await issueLink(kit, user, originOf(c));
      await audit(c, who, { action: 'user_add', target: user.id, details: { name: user.name, role: user.role, campaigns: user.campaigns } });
      return c.json(link, 201);
    },
  });

  staffPath(app, '/api/v1/staff/users/:id/revoke', {
    POST: async (c, who) => {
      const kit = kitOf(c);
      const user = await target(c);
      if (user.id === who.user.id) throw new ApiError(400, 'invalid_request', 'You cannot revoke your own account here; another librarian or steward, or `vernacular user revoke`, can');
      await kit.store.disable(user.id, kit.now());
      await audit(c, who, { action: 'user_revoke', target: user.id, details: { name: user.name, role: user.role } });
      return c.json((await kit.store.user(user.id))!);
    },
  });

  staffPath(app, '/api/v1/staff/users/:id/link', {
    POST: async (c, who) => {
      const kit = kitOf(c);
      const user = await target(c);
      await mayManage(c, who, user.role, 'user_link', user.id);
      if (user.state === 'disabled') throw new ApiError(400, 'invalid_request', 'This account is revoked; add a new one');
      const link = await issueLink(kit, user, originOf(c));
      await audit(c, who, { action: 'user_link', target: user.id, details: { name: user.name } });
      return c.json(link, 201);
    },
  });
}
