/**
 * Who is contributing, without an account: a random pseudonymous contributor id and a device id,
 * both made on the device the first time consent is given, plus the consent record itself.
 */
import { CONSENT_VERSION, DEFAULT_LICENCE, type Contribution } from '../../../federation/protocol/index.ts';
import type { Outbox } from './outbox/outbox.ts';

export interface Identity {
  contributorId: string;
  deviceId: string;
}

export interface ConsentRecord {
  version: string;
  licence: Contribution['consent']['licence'];
  ageConfirmed: true;
  acceptedAt: number;
}

const IDENTITY = 'identity';
const CONSENT = 'consent';

export async function loadIdentity(outbox: Outbox): Promise<Identity | undefined> {
  return outbox.getMeta<Identity>(IDENTITY);
}

/** The consent on record, if it is for the current consent text. */
export async function loadConsent(outbox: Outbox): Promise<ConsentRecord | undefined> {
  const c = await outbox.getMeta<ConsentRecord>(CONSENT);
  return c && c.version === CONSENT_VERSION ? c : undefined;
}

export async function giveConsent(outbox: Outbox, now = Date.now()): Promise<{ identity: Identity; consent: ConsentRecord }> {
  const identity = (await loadIdentity(outbox)) ?? { contributorId: crypto.randomUUID(), deviceId: crypto.randomUUID() };
  const consent: ConsentRecord = { version: CONSENT_VERSION, licence: DEFAULT_LICENCE, ageConfirmed: true, acceptedAt: now };
  await outbox.setMeta(IDENTITY, identity);
  await outbox.setMeta(CONSENT, consent);
  return { identity, consent };
}
