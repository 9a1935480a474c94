/**
 * `vernacular user …` and `vernacular audit`: staff accounts from the server's own machine, the
 * root of trust — whoever runs these can already read the data folder. `user add` prints a
 * one-time sign-in link (it sets a passphrase or registers a passkey, once); every change is
 * written to the audit log as done by `cli`.
 */
import { resolve } from 'node:path';
import { type AuditAction, STAFF_ROLES, type StaffRole, type StaffUser } from '../protocol/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { KyselyStaffStore, StaffStoreError } from '../staff/store.ts';
import { newToken, tokenHash, welcomeLink } from '../staff/tokens.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR, DEFAULT_PORT } from './serve.ts';
import { DATABASE_OPTION, DATABASE_USAGE, databaseUrl } from './database.ts';

const DEFAULT_ORIGIN = `http://localhost:${DEFAULT_PORT}`;
const DEFAULT_LINK_HOURS = 72;

export const USER_HELP = `Usage:
  vernacular user add --role <role> --name <name> [--campaign <slug>]… [options]
                            a staff account; prints its one-time sign-in link
  vernacular user link <id|name> [options]
                            a new one-time link (lost passkey or passphrase); older ones stop working
  vernacular user list [--data <dir>] [--database <url>]
  vernacular user revoke <id|name> [--data <dir>] [--database <url>]
                            disable the account and end all its sessions now

Roles: teacher (their classes: the campaigns given with --campaign, or that they create),
librarian (everything on a node), steward (everything on a hub).

Options:
  --origin <url>            where staff open the app, for the link (default $VERNACULAR_ORIGIN,
                            else ${DEFAULT_ORIGIN}); the link works once, on that origin
  --expires-hours <n>       how long the link works (default ${DEFAULT_LINK_HOURS})
  --data <dir>              the node's data folder (default ${DEFAULT_DATA_DIR})
${DATABASE_USAGE}`;

export const AUDIT_HELP = `Usage: vernacular audit [--limit <n>] [--data <dir>] [--database <url>]

The staff audit log, newest first: when, who (role, name), what, to what, the outcome, from where.

Options:
  --limit <n>               entries to show (default 50, at most 500)
  --data <dir>              the node's data folder (default ${DEFAULT_DATA_DIR})
${DATABASE_USAGE}`;

const OPTIONS = {
  role: { type: 'string' },
  name: { type: 'string' },
  campaign: { type: 'string', multiple: true },
  origin: { type: 'string' },
  'expires-hours': { type: 'string' },
  limit: { type: 'string' },
  data: { type: 'string' },
  ...DATABASE_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

/** Records what the operator did at the command line (campaigns, imports, moderation, accounts). */
export async function auditCli(store: Store, action: AuditAction, target: string, details?: Record<string, unknown>): Promise<void> {
  await new KyselyStaffStore(store.db).appendAudit({ actor: { kind: 'cli' }, action, target, outcome: 'ok', from: 'cli', ...(details !== undefined ? { details } : {}) });
}

async function withStaff<T>(values: Values, work: (staff: KyselyStaffStore, store: Store) => Promise<T>): Promise<T> {
  const database = databaseUrl(values.database);
  const store = await openStore({ dataDir: resolve(values.data ?? DEFAULT_DATA_DIR), ...(database !== undefined ? { database } : {}) });
  try {
    return await work(new KyselyStaffStore(store.db), store);
  } finally {
    await store.close();
  }
}

function origin(values: Values, env: NodeJS.ProcessEnv = process.env): string {
  const given = values.origin ?? (env.VERNACULAR_ORIGIN || DEFAULT_ORIGIN);
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`--origin must be a URL like ${DEFAULT_ORIGIN}, not "${given}"`, 'user');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new UsageError(`--origin must be an http(s) origin like ${DEFAULT_ORIGIN}, not "${given}"`, 'user');
  }
  return url.origin;
}

function hours(values: Values): number {
  const text = values['expires-hours'];
  if (text === undefined) return DEFAULT_LINK_HOURS;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 24 * 30) throw new UsageError('--expires-hours must be a whole number from 1 to 720', 'user');
  return n;
}

async function printLink(staff: KyselyStaffStore, user: StaffUser, values: Values, io: Output): Promise<void> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + hours(values) * 3_600_000);
  await staff.createLink(user.id, tokenHash(token), expiresAt);
  io.out(`One-time sign-in link for ${user.name} (${user.role}), valid until ${expiresAt.toISOString()}:`);
  io.out(welcomeLink(origin(values), token));
}

async function add(values: Values, io: Output): Promise<number> {
  if (values.role === undefined || !(STAFF_ROLES as readonly string[]).includes(values.role)) {
    throw new UsageError(`--role must be one of ${STAFF_ROLES.join(', ')}`, 'user');
  }
  const name = values.name?.trim();
  if (!name) throw new UsageError('--name is required', 'user');
  if ([...name].length > 300) throw new UsageError('--name is at most 300 characters', 'user');
  const role = values.role as StaffRole;
  const campaigns = values.campaign ?? [];
  if (campaigns.length > 0 && role !== 'teacher') throw new UsageError('--campaign is only for a teacher', 'user');
  origin(values);
  hours(values);
  return withStaff(values, async (staff, store) => {
    for (const slug of campaigns) {
      if ((await store.campaign(slug)) === undefined) {
        io.err(`vernacular: no campaign "${slug}"; make it with \`vernacular campaign create\``);
        return 1;
      }
    }
    let user: StaffUser;
    try {
      user = await staff.addUser({ name, role, campaigns, createdBy: 'cli' });
    } catch (e) {
      if (e instanceof StaffStoreError) {
        io.err(`vernacular: ${e.message}`);
        return 1;
      }
      throw e;
    }
    await staff.appendAudit({ actor: { kind: 'cli' }, action: 'user_add', target: user.id, outcome: 'ok', from: 'cli', details: { name, role, campaigns } });
    await printLink(staff, user, values, io);
    return 0;
  });
}

async function found(staff: KyselyStaffStore, positionals: string[], what: string, io: Output): Promise<StaffUser | undefined> {
  const [who, ...extra] = positionals;
  if (who === undefined || extra.length > 0) throw new UsageError(`expected: user ${what} <id|name>`, 'user');
  const user = await staff.find(who);
  if (user === undefined) io.err(`vernacular: no staff account is called or numbered "${who}"; see \`vernacular user list\``);
  return user;
}

export async function user(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) {
    io.err(USER_HELP);
    return 2;
  }
  if (sub === '-h' || sub === '--help' || sub === 'help') {
    io.out(USER_HELP);
    return 0;
  }
  const { values, positionals } = parseOptions(rest, OPTIONS, 'user', true);
  if (values.help) {
    io.out(USER_HELP);
    return 0;
  }
  switch (sub) {
    case 'add':
      if (positionals.length > 0) throw new UsageError('expected: user add --role <role> --name <name>', 'user');
      return add(values, io);
    case 'list':
      return withStaff(values, async (staff) => {
        io.out(['id', 'name', 'role', 'state', 'campaigns', 'sign-in', 'last sign-in'].join('\t'));
        for (const u of await staff.users()) {
          const methods = [u.passphrase ? 'passphrase' : '', u.passkeys > 0 ? `${u.passkeys} passkey${u.passkeys === 1 ? '' : 's'}` : ''].filter(Boolean).join('+') || '-';
          io.out([u.id, u.name, u.role, u.state, u.campaigns.join(',') || '-', methods, u.lastSignInAt ?? '-'].join('\t'));
        }
        return 0;
      });
    case 'revoke':
      return withStaff(values, async (staff) => {
        const target = await found(staff, positionals, 'revoke', io);
        if (target === undefined) return 1;
        await staff.disable(target.id);
        await staff.appendAudit({ actor: { kind: 'cli' }, action: 'user_revoke', target: target.id, outcome: 'ok', from: 'cli', details: { name: target.name, role: target.role } });
        io.out(`Revoked ${target.name} (${target.role}); every session of the account has ended`);
        return 0;
      });
    case 'link':
      origin(values);
      hours(values);
      return withStaff(values, async (staff) => {
        const target = await found(staff, positionals, 'link', io);
        if (target === undefined) return 1;
        if (target.state === 'disabled') {
          io.err(`vernacular: ${target.name} is revoked; add a new account`);
          return 1;
        }
        await staff.appendAudit({ actor: { kind: 'cli' }, action: 'user_link', target: target.id, outcome: 'ok', from: 'cli', details: { name: target.name } });
        await printLink(staff, target, values, io);
        return 0;
      });
    default:
      throw new UsageError(`unknown user command "${sub}"`, 'user');
  }
}

export async function auditLog(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'audit', true);
  if (values.help) {
    io.out(AUDIT_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError('expected: audit [--limit <n>]', 'audit');
  const text = values.limit ?? '50';
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > 500) throw new UsageError('--limit must be a whole number from 1 to 500', 'audit');
  return withStaff(values, async (staff) => {
    const { entries } = await staff.audit({ limit });
    io.out(['at', 'who', 'action', 'target', 'outcome', 'from'].join('\t'));
    for (const e of entries) {
      const who = e.actor.kind === 'cli' ? 'cli' : e.actor.kind === 'staff' ? `${e.actor.role} ${e.actor.name}` : `unknown${e.actor.name ? ` ${e.actor.name}` : ''}`;
      io.out([e.at, who, e.action, e.target ?? '-', e.outcome + (e.code ? ` (${e.code})` : ''), e.from].join('\t'));
    }
    return 0;
  });
}
