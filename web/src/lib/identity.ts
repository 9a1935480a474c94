/**
 * Who is contributing, without an account: a key pair made on the device the first time consent
 * is given (keys.ts), the pseudonymous contributor id derived from its public key, a random device
 * id, and the consent record itself.
 */
import { CONSENT_VERSION, DEFAULT_LICENCE, type Contribution } from '../../../federation/protocol/index.ts';
import type { Outbox } from './outbox/outbox.ts';
import { ContributorKey, generateKey, type StoredKey } from './keys.ts';

export interface Identity {
  /** Derived from `key` (protocol/signing.ts). */
  contributorId: string;
  deviceId: string;
  /** The public key text every item carries. */
  key: string;
}

export interface ConsentRecord {
  version: string;
  licence: Contribution['consent']['licence'];
  ageConfirmed: true;
  acceptedAt: number;
}

const IDENTITY = 'identity';
const CONSENT = 'consent';
const KEY = 'contributorKey';

/** The identity and its signing key, when this device has one. */
export async function loadIdentity(outbox: Outbox): Promise<{ identity: Identity; signer: ContributorKey } | undefined> {
  const [identity, stored] = await Promise.all([outbox.getMeta<Partial<Identity>>(IDENTITY), outbox.getMeta<StoredKey>(KEY)]);
  if (identity?.deviceId === undefined || stored === undefined) return undefined;
  const signer = new ContributorKey(stored);
  return { identity: { contributorId: signer.contributorId, deviceId: identity.deviceId, key: signer.key }, signer };
}

/** The consent on record, if it is for the current consent text. */
export async function loadConsent(outbox: Outbox): Promise<ConsentRecord | undefined> {
  const c = await outbox.getMeta<ConsentRecord>(CONSENT);
  return c && c.version === CONSENT_VERSION ? c : undefined;
}

/**
 * Records consent; the first time (or on a device from before keys), makes the key pair. The
 * device id made earlier is kept.
 */
export async function giveConsent(outbox: Outbox, now = Date.now()): Promise<{ identity: Identity; signer: ContributorKey; consent: ConsentRecord }> {
  const held = await loadIdentity(outbox);
  const consent: ConsentRecord = { version: CONSENT_VERSION, licence: DEFAULT_LICENCE, ageConfirmed: true, acceptedAt: now };
  if (held !== undefined) {
    await outbox.setMeta(CONSENT, consent);
    return { ...held, consent };
  }
  const { identity, signer } = await adoptKey(outbox, await generateKey());
  await outbox.setMeta(CONSENT, consent);
  return { identity, signer, consent };
}

/** Makes `stored` this device's key (a new one, or one restored from a recovery code). */
export async function adoptKey(outbox: Outbox, stored: StoredKey): Promise<{ identity: Identity; signer: ContributorKey }> {
  const previous = await outbox.getMeta<Partial<Identity>>(IDENTITY);
  const signer = new ContributorKey(stored);
  const identity: Identity = { contributorId: signer.contributorId, deviceId: previous?.deviceId ?? crypto.randomUUID(), key: signer.key };
  await outbox.setMeta(KEY, stored);
  await outbox.setMeta(IDENTITY, identity);
  return { identity, signer };
}

/**
 * Forgets who was contributing on this device (a kiosk visit ends): the key, the consent and the
 * visitor's choices. The device id stays (it names the device, not the person). Answers the key
 * that was in use, for kiosk.ts to keep until its waiting items are sent.
 */
export async function forgetContributor(outbox: Outbox, choices: readonly string[]): Promise<StoredKey | undefined> {
  const stored = await outbox.getMeta<StoredKey>(KEY);
  const identity = await outbox.getMeta<Partial<Identity>>(IDENTITY);
  await outbox.setMeta(KEY, undefined);
  await outbox.setMeta(CONSENT, undefined);
  await outbox.setMeta(IDENTITY, identity?.deviceId === undefined ? undefined : { deviceId: identity.deviceId });
  for (const key of choices) await outbox.setMeta(key, undefined);
  return stored;
}
