/** The audit log, newest first, a page at a time. */
import type { AuditEntry } from '../../../federation/protocol/index.ts';
import { type StaffClient, StaffError } from './client.ts';

export class AuditState {
  entries = $state<AuditEntry[]>([]);
  next = $state<number | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);

  constructor(private readonly client: StaffClient) {}

  async load(more = false): Promise<void> {
    this.error = null;
    try {
      const page = await this.client.audit(more && this.next !== null ? this.next : undefined);
      this.entries = more ? [...this.entries, ...page.entries] : page.entries;
      this.next = page.next;
    } catch (e) {
      this.error = e instanceof StaffError ? e.code : 'server';
    }
    this.loaded = true;
  }
}
