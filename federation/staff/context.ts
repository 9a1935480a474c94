/**
 * Staff authority for any route: who is asking (the `Principal`), `requireStaff` to demand a role
 * (and a campaign, for a teacher), `audit` to record what staff did, and the session cookie.
 *
 * How another route uses it (the lead's reviewer credentials, a glossary revert, a steward's
 * withdrawal on a contributor's behalf…):
 *
 *   const who = await requireStaff(c, { action: 'campaign_update', roles: OPERATORS, campaign: slug });
 *   …do the work…
 *   await audit(c, who, { action: 'campaign_update', target: slug });
 *
 * `requireStaff` answers 401 staff_sign_in_required without a valid session, 403 cross_origin for a
 * state-changing request from another origin, and 403 forbidden (written to the audit log) when
 * the role or scope does not cover the action. The session is found once per request and cached.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AuditAction, AuditOutcome, Role, StaffRole, StaffSession } from '../protocol/index.ts';
import { ApiError } from '../server/errors.ts';
import type { AuditActor, NewSession, StaffStore, ValidSession } from './store.ts';
import { allowed, hasAuthority } from './policy.ts';
import { newToken, TOKEN_PATTERN, tokenHash } from './tokens.ts';
import { type ScryptParams, OWASP_SCRYPT } from './passphrase.ts';
import { DEFAULT_THROTTLE, SignInThrottle, type ThrottleLimits } from './throttle.ts';

export interface StaffOptions {
  /** A session ends after this long without a request (default 12 h). */
  idleMinutes?: number;
  /** …and this long after sign-in in any case (default 7 days). */
  lifetimeHours?: number;
  /** How long a one-time sign-in link works (default 72 h). */
  linkHours?: number;
  scrypt?: ScryptParams;
  throttle?: ThrottleLimits;
  now?: () => Date;
}

/** What the staff routes share, set on every API request's context (no module-level state). */
export interface StaffKit {
  store: StaffStore;
  server: Role;
  idleMs: number;
  lifetimeMs: number;
  linkMs: number;
  scrypt: ScryptParams;
  throttle: SignInThrottle;
  now: () => Date;
}

export function staffKit(store: StaffStore, server: Role, options: StaffOptions = {}): StaffKit {
  const now = options.now ?? (() => new Date());
  return {
    store,
    server,
    idleMs: (options.idleMinutes ?? 12 * 60) * 60_000,
    lifetimeMs: (options.lifetimeHours ?? 7 * 24) * 3_600_000,
    linkMs: (options.linkHours ?? 72) * 3_600_000,
    scrypt: options.scrypt ?? OWASP_SCRYPT,
    throttle: new SignInThrottle(options.throttle ?? DEFAULT_THROTTLE, () => now().getTime()),
    now,
  };
}

export type StaffPrincipal = { kind: 'staff'; user: ValidSession['user']; session: ValidSession };
/**
 * Who sent a request, as far as staff authority goes: a staff session, or nobody. A contributor is
 * known only from their signature, on the routes that ask for one (server/device-auth.ts).
 */
export type Principal = { kind: 'anonymous' } | StaffPrincipal;

declare module 'hono' {
  interface ContextVariableMap {
    staffKit: StaffKit;
    principal: Principal;
  }
}

export const staffContext = (kit: StaffKit): MiddlewareHandler => async (c, next) => {
  c.set('staffKit', kit);
  await next();
};

export function kitOf(c: Context): StaffKit {
  const kit = c.get('staffKit');
  if (kit === undefined) throw new Error('staffContext middleware is not installed on this route');
  return kit;
}

/** Sent as `__Host-vernacular-staff`: Secure, Path=/, no Domain — only this exact origin gets it. */
export const SESSION_COOKIE = 'vernacular-staff';
/** A session's last use is written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60_000;

const sessionToken = (c: Context): string | undefined => {
  const token = getCookie(c, SESSION_COOKIE, 'host');
  return token !== undefined && TOKEN_PATTERN.test(token) ? token : undefined;
};

export async function principalOf(c: Context): Promise<Principal> {
  const cached = c.get('principal');
  if (cached !== undefined) return cached;
  const kit = kitOf(c);
  const token = sessionToken(c);
  let principal: Principal = { kind: 'anonymous' };
  if (token !== undefined) {
    const now = kit.now();
    const session = await kit.store.session(tokenHash(token), kit.idleMs, now);
    if (session !== undefined) {
      if (now.getTime() - Date.parse(session.lastSeenAt) > TOUCH_EVERY_MS) await kit.store.touchSession(session.tokenHash, now);
      principal = { kind: 'staff', user: session.user, session };
    }
  }
  c.set('principal', principal);
  return principal;
}

/** The client's address as the socket saw it ('unknown' where there is no socket, as in tests). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence beside SameSite=Strict: a state-changing request must carry an Origin whose host
 * is the one it was sent to (and, where the browser says, be same-origin).
 */
export function checkOrigin(c: Context): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header('origin');
  const host = c.req.header('host');
  const site = c.req.header('sec-fetch-site');
  let ok = origin !== undefined && host !== undefined && (site === undefined || site === 'same-origin');
  if (ok) {
    try {
      const url = new URL(origin!);
      ok = (url.protocol === 'https:' || url.protocol === 'http:') && url.host === host;
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new ApiError(403, 'cross_origin', 'Staff changes are accepted only from pages of this server');
}

export const actorOf = (who: StaffPrincipal): AuditActor => ({ kind: 'staff', id: who.user.id, name: who.user.name, role: who.user.role });

export interface AuditFacts {
  action: AuditAction;
  target?: string | null;
  outcome?: AuditOutcome;
  code?: string | null;
  details?: Record<string, unknown>;
}

/** Writes one audit entry: who (a principal or another actor), what, when (now), from where. */
export async function audit(c: Context, who: StaffPrincipal | AuditActor, facts: AuditFacts): Promise<void> {
  const kit = kitOf(c);
  const actor = 'user' in who ? actorOf(who) : who;
  await kit.store.appendAudit(
    {
      actor,
      action: facts.action,
      target: facts.target ?? null,
      outcome: facts.outcome ?? 'ok',
      code: facts.code ?? null,
      from: clientAddress(c),
      ...(facts.details !== undefined ? { details: facts.details } : {}),
    },
    kit.now(),
  );
}

/** Any signed-in staff member (their own session: who am I, sign out). */
export async function requireSession(c: Context): Promise<StaffPrincipal> {
  checkOrigin(c);
  const who = await principalOf(c);
  if (who.kind !== 'staff') throw new ApiError(401, 'staff_sign_in_required', 'Sign in as staff first');
  return who;
}

export interface StaffNeed {
  /** What is attempted, as the audit log names it (a refusal is logged under it). */
  action: AuditAction;
  roles: readonly StaffRole[];
  /** The campaign acted on: a teacher must hold it. */
  campaign?: string | undefined;
  /** Logged with a refusal (a campaign slug, an item id, a user id). */
  target?: string | undefined;
}

export async function requireStaff(c: Context, need: StaffNeed): Promise<StaffPrincipal> {
  const who = await requireSession(c);
  if (!allowed(who.user, kitOf(c).server, need)) {
    const target = need.target ?? need.campaign ?? null;
    await audit(c, who, { action: need.action, target, outcome: 'denied', code: 'forbidden' });
    throw new ApiError(403, 'forbidden', `A ${who.user.role} may not do this here`, { role: who.user.role, action: need.action });
  }
  return who;
}

/**
 * Opens a session after a verified sign-in — a new token every time (rotation: whatever the
 * browser held before is not reused) — and sets its cookie; gives when it ends in any case.
 * `open` stores the session; when it gives undefined (a link already spent) no cookie is set.
 */
export async function startSession<T>(c: Context, open: (session: NewSession) => Promise<T>): Promise<{ result: T; expiresAt: string }> {
  const kit = kitOf(c);
  const token = newToken();
  const expiresAt = new Date(kit.now().getTime() + kit.lifetimeMs);
  const result = await open({ tokenHash: tokenHash(token), expiresAt, address: clientAddress(c) });
  if (result === undefined) return { result, expiresAt: expiresAt.toISOString() };
  setCookie(c, SESSION_COOKIE, token, {
    prefix: 'host',
    secure: true,
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: Math.floor(kit.lifetimeMs / 1000),
  });
  return { result, expiresAt: expiresAt.toISOString() };
}

/** The hash of the session the browser presents now (valid or not), to end it on rotation. */
export function presentedSession(c: Context): string | undefined {
  const token = sessionToken(c);
  return token === undefined ? undefined : tokenHash(token);
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { prefix: 'host', secure: true, path: '/' });
}

export function sessionView(kit: StaffKit, user: StaffPrincipal['user'], expiresAt: string): StaffSession {
  return {
    user,
    server: kit.server,
    authority: hasAuthority(user.role, kit.server),
    idleMinutes: Math.round(kit.idleMs / 60_000),
    expiresAt,
  };
}

/**
 * For a route whose rule has `scope: 'campaign'`: the campaign acted on must be one of a teacher's
 * (librarians and stewards with authority here hold every campaign). A refusal is logged.
 */
export async function requireCampaign(c: Context, who: StaffPrincipal, action: AuditAction, campaign: string): Promise<void> {
  if (allowed(who.user, kitOf(c).server, { roles: [who.user.role], campaign })) return;
  await audit(c, who, { action, target: campaign, outcome: 'denied', code: 'forbidden' });
  throw new ApiError(403, 'forbidden', `Campaign "${campaign}" is not one of yours`, { campaign, action });
}
