/**
 * Test support for the staff API in process: a node (or hub) app on a fresh SQLite store with a
 * cheap scrypt cost and a clock the test moves, a browser-like client that keeps the
 * `__Host-vernacular-staff` cookie and sends this origin, and one-time links made as
 * `vernacular user add` makes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { Role, StaffRole } from '../../federation/protocol/index.ts';
import { openStore, type Store } from '../../federation/store/index.ts';
import { createApp } from '../../federation/server/app.ts';
import { KyselyStaffStore } from '../../federation/staff/store.ts';
import { newToken, tokenHash } from '../../federation/staff/tokens.ts';

export const ORIGIN = 'http://localhost';
export const FAST_SCRYPT = { logN: 10, r: 8, p: 1 };

export interface StaffWorld {
  app: Hono;
  store: Store;
  staff: KyselyStaffStore;
  /** The clock the app reads; move it with `clock.ms += …`. */
  clock: { ms: number };
  close(): Promise<void>;
}

export async function staffWorld(role: Role = 'node'): Promise<StaffWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-staff-http-'));
  const store = await openStore({ dataDir: dir });
  const clock = { ms: Date.now() };
  const app = createApp({ store, role, version: '0.0.0-test', webRoot: join(dir, 'web'), staff: { scrypt: FAST_SCRYPT, now: () => new Date(clock.ms) } });
  return {
    app,
    store,
    staff: new KyselyStaffStore(store.db),
    clock,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An account with an unspent one-time link, as `vernacular user add` leaves it. */
export async function invite(w: StaffWorld, name: string, role: StaffRole, campaigns: string[] = []): Promise<{ id: string; token: string }> {
  const user = await w.staff.addUser({ name, role, campaigns, createdBy: 'cli' }, new Date(w.clock.ms));
  const token = newToken();
  await w.staff.createLink(user.id, tokenHash(token), new Date(w.clock.ms + 3_600_000), new Date(w.clock.ms));
  return { id: user.id, token };
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A browser on this origin: keeps the session cookie the server sets, sends Origin on every request. */
export class StaffClient {
  cookie: string | undefined;

  constructor(
    private readonly w: StaffWorld,
    readonly headers: Record<string, string> = { origin: ORIGIN },
  ) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { host: 'localhost', ...this.headers, ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie !== undefined) headers.cookie = `__Host-vernacular-staff=${this.cookie}`;
    const res = await this.w.app.request(`${ORIGIN}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const set = res.headers.get('set-cookie');
    if (set !== null) {
      const m = /__Host-vernacular-staff=([^;]*)/.exec(set);
      if (m) this.cookie = m[1] === '' || /Max-Age=0/i.test(set) ? undefined : m[1];
    }
    const text = await res.text();
    return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T, headers: res.headers };
  }

  get = <T = unknown>(path: string) => this.request<T>('GET', path);
  post = <T = unknown>(path: string, body: unknown = {}) => this.request<T>('POST', path, body);
  patch = <T = unknown>(path: string, body: unknown) => this.request<T>('PATCH', path, body);
  delete = <T = unknown>(path: string) => this.request<T>('DELETE', path);

  /** Spends a one-time link on a passphrase: signed in afterwards. */
  async welcome(token: string, passphrase = 'haba na haba hujaza kibaba'): Promise<Answer> {
    return this.post(`/api/v1/staff/welcome/${token}/passphrase`, { passphrase });
  }
}

/** A signed-in client for a new account of this role. */
export async function signedIn(w: StaffWorld, name: string, role: StaffRole, campaigns: string[] = []): Promise<StaffClient> {
  const { token } = await invite(w, name, role, campaigns);
  const client = new StaffClient(w);
  const res = await client.welcome(token);
  if (res.status !== 200) throw new Error(`welcome answered ${res.status}: ${JSON.stringify(res.body)}`);
  return client;
}

export const errorCode = (a: Answer) => (a.body as { error?: { code?: string } } | undefined)?.error?.code;
