/**
 * The glossary sync client against a real node (`vernacular serve` child process, real HTTP), with
 * a hand-driven clock: what travels, when it runs, how it retries, and what it remembers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, listTerms, setConventions } from '../../../federation/protocol/glossary.doc.ts';
import { type RunningServer, startServer } from '../../../test/support/server.ts';
import type { Timers } from '../lib/sync.ts';
import { GlossarySync, type GlossarySyncDeps } from './sync.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.dispose();
});

/** A clock that moves only when the test says so. */
class Clock implements Timers {
  #now = 1_000_000;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  now = () => this.#now;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.#timers.delete(h as number);
  };
  get pending(): number {
    return this.#timers.size;
  }
  /** Moves time on, firing what falls due. */
  advance(ms: number): void {
    this.#now += ms;
    for (const [id, t] of [...this.#timers].sort((x, y) => x[1].at - y[1].at)) {
      if (t.at <= this.#now) {
        this.#timers.delete(id);
        t.fn();
      }
    }
  }
}

interface Harness {
  client: GlossarySync;
  doc: Y.Doc;
  clock: Clock;
  sent: number[];
  saved: { sv: Uint8Array | null };
  online: { value: boolean };
  settle: () => Promise<void>;
}

function harness(options: { doc?: Y.Doc; saved?: { sv: Uint8Array | null }; campaign?: string; base?: () => string } = {}): Harness {
  const doc = options.doc ?? new Y.Doc();
  const clock = new Clock();
  const sent: number[] = [];
  const saved = options.saved ?? { sv: null };
  const online = { value: true };
  let inFlight: Promise<unknown> = Promise.resolve();
  const deps: GlossarySyncDeps = {
    doc,
    endpoint: `/api/v1/glossary/${options.campaign ?? 'general'}/sync`,
    fetch: (input, init) => {
      sent.push((init?.body as Uint8Array).byteLength);
      const p = fetch(new URL(String(input), (options.base ?? (() => server.url))()), init);
      inFlight = p.catch(() => undefined);
      return p;
    },
    isOnline: () => online.value,
    timers: clock,
    random: () => 0.5,
    loadNodeStateVector: () => Promise.resolve(saved.sv),
    saveNodeStateVector: (sv) => {
      saved.sv = sv;
      return Promise.resolve();
    },
    debounceMs: 1_000,
  };
  const client = new GlossarySync(deps);
  // Lets a request started by a timer run to its end.
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await inFlight;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { client, doc, clock, sent, saved, online, settle };
}

describe('GlossarySync', () => {
  it('sends everything the first time, then only its state vector when nothing changed', async () => {
    const h = harness();
    for (let i = 0; i < 20; i++) addTerm(h.doc, `w-${i}`, { term: `neno ${i}`, rendering: 'word', language: 'sw', notes: '' });
    await h.client.restore();
    await h.client.request();
    await h.client.request();
    expect(h.client.state).toMatchObject({ phase: 'idle', lastError: null, attempt: 0 });
    expect(h.sent[0]).toBeGreaterThan(400);
    expect(h.sent[1]).toBeLessThan(h.sent[0]! / 10);
    expect(h.saved.sv).not.toBeNull();
  });

  it('brings in what another device sent', async () => {
    const other = harness();
    addTerm(other.doc, 'from-other', { term: 'kutoka', rendering: 'from', language: 'sw', notes: '' });
    await other.client.request();
    const h = harness();
    await h.client.request();
    expect(listTerms(h.doc).map((t) => t.id)).toContain('from-other');
  });

  it('waits for a quiet second after edits and sends them in one request', async () => {
    const h = harness();
    await h.client.request();
    const before = h.sent.length;
    for (const text of ['a', 'ab', 'abc']) {
      setConventions(h.doc, text);
      h.client.schedule();
      h.clock.advance(500);
    }
    expect(h.sent.length).toBe(before);
    h.clock.advance(1_000);
    await h.settle();
    expect(h.sent.length).toBe(before + 1);
  });

  it('does not try while offline, and says so', async () => {
    const h = harness();
    h.online.value = false;
    await h.client.request();
    expect(h.sent).toEqual([]);
    expect(h.client.state.phase).toBe('offline');
  });

  it('retries with backoff when the node cannot be reached, and recovers once it can', async () => {
    let base = 'http://127.0.0.1:9';
    const h = harness({ base: () => base });
    addTerm(h.doc, 'retry', { term: 'tena', rendering: 'again', language: 'sw', notes: '' });
    await h.client.request();
    expect(h.client.state).toMatchObject({ phase: 'retrying', lastError: 'network', attempt: 1 });
    const firstDelay = h.client.state.nextRetryAt! - h.clock.now();
    expect(firstDelay).toBeGreaterThan(0);
    h.clock.advance(firstDelay);
    await h.settle();
    expect(h.client.state.attempt).toBe(2);
    expect(h.client.state.nextRetryAt! - h.clock.now()).toBeGreaterThan(firstDelay);
    base = server.url;
    h.clock.advance(h.client.state.nextRetryAt! - h.clock.now());
    await h.settle();
    expect(h.client.state).toMatchObject({ phase: 'idle', attempt: 0, lastError: null });
    const node = (await (await fetch(`${server.url}/api/v1/glossary/general`)).json()) as { terms: Array<{ id: string }> };
    expect(node.terms.map((t) => t.id)).toContain('retry');
  });

  it('waits as long as a rate-limited node says (Retry-After), not just its own backoff', async () => {
    const limited = await startServer({ args: ['--rate-limit', '0.05/1'] }); // a token every 20 s
    try {
      const h = harness({ base: () => limited.url });
      addTerm(h.doc, 'patient', { term: 'subira', rendering: 'patience', language: 'sw', notes: '' });
      await h.client.request();
      expect(h.client.state).toMatchObject({ phase: 'idle', lastError: null });
      setConventions(h.doc, 'more');
      await h.client.request();
      expect(h.client.state).toMatchObject({ phase: 'retrying', lastError: 'server', attempt: 1 });
      const delay = h.client.state.nextRetryAt! - h.clock.now();
      expect(delay).toBeGreaterThanOrEqual(19_000); // the node's Retry-After (20 s), not 1.5 s
      expect(delay).toBeLessThanOrEqual(20_000);
    } finally {
      await limited.dispose();
    }
  });

  it('reports the node\'s error code for a refused request', async () => {
    const h = harness({ campaign: 'no-such-campaign' });
    await h.client.request();
    expect(h.client.state).toMatchObject({ phase: 'retrying', lastError: 'unknown_campaign' });
    h.client.stop();
    expect(h.clock.pending).toBe(0);
  });

  it('remembers the node\'s state vector across sessions, so a restarted device sends only news', async () => {
    const saved = { sv: null as Uint8Array | null };
    const doc = new Y.Doc();
    for (let i = 0; i < 20; i++) addTerm(doc, `s-${i}`, { term: `s ${i}`, rendering: '', language: '', notes: '' });
    const first = harness({ doc, saved });
    await first.client.restore();
    await first.client.request();
    const second = harness({ doc, saved });
    await second.client.restore();
    await second.client.request();
    expect(second.sent[0]).toBeLessThan(first.sent[0]! / 10);
  });
});
