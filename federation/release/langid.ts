/**
 * franc's `francAll`, the same answers faster, for the release's language stage (a release
 * checks every item of the corpus: at a million items franc's own loop was most of the build).
 *
 * Same model data (franc's trigram profiles), same text preparation (trigram-utils: characters
 * U+0021–U+0040 to spaces, whitespace collapsed, trimmed, lower-cased, padded with a space, UTF-16
 * trigrams), same script pick, same distance (per text trigram: |count − rank − 1|, or 300 when
 * the profile lacks it), same normalisation and the same order (a stable sort over the languages
 * in franc's data order). What changes is only the bookkeeping: every profile trigram of a
 * script gets a number, with the list of profiles holding it and its rank in each; a text's
 * trigrams are counted once, every language starts at "none found" (300 per trigram) and only the
 * profiles holding a trigram are adjusted (integer sums, so the totals are exactly franc's); the
 * candidate list for an `only` set is kept. langid.test.ts checks the output equals franc's, tuple for tuple.
 */
import { data } from 'franc/data.js';
import { expressions } from 'franc/expressions.js';

const MAX_LENGTH = 2048;
const MIN_LENGTH = 10;
const MAX_DIFFERENCE = 300;

interface ScriptModel {
  /** Trigram → its number within this script. */
  ids: TrigramTable;
  /** Languages in franc's data order. */
  names: string[];
  /** For each trigram number, the profiles holding it (CSR: offsets into lang/rank). */
  offsets: Int32Array;
  lang: Uint16Array;
  rank: Int16Array;
}

/** A trigram's three UTF-16 code units as one number (exact in a double: 48 bits). */
const key3 = (a: number, b: number, c: number) => a * 0x100000000 + b * 0x10000 + c;

/**
 * Trigrams → numbers by open addressing, the key held as two int32s (the first code unit; the
 * other two as b·2¹⁶ + c): a Map keyed by 48-bit numbers boxed every key and was most of the
 * language stage. Entries are never removed; `clear` forgets them all at once (a generation stamp).
 */
class TrigramTable {
  private readonly mask: number;
  private readonly first: Int32Array;
  private readonly rest: Int32Array;
  private readonly values: Int32Array;
  private readonly stamps: Int32Array;
  private generation = 1;
  size = 0;

  /** Room for `capacity` trigrams at a load of at most a half. */
  constructor(capacity: number) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.mask = slots - 1;
    this.first = new Int32Array(slots);
    this.rest = new Int32Array(slots);
    this.values = new Int32Array(slots);
    this.stamps = new Int32Array(slots);
  }

  private slot(a: number, bc: number): number {
    let i = fmix(Math.imul(a, 0x9e3779b1) ^ bc) & this.mask;
    while (this.stamps[i] === this.generation && (this.first[i] !== a || this.rest[i] !== bc)) i = (i + 1) & this.mask;
    return i;
  }

  /** The trigram's value, or -1. */
  get(a: number, bc: number): number {
    const i = this.slot(a, bc);
    return this.stamps[i] === this.generation ? this.values[i]! : -1;
  }

  /** Sets the trigram's value unless it has one; answers whether it was new. */
  add(a: number, bc: number, value: number): boolean {
    const i = this.slot(a, bc);
    if (this.stamps[i] === this.generation) return false;
    this.stamps[i] = this.generation;
    this.first[i] = a;
    this.rest[i] = bc;
    this.values[i] = value;
    this.size++;
    return true;
  }

  clear(): void {
    this.generation++;
    this.size = 0;
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

const models = new Map<string, ScriptModel>();
for (const [script, languages] of Object.entries(data as Record<string, Record<string, string>>)) {
  const keys = new Map<number, number>();
  const names = Object.keys(languages);
  // franc: `trigrams[model[weight]] = weight`, counting down, so a repeated trigram keeps its first index.
  const profiles = names.map((name) => {
    const trigrams = languages[name]!.split('|');
    const ranks = new Map<number, number>();
    for (let w = trigrams.length - 1; w >= 0; w--) {
      const t = trigrams[w]!;
      // franc's trigrams are three code units (padded with spaces where a profile holds fewer).
      const k = key3(t.charCodeAt(0), t.charCodeAt(1), t.charCodeAt(2));
      if (!keys.has(k)) keys.set(k, keys.size);
      ranks.set(keys.get(k)!, w);
    }
    return ranks;
  });
  const ids = new TrigramTable(keys.size);
  for (const [k, id] of keys) ids.add(Math.floor(k / 0x100000000), k % 0x100000000 | 0, id);
  const counts = new Int32Array(ids.size + 1);
  for (const ranks of profiles) for (const id of ranks.keys()) counts[id + 1]!++;
  const offsets = new Int32Array(ids.size + 1);
  for (let i = 1; i <= ids.size; i++) offsets[i] = offsets[i - 1]! + counts[i]!;
  const fill = offsets.slice(0, ids.size);
  const lang = new Uint16Array(offsets[ids.size]!);
  const rank = new Int16Array(offsets[ids.size]!);
  profiles.forEach((ranks, l) => {
    for (const [id, w] of ranks) {
      const at = fill[id]!++;
      lang[at] = l;
      rank[at] = w;
    }
  });
  models.set(script, { ids, names, offsets, lang, rank });
}

const SCRIPTS = Object.entries(expressions as Record<string, RegExp>);

/**
 * For every BMP code unit (surrogates aside), a bit per script whose expression matches it:
 * franc's expressions are character classes (astral characters as surrogate pairs), so a text
 * without surrogates has, per script, as many matches as code units with that bit. Built on
 * first use from the expressions themselves (about 0.2 s).
 */
let scriptBits: Uint32Array | undefined;
function bitsOf(): Uint32Array {
  if (scriptBits !== undefined) return scriptBits;
  const bits = new Uint32Array(0x10000);
  const tests = SCRIPTS.map(([, e]) => new RegExp(e.source));
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c < 0xe000) continue;
    const ch = String.fromCharCode(c);
    let mask = 0;
    for (let i = 0; i < tests.length; i++) if (tests[i]!.test(ch)) mask |= 1 << i;
    bits[c] = mask;
  }
  return (scriptBits = bits);
}
if (SCRIPTS.length > 32) throw new Error('langid: more than 32 scripts; the script table needs wider masks');

/** franc's script pick: the script whose expression matches the largest share of the text (the first on a tie). */
function topScript(value: string): [string | undefined, number] {
  const bits = bitsOf();
  const counts = new Int32Array(SCRIPTS.length);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c < 0xe000) return topScriptByExpressions(value);
    for (let m = bits[c]!; m !== 0; m &= m - 1) counts[31 - Math.clz32(m & -m)]!++;
  }
  let topCount = -1;
  let top: string | undefined;
  for (let i = 0; i < SCRIPTS.length; i++) {
    const count = counts[i]! / value.length || 0;
    if (count > topCount) {
      topCount = count;
      top = SCRIPTS[i]![0];
    }
  }
  return [top, topCount];
}

/** franc's own loop (texts with astral characters). */
function topScriptByExpressions(value: string): [string | undefined, number] {
  let topCount = -1;
  let top: string | undefined;
  for (const [script, expression] of SCRIPTS) {
    const found = value.match(expression);
    const count = (found ? found.length : 0) / value.length || 0;
    if (count > topCount) {
      topCount = count;
      top = script;
    }
  }
  return [top, topCount];
}

/** trigram-utils' `clean`: the text whose trigrams are counted. */
function clean(value: string): string {
  return ` ${value.replace(/[\u0021-\u0040]+/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase()} `;
}

/** The code units `clean` turns into spaces: U+0021–U+0040 and whitespace (`\s`). */
const SPACE_LIKE = new Uint8Array(0x10000);
for (let c = 0; c < 0x10000; c++) if ((c >= 0x21 && c <= 0x40) || /\s/.test(String.fromCharCode(c))) SPACE_LIKE[c] = 1;

/**
 * A text's trigrams counted, reusing its buffers from call to call: the model's trigrams by their
 * number (`counts`, those seen listed in `seen`), the others only told apart (`others`), since a
 * trigram no profile holds costs every language the same and only their number matters.
 */
class TextTrigrams {
  private units = new Uint16Array(MAX_LENGTH * 2 + 2);
  private counts = new Int32Array(0);
  private seen = new Int32Array(0);
  private seenCount = 0;
  private others = new TrigramTable(0);

  /**
   * `clean(value)` into `units`; answers its length. Lower-cased first, then cleaned in one pass
   * (no character lower-cases to or from a space-like one: langid.test.ts), which gives the same
   * text except around a capital sigma (its lower case depends on what follows): such a text is
   * cleaned as trigram-utils does it.
   */
  private clean(value: string): number {
    const text = value.includes('Σ') ? clean(value) : value.toLowerCase();
    if (this.units.length < text.length + 2) this.units = new Uint16Array(text.length * 2 + 2);
    const units = this.units;
    let n = 0;
    units[n++] = 32;
    let space = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (SPACE_LIKE[c] === 1) {
        // A run of them becomes one space; none at either end.
        space = n > 1;
      } else {
        if (space) units[n++] = 32;
        space = false;
        units[n++] = c;
      }
    }
    units[n++] = 32;
    return n;
  }

  /** Counts the trigrams of `value`, cleaned, against `model`; answers how many different trigrams it has. */
  count(value: string, model: ScriptModel): number {
    const n = this.clean(value);
    if (this.counts.length < model.offsets.length) this.counts = new Int32Array(model.offsets.length);
    if (this.seen.length < n) {
      this.seen = new Int32Array(n);
      this.others = new TrigramTable(n);
    }
    const { units, counts, seen, others } = this;
    others.clear();
    let seenCount = 0;
    let a = units[0]!;
    let b = units[1]!;
    for (let i = 2; i < n; i++) {
      const c = units[i]!;
      const bc = (b << 16) | c;
      const id = model.ids.get(a, bc);
      if (id >= 0) {
        if (counts[id] === 0) seen[seenCount++] = id;
        counts[id]!++;
      } else {
        others.add(a, bc, 0);
      }
      a = b;
      b = c;
    }
    this.seenCount = seenCount;
    return seenCount + others.size;
  }

  /** Calls `each` with every model trigram counted and its count, and forgets the counts. */
  drain(each: (id: number, count: number) => void): void {
    for (let k = 0; k < this.seenCount; k++) {
      const id = this.seen[k]!;
      each(id, this.counts[id]!);
      this.counts[id] = 0;
    }
    this.seenCount = 0;
  }
}
/** Scratch space for francAllFast (synchronous: one text at a time per thread). */
const textTrigrams = new TextTrigrams();

/** A script's candidates for one `only` list, and its trigram lists cut down to those candidates. */
interface Candidates {
  /** Indices (in franc's data order) of the candidate languages. */
  langs: number[];
  /** The model's CSR lists holding only the candidates' entries (all of them when `only` is empty). */
  offsets: Int32Array;
  lang: Uint16Array;
  rank: Int16Array;
}

const candidateCache = new Map<string, Map<string, Candidates>>();
/** The same `only` array (a caller's memoised list) skips the join of its codes. */
const candidatesByList = new WeakMap<readonly string[], Map<string, Candidates>>();

function candidates(script: string, model: ScriptModel, only: readonly string[]): Candidates {
  let byScript = candidatesByList.get(only);
  if (byScript === undefined) {
    const key = only.join(',');
    byScript = candidateCache.get(key);
    if (byScript === undefined) {
      if (candidateCache.size > 1000) candidateCache.clear();
      byScript = new Map();
      candidateCache.set(key, byScript);
    }
    candidatesByList.set(only, byScript);
  }
  let entry = byScript.get(script);
  if (entry === undefined) {
    const allowed = new Set(only);
    const langs = model.names.flatMap((name, i) => (only.length === 0 || allowed.has(name) ? [i] : []));
    if (only.length === 0) {
      entry = { langs, offsets: model.offsets, lang: model.lang, rank: model.rank };
    } else {
      // Only the candidates' distances are ranked, so the other profiles need not be adjusted.
      const keep = new Uint8Array(model.names.length);
      for (const l of langs) keep[l] = 1;
      const n = model.offsets.length - 1;
      const offsets = new Int32Array(n + 1);
      const lang: number[] = [];
      const rank: number[] = [];
      for (let id = 0; id < n; id++) {
        for (let p = model.offsets[id]!, end = model.offsets[id + 1]!; p < end; p++) {
          if (keep[model.lang[p]!] === 0) continue;
          lang.push(model.lang[p]!);
          rank.push(model.rank[p]!);
        }
        offsets[id + 1] = lang.length;
      }
      entry = { langs, offsets, lang: Uint16Array.from(lang), rank: Int16Array.from(rank) };
    }
    byScript.set(script, entry);
  }
  return entry;
}

/** `francAll(value, { minLength, only })`, answer for answer. */
export function francAllFast(value: string, options: { minLength?: number; only?: readonly string[] } = {}): [string, number][] {
  const only = options.only ?? [];
  const minLength = options.minLength ?? MIN_LENGTH;
  if (!value || value.length < minLength) return [['und', 1]];
  value = value.slice(0, MAX_LENGTH);
  const [script, share] = topScript(value);
  const model = script === undefined ? undefined : models.get(script);
  if (script === undefined || model === undefined) {
    if (script === undefined || share === 0 || (only.length > 0 && !only.includes(script))) return [['und', 1]];
    return [[script, 1]];
  }
  const { langs, offsets, lang, rank } = candidates(script, model, only);
  if (langs.length === 0) return [['und', 1]];
  // Every text trigram costs MAX_DIFFERENCE in a profile without it; walk only the (candidate) profiles with it.
  const distinct = textTrigrams.count(value, model);
  const adjust = new Int32Array(model.names.length);
  textTrigrams.drain((id, c) => {
    for (let p = offsets[id]!, end = offsets[id + 1]!; p < end; p++) {
      const d = c - rank[p]! - 1;
      adjust[lang[p]!]! += (d < 0 ? -d : d) - MAX_DIFFERENCE;
    }
  });
  // franc's stable sort by distance, as one numeric sort of distance·2¹⁶ + position (distances
  // are whole numbers from 0 to under 2,048 · 2,400: exact in a double).
  const base = distinct * MAX_DIFFERENCE;
  const order = new Float64Array(langs.length);
  for (let i = 0; i < langs.length; i++) order[i] = (base + adjust[langs[i]!]!) * 0x10000 + i;
  order.sort();
  const distances: [string, number][] = new Array(langs.length);
  for (let i = 0; i < order.length; i++) {
    const at = order[i]! % 0x10000;
    distances[i] = [model.names[langs[at]!]!, (order[i]! - at) / 0x10000];
  }
  const min = distances[0]![1];
  const max = value.length * MAX_DIFFERENCE - min;
  for (const d of distances) d[1] = 1 - (d[1] - min) / max || 0;
  return distances;
}
