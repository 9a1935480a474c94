import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, listTerms, readConventions, removeTerm, setConventions, updateTerm } from '../protocol/glossary.doc.ts';
import { applyAttributed, docOf, encodeUpdate, partsOf, rangesOf, subtractRanges, unionRanges } from './attribution.ts';

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

const term = (t: string) => ({ term: t, rendering: '', language: '', notes: '' });

describe('ranges', () => {
  it('merge, subtract and unite clock ranges per client', () => {
    const a = rangesOf({ clients: new Map([[1, [{ clock: 5, len: 5 }, { clock: 0, len: 3 }, { clock: 2, len: 2 }]]]) });
    expect(a.get(1)).toEqual([[0, 4], [5, 10]]);
    const b = rangesOf({ clients: new Map([[1, [{ clock: 3, len: 4 }]], [2, [{ clock: 0, len: 1 }]]]) });
    expect(subtractRanges(a, b).get(1)).toEqual([[0, 3], [7, 10]]);
    expect(subtractRanges(b, a).get(2)).toEqual([[0, 1]]);
    expect(subtractRanges(a, a).size).toBe(0);
    expect(unionRanges([a, b]).get(1)).toEqual([[0, 10]]);
  });
});

describe('encodeUpdate', () => {
  it('writes back what Y.decodeUpdate read: the same document', () => {
    const doc = new Y.Doc();
    addTerm(doc, 'a', term('maji'));
    setConventions(doc, 'Long vowels are written double.');
    addTerm(doc, 'b', term('moto'));
    removeTerm(doc, 'a');
    setConventions(doc, 'Long vowels double.');
    const update = Y.encodeStateAsUpdate(doc);
    const { structs, ds } = Y.decodeUpdate(update);
    const copy = docOf([encodeUpdate(structs, rangesOf(ds as never))]);
    expect(Y.encodeStateAsUpdate(copy)).toEqual(update);
  });

  it('fills a gap between two structs of a client with a skip', () => {
    const doc = new Y.Doc();
    addTerm(doc, 'a', term('a'));
    const sv = Y.encodeStateVector(doc);
    addTerm(doc, 'b', term('b'));
    const sv2 = Y.encodeStateVector(doc);
    addTerm(doc, 'c', term('c'));
    const first = Y.decodeUpdate(Y.encodeStateAsUpdate(doc)).structs.filter((s) => s.id.clock < Y.decodeStateVector(sv).get(doc.clientID)!);
    const last = Y.decodeUpdate(Y.encodeStateAsUpdate(doc, sv2)).structs;
    const holed = encodeUpdate([...first, ...last], new Map());
    const target = docOf([holed]);
    expect(listTerms(target).map((t) => t.id)).toEqual(['a']);
    Y.applyUpdate(target, Y.encodeStateAsUpdate(doc, sv));
    expect(listTerms(target).map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('applyAttributed', () => {
  for (const seed of [3, 11, 29]) {
    it(`splits what devices send into novel parts that make the document again, each struct and deletion in one (seed ${seed})`, () => {
      const random = prng(seed);
      const server = new Y.Doc();
      const devices = Array.from({ length: 3 }, () => ({ doc: new Y.Doc(), sv: null as Uint8Array | null }));
      const parts: Uint8Array[] = [];
      let next = 0;
      for (let step = 0; step < 200; step++) {
        const d = devices[Math.floor(random() * devices.length)]!;
        const ids = listTerms(d.doc).map((t) => t.id);
        const roll = random();
        if (roll < 0.3) addTerm(d.doc, `t${next++}`, term(`t${step}`));
        else if (roll < 0.4 && ids.length > 0) updateTerm(d.doc, ids[Math.floor(random() * ids.length)]!, term(`e${step}`));
        else if (roll < 0.5 && ids.length > 0) removeTerm(d.doc, ids[Math.floor(random() * ids.length)]!);
        else if (roll < 0.65) {
          const text = readConventions(d.doc);
          const at = Math.floor(random() * (text.length + 1));
          setConventions(d.doc, `${text.slice(0, at)}[${step}]${text.slice(at + Math.floor(random() * 3))}`);
        } else {
          // A sync: sent against the server's last state vector (sometimes a stale one), answered in full.
          const sent = Y.encodeStateAsUpdate(d.doc, random() < 0.2 ? undefined : (d.sv ?? undefined));
          const { novel } = applyAttributed(server, sent);
          if (novel !== null) parts.push(novel);
          Y.applyUpdate(d.doc, Y.encodeStateAsUpdate(server, Y.encodeStateVector(d.doc)));
          d.sv = Y.encodeStateVector(server);
        }
      }
      const rebuilt = docOf(parts);
      expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(server));
      expect(listTerms(rebuilt)).toEqual(listTerms(server));
      expect(readConventions(rebuilt)).toBe(readConventions(server));
      // No struct and no deletion is in two parts.
      const seen = { structs: new Map() as ReturnType<typeof rangesOf>, deletions: new Map() as ReturnType<typeof rangesOf> };
      for (const part of parts) {
        const p = partsOf(part);
        for (const key of ['structs', 'deletions'] as const) {
          expect(subtractRanges(p[key], seen[key])).toEqual(p[key]);
          seen[key] = unionRanges([seen[key], p[key]]);
        }
      }
    });
  }

  it('answers nothing new for an update the document already holds, deletions included', () => {
    const a = new Y.Doc();
    addTerm(a, 'x', term('x'));
    removeTerm(a, 'x');
    const server = new Y.Doc();
    expect(applyAttributed(server, Y.encodeStateAsUpdate(a)).novel).not.toBeNull();
    expect(applyAttributed(server, Y.encodeStateAsUpdate(a))).toEqual({ novel: null, clients: [] });
  });

  it('names the client ids under which an update brought new structs', () => {
    const a = new Y.Doc();
    addTerm(a, 'x', term('x'));
    const server = new Y.Doc();
    expect(applyAttributed(server, Y.encodeStateAsUpdate(a)).clients).toEqual([a.clientID]);
  });
});
