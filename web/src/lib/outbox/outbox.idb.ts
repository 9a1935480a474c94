/**
 * The outbox in IndexedDB (via idb). One database, two stores: `outbox` (entries by id, indexed by
 * status then device sequence) and `meta` (identity, preferences, the device sequence counter).
 * Saving allocates the sequence number and writes the entry in ONE transaction, so a crash or a
 * full disk can never leave a gap, a reused number or half an entry.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { UnsignedContribution } from '../../../../federation/protocol/index.ts';
import { toStorageError, type Outbox, type OutboxCounts, type OutboxEntry, type OutboxStatus, type Outcome } from './outbox.ts';

interface Schema extends DBSchema {
  outbox: {
    key: string;
    value: OutboxEntry;
    indexes: { byStatus: [OutboxStatus, number]; bySeq: number };
  };
  meta: { key: string; value: unknown };
}

const SEQ_KEY = 'deviceSeq';
const statusRange = (s: OutboxStatus) => IDBKeyRange.bound([s, -Infinity], [s, Infinity]);

export class IdbOutbox implements Outbox {
  private constructor(private readonly db: IDBPDatabase<Schema>) {}

  static async open(name = 'vernacular'): Promise<IdbOutbox> {
    try {
      if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available');
      const db = await openDB<Schema>(name, 1, {
        upgrade(db) {
          const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
          outbox.createIndex('byStatus', ['status', 'seq']);
          outbox.createIndex('bySeq', 'seq', { unique: true });
          db.createObjectStore('meta');
        },
      });
      return new IdbOutbox(db);
    } catch (e) {
      throw toStorageError(e, true);
    }
  }

  async save(make: (deviceSeq: number) => UnsignedContribution, now = Date.now()): Promise<OutboxEntry> {
    try {
      const tx = this.db.transaction(['outbox', 'meta'], 'readwrite');
      const done = tx.done;
      try {
        const last = ((await tx.objectStore('meta').get(SEQ_KEY)) as number | undefined) ?? 0;
        const seq = last + 1;
        const contribution = make(seq);
        const entry: OutboxEntry = { id: contribution.id, seq, status: 'waiting', contribution, savedAt: now };
        await Promise.all([tx.objectStore('outbox').add(entry), tx.objectStore('meta').put(seq, SEQ_KEY)]);
        await done;
        return entry;
      } catch (e) {
        try {
          tx.abort();
        } catch {
          // already finished or aborted
        }
        await done.catch(() => undefined);
        throw e;
      }
    } catch (e) {
      throw toStorageError(e);
    }
  }

  async waiting(limit: number): Promise<OutboxEntry[]> {
    return this.#wrap(() => this.db.getAllFromIndex('outbox', 'byStatus', statusRange('waiting'), limit));
  }

  async settle(outcomes: Outcome[], now = Date.now()): Promise<void> {
    if (outcomes.length === 0) return;
    await this.#wrap(async () => {
      const tx = this.db.transaction('outbox', 'readwrite');
      const store = tx.objectStore('outbox');
      await Promise.all(
        outcomes.map(async (o) => {
          const e = await store.get(o.id);
          if (!e || e.status !== 'waiting') return;
          const next: OutboxEntry =
            o.outcome === 'sent' ? { ...e, status: 'sent', sentAt: now } : { ...e, status: 'rejected', rejection: o.rejection };
          await store.put(next);
        }),
      );
      await tx.done;
    });
  }

  async list(): Promise<OutboxEntry[]> {
    return this.#wrap(async () => (await this.db.getAllFromIndex('outbox', 'bySeq')).reverse());
  }

  async counts(): Promise<OutboxCounts> {
    return this.#wrap(async () => {
      const tx = this.db.transaction('outbox');
      const index = tx.store.index('byStatus');
      const [waiting, sent, rejected] = await Promise.all([
        index.count(statusRange('waiting')),
        index.count(statusRange('sent')),
        index.count(statusRange('rejected')),
      ]);
      return { waiting, sent, rejected };
    });
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return this.#wrap(async () => (await this.db.get('meta', key)) as T | undefined);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.#wrap(() => this.db.put('meta', value, key));
  }

  close(): void {
    this.db.close();
  }

  async #wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toStorageError(e);
    }
  }
}
