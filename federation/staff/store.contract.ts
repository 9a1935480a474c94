/**
 * The staff store contract, run on every backend (store.sqlite.test.ts, store.postgres.test.ts):
 * accounts, one-time links, sessions and their expiry and revocation, passkeys, challenges and
 * the audit log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import type { StoreHarness } from '../store/store.contract.ts';
import { KyselyStaffStore, StaffStoreError } from './store.ts';
import { newToken, tokenHash } from './tokens.ts';

const T0 = new Date('2031-03-01T08:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;
const session = (token: string, expiresAt = at(24 * HOUR)) => ({ tokenHash: tokenHash(token), expiresAt, address: '192.0.2.7' });

export function staffStoreContract(name: string, harness: () => StoreHarness): void {
  describe(`staff store on ${name}`, () => {
    let h: StoreHarness;
    let main: Store;
    let staff: KyselyStaffStore;
    beforeEach(async () => {
      h = harness();
      main = await h.open();
      staff = new KyselyStaffStore(main.db);
    });
    afterEach(async () => {
      await main.close();
      await h.cleanup();
    });

    const invite = async (name = 'Amina Njeri', role: 'teacher' | 'librarian' | 'steward' = 'librarian') => {
      const user = await staff.addUser({ name, role, campaigns: role === 'teacher' ? ['class-7b'] : [], createdBy: 'cli' }, T0);
      const token = newToken();
      await staff.createLink(user.id, tokenHash(token), at(HOUR), T0);
      return { user, token };
    };

    it('adds an account once per name in any letter case, and finds it by id or name', async () => {
      const { user } = await invite('Amina Njeri', 'teacher');
      expect(user).toMatchObject({ name: 'Amina Njeri', role: 'teacher', state: 'invited', campaigns: ['class-7b'], passphrase: false, passkeys: 0, lastSignInAt: null });
      expect(user.id).toMatch(/^u-[A-Za-z0-9_-]{16}$/);
      await expect(staff.addUser({ name: 'AMINA NJERI', role: 'librarian', campaigns: [], createdBy: 'cli' })).rejects.toBeInstanceOf(StaffStoreError);
      expect((await staff.find('amina njeri'))?.id).toBe(user.id);
      expect((await staff.find(user.id))?.name).toBe('Amina Njeri');
      expect(await staff.find('nobody')).toBeUndefined();
      await staff.grantCampaign(user.id, 'class-8a');
      await staff.grantCampaign(user.id, 'class-8a');
      expect((await staff.user(user.id))?.campaigns).toEqual(['class-7b', 'class-8a']);
    });

    it('spends a sign-in link once: it sets the credential, activates the account and opens a session', async () => {
      const { user, token } = await invite();
      expect((await staff.linkUser(tokenHash(token), T0))?.user.id).toBe(user.id);
      const s1 = newToken();
      const welcomed = await staff.welcome(tokenHash(token), { passphrase: 'scrypt$record' }, session(s1), at(1000));
      expect(welcomed).toMatchObject({ id: user.id, state: 'active', passphrase: true, lastSignInAt: at(1000).toISOString() });
      expect((await staff.credentials('amina njeri'))?.passphrase).toBe('scrypt$record');
      expect((await staff.session(tokenHash(s1), HOUR, at(2000)))?.user.id).toBe(user.id);
      // Spent: neither readable nor usable again.
      expect(await staff.linkUser(tokenHash(token), at(2000))).toBeUndefined();
      expect(await staff.welcome(tokenHash(token), { passphrase: 'other' }, session(newToken()), at(3000))).toBeUndefined();
      expect((await staff.credentials('amina njeri'))?.passphrase).toBe('scrypt$record');
    });

    it('refuses an expired link, a link replaced by a newer one, and a disabled account’s link', async () => {
      const { user, token } = await invite();
      expect(await staff.welcome(tokenHash(token), { passphrase: 'x' }, session(newToken()), at(HOUR + 1))).toBeUndefined();
      const second = newToken();
      await staff.createLink(user.id, tokenHash(second), at(3 * HOUR), at(HOUR));
      const third = newToken();
      await staff.createLink(user.id, tokenHash(third), at(3 * HOUR), at(HOUR));
      expect(await staff.linkUser(tokenHash(second), at(HOUR))).toBeUndefined();
      expect((await staff.linkUser(tokenHash(third), at(HOUR)))?.expiresAt).toBe(at(3 * HOUR).toISOString());
      await staff.disable(user.id, at(HOUR));
      expect(await staff.linkUser(tokenHash(third), at(HOUR))).toBeUndefined();
      expect(await staff.welcome(tokenHash(third), { passphrase: 'x' }, session(newToken()), at(HOUR))).toBeUndefined();
    });

    it('ends a session when idle, past its expiry, signed out, replaced at sign-in, or when its account is disabled', async () => {
      const { user, token } = await invite();
      const first = newToken();
      await staff.welcome(tokenHash(token), { passphrase: 'r' }, session(first, at(10 * HOUR)), T0);
      expect(await staff.session(tokenHash(first), HOUR, at(HOUR - 1))).toBeDefined();
      expect(await staff.session(tokenHash(first), HOUR, at(HOUR + 1))).toBeUndefined();
      await staff.touchSession(tokenHash(first), at(HOUR - 1));
      expect(await staff.session(tokenHash(first), HOUR, at(HOUR + 1))).toBeDefined();
      expect(await staff.session(tokenHash(first), 100 * HOUR, at(10 * HOUR))).toBeUndefined();

      const second = newToken();
      await staff.openSession(user.id, session(second), tokenHash(first), at(2 * HOUR));
      expect(await staff.session(tokenHash(first), 100 * HOUR, at(2 * HOUR))).toBeUndefined();
      expect((await staff.user(user.id))?.lastSignInAt).toBe(at(2 * HOUR).toISOString());
      const third = newToken();
      await staff.openSession(user.id, session(third), undefined, at(2 * HOUR));
      await staff.revokeSession(tokenHash(second), at(2 * HOUR));
      expect(await staff.session(tokenHash(second), HOUR, at(2 * HOUR))).toBeUndefined();
      expect(await staff.session(tokenHash(third), HOUR, at(2 * HOUR))).toBeDefined();
      await staff.disable(user.id, at(2 * HOUR));
      expect(await staff.session(tokenHash(third), HOUR, at(2 * HOUR))).toBeUndefined();
      expect((await staff.user(user.id))?.state).toBe('disabled');
      await expect(staff.disable('u-AAAAAAAAAAAAAAAA')).rejects.toBeInstanceOf(StaffStoreError);
    });

    it('a second welcome from a new link ends every earlier session of the account', async () => {
      const { user, token } = await invite();
      const first = newToken();
      await staff.welcome(tokenHash(token), { passphrase: 'r' }, session(first), T0);
      const again = newToken();
      await staff.createLink(user.id, tokenHash(again), at(HOUR), T0);
      const next = newToken();
      await staff.welcome(tokenHash(again), { passkey: { id: 'cred-1', publicKey: 'pk', counter: 0, transports: ['internal'] } }, session(next), at(1000));
      expect(await staff.session(tokenHash(first), HOUR, at(2000))).toBeUndefined();
      expect(await staff.session(tokenHash(next), HOUR, at(2000))).toBeDefined();
      expect(await staff.passkey('cred-1')).toEqual({ id: 'cred-1', userId: user.id, publicKey: 'pk', counter: 0, transports: ['internal'] });
      await staff.usedPasskey('cred-1', 7, at(3000));
      expect((await staff.passkey('cred-1'))?.counter).toBe(7);
      expect(await staff.passkeyIds(user.id)).toEqual(['cred-1']);
      expect((await staff.user(user.id))?.passkeys).toBe(1);
    });

    it('hands a challenge to exactly one taker, for its purpose, before it expires', async () => {
      const future = new Date(Date.now() + 60_000);
      await staff.saveChallenge('c1', 'authenticate', null, future);
      expect(await staff.takeChallenge('c1', 'register')).toBeUndefined();
      expect(await staff.takeChallenge('c1', 'authenticate')).toEqual({ userId: null });
      expect(await staff.takeChallenge('c1', 'authenticate')).toBeUndefined();
      await staff.saveChallenge('c2', 'register', 'u-x', future);
      expect(await staff.takeChallenge('c2', 'register', new Date(future.getTime() + 1))).toBeUndefined();
    });

    it('keeps the audit log newest first, a page at a time', async () => {
      for (let i = 0; i < 5; i++) {
        await staff.appendAudit({ actor: { kind: 'staff', id: 'u-AAAAAAAAAAAAAAAA', name: 'A', role: 'librarian' }, action: 'campaign_update', target: `c${i}`, outcome: 'ok', from: '192.0.2.1', details: { i } }, at(i));
      }
      await staff.appendAudit({ actor: { kind: 'cli' }, action: 'user_add', outcome: 'ok', from: 'cli' }, at(9));
      await staff.appendAudit({ actor: { kind: 'unknown', name: 'mallory' }, action: 'sign_in', outcome: 'failed', code: 'invalid_credentials', from: '198.51.100.9' }, at(10));
      const first = await staff.audit({ limit: 3 });
      expect(first.entries.map((e) => e.action)).toEqual(['sign_in', 'user_add', 'campaign_update']);
      expect(first.entries[0]).toMatchObject({ actor: { kind: 'unknown', name: 'mallory' }, outcome: 'failed', code: 'invalid_credentials', from: '198.51.100.9', target: null });
      expect(first.entries[1]).toMatchObject({ actor: { kind: 'cli' }, from: 'cli' });
      expect(first.entries[2]).toMatchObject({ actor: { kind: 'staff', name: 'A', role: 'librarian' }, target: 'c4', details: { i: 4 }, at: at(4).toISOString() });
      const second = await staff.audit({ limit: 3, before: first.next! });
      expect(second.entries.map((e) => e.target)).toEqual(['c3', 'c2', 'c1']);
      const last = await staff.audit({ limit: 3, before: second.next! });
      expect(last.entries.map((e) => e.target)).toEqual(['c0']);
      expect(last.next).toBeNull();
    });

    it('stores no token, link or session secret as given', async () => {
      const { token } = await invite();
      const s = newToken();
      await staff.welcome(tokenHash(token), { passphrase: 'scrypt$x' }, session(s), T0);
      const rows = JSON.stringify([
        await staff.db.selectFrom('staff_links').selectAll().execute(),
        await staff.db.selectFrom('staff_sessions').selectAll().execute(),
      ]);
      expect(rows).not.toContain(token);
      expect(rows).not.toContain(s);
      expect(rows).toContain(tokenHash(s));
    });

    it('survives a reopen', async () => {
      const { user } = await invite();
      await main.close();
      main = await h.reopen();
      staff = new KyselyStaffStore(main.db);
      expect((await staff.user(user.id))?.name).toBe('Amina Njeri');
    });
  });
}
