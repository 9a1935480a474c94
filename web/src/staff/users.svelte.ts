/** Staff accounts, for librarians and stewards: list, add (a one-time link to hand over), new link, revoke. */
import type { SignInLink, StaffRole, StaffUser } from '../../../federation/protocol/index.ts';
import { type StaffClient, StaffError } from './client.ts';

export class StaffUsersState {
  users = $state<StaffUser[]>([]);
  loaded = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);
  /** The last link made, shown once to be handed over. */
  link = $state<SignInLink | null>(null);

  constructor(private readonly client: StaffClient) {}

  async #run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    try {
      return await work();
    } catch (e) {
      this.error = e instanceof StaffError ? e.code : 'server';
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  async load(): Promise<void> {
    const list = await this.#run(() => this.client.users());
    if (list) this.users = list.users;
    this.loaded = true;
  }

  async add(name: string, role: StaffRole, campaigns: string[]): Promise<boolean> {
    const made = await this.#run(() => this.client.addUser(name, role, campaigns));
    if (made) {
      this.link = made;
      this.users = [...this.users, made.user];
    }
    return made !== undefined;
  }

  async newLink(id: string): Promise<void> {
    const made = await this.#run(() => this.client.newLink(id));
    if (made) this.link = made;
  }

  async revoke(id: string): Promise<void> {
    const user = await this.#run(() => this.client.revokeUser(id));
    if (user) this.users = this.users.map((u) => (u.id === id ? user : u));
  }
}
