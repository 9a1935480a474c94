/**
 * Convergence under a messy network: several devices edit at random (terms and conventions) and
 * sync through the node's real store at random, with lost answers, re-sent requests and a node
 * that compacts often. After everyone syncs twice, every replica and the node hold the same
 * glossary. Seeded, so a failure replays.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, listTerms, readConventions, removeTerm, setConventions, updateTerm } from '../protocol/glossary.doc.ts';
import { applyCheckedUpdate, decodeClientRequest, decodeServerAnswer, encodeClientRequest } from '../protocol/glossary.sync.ts';
import { openStore, type Store } from '../store/index.ts';
import { type GlossaryStore, openGlossaryStore } from './store.ts';
import type { ContributorSigner } from '../trust/contributors.ts';
import { person } from '../../test/support/contributions.ts';
import { deviceWrite } from '../../test/support/glossary.ts';

let dir: string;
let store: Store;
let glossary: GlossaryStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vernacular-glossary-fuzz-'));
  store = await openStore({ dataDir: dir });
  glossary = openGlossaryStore(store.db, { compactAfter: 5 });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Replica {
  doc: Y.Doc;
  nodeSv: Uint8Array | null;
  lastRequest: Uint8Array | null;
  signer: ContributorSigner;
}

describe('glossary convergence', () => {
  for (const seed of [1, 7, 42]) {
    it(`four devices with lost answers and re-sends converge (seed ${seed})`, async () => {
      const random = prng(seed);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
      const replicas: Replica[] = Array.from({ length: 4 }, (_, i) => ({ doc: new Y.Doc(), nodeSv: null, lastRequest: null, signer: person(`fuzz-${i}`) }));
      let nextId = 0;

      const sync = async (r: Replica, loseAnswer: boolean) => {
        const request = encodeClientRequest(r.doc, r.nodeSv);
        r.lastRequest = request;
        const { answer } = await glossary.sync('general', decodeClientRequest(request), deviceWrite(r.signer, 'general', request));
        if (loseAnswer) return;
        const decoded = decodeServerAnswer(answer);
        applyCheckedUpdate(r.doc, decoded.update, 'node');
        r.nodeSv = decoded.stateVector;
      };

      for (let step = 0; step < 300; step++) {
        const r = pick(replicas);
        const roll = random();
        const ids = [...listTerms(r.doc).map((t) => t.id)];
        if (roll < 0.25) {
          addTerm(r.doc, `t${nextId++}`, { term: `term ${Math.floor(random() * 50)}`, rendering: 'r', language: '', notes: '' });
        } else if (roll < 0.35 && ids.length > 0) {
          updateTerm(r.doc, pick(ids), { term: 'edited', rendering: `r${step}`, language: 'sw', notes: String(step) });
        } else if (roll < 0.42 && ids.length > 0) {
          removeTerm(r.doc, pick(ids));
        } else if (roll < 0.6) {
          const text = readConventions(r.doc);
          const at = Math.floor(random() * (text.length + 1));
          const cut = Math.min(text.length - at, Math.floor(random() * 4));
          setConventions(r.doc, `${text.slice(0, at)}[${step}]${text.slice(at + cut)}`);
        } else if (roll < 0.9) {
          await sync(r, random() < 0.2);
        } else if (r.lastRequest !== null) {
          // A request delivered twice (a retry after a lost answer).
          await glossary.sync('general', decodeClientRequest(r.lastRequest), deviceWrite(r.signer, 'general', r.lastRequest));
        }
      }

      for (let round = 0; round < 2; round++) for (const r of replicas) await sync(r, false);
      const node = await glossary.load('general');
      for (const r of replicas) {
        expect(listTerms(r.doc)).toEqual(listTerms(node));
        expect(readConventions(r.doc)).toBe(readConventions(node));
      }
      expect((await glossary.stats('general')).unfolded).toBeLessThan(5);
    });
  }
});
