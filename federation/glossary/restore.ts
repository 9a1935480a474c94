/**
 * Bringing a glossary back to what it would be without some records (one author's, or those
 * after a time). Pure (Yjs only).
 *
 * What it would be is read over the whole document — every struct any record brought, content
 * kept (`gc: false`): the structs the left-out records created are not shown, and only the
 * deletions the kept records made count (attribution.ts). A map key shows its latest value that is
 * shown, so an overwrite by the left-out author gives the earlier value back; a text shows its
 * characters likewise, so what others typed next to the left-out author's stays. What lives
 * *inside* something left out goes with it: an edit to a term the left-out author created is not
 * shown. (Rebuilding a document from the kept records instead would lose far more: Yjs integrates a
 * client's structs in order, so one edit inside a left-out term would leave everything that client
 * wrote afterwards pending, unseen.)
 *
 * The way there: a CRDT cannot go back — what was deleted stays deleted on every replica — so the
 * server writes a new update, under a client id of its own, that makes the document show the
 * target: what the target does not show is deleted, and what it shows that is deleted now is
 * written again as a copy (a term, a field, a run of characters) where the original stood. The
 * record keeps each copy's original (`aliases`): a kept copy stands in for its original from then
 * on, so reading the document again never shows both (a second revert changes nothing), and a
 * copy someone deleted stays deleted. Every replica receives the update like any other and
 * converges. Only `terms` and `conventions` (glossary.doc.ts) are read and written.
 */
import * as Y from 'yjs';
import { conventionsText, termsMap } from '../protocol/glossary.doc.ts';
import { addRanges, type Ranges } from './attribution.ts';

/** A copy the server wrote and the struct it copies: [copy client, copy clock, original client, original clock, length]. */
export type Alias = [number, number, number, number, number];

/** Which structs a reading leaves out, and which deletions it counts. */
export interface Reading {
  /** Created by left-out records. */
  leftOut: Ranges;
  /** Deleted by kept records. */
  deletions: Ranges;
  /** Originals of copies kept records wrote (their copies stand in for them). */
  replaced: Ranges;
}

const within = (ranges: Ranges, client: number, clock: number): boolean => (ranges.get(client) ?? []).some(([s, e]) => s <= clock && clock < e);

/** The originals of these aliases, as ranges. */
export function replacedBy(aliases: readonly Alias[], into: Ranges = new Map()): Ranges {
  for (const [, , client, clock, length] of aliases) addRanges(into, client, [[clock, clock + length]]);
  return into;
}

/** A client id no struct of `doc` uses (the server writes under it, once). */
export function freshClientId(doc: Y.Doc, random: () => number = Math.random): number {
  const used = Y.decodeStateVector(Y.encodeStateVector(doc));
  for (;;) {
    const id = Math.floor(random() * 0xffffffff) >>> 0;
    if (!used.has(id)) return id;
  }
}

type MapType = Y.AbstractType<unknown>;

/**
 * The update (under a new client id) that makes `full` show what `reading` reads in it, and the
 * copies it writes; null when it shows that already. `full` is not changed.
 */
export function restoreUpdate(full: Y.Doc, reading: Reading, random: () => number = Math.random): { update: Uint8Array; aliases: Alias[] } | null {
  const work = new Y.Doc({ gc: false });
  Y.applyUpdate(work, Y.encodeStateAsUpdate(full));
  work.clientID = freshClientId(full, random);
  const before = Y.encodeStateVector(work);
  const shown = (item: Y.Item, offset = 0) => {
    const clock = item.id.clock + offset;
    const { client } = item.id;
    return !within(reading.leftOut, client, clock) && !within(reading.deletions, client, clock) && !within(reading.replaced, client, clock);
  };
  /** The latest value of `key` that the reading shows. */
  const wanted = (type: MapType, key: string): Y.Item | null => {
    for (let item = type._map.get(key) ?? null; item !== null; item = item.left) {
      if (!(item.content instanceof Y.ContentDeleted) && shown(item)) return item;
    }
    return null;
  };
  const live = (type: MapType, key: string): Y.Item | null => {
    const item = type._map.get(key);
    return item !== undefined && !item.deleted ? item : null;
  };
  const isMap = (item: Y.Item | null): item is Y.Item & { content: Y.ContentType } => item !== null && item.content instanceof Y.ContentType && item.content.type instanceof Y.Map;
  const valueOf = (item: Y.Item): unknown => item.content.getContent()[item.length - 1];
  const aliases: Alias[] = [];
  const copied = (copy: Y.Item | undefined, original: Y.Item) => {
    if (copy !== undefined) aliases.push([copy.id.client, copy.id.clock, original.id.client, original.id.clock, 1]);
  };
  let changed = false;
  const fieldsOf = (type: MapType, pick: (type: MapType, key: string) => Y.Item | null) => {
    const out = new Map<string, unknown>();
    for (const key of type._map.keys()) {
      const item = pick(type, key);
      if (item !== null && typeof valueOf(item) === 'string') out.set(key, valueOf(item));
    }
    return out;
  };
  /** Whether the live term `have` shows the fields the reading shows in `want`. */
  const sameFields = (have: MapType, want: MapType) => {
    const a = fieldsOf(have, live);
    const b = fieldsOf(want, wanted);
    return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
  };

  /**
   * Makes the fields of the live term `entry` those the reading shows in `target`'s; `alias`: note
   * each field written as a copy (not needed inside a copied term, whose original is unreachable).
   */
  const reconcileFields = (entry: Y.Map<unknown>, target: MapType, alias: boolean) => {
    const type = entry as unknown as MapType;
    for (const key of new Set([...type._map.keys(), ...target._map.keys()])) {
      const want = wanted(target, key);
      const have = live(type, key);
      if (want === have) continue;
      if (want === null || typeof valueOf(want) !== 'string') {
        if (have !== null) {
          entry.delete(key);
          changed = true;
        }
        continue;
      }
      if (have !== null && valueOf(have) === valueOf(want)) continue;
      entry.set(key, valueOf(want));
      if (alias) copied(type._map.get(key), want);
      changed = true;
    }
  };

  work.transact(() => {
    const terms = termsMap(work) as unknown as Y.Map<unknown>;
    const root = terms as unknown as MapType;
    for (const id of [...root._map.keys()]) {
      const want = wanted(root, id);
      const have = live(root, id);
      if (!isMap(want)) {
        if (have !== null) {
          terms.delete(id);
          changed = true;
        }
        continue;
      }
      const target = want.content.type as unknown as MapType;
      // A different term showing the same fields (a copy written before, say) is left as it is.
      if (isMap(have) && want !== have && sameFields(have.content.type as unknown as MapType, target)) continue;
      if (want === have) {
        reconcileFields(target as unknown as Y.Map<unknown>, target, true);
        continue;
      }
      // The term shown is not the live one (deleted, or overwritten by what is left out): a copy.
      const entry = new Y.Map<unknown>();
      terms.set(id, entry);
      copied(root._map.get(id), want);
      reconcileFields(entry, target, false);
      changed = true;
    }

    const text = conventionsText(work);
    type Run = { visible: boolean; want: boolean; client: number; clock: number; chars: string };
    const runs: Run[] = [];
    for (let item = (text as unknown as MapType)._start; item !== null; item = item.right) {
      if (!(item.content instanceof Y.ContentString)) continue;
      const chars = item.content.str;
      for (let i = 0; i < chars.length; i++) {
        const step = { visible: !item.deleted, want: shown(item, i), client: item.id.client, clock: item.id.clock + i };
        const last = runs[runs.length - 1];
        if (last !== undefined && last.visible === step.visible && last.want === step.want && last.client === step.client && last.clock + last.chars.length === step.clock) last.chars += chars[i];
        else runs.push({ ...step, chars: chars[i]! });
      }
    }
    // The same text by other characters (a copy written before, say) is left as it is.
    const same = runs.filter((r) => r.visible).map((r) => r.chars).join('') === runs.filter((r) => r.want).map((r) => r.chars).join('');
    let index = 0;
    for (const run of same ? [] : runs) {
      if (run.visible && run.want) index += run.chars.length;
      else if (run.visible) {
        text.delete(index, run.chars.length);
        changed = true;
      } else if (run.want) {
        const clock = Y.getState(work.store, work.clientID);
        text.insert(index, run.chars);
        aliases.push([work.clientID, clock, run.client, run.clock, run.chars.length]);
        index += run.chars.length;
        changed = true;
      }
    }
  });
  if (!changed) return null;
  return { update: Y.encodeStateAsUpdate(work, before), aliases };
}
