/**
 * The staff store: accounts, a teacher's campaigns, one-time sign-in links, passkeys, WebAuthn
 * challenges, sessions and the audit log (migration 0010), on the main store's connection through
 * Kysely, so the same code runs on SQLite and PostgreSQL.
 *
 * Guarantees:
 * - No secret is stored as given: sign-in links and session tokens are kept as their SHA-256,
 *   passphrases as scrypt records (passphrase.ts). A copy of the database signs nobody in.
 * - A link is spent once: `welcome` spends it, sets the credential, activates the account, ends
 *   every earlier session and opens the new one in ONE transaction.
 * - A session is valid only while not revoked, not idle longer than asked, not past its absolute
 *   expiry, and its user is active: disabling a user ends every session at once.
 * - A WebAuthn challenge is taken (deleted) by the one request that uses it, and only before it expires.
 */
import { randomBytes } from 'node:crypto';
import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { AuditAction, AuditEntry, AuditList, AuditOutcome, StaffRole, StaffState, StaffUser } from '../protocol/index.ts';

export interface StaffUsersTable {
  id: string;
  name: string;
  name_key: string;
  role: string;
  state: string;
  passphrase: string | null;
  created_at: string;
  created_by: string;
  last_sign_in_at: string | null;
}
export interface StaffCampaignsTable {
  user_id: string;
  campaign: string;
}
export interface StaffLinksTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}
export interface StaffPasskeysTable {
  id: string;
  user_id: string;
  public_key: string;
  counter: number | string;
  transports: string;
  created_at: string;
  last_used_at: string | null;
}
export interface StaffChallengesTable {
  challenge: string;
  purpose: string;
  user_id: string | null;
  expires_at: string;
}
export interface StaffSessionsTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  address: string;
}
export interface StaffAuditTable {
  id: Generated<number>;
  at: string;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: string | null;
  action: string;
  target: string | null;
  outcome: string;
  code: string | null;
  source: string;
  details: string | null;
}

export type StaffTables = {
  staff_users: StaffUsersTable;
  staff_campaigns: StaffCampaignsTable;
  staff_links: StaffLinksTable;
  staff_passkeys: StaffPasskeysTable;
  staff_challenges: StaffChallengesTable;
  staff_sessions: StaffSessionsTable;
  staff_audit: StaffAuditTable;
};

/** A refusal the store decides (a taken name); the HTTP layer maps it to its code. */
export class StaffStoreError extends Error {
  constructor(readonly code: 'already_exists' | 'not_found', message: string) {
    super(message);
    this.name = 'StaffStoreError';
  }
}

export interface NewUser {
  name: string;
  role: StaffRole;
  campaigns: readonly string[];
  /** Who made it: a staff user id, or `cli`. */
  createdBy: string;
}

export interface StoredPasskey {
  id: string;
  userId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[];
}

/** A new session: the token's hash, when it stops being valid whatever happens, and from where. */
export interface NewSession {
  tokenHash: string;
  expiresAt: Date;
  address: string;
}

export interface ValidSession {
  user: StaffUser;
  tokenHash: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

/** The credential a one-time link sets. */
export type WelcomeCredential = { passphrase: string } | { passkey: Omit<StoredPasskey, 'userId'> };

export type AuditActor =
  | { kind: 'staff'; id: string; name: string; role: StaffRole }
  | { kind: 'cli' }
  | { kind: 'unknown'; name?: string };

export interface NewAuditEntry {
  actor: AuditActor;
  action: AuditAction;
  target?: string | null;
  outcome: AuditOutcome;
  code?: string | null;
  /** The client's address, or `cli`. */
  from: string;
  details?: Record<string, unknown>;
}

export interface StaffStore {
  addUser(user: NewUser, now?: Date): Promise<StaffUser>;
  user(id: string): Promise<StaffUser | undefined>;
  /** An account by its id or its name (any letter case). */
  find(idOrName: string): Promise<StaffUser | undefined>;
  /** The account and its passphrase record, for sign-in. */
  credentials(name: string): Promise<{ user: StaffUser; passphrase: string | null } | undefined>;
  users(): Promise<StaffUser[]>;
  /** A teacher's new class (or one given to them). */
  grantCampaign(userId: string, campaign: string): Promise<void>;
  /** Disables the account and ends every session of it, in one transaction. */
  disable(userId: string, now?: Date): Promise<void>;

  /** A new one-time link for the account; earlier unspent links of it stop working. */
  createLink(userId: string, tokenHash: string, expiresAt: Date, now?: Date): Promise<void>;
  /** The account of an unspent, unexpired link, and when the link expires (it stays unspent). */
  linkUser(tokenHash: string, now?: Date): Promise<{ user: StaffUser; expiresAt: string } | undefined>;
  /**
   * Spends the link, sets the credential, makes the account active, ends its earlier sessions and
   * opens `session`, all or nothing; undefined when the link is unknown, spent or expired, or the
   * account is disabled.
   */
  welcome(tokenHash: string, credential: WelcomeCredential, session: NewSession, now?: Date): Promise<StaffUser | undefined>;

  passkey(id: string): Promise<StoredPasskey | undefined>;
  passkeyIds(userId: string): Promise<string[]>;
  /** The counter an authenticator reported, after a verified sign-in. */
  usedPasskey(id: string, counter: number, now?: Date): Promise<void>;

  saveChallenge(challenge: string, purpose: string, userId: string | null, expiresAt: Date): Promise<void>;
  /** Deletes and returns the challenge when it exists for this purpose and has not expired. */
  takeChallenge(challenge: string, purpose: string, now?: Date): Promise<{ userId: string | null } | undefined>;

  /**
   * Opens a session for an active account after a verified sign-in (and ends `replacing`, the
   * session the browser held before, if any): one transaction.
   */
  openSession(userId: string, session: NewSession, replacing?: string, now?: Date): Promise<void>;
  /** The session and its user when still valid (idle for less than `idleMs`); its last use is not moved. */
  session(tokenHash: string, idleMs: number, now?: Date): Promise<ValidSession | undefined>;
  touchSession(tokenHash: string, now?: Date): Promise<void>;
  revokeSession(tokenHash: string, now?: Date): Promise<void>;

  appendAudit(entry: NewAuditEntry, now?: Date): Promise<number>;
  /** Newest first; `before` pages back. */
  audit(options: { limit: number; before?: number | undefined }): Promise<AuditList>;
}

/** Names are unique in NFC lower case: "Amina" and "amina" are one person. */
export const nameKey = (name: string) => name.normalize('NFC').trim().toLowerCase();

const newUserId = () => `u-${randomBytes(12).toString('base64url')}`;

type Db = Kysely<StaffTables> | Transaction<StaffTables>;

export class KyselyStaffStore implements StaffStore {
  readonly db: Kysely<StaffTables>;

  constructor(main: Kysely<Database>) {
    this.db = main.withTables<StaffTables>();
  }

  async #toUsers(db: Db, rows: StaffUsersTable[]): Promise<StaffUser[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const campaigns = await db.selectFrom('staff_campaigns').select(['user_id', 'campaign']).where('user_id', 'in', ids).orderBy('campaign').execute();
    const keys = await db.selectFrom('staff_passkeys').select(['user_id']).where('user_id', 'in', ids).execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role as StaffRole,
      state: r.state as StaffState,
      campaigns: campaigns.filter((c) => c.user_id === r.id).map((c) => c.campaign),
      passphrase: r.passphrase !== null,
      passkeys: keys.filter((k) => k.user_id === r.id).length,
      createdAt: r.created_at,
      lastSignInAt: r.last_sign_in_at,
    }));
  }

  async #one(db: Db, row: StaffUsersTable | undefined): Promise<StaffUser | undefined> {
    return row === undefined ? undefined : (await this.#toUsers(db, [row]))[0];
  }

  async addUser(user: NewUser, now = new Date()): Promise<StaffUser> {
    return this.db.transaction().execute(async (trx) => {
      const key = nameKey(user.name);
      const taken = await trx.selectFrom('staff_users').select('id').where('name_key', '=', key).executeTakeFirst();
      if (taken !== undefined) throw new StaffStoreError('already_exists', `A staff account is already called "${user.name}"`);
      const row: StaffUsersTable = {
        id: newUserId(), name: user.name.normalize('NFC').trim(), name_key: key, role: user.role, state: 'invited',
        passphrase: null, created_at: now.toISOString(), created_by: user.createdBy, last_sign_in_at: null,
      };
      await trx.insertInto('staff_users').values(row).execute();
      for (const campaign of new Set(user.campaigns)) await trx.insertInto('staff_campaigns').values({ user_id: row.id, campaign }).execute();
      return (await this.#one(trx, row))!;
    });
  }

  async user(id: string): Promise<StaffUser | undefined> {
    return this.#one(this.db, await this.db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst());
  }

  async find(idOrName: string): Promise<StaffUser | undefined> {
    const row = await this.db
      .selectFrom('staff_users')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name_key', '=', nameKey(idOrName))]))
      .executeTakeFirst();
    return this.#one(this.db, row);
  }

  async credentials(name: string): Promise<{ user: StaffUser; passphrase: string | null } | undefined> {
    const row = await this.db.selectFrom('staff_users').selectAll().where('name_key', '=', nameKey(name)).executeTakeFirst();
    if (row === undefined) return undefined;
    return { user: (await this.#one(this.db, row))!, passphrase: row.passphrase };
  }

  async users(): Promise<StaffUser[]> {
    return this.#toUsers(this.db, await this.db.selectFrom('staff_users').selectAll().orderBy('name_key').execute());
  }

  async grantCampaign(userId: string, campaign: string): Promise<void> {
    await this.db.insertInto('staff_campaigns').values({ user_id: userId, campaign }).onConflict((oc) => oc.columns(['user_id', 'campaign']).doNothing()).execute();
  }

  async disable(userId: string, now = new Date()): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const done = await trx.updateTable('staff_users').set({ state: 'disabled' }).where('id', '=', userId).executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) throw new StaffStoreError('not_found', `No staff account ${userId}`);
      await revokeAll(trx, userId, now);
      await trx.updateTable('staff_links').set({ used_at: now.toISOString() }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
    });
  }

  async createLink(userId: string, tokenHash: string, expiresAt: Date, now = new Date()): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      await trx.updateTable('staff_links').set({ used_at: at }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
      await trx.insertInto('staff_links').values({ token_hash: tokenHash, user_id: userId, created_at: at, expires_at: expiresAt.toISOString(), used_at: null }).execute();
    });
  }

  async linkUser(tokenHash: string, now = new Date()): Promise<{ user: StaffUser; expiresAt: string } | undefined> {
    const row = await this.db
      .selectFrom('staff_links as l')
      .innerJoin('staff_users as u', 'u.id', 'l.user_id')
      .selectAll('u')
      .select('l.expires_at as link_expires_at')
      .where('l.token_hash', '=', tokenHash)
      .where('l.used_at', 'is', null)
      .where('l.expires_at', '>', now.toISOString())
      .where('u.state', '<>', 'disabled')
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const { link_expires_at, ...user } = row;
    return { user: (await this.#one(this.db, user))!, expiresAt: link_expires_at };
  }

  async welcome(tokenHash: string, credential: WelcomeCredential, session: NewSession, now = new Date()): Promise<StaffUser | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      const spent = await trx
        .updateTable('staff_links')
        .set({ used_at: at })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning(['user_id'])
        .executeTakeFirst();
      if (spent === undefined) return undefined;
      const user = await trx.selectFrom('staff_users').selectAll().where('id', '=', spent.user_id).executeTakeFirst();
      if (user === undefined || user.state === 'disabled') return undefined;
      if ('passphrase' in credential) {
        await trx.updateTable('staff_users').set({ passphrase: credential.passphrase }).where('id', '=', user.id).execute();
      } else {
        const p = credential.passkey;
        await trx
          .insertInto('staff_passkeys')
          .values({ id: p.id, user_id: user.id, public_key: p.publicKey, counter: p.counter, transports: JSON.stringify(p.transports), created_at: at, last_used_at: null })
          .execute();
      }
      await trx.updateTable('staff_users').set({ state: 'active', last_sign_in_at: at }).where('id', '=', user.id).execute();
      await revokeAll(trx, user.id, now);
      await insertSession(trx, user.id, session, now);
      return this.#one(trx, await trx.selectFrom('staff_users').selectAll().where('id', '=', user.id).executeTakeFirst());
    });
  }

  async passkey(id: string): Promise<StoredPasskey | undefined> {
    const row = await this.db.selectFrom('staff_passkeys').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    return { id: row.id, userId: row.user_id, publicKey: row.public_key, counter: Number(row.counter), transports: JSON.parse(row.transports) as string[] };
  }

  async passkeyIds(userId: string): Promise<string[]> {
    return (await this.db.selectFrom('staff_passkeys').select('id').where('user_id', '=', userId).orderBy('id').execute()).map((r) => r.id);
  }

  async usedPasskey(id: string, counter: number, now = new Date()): Promise<void> {
    await this.db.updateTable('staff_passkeys').set({ counter, last_used_at: now.toISOString() }).where('id', '=', id).execute();
  }

  async saveChallenge(challenge: string, purpose: string, userId: string | null, expiresAt: Date): Promise<void> {
    // Expired challenges are dropped whenever a new one is handed out, so the table stays small.
    await this.db.deleteFrom('staff_challenges').where('expires_at', '<=', new Date().toISOString()).execute();
    await this.db.insertInto('staff_challenges').values({ challenge, purpose, user_id: userId, expires_at: expiresAt.toISOString() }).execute();
  }

  async takeChallenge(challenge: string, purpose: string, now = new Date()): Promise<{ userId: string | null } | undefined> {
    const row = await this.db
      .deleteFrom('staff_challenges')
      .where('challenge', '=', challenge)
      .where('purpose', '=', purpose)
      .returning(['user_id', 'expires_at'])
      .executeTakeFirst();
    if (row === undefined || row.expires_at <= now.toISOString()) return undefined;
    return { userId: row.user_id };
  }

  async openSession(userId: string, session: NewSession, replacing?: string, now = new Date()): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      if (replacing !== undefined) await trx.updateTable('staff_sessions').set({ revoked_at: at }).where('token_hash', '=', replacing).where('revoked_at', 'is', null).execute();
      await trx.updateTable('staff_users').set({ last_sign_in_at: at }).where('id', '=', userId).execute();
      await insertSession(trx, userId, session, now);
    });
  }

  async session(tokenHash: string, idleMs: number, now = new Date()): Promise<ValidSession | undefined> {
    const row = await this.db
      .selectFrom('staff_sessions as s')
      .innerJoin('staff_users as u', 'u.id', 's.user_id')
      .selectAll('u')
      .select(['s.token_hash', 's.created_at as session_created_at', 's.last_seen_at', 's.expires_at'])
      .where('s.token_hash', '=', tokenHash)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now.toISOString())
      .where('s.last_seen_at', '>', new Date(now.getTime() - idleMs).toISOString())
      .where('u.state', '=', 'active')
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const { token_hash, session_created_at, last_seen_at, expires_at, ...user } = row;
    return { user: (await this.#one(this.db, user))!, tokenHash: token_hash, createdAt: session_created_at, lastSeenAt: last_seen_at, expiresAt: expires_at };
  }

  async touchSession(tokenHash: string, now = new Date()): Promise<void> {
    await this.db.updateTable('staff_sessions').set({ last_seen_at: now.toISOString() }).where('token_hash', '=', tokenHash).execute();
  }

  async revokeSession(tokenHash: string, now = new Date()): Promise<void> {
    await this.db.updateTable('staff_sessions').set({ revoked_at: now.toISOString() }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
  }

  async appendAudit(entry: NewAuditEntry, now = new Date()): Promise<number> {
    const actor = entry.actor;
    const row = await this.db
      .insertInto('staff_audit')
      .values({
        at: now.toISOString(),
        actor_kind: actor.kind,
        actor_id: actor.kind === 'staff' ? actor.id : null,
        actor_name: actor.kind === 'cli' ? null : (actor.name ?? null),
        actor_role: actor.kind === 'staff' ? actor.role : null,
        action: entry.action,
        target: entry.target ?? null,
        outcome: entry.outcome,
        code: entry.code ?? null,
        source: entry.from,
        details: entry.details === undefined ? null : JSON.stringify(entry.details),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async audit(options: { limit: number; before?: number | undefined }): Promise<AuditList> {
    let query = this.db.selectFrom('staff_audit').selectAll().orderBy('id', 'desc').limit(options.limit + 1);
    if (options.before !== undefined) query = query.where('id', '<', options.before);
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    const entries = page.map((r): AuditEntry => {
      const kind = r.actor_kind as AuditEntry['actor']['kind'];
      return {
        id: Number(r.id),
        at: r.at,
        actor: {
          kind,
          ...(r.actor_id !== null ? { id: r.actor_id } : {}),
          ...(r.actor_name !== null ? { name: r.actor_name } : {}),
          ...(r.actor_role !== null ? { role: r.actor_role as StaffRole } : {}),
        },
        action: r.action as AuditAction,
        target: r.target,
        outcome: r.outcome as AuditOutcome,
        code: r.code,
        from: r.source,
        ...(r.details !== null ? { details: JSON.parse(r.details) as Record<string, unknown> } : {}),
      };
    });
    return { entries, next: rows.length > options.limit ? entries[entries.length - 1]!.id : null };
  }
}

async function revokeAll(db: Db, userId: string, now: Date): Promise<void> {
  await db.updateTable('staff_sessions').set({ revoked_at: now.toISOString() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

async function insertSession(db: Db, userId: string, session: NewSession, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('staff_sessions')
    .values({ token_hash: session.tokenHash, user_id: userId, created_at: at, last_seen_at: at, expires_at: session.expiresAt.toISOString(), revoked_at: null, address: session.address })
    .execute();
}
