/**
 * Kiosk mode for a library's shared tablets: a signed-in librarian or teacher turns the device into
 * a kiosk for one campaign. Each visitor agrees and gets a fresh key; ending the visit ("I'm done",
 * or no touch for `idleMs`) retires their key and forgets everything of theirs on the device
 * except their unsent items, which stay in the outbox and are signed with their retired key when
 * sent; a retired key is deleted once none of its items wait.
 */
import type { Outbox } from './outbox/outbox.ts';
import type { StoredKey } from './keys.ts';

export interface KioskSettings {
  campaign: string;
  /** Who turned it on (the staff member's name), and when. */
  startedBy: string;
  startedAt: number;
  /** A visit ends after this long without a touch or key press (a warning comes first). */
  idleMs: number;
}

export const KIOSK_IDLE_CHOICES_MIN = [2, 5, 10, 20] as const;
/** How long "Are you still there?" waits before the visit ends. */
export const KIOSK_WARNING_MS = 30_000;

const KIOSK = 'kiosk';
const RETIRED = 'retiredKeys';

export async function loadKiosk(outbox: Outbox): Promise<KioskSettings | undefined> {
  return (await outbox.getMeta<KioskSettings>(KIOSK)) ?? undefined;
}

export async function saveKiosk(outbox: Outbox, settings: KioskSettings | undefined): Promise<void> {
  await outbox.setMeta(KIOSK, settings);
}

export async function retiredKeys(outbox: Outbox): Promise<StoredKey[]> {
  return (await outbox.getMeta<StoredKey[]>(RETIRED)) ?? [];
}

/** Keeps `key` for signing its items still waiting in the outbox. */
export async function retireKey(outbox: Outbox, key: StoredKey): Promise<void> {
  const held = await retiredKeys(outbox);
  if (!held.some((k) => k.key === key.key)) await outbox.setMeta(RETIRED, [...held, key]);
}

/** Deletes the retired keys none of whose items wait any more; answers those kept. */
export async function pruneRetired(outbox: Outbox, waitingKeys: ReadonlySet<string>): Promise<StoredKey[]> {
  const held = await retiredKeys(outbox);
  const kept = held.filter((k) => waitingKeys.has(k.key));
  if (kept.length !== held.length) await outbox.setMeta(RETIRED, kept);
  return kept;
}
