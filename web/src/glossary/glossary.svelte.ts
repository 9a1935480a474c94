/**
 * The glossary as the screens see it: one campaign's Yjs document, persisted on the device with
 * y-indexeddb (so it opens and edits offline and survives reloads), mirrored into reactive state
 * after every change, and synced with the node by `GlossarySync` — on open, on `online`, shortly
 * after each local edit, when the page becomes visible, every half minute while open, and on its
 * retry schedule — each request signed with the contributor key. Edits the node does not take
 * (`sync.notEligible`) stay in the device's document.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import type { GlossaryTerm } from '../../../federation/protocol/index.ts';
import {
  addTerm,
  GlossaryDocError,
  type GlossaryTermInput,
  listTerms,
  readConventions,
  removeTerm,
  setConventions,
  updateTerm,
} from '../../../federation/protocol/glossary.doc.ts';
import { type GlossarySigner, GlossarySync, type GlossarySyncState } from './sync.ts';
import { browserTimers } from '../lib/timers.ts';

const NODE_SV_KEY = 'nodeStateVector';
/** How often an open glossary asks the node for others' edits (a few bytes when nothing changed). */
const POLL_MS = 30_000;

export const glossaryDbName = (campaign: string) => `vernacular-glossary-${campaign}`;

export type TermResult = { ok: true } | { ok: false; code: GlossaryDocError['code']; field?: string };

function attempt(fn: () => unknown): TermResult {
  try {
    fn();
    return { ok: true };
  } catch (e) {
    if (e instanceof GlossaryDocError) return e.field === undefined ? { ok: false, code: e.code } : { ok: false, code: e.code, field: e.field };
    throw e;
  }
}

interface Open {
  campaign: string;
  doc: Y.Doc;
  persistence: IndexeddbPersistence;
  client: GlossarySync;
  dispose: () => void;
}

export class GlossaryState {
  campaign = $state<string | null>(null);
  ready = $state(false);
  terms = $state<GlossaryTerm[]>([]);
  conventions = $state('');
  sync = $state<GlossarySyncState | null>(null);

  #open: Open | null = null;

  /** `sign`: signs the sync requests with the contributor key on this device (the app's). */
  constructor(private readonly sign: GlossarySigner) {}

  /** Opens the campaign's glossary (closing another one) and starts syncing it. */
  async open(campaign: string): Promise<void> {
    if (this.#open?.campaign === campaign) return;
    await this.close();
    const doc = new Y.Doc();
    const persistence = new IndexeddbPersistence(glossaryDbName(campaign), doc);
    const client = new GlossarySync({
      doc,
      endpoint: `/api/v1/glossary/${encodeURIComponent(campaign)}/sync`,
      fetch: (input, init) => fetch(input, init),
      sign: this.sign,
      isOnline: () => navigator.onLine,
      timers: browserTimers,
      random: Math.random,
      loadNodeStateVector: async () => {
        const v: unknown = await persistence.get(NODE_SV_KEY);
        return v instanceof ArrayBuffer ? new Uint8Array(v) : v instanceof Uint8Array ? v : null;
      },
      saveNodeStateVector: async (sv) => {
        await persistence.set(NODE_SV_KEY, sv.slice().buffer);
      },
    });
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      this.#mirror(doc);
      // Local edits go to the node soon; what came from IndexedDB or the node needs no sending.
      if (origin !== persistence && origin !== client) client.schedule();
    };
    // `online` and `offline` both run a pass: the first syncs, the second shows the offline state.
    const onNetwork = () => void client.request();
    const onVisible = () => {
      if (document.visibilityState === 'visible') void client.request();
    };
    // While the glossary is open, a light pull now and then brings in what others wrote.
    const poll = setInterval(() => {
      if (document.visibilityState === 'visible' && navigator.onLine) void client.request();
    }, POLL_MS);
    doc.on('update', onUpdate);
    addEventListener('online', onNetwork);
    addEventListener('offline', onNetwork);
    document.addEventListener('visibilitychange', onVisible);
    const unsubscribe = client.subscribe((s) => (this.sync = s));
    this.#open = {
      campaign,
      doc,
      persistence,
      client,
      dispose: () => {
        unsubscribe();
        clearInterval(poll);
        removeEventListener('online', onNetwork);
        removeEventListener('offline', onNetwork);
        document.removeEventListener('visibilitychange', onVisible);
        doc.off('update', onUpdate);
        client.stop();
      },
    };
    this.campaign = campaign;
    await persistence.whenSynced;
    await client.restore();
    if (this.#open?.doc !== doc) return;
    this.#mirror(doc);
    this.ready = true;
    void client.request();
  }

  #mirror(doc: Y.Doc): void {
    this.terms = listTerms(doc);
    this.conventions = readConventions(doc);
  }

  #doc(): Y.Doc | null {
    return this.ready ? (this.#open?.doc ?? null) : null;
  }

  add(id: string, input: GlossaryTermInput): TermResult {
    const doc = this.#doc();
    if (!doc) return { ok: false, code: 'unknown_term' };
    return attempt(() => addTerm(doc, id, input));
  }

  update(id: string, input: GlossaryTermInput): TermResult {
    const doc = this.#doc();
    if (!doc) return { ok: false, code: 'unknown_term' };
    return attempt(() => updateTerm(doc, id, input));
  }

  remove(id: string): TermResult {
    const doc = this.#doc();
    if (!doc) return { ok: false, code: 'unknown_term' };
    return attempt(() => removeTerm(doc, id));
  }

  /** Applies the textarea's new value to the shared text as one minimal change. */
  setConventions(text: string): void {
    const doc = this.#doc();
    if (doc) setConventions(doc, text);
  }

  syncNow(): void {
    void this.#open?.client.request();
  }

  async close(): Promise<void> {
    const open = this.#open;
    if (!open) return;
    this.#open = null;
    this.ready = false;
    open.dispose();
    await open.persistence.destroy();
    open.doc.destroy();
  }
}
