/** The flagged queue and a moderator's decisions (hide, clear). */
import type { FlaggedQueue } from '../../../federation/protocol/index.ts';
import { type StaffClient, StaffError } from './client.ts';

export class ModerationState {
  items = $state<FlaggedQueue['items']>([]);
  loaded = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(private readonly client: StaffClient) {}

  async load(): Promise<void> {
    this.error = null;
    try {
      this.items = (await this.client.flagged()).items;
    } catch (e) {
      this.error = e instanceof StaffError ? e.code : 'server';
    }
    this.loaded = true;
  }

  async decide(id: string, action: 'hide' | 'clear'): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await this.client.moderate(id, action);
      this.items = this.items.filter((i) => i.item.id !== id);
    } catch (e) {
      this.error = e instanceof StaffError ? e.code : 'server';
    } finally {
      this.busy = false;
    }
  }
}
