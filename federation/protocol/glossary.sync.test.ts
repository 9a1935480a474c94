import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, listTerms, readConventions, removeTerm, setConventions } from './glossary.doc.ts';
import {
  applyCheckedUpdate,
  decodeClientRequest,
  decodeServerAnswer,
  decodeSyncMessages,
  encodeClientRequest,
  encodeServerAnswer,
  encodeSyncMessages,
  GlossarySyncError,
} from './glossary.sync.ts';

const input = (term: string) => ({ term, rendering: `${term}-r`, language: 'sw', notes: '' });

/** One round trip: the device sends, the node applies and answers, the device applies. */
function roundTrip(device: Y.Doc, node: Y.Doc, nodeSv: Uint8Array | null) {
  const request = encodeClientRequest(device, nodeSv);
  const { stateVector, update } = decodeClientRequest(request);
  if (update) applyCheckedUpdate(node, update, 'device');
  const answer = encodeServerAnswer(node, stateVector);
  const decoded = decodeServerAnswer(answer);
  applyCheckedUpdate(device, decoded.update, 'node');
  return { request, answer, nodeSv: decoded.stateVector };
}

function malformed(bytes: Uint8Array, decode: (b: Uint8Array) => unknown = decodeSyncMessages): string {
  try {
    decode(bytes);
  } catch (e) {
    return e instanceof GlossarySyncError ? e.code : `other: ${String(e)}`;
  }
  return 'accepted';
}

describe('glossary sync messages', () => {
  it('two devices editing apart converge through the node', () => {
    const node = new Y.Doc();
    const a = new Y.Doc();
    const b = new Y.Doc();
    addTerm(a, 'a1', input('maji'));
    setConventions(a, 'Use standard spelling.');
    addTerm(b, 'b1', input('moto'));
    setConventions(b, 'Numbers in digits.');
    let svA = roundTrip(a, node, null).nodeSv;
    const svB = roundTrip(b, node, null).nodeSv;
    svA = roundTrip(a, node, svA).nodeSv;
    removeTerm(b, 'a1');
    roundTrip(b, node, svB);
    roundTrip(a, node, svA);
    expect(listTerms(a)).toEqual(listTerms(b));
    expect(listTerms(a).map((t) => t.id)).toEqual(['b1']);
    expect(readConventions(a)).toBe(readConventions(b));
    expect(readConventions(a)).toContain('Use standard spelling.');
    expect(readConventions(a)).toContain('Numbers in digits.');
    expect(listTerms(node)).toEqual(listTerms(a));
  });

  it('sends only what is missing: a second sync with nothing new is a few bytes each way', () => {
    const node = new Y.Doc();
    const device = new Y.Doc();
    for (let i = 0; i < 50; i++) addTerm(device, `t${i}`, input(`neno ${i}`));
    const first = roundTrip(device, node, null);
    const second = roundTrip(device, node, first.nodeSv);
    expect(first.request.byteLength).toBeGreaterThan(1000);
    expect(second.request.byteLength).toBeLessThan(20);
    expect(second.answer.byteLength).toBeLessThan(20);
    // One new term travels alone, not the fifty already there.
    addTerm(device, 'new', input('jipya'));
    const third = roundTrip(device, node, second.nodeSv);
    expect(third.request.byteLength).toBeLessThan(first.request.byteLength / 10);
    expect(listTerms(node)).toHaveLength(51);
  });

  it('a deletion travels even though it does not advance the state vector', () => {
    const node = new Y.Doc();
    const device = new Y.Doc();
    addTerm(device, 'x', input('x'));
    const { nodeSv } = roundTrip(device, node, null);
    removeTerm(device, 'x');
    roundTrip(device, node, nodeSv);
    expect(listTerms(node)).toEqual([]);
  });

  it('a request without an update is just the state vector', () => {
    const request = decodeClientRequest(encodeClientRequest(new Y.Doc(), null));
    expect(request.update).toBeNull();
  });

  it('refuses truncated bytes, unknown types, undecodable payloads and wrong message order', () => {
    const doc = new Y.Doc();
    addTerm(doc, 'x', input('x'));
    const good = encodeClientRequest(doc, null);
    expect(malformed(good.subarray(0, good.byteLength - 2))).toBe('malformed_sync_message');
    expect(malformed(new Uint8Array([7, 1, 0]))).toBe('malformed_sync_message');
    expect(malformed(encodeSyncMessages([{ type: 'step2', update: new Uint8Array([1, 2, 3]) }]))).toBe('malformed_sync_message');
    expect(malformed(encodeSyncMessages([{ type: 'step1', stateVector: new Uint8Array([5, 1]) }]))).toBe('malformed_sync_message');
    const updateOnly = encodeSyncMessages([{ type: 'step2', update: Y.encodeStateAsUpdate(doc) }]);
    expect(malformed(updateOnly, decodeClientRequest)).toBe('malformed_sync_message');
    expect(malformed(good, decodeServerAnswer)).toBe('malformed_sync_message');
    expect(malformed(new Uint8Array(0), decodeClientRequest)).toBe('malformed_sync_message');
    expect(malformed(good, decodeClientRequest)).toBe('accepted');
  });

  it('refuses an update holding a value nested deep (which would overflow every later encoding), however deep', () => {
    // An update setting a term to a nested array, spliced deeper byte by byte (two bytes a level)
    // as an attacker would write it: no encoder is needed.
    const at = (levels: number) => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = [value];
      const doc = new Y.Doc();
      doc.clientID = 7;
      doc.getMap('terms').set('t', value);
      return Y.encodeStateAsUpdate(doc);
    };
    const [a, b] = [at(10), at(11)];
    let i = 0;
    while (a[i] === b[i]) i++;
    const deeper = (levels: number) => {
      const out = new Uint8Array(a.length + 2 * (levels - 10));
      out.set(a.subarray(0, i));
      for (let k = 0; k < levels - 10; k++) out.set(b.subarray(i, i + 2), i + 2 * k);
      out.set(a.subarray(i), i + 2 * (levels - 10));
      return out;
    };
    expect(deeper(11)).toEqual(b);
    const request = (update: Uint8Array) => encodeSyncMessages([{ type: 'step1', stateVector: new Uint8Array([0]) }, { type: 'step2', update }]);
    for (const levels of [10, 2_000, 500_000]) expect(() => decodeClientRequest(request(deeper(levels))), String(levels)).toThrow(GlossarySyncError);
    expect(decodeClientRequest(request(at(3))).update).not.toBeNull();
  });

  it('refuses random bytes without throwing anything but the sync error', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 500; i++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256));
      const outcome = malformed(bytes, decodeClientRequest);
      expect(['malformed_sync_message', 'accepted']).toContain(outcome);
    }
  });
});
