/**
 * What an update adds to a document, so that it can be attributed to whoever sent it. Pure (Yjs
 * only).
 *
 * A Yjs update names who created each struct (its client id), but not who deleted what: a device's
 * update carries the whole delete set of its document, others' deletions included. So a server
 * keeps, beside each update as it was sent, its *novel part*: the structs the document did not hold
 * yet and the deletions it had not seen yet. Each struct and each deletion then belongs to the one
 * record that first brought it; merging every record's novel part gives the document again, and
 * merging all but some gives the document without them (restore.ts).
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { applyCheckedUpdate, GlossarySyncError } from '../protocol/glossary.sync.ts';

/** Half-open clock ranges [start, end) per client, sorted and merged. */
export type Ranges = Map<number, [number, number][]>;

interface DeleteSetLike {
  clients: Map<number, readonly { clock: number; len: number }[]>;
}

export function addRanges(out: Ranges, client: number, items: Iterable<readonly [number, number]>): void {
  const list = out.get(client) ?? [];
  for (const [start, end] of items) if (end > start) list.push([start, end]);
  list.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of list) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  if (merged.length > 0) out.set(client, merged);
  else out.delete(client);
}

export function rangesOf(...sets: DeleteSetLike[]): Ranges {
  const out: Ranges = new Map();
  for (const ds of sets) {
    for (const [client, items] of ds.clients) addRanges(out, client, items.map((i) => [i.clock, i.clock + i.len] as const));
  }
  return out;
}

/** `a` without `b`. */
export function subtractRanges(a: Ranges, b: Ranges): Ranges {
  const out: Ranges = new Map();
  for (const [client, ranges] of a) {
    const minus = b.get(client) ?? [];
    const kept: [number, number][] = [];
    for (const [start, end] of ranges) {
      let s = start;
      for (const [bs, be] of minus) {
        if (be <= s || bs >= end) continue;
        if (bs > s) kept.push([s, bs]);
        s = Math.max(s, be);
        if (s >= end) break;
      }
      if (s < end) kept.push([s, end]);
    }
    if (kept.length > 0) out.set(client, kept);
  }
  return out;
}

function covered(ranges: Ranges, client: number, start: number, end: number): boolean {
  return (ranges.get(client) ?? []).some(([s, e]) => s <= start && end <= e);
}

type Struct = ReturnType<typeof Y.decodeUpdate>['structs'][number];

/**
 * An update (v1) of exactly these structs and deletions: the structs as `Y.decodeUpdate` gave them
 * (each client's in clock order), written the way Yjs's own `mergeUpdates` writes them; a gap
 * between two structs of a client becomes a Skip, as in any update with holes.
 */
export function encodeUpdate(structs: readonly Struct[], deletions: Ranges): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  const byClient = new Map<number, Struct[]>();
  for (const s of structs) {
    if (s instanceof Y.Skip) continue;
    const list = byClient.get(s.id.client) ?? [];
    const last = list[list.length - 1];
    if (last !== undefined) {
      const end = last.id.clock + last.length;
      if (s.id.clock < end) throw new Error('Structs of one client must be in clock order without overlap');
      if (s.id.clock > end) list.push(new Y.Skip(Y.createID(s.id.client, end), s.id.clock - end));
    }
    list.push(s);
    byClient.set(s.id.client, list);
  }
  encoding.writeVarUint(encoder.restEncoder, byClient.size);
  for (const [client, list] of [...byClient].sort((a, b) => b[0] - a[0])) {
    encoding.writeVarUint(encoder.restEncoder, list.length);
    encoder.writeClient(client);
    encoding.writeVarUint(encoder.restEncoder, list[0]!.id.clock);
    for (const s of list) s.write(encoder, 0);
  }
  encoding.writeVarUint(encoder.restEncoder, deletions.size);
  for (const [client, ranges] of [...deletions].sort((a, b) => b[0] - a[0])) {
    encoder.resetDsCurVal();
    encoding.writeVarUint(encoder.restEncoder, client);
    encoding.writeVarUint(encoder.restEncoder, ranges.length);
    for (const [start, end] of ranges) {
      encoder.writeDsClock(start);
      encoder.writeDsLen(end - start);
    }
  }
  return encoder.toUint8Array();
}

/** What the document knows: the structs it integrated or holds pending, and its deletions. */
function known(doc: Y.Doc): { sv: Uint8Array; pending: Ranges; deleted: Ranges } {
  const sets: DeleteSetLike[] = [Y.createDeleteSetFromStructStore(doc.store) as DeleteSetLike];
  const pending: Ranges = new Map();
  const { pendingStructs, pendingDs } = doc.store;
  // Yjs keeps what it cannot integrate yet as v2 updates.
  if (pendingStructs !== null) {
    const decoded = Y.decodeUpdateV2(pendingStructs.update);
    for (const s of decoded.structs) if (!(s instanceof Y.Skip)) addRanges(pending, s.id.client, [[s.id.clock, s.id.clock + s.length]]);
    sets.push(decoded.ds as DeleteSetLike);
  }
  if (pendingDs !== null) sets.push(Y.decodeUpdateV2(pendingDs).ds as DeleteSetLike);
  return { sv: Y.encodeStateVector(doc), pending, deleted: rangesOf(...sets) };
}

export interface Attributed {
  /** The novel part (v1 update), or null when the update brought nothing new. */
  novel: Uint8Array | null;
  /** The client ids under which it brought new structs. */
  clients: number[];
}

/**
 * Applies `update` (already checked to decode) to `doc` and answers what it added. Throws
 * `GlossarySyncError` when Yjs cannot apply it. Structs the document already holds pending are not
 * new again (a device that re-sends what the server cannot integrate yet adds nothing).
 */
export function applyAttributed(doc: Y.Doc, update: Uint8Array, origin: unknown = null): Attributed {
  let structs: Struct[];
  let deletions: Ranges;
  let fresh: boolean;
  try {
    const before = known(doc);
    structs = Y.decodeUpdate(Y.diffUpdate(update, before.sv)).structs.filter((s) => !(s instanceof Y.Skip));
    fresh = structs.some((s) => !covered(before.pending, s.id.client, s.id.clock, s.id.clock + s.length));
    deletions = subtractRanges(rangesOf(Y.decodeUpdate(update).ds as DeleteSetLike), before.deleted);
  } catch {
    throw new GlossarySyncError('An update could not be read');
  }
  applyCheckedUpdate(doc, update, origin);
  const kept = fresh ? structs : [];
  if (kept.length === 0 && deletions.size === 0) return { novel: null, clients: [] };
  return { novel: encodeUpdate(kept, deletions), clients: [...new Set(kept.map((s) => s.id.client))] };
}

/** What a novel part holds: the clock ranges of its structs, and of its deletions. */
export function partsOf(update: Uint8Array): { structs: Ranges; deletions: Ranges } {
  const { structs, ds } = Y.decodeUpdate(update);
  const created: Ranges = new Map();
  for (const s of structs) if (!(s instanceof Y.Skip)) addRanges(created, s.id.client, [[s.id.clock, s.id.clock + s.length]]);
  return { structs: created, deletions: rangesOf(ds as DeleteSetLike) };
}

/** All of `sets` in one. */
export function unionRanges(sets: Iterable<Ranges>): Ranges {
  const out: Ranges = new Map();
  for (const set of sets) for (const [client, ranges] of set) addRanges(out, client, ranges);
  return out;
}

/** The document the updates make (merged into one); `gc: false` keeps deleted content readable. */
export function docOf(updates: readonly Uint8Array[], gc = true): Y.Doc {
  const doc = new Y.Doc({ gc });
  if (updates.length === 1) Y.applyUpdate(doc, updates[0]!);
  else if (updates.length > 1) Y.applyUpdate(doc, Y.mergeUpdates([...updates]));
  return doc;
}
