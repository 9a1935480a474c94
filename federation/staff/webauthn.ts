/**
 * Passkeys (WebAuthn) through @simplewebauthn/server. The relying party is the host the app is
 * served from (its name without the port: `localhost` in tests, the node's LAN name later) and
 * the expected origin is the page's own (the request's Origin, already checked against Host).
 *
 * Registration (from a one-time link) and sign-in both need user verification and a discoverable
 * credential, so signing in asks for no name. Each challenge is stored, single-use and valid five
 * minutes; the challenge a response answers is read from its clientDataJSON and must be one this
 * server handed out for that purpose (and, for registration, to that account).
 */
import type { Context } from 'hono';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { z } from 'zod';
import type { PasskeyAssertion, PasskeyRegistration, StaffUser } from '../protocol/index.ts';
import { ApiError } from '../server/errors.ts';
import { clientAddress, type StaffKit } from './context.ts';
import type { StoredPasskey } from './store.ts';

export const RP_NAME = 'Vernacular';
const CHALLENGE_MS = 5 * 60_000;

export function relyingParty(c: Context): { rpID: string; origin: string } {
  const host = c.req.header('host') ?? '';
  const origin = c.req.header('origin') ?? '';
  let rpID: string;
  try {
    rpID = new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    throw new ApiError(400, 'invalid_request', 'No usable Host header');
  }
  return { rpID, origin };
}

/** Refuses a client that asked for too many challenges lately (each is stored until it expires). */
function allowChallenge(kit: StaffKit, c: Context): void {
  if (!kit.throttle.challenge(clientAddress(c))) {
    throw new ApiError(429, 'too_many_attempts', 'Too many passkey attempts from this address; try again later', { retryAfter: Math.ceil(kit.throttle.limits.windowMs / 1000) });
  }
}

const rejected = (why: string) => new ApiError(400, 'passkey_rejected', `The passkey was not accepted: ${why}`);

/** The challenge a WebAuthn response answers, from its clientDataJSON. */
function challengeOf(clientDataJSON: string): string {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    if (typeof data.challenge === 'string' && data.challenge.length > 0 && data.challenge.length < 512) return data.challenge;
  } catch {
    // fall through
  }
  throw rejected('clientDataJSON is not readable');
}

export async function registrationOptions(kit: StaffKit, c: Context, user: StaffUser) {
  allowChallenge(kit, c);
  const { rpID } = relyingParty(c);
  const existing = await kit.store.passkeyIds(user.id);
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID,
    userName: user.name,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    excludeCredentials: existing.map((id) => ({ id })),
  });
  await kit.store.saveChallenge(options.challenge, 'register', user.id, new Date(kit.now().getTime() + CHALLENGE_MS));
  return options;
}

export async function verifyRegistration(
  kit: StaffKit,
  c: Context,
  user: StaffUser,
  response: z.output<typeof PasskeyRegistration>,
): Promise<Omit<StoredPasskey, 'userId'>> {
  const { rpID, origin } = relyingParty(c);
  const challenge = challengeOf(response.response.clientDataJSON);
  const taken = await kit.store.takeChallenge(challenge, 'register', kit.now());
  if (taken === undefined || taken.userId !== user.id) throw rejected('the challenge is unknown, used or expired');
  let verified;
  try {
    verified = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true });
  } catch (e) {
    throw rejected((e as Error).message);
  }
  if (!verified.verified) throw rejected('the attestation does not verify');
  const { credential } = verified.registrationInfo;
  if ((await kit.store.passkey(credential.id)) !== undefined) throw rejected('this passkey is already registered');
  return {
    id: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: (credential.transports ?? []).slice(0, 10),
  };
}

export async function authenticationOptions(kit: StaffKit, c: Context) {
  allowChallenge(kit, c);
  const { rpID } = relyingParty(c);
  const options = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
  await kit.store.saveChallenge(options.challenge, 'authenticate', null, new Date(kit.now().getTime() + CHALLENGE_MS));
  return options;
}

/** The passkey that signed, once its assertion verified; null for an unknown credential or a bad signature. */
export async function verifyAssertion(kit: StaffKit, c: Context, response: z.output<typeof PasskeyAssertion>): Promise<StoredPasskey | null> {
  const { rpID, origin } = relyingParty(c);
  const challenge = challengeOf(response.response.clientDataJSON);
  if ((await kit.store.takeChallenge(challenge, 'authenticate', kit.now())) === undefined) throw rejected('the challenge is unknown, used or expired');
  const passkey = await kit.store.passkey(response.id);
  if (passkey === undefined) return null;
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: { id: passkey.id, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: passkey.counter, transports: passkey.transports },
      requireUserVerification: true,
    });
    if (!result.verified) return null;
    await kit.store.usedPasskey(passkey.id, result.authenticationInfo.newCounter, kit.now());
    return passkey;
  } catch {
    return null;
  }
}
