/**
 * The app's state and actions, in one place the screens read from. It owns the outbox, the
 * identity and the sync client, and wires sync to its triggers: app start, the `online` event,
 * each save, the page becoming visible again, and the client's own retry schedule.
 */
import { canonicalLanguageTag } from '../../../federation/protocol/index.ts';
import { giveConsent, loadConsent, loadIdentity, type ConsentRecord, type Identity } from './identity.ts';
import { makeIdiom, validateIdiom, type FieldErrors, type IdiomForm } from './idiom.ts';
import { IdbOutbox } from './outbox/outbox.idb.ts';
import { StorageError, type Outbox, type OutboxCounts, type OutboxEntry, type StorageErrorCode } from './outbox/outbox.ts';
import { SyncClient, type SyncState } from './sync.ts';
import { startModelWorker, type ModelWorker } from '../../../worker/client.ts';
import type { DeviceProbe } from '../../../worker/probe.ts';
import { WorkerError } from '../../../worker/rpc.ts';

export type PersistState = 'persisted' | 'not-persisted' | 'unsupported' | 'unknown';

const LANGUAGE_KEY = 'language';

export class AppState {
  ready = $state(false);
  fatal = $state<StorageErrorCode | null>(null);
  storageError = $state<StorageErrorCode | null>(null);
  identity = $state<Identity | null>(null);
  consent = $state<ConsentRecord | null>(null);
  language = $state<string | null>(null);
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  counts = $state<OutboxCounts>({ waiting: 0, sent: 0, rejected: 0 });
  entries = $state<OutboxEntry[]>([]);
  sync = $state<SyncState | null>(null);
  persist = $state<PersistState>('unknown');
  estimate = $state<{ usage: number; quota: number } | null>(null);

  device = $state<DeviceProbe | { error: string } | null>(null);

  #outbox: Outbox | null = null;
  #worker: ModelWorker | null = null;
  #sync: SyncClient | null = null;

  async init(): Promise<void> {
    try {
      this.#outbox = await IdbOutbox.open();
    } catch (e) {
      this.fatal = e instanceof StorageError ? e.code : 'storage_unavailable';
      this.ready = true;
      return;
    }
    const outbox = this.#outbox;
    const [identity, consent, language] = await Promise.all([
      loadIdentity(outbox),
      loadConsent(outbox),
      outbox.getMeta<string>(LANGUAGE_KEY),
    ]);
    this.identity = identity ?? null;
    this.consent = consent ?? null;
    this.language = language ?? null;
    await this.refresh();
    addEventListener('online', () => {
      this.online = true;
      void this.#sync?.request();
    });
    addEventListener('offline', () => {
      this.online = false;
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.#sync?.request();
    });
    if (this.identity) await this.#startSync(this.identity);
    void this.checkPersistence(false);
    this.ready = true;
  }

  async #startSync(identity: Identity): Promise<void> {
    if (this.#sync || !this.#outbox) return;
    const outbox = this.#outbox;
    const client = new SyncClient({
      outbox,
      deviceId: identity.deviceId,
      endpoint: '/api/v1/sync',
      fetch: (input, init) => fetch(input, init),
      isOnline: () => navigator.onLine,
      timers: {
        now: () => Date.now(),
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      },
      random: Math.random,
    });
    this.#sync = client;
    await client.restore();
    let lastSuccess = client.state.lastSuccessAt;
    client.subscribe((s) => {
      this.sync = s;
      if (s.lastSuccessAt !== lastSuccess || s.phase === 'idle') {
        lastSuccess = s.lastSuccessAt;
        void this.refresh();
      }
    });
    void client.request();
  }

  /** Reloads counts and the list from the outbox. */
  async refresh(): Promise<void> {
    if (!this.#outbox) return;
    try {
      const [counts, entries] = await Promise.all([this.#outbox.counts(), this.#outbox.list()]);
      this.counts = counts;
      this.entries = entries;
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
    }
  }

  async acceptConsent(): Promise<void> {
    if (!this.#outbox) return;
    try {
      const { identity, consent } = await giveConsent(this.#outbox);
      this.identity = identity;
      this.consent = consent;
      this.storageError = null;
      // Asked right after a deliberate action, when browsers are most willing to grant it.
      await this.checkPersistence(true);
      await this.#startSync(identity);
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
    }
  }

  /** Stores the chosen language; returns false when the tag is not valid BCP 47. */
  async setLanguage(tag: string): Promise<boolean> {
    const canonical = canonicalLanguageTag(tag.trim());
    if (!canonical || !this.#outbox) return false;
    try {
      await this.#outbox.setMeta(LANGUAGE_KEY, canonical);
      this.language = canonical;
      return true;
    } catch (e) {
      this.storageError = e instanceof StorageError ? e.code : 'storage_failed';
      return false;
    }
  }

  /**
   * Validates and saves an idiom to the outbox. On a storage failure nothing already saved is
   * touched and the form keeps what was typed (the caller clears it only on success).
   */
  async saveIdiom(form: IdiomForm): Promise<{ ok: true } | { ok: false; errors: FieldErrors } | { ok: false; storage: StorageErrorCode }> {
    const v = validateIdiom(form);
    if (!v.ok) return v;
    const { identity, consent, language } = this;
    if (!this.#outbox || !identity || !consent || !language) return { ok: false, storage: 'storage_failed' };
    const ctx = { identity: $state.snapshot(identity), consent: $state.snapshot(consent), language };
    try {
      await this.#outbox.save((seq) => makeIdiom(v.data, ctx, seq));
      this.storageError = null;
    } catch (e) {
      const code = e instanceof StorageError ? e.code : 'storage_failed';
      this.storageError = code;
      return { ok: false, storage: code };
    }
    await this.refresh();
    void this.#sync?.request();
    return { ok: true };
  }

  sendNow(): void {
    void this.#sync?.request();
  }

  async checkPersistence(ask: boolean): Promise<void> {
    const storage = navigator.storage;
    if (!storage?.persisted) {
      this.persist = 'unsupported';
      return;
    }
    try {
      let persisted = await storage.persisted();
      if (!persisted && ask && storage.persist) persisted = await storage.persist();
      this.persist = persisted ? 'persisted' : 'not-persisted';
      const est = await storage.estimate?.();
      if (est && typeof est.usage === 'number' && typeof est.quota === 'number') this.estimate = { usage: est.usage, quota: est.quota };
    } catch {
      this.persist = 'unsupported';
    }
  }

  /** Asks the model worker (started on first use) what this device can run models on. */
  async probeDevice(): Promise<void> {
    if (this.device) return;
    try {
      this.#worker ??= startModelWorker();
      this.device = await this.#worker.call('probe', {});
    } catch (e) {
      this.device = { error: e instanceof WorkerError ? e.code : 'failed' };
    }
  }

  /** Everything this device saved, as a JSON document for the contributor to keep. */
  exportJson(): Blob {
    const doc = {
      format: 'vernacular-contributions',
      version: 1,
      exportedAt: new Date().toISOString(),
      contributor: this.identity?.contributorId ?? null,
      contributions: $state.snapshot(this.entries).map((e) => ({
        status: e.status,
        savedAt: new Date(e.savedAt).toISOString(),
        ...(e.sentAt ? { sentAt: new Date(e.sentAt).toISOString() } : {}),
        ...(e.rejection ? { rejection: e.rejection } : {}),
        contribution: e.contribution,
      })),
    };
    return new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
  }
}
