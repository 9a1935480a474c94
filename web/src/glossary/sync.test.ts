/**
 * The glossary sync client against a real node (`vernacular serve` child process, real HTTP), with
 * a hand-driven clock: what travels, when it runs, how it retries, and what it remembers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, listTerms, removeTerm, setConventions } from '../../../federation/protocol/glossary.doc.ts';
import { runCli, type RunningServer, startServer } from '../../../test/support/server.ts';
import { person } from '../../../test/support/contributions.ts';
import { grantOn } from '../../../test/support/reviewers.ts';
import { signedHeader } from '../../../test/support/device-requests.ts';
import type { Timers } from '../lib/sync.ts';
import { type GlossarySigner, GlossarySync, type GlossarySyncDeps } from './sync.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
  // A campaign whose glossary takes edits only from its eligible reviewers: a teacher, granted a
  // credential; a newcomer is not one. The devices writing the open glossary are, too.
  const made = await runCli(['campaign', 'create', '--data', server.dataDir, '--slug', 'shule', '--title', 'Shule', '--languages', 'sw', '--kinds', 'idiom', '--min-votes', '1']);
  expect(made.code, made.stderr).toBe(0);
  await grantOn(server, 'shule', [person('web-glossary-teacher').contributor]);
  await grantOn(server, 'general', ['web-glossary-device', 'web-glossary-signer'].map((n) => person(n).contributor));
});

/** Signs as the app does (web/src/lib/keys.ts `authorization`), with a test person's key. */
const signAs = (name: string): GlossarySigner => async (method, target, body, at) => signedHeader(person(name), method, target, body, at);
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

interface HarnessOptions {
  doc?: Y.Doc;
  saved?: { sv: Uint8Array | null };
  campaign?: string;
  base?: () => string;
  sign?: GlossarySigner;
  wallClock?: () => number;
}

function harness(options: HarnessOptions = {}): Harness {
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
    sign: options.sign ?? signAs('web-glossary-device'),
    ...(options.wallClock !== undefined ? { wallClock: options.wallClock } : {}),
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
      await grantOn(limited, 'general', ['web-glossary-device', 'web-glossary-signer'].map((n) => person(n).contributor));
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

  it('signs every request with the contributor key, and says so when the device has none', async () => {
    const seen: (string | null)[] = [];
    const h = harness({
      sign: async (method, target, body, at) => {
        const header = await signAs('web-glossary-signer')(method, target, body, at);
        seen.push(header);
        return header;
      },
    });
    addTerm(h.doc, 'signed', { term: 'sahihi', rendering: 'signed', language: 'sw', notes: '' });
    await h.client.request();
    expect(h.client.state.phase).toBe('idle');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((header) => header?.startsWith(`Vernacular-Key key=${person('web-glossary-signer').key}`))).toBe(true);

    const keyless = harness({ sign: async () => null });
    await keyless.client.request();
    expect(keyless.client.state).toMatchObject({ phase: 'retrying', lastError: 'no_key' });
    expect(keyless.sent).toEqual([]);
    keyless.client.stop();
  });

  it('learns the node’s time from a stale_request answer and signs again', async () => {
    const h = harness({ wallClock: () => Date.now() - 3 * 60 * 60 * 1000 });
    addTerm(h.doc, 'late', { term: 'kuchelewa', rendering: 'late', language: 'sw', notes: '' });
    await h.client.request();
    expect(h.client.state).toMatchObject({ phase: 'idle', lastError: null });
    const node = (await (await fetch(`${server.url}/api/v1/glossary/general`)).json()) as { terms: Array<{ id: string }> };
    expect(node.terms.map((t) => t.id)).toContain('late');
  });

  it('keeps edits the node does not take on the device, says so, and still brings in others’ edits', async () => {
    const h = harness({ campaign: 'shule', sign: signAs('web-glossary-newcomer') });
    addTerm(h.doc, 'mine', { term: 'yangu', rendering: 'mine', language: 'sw', notes: '' });
    await h.client.request();
    expect(h.client.state).toMatchObject({ phase: 'idle', lastError: null, notEligible: true });
    expect(listTerms(h.doc).map((t) => t.id)).toEqual(['mine']);
    const node = async () => ((await (await fetch(`${server.url}/api/v1/glossary/shule`)).json()) as { terms: Array<{ id: string }> }).terms.map((t) => t.id);
    expect(await node()).toEqual([]);
    // Nothing can be taken from its document either: a deletion is refused like an addition.
    removeTerm(h.doc, 'mine');
    addTerm(h.doc, 'mine-2', { term: 'yangu', rendering: 'mine', language: 'sw', notes: '' });
    await h.client.request();
    expect(h.client.state.notEligible).toBe(true);
    expect(listTerms(h.doc).map((t) => t.id)).toEqual(['mine-2']);
    expect(await node()).toEqual([]);
    // The teacher may write: their term reaches the newcomer's device beside the kept edit.
    const teacher = harness({ campaign: 'shule', sign: signAs('web-glossary-teacher') });
    addTerm(teacher.doc, 'teacher', { term: 'mwalimu', rendering: 'teacher', language: 'sw', notes: '' });
    await teacher.client.request();
    expect(teacher.client.state).toMatchObject({ phase: 'idle', notEligible: false });
    expect(await node()).toEqual(['teacher']);
    await h.client.request();
    expect(listTerms(h.doc).map((t) => t.id).sort()).toEqual(['mine-2', 'teacher']);
    expect(h.client.state.notEligible).toBe(true);
  });
});
