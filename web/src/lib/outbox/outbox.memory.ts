/** The outbox in memory: same contract as IndexedDB, gone when the page closes. */
import type { UnsignedContribution } from '../../../../federation/protocol/index.ts';
import type { Outbox, OutboxCounts, OutboxEntry, Outcome } from './outbox.ts';

export class MemoryOutbox implements Outbox {
  #entries = new Map<string, OutboxEntry>();
  #meta = new Map<string, unknown>();
  #seq = 0;

  async save(make: (deviceSeq: number) => UnsignedContribution, now = Date.now()): Promise<OutboxEntry> {
    const seq = this.#seq + 1;
    const contribution = make(seq);
    if (this.#entries.has(contribution.id)) throw new Error(`duplicate outbox id ${contribution.id}`);
    const entry: OutboxEntry = { id: contribution.id, seq, status: 'waiting', contribution, savedAt: now };
    this.#entries.set(entry.id, structuredClone(entry));
    this.#seq = seq;
    return entry;
  }

  async waiting(limit: number): Promise<OutboxEntry[]> {
    return [...this.#entries.values()]
      .filter((e) => e.status === 'waiting')
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map((e) => structuredClone(e));
  }

  async settle(outcomes: Outcome[], now = Date.now()): Promise<void> {
    for (const o of outcomes) {
      const e = this.#entries.get(o.id);
      if (!e || e.status !== 'waiting') continue;
      if (o.outcome === 'sent') this.#entries.set(o.id, { ...e, status: 'sent', sentAt: now });
      else this.#entries.set(o.id, { ...e, status: 'rejected', rejection: o.rejection });
    }
  }

  async list(): Promise<OutboxEntry[]> {
    return [...this.#entries.values()].sort((a, b) => b.seq - a.seq).map((e) => structuredClone(e));
  }

  async counts(): Promise<OutboxCounts> {
    const c: OutboxCounts = { waiting: 0, sent: 0, rejected: 0 };
    for (const e of this.#entries.values()) c[e.status]++;
    return c;
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.#meta.get(key)) as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.#meta.set(key, structuredClone(value));
  }

  close(): void {}
}
