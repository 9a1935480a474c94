/**
 * Signing in and out. A one-time link (from `vernacular user add` or a librarian) sets a
 * passphrase or registers a passkey and signs in; afterwards either signs in again. Every sign-in
 * gets a new session token (the one the browser held is ended), in a `__Host-` cookie.
 *
 * A failed sign-in says only `invalid_credentials` — never whether the name exists — and takes
 * as long either way (an unknown name still costs one scrypt); failures are counted per name and
 * per address (throttle.ts) and written to the audit log.
 */
import type { Context, Hono } from 'hono';
import {
  PASSPHRASE_MIN,
  PassphraseSet,
  PassphraseSignIn,
  PasskeyAssertion,
  PasskeyRegistration,
  type StaffUser,
  type WelcomeInfo,
} from '../../protocol/index.ts';
import { z } from 'zod';
import { ApiError } from '../../server/errors.ts';
import {
  actorOf,
  audit,
  clearSessionCookie,
  clientAddress,
  kitOf,
  presentedSession,
  sessionView,
  startSession,
  type StaffKit,
} from '../context.ts';
import { decoyRecord, hashPassphrase, passphraseProblem, verifyPassphrase } from '../passphrase.ts';
import { nameKey, type WelcomeCredential } from '../store.ts';
import { TOKEN_PATTERN, tokenHash } from '../tokens.ts';
import { authenticationOptions, registrationOptions, verifyAssertion, verifyRegistration } from '../webauthn.ts';
import { signInPath, staffPath } from './route.ts';
import { staffBody } from './body.ts';

const invalidLink = () => new ApiError(403, 'invalid_sign_in_link', 'This sign-in link is unknown, used or expired; ask for a new one');
const invalidCredentials = () => new ApiError(401, 'invalid_credentials', 'Sign-in failed: check the name and passphrase, or the passkey');

const PasskeySignIn = z.object({ response: PasskeyAssertion }).strict();
const PasskeyRegister = z.object({ response: PasskeyRegistration }).strict();

async function linkUser(c: Context): Promise<{ user: StaffUser; hash: string; expiresAt: string }> {
  const token = c.req.param('token') ?? '';
  if (!TOKEN_PATTERN.test(token)) throw invalidLink();
  const hash = tokenHash(token);
  const found = await kitOf(c).store.linkUser(hash, kitOf(c).now());
  if (found === undefined) throw invalidLink();
  return { ...found, hash };
}

/** Spends the link on the credential and answers with the new session (or invalid_sign_in_link). */
async function welcome(c: Context, kit: StaffKit, hash: string, credential: WelcomeCredential): Promise<Response> {
  const { result: user, expiresAt } = await startSession(c, (session) => kit.store.welcome(hash, credential, session, kit.now()));
  if (user === undefined) throw invalidLink();
  await audit(c, { kind: 'staff', id: user.id, name: user.name, role: user.role }, { action: 'welcome', target: user.id, details: { credential: 'passphrase' in credential ? 'passphrase' : 'passkey' } });
  return c.json(sessionView(kit, user, expiresAt));
}

async function signedIn(c: Context, kit: StaffKit, user: StaffUser, method: 'passphrase' | 'passkey'): Promise<Response> {
  const replacing = presentedSession(c);
  const { expiresAt } = await startSession(c, async (session) => {
    await kit.store.openSession(user.id, session, replacing, kit.now());
    return true;
  });
  const fresh = (await kit.store.user(user.id))!;
  await audit(c, { kind: 'staff', id: user.id, name: user.name, role: user.role }, { action: 'sign_in', target: user.id, details: { method } });
  return c.json(sessionView(kit, fresh, expiresAt));
}

export function authRoutes(app: Hono): void {
  signInPath(app, '/api/v1/staff/session/passphrase', {
    POST: async (c) => {
      const kit = kitOf(c);
      const { name, passphrase } = await staffBody(c, PassphraseSignIn);
      const key = nameKey(name);
      const address = clientAddress(c);
      const wait = kit.throttle.retryAfter(key, address);
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        throw new ApiError(429, 'too_many_attempts', `Too many failed sign-ins; try again in ${wait} s`, { retryAfter: wait });
      }
      const found = await kit.store.credentials(name);
      const usable = found !== undefined && found.user.state === 'active' && found.passphrase !== null;
      const ok = await verifyPassphrase(passphrase, usable ? found.passphrase! : decoyRecord(kit.scrypt));
      if (!ok || !usable) {
        kit.throttle.failed(key, address);
        const actor = found !== undefined ? { kind: 'staff' as const, id: found.user.id, name: found.user.name, role: found.user.role } : { kind: 'unknown' as const, name: name.slice(0, 80) };
        await audit(c, actor, { action: 'sign_in', outcome: 'failed', code: 'invalid_credentials', details: { method: 'passphrase' } });
        throw invalidCredentials();
      }
      kit.throttle.succeeded(key);
      return signedIn(c, kit, found.user, 'passphrase');
    },
  });

  signInPath(app, '/api/v1/staff/session/passkey/options', {
    POST: async (c) => c.json(await authenticationOptions(kitOf(c), c)),
  });

  signInPath(app, '/api/v1/staff/session/passkey', {
    POST: async (c) => {
      const kit = kitOf(c);
      const { response } = await staffBody(c, PasskeySignIn);
      const passkey = await verifyAssertion(kit, c, response);
      const user = passkey === null ? undefined : await kit.store.user(passkey.userId);
      if (user === undefined || user.state !== 'active') {
        await audit(c, user !== undefined ? { kind: 'staff', id: user.id, name: user.name, role: user.role } : { kind: 'unknown' }, { action: 'sign_in', outcome: 'failed', code: 'invalid_credentials', details: { method: 'passkey' } });
        throw invalidCredentials();
      }
      return signedIn(c, kit, user, 'passkey');
    },
  });

  staffPath(app, '/api/v1/staff/session', {
    GET: async (c, who) => c.json(sessionView(kitOf(c), who.user, who.session.expiresAt)),
    DELETE: async (c, who) => {
      await kitOf(c).store.revokeSession(who.session.tokenHash, kitOf(c).now());
      clearSessionCookie(c);
      await audit(c, actorOf(who), { action: 'sign_out', target: who.user.id });
      return c.body(null, 204);
    },
  });

  signInPath(app, '/api/v1/staff/welcome/:token', {
    GET: async (c) => {
      const { user, expiresAt } = await linkUser(c);
      const info: WelcomeInfo = { name: user.name, role: user.role, expiresAt };
      return c.json(info);
    },
  });

  signInPath(app, '/api/v1/staff/welcome/:token/passphrase', {
    POST: async (c) => {
      const kit = kitOf(c);
      const { hash } = await linkUser(c);
      const { passphrase } = await staffBody(c, PassphraseSet);
      const problem = passphraseProblem(passphrase);
      if (problem === 'passphrase_too_short') throw new ApiError(400, problem, `The passphrase is too short: at least ${PASSPHRASE_MIN} characters`, { min: PASSPHRASE_MIN });
      if (problem === 'passphrase_common') throw new ApiError(400, problem, 'That passphrase is too common; choose another');
      return welcome(c, kit, hash, { passphrase: await hashPassphrase(passphrase, kit.scrypt) });
    },
  });

  signInPath(app, '/api/v1/staff/welcome/:token/passkey/options', {
    POST: async (c) => {
      const { user } = await linkUser(c);
      return c.json(await registrationOptions(kitOf(c), c, user));
    },
  });

  signInPath(app, '/api/v1/staff/welcome/:token/passkey', {
    POST: async (c) => {
      const kit = kitOf(c);
      const { user, hash } = await linkUser(c);
      const { response } = await staffBody(c, PasskeyRegister);
      const passkey = await verifyRegistration(kit, c, user, response);
      return welcome(c, kit, hash, { passkey });
    },
  });
}
