/**
 * Stage 7, near duplicates: MinHash signatures over character shingles, LSH banding tuned to the
 * configured Jaccard threshold, candidates verified by their exact shingle Jaccard, clusters by
 * union-find; the earliest item (lowest seq) of a cluster is kept, the others are excluded with
 * rule `near_duplicate` and their `cluster` set to the kept item's id.
 *
 * Deterministic: the hash functions are derived from a fixed seed (no randomness at run time), so
 * the same work table always gives the same clusters. Memory: the band hashes go to a file beside
 * the work table, candidate buckets are found one band at a time in memory (a few
 * typed arrays the length of the kept items), and only the union-find of items actually found in
 * a cluster is held beyond that.
 * Only items of the same kind and language are ever compared (both are part of the bucket key,
 * and checked again before a pair is accepted).
 */
import { appendFileSync, closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import type { ReleaseConfig } from './config.ts';
import type { WorkTable } from './work.ts';

/** MurmurHash3's 32-bit finaliser: a bijection of 32-bit integers that mixes every bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seeded 32-bit hash of a string (its UTF-16 code units), MurmurHash3-style. */
export function hash32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ text.length);
}

/** SplitMix32: the fixed stream the hash functions' parameters are drawn from. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

/** The fixed seed of every MinHash function (changing it changes no result above the threshold, only which pairs become candidates). */
export const MINHASH_SEED = 0x5eed_7e57;

/** The text shingles are taken from: lower-cased, whitespace collapsed (as for exact duplicates). */
export function shingleText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The 32-bit hashes of a text's character shingles of `size` code points (a shorter text is one
 * shingle), written into reused buffers: `hash` takes the text as `shingleText` gives it and
 * answers how many hashes it wrote into `hashes`, repeats included (a MinHash minimum does not
 * care, and making a Set of each item's shingles was most of the signature's cost).
 */
export class Shingler {
  private cps = new Int32Array(256);
  hashes = new Uint32Array(256);

  constructor(readonly size: number) {}

  hash(flat: string): number {
    if (this.cps.length < flat.length) this.cps = new Int32Array(flat.length * 2);
    const cps = this.cps;
    let n = 0;
    for (let i = 0; i < flat.length; i++) {
      const c = flat.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < flat.length) {
        const d = flat.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          cps[n++] = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          i++;
          continue;
        }
      }
      cps[n++] = c;
    }
    if (n === 0) return 0;
    const size = this.size;
    const count = Math.max(0, n - size) + 1;
    if (this.hashes.length < count) this.hashes = new Uint32Array(count * 2);
    const hashes = this.hashes;
    for (let i = 0; i < count; i++) {
      let h = 0x9747b28c ^ size;
      const end = Math.min(n, i + size);
      for (let j = i; j < end; j++) {
        h = Math.imul(h ^ cps[j]!, 0x01000193);
        h ^= h >>> 15;
      }
      hashes[i] = fmix32(h);
    }
    return count;
  }
}

/** The set of (32-bit hashes of) the character shingles of `size` code points; a shorter text is one shingle. */
export function shingles(text: string, size: number): Set<number> {
  const shingler = new Shingler(size);
  const count = shingler.hash(shingleText(text));
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(shingler.hashes[i]!);
  return out;
}

/** Exact Jaccard similarity of two shingle sets. */
export function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let both = 0;
  for (const x of small) if (large.has(x)) both++;
  return both / (a.size + b.size - both);
}

export class MinHasher {
  private readonly mul: Int32Array;
  private readonly add: Int32Array;

  /**
   * `permutations` hash functions h(x) = a·x + b mod 2³² (a odd: a permutation of 32-bit
   * integers) over shingle hashes that are already fully mixed (fmix32), a and b drawn from a
   * fixed SplitMix32 stream.
   */
  constructor(readonly permutations: number, seed = MINHASH_SEED) {
    const next = splitmix32(seed);
    this.mul = new Int32Array(permutations);
    this.add = new Int32Array(permutations);
    for (let j = 0; j < permutations; j++) {
      this.mul[j] = next() | 1;
      this.add[j] = next();
    }
  }

  /** The signature: per hash function, the least hash of any shingle (all 0xffffffff for no shingles). */
  signature(set: ReadonlySet<number>): Uint32Array {
    const sig = new Uint32Array(this.permutations);
    const xs = Uint32Array.from(set);
    this.signatureOf(xs, xs.length, sig, 0);
    return sig;
  }

  /**
   * The signature of the first `count` shingle hashes of `xs` (repeats allowed), written into
   * `out` from `offset`. The same values as comparing h(x) as unsigned numbers, computed in int32
   * with the sign bit flipped (x ^ 2³¹ orders as signed what x orders as unsigned: no doubles in
   * the loop), four hash functions per pass over the shingles (each loaded once for four).
   */
  signatureOf(xs: Uint32Array, count: number, out: Uint32Array, offset: number): void {
    const { mul, add } = this;
    const n = this.permutations;
    const SIGN = 0x80000000;
    // The flipped least of "no shingle": 0xffffffff ^ 2³¹.
    const NONE = 0x7fffffff;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const a0 = mul[j]!, a1 = mul[j + 1]!, a2 = mul[j + 2]!, a3 = mul[j + 3]!;
      const b0 = add[j]! ^ SIGN, b1 = add[j + 1]! ^ SIGN, b2 = add[j + 2]! ^ SIGN, b3 = add[j + 3]! ^ SIGN;
      let l0 = NONE, l1 = NONE, l2 = NONE, l3 = NONE;
      for (let i = 0; i < count; i++) {
        const x = xs[i]!;
        const h0 = (Math.imul(x, a0) + b0) | 0;
        if (h0 < l0) l0 = h0;
        const h1 = (Math.imul(x, a1) + b1) | 0;
        if (h1 < l1) l1 = h1;
        const h2 = (Math.imul(x, a2) + b2) | 0;
        if (h2 < l2) l2 = h2;
        const h3 = (Math.imul(x, a3) + b3) | 0;
        if (h3 < l3) l3 = h3;
      }
      out[offset + j] = l0 ^ SIGN;
      out[offset + j + 1] = l1 ^ SIGN;
      out[offset + j + 2] = l2 ^ SIGN;
      out[offset + j + 3] = l3 ^ SIGN;
    }
    for (; j < n; j++) {
      const a = mul[j]!;
      const b = add[j]! ^ SIGN;
      let least = NONE;
      for (let i = 0; i < count; i++) {
        const h = (Math.imul(xs[i]!, a) + b) | 0;
        if (h < least) least = h;
      }
      out[offset + j] = least ^ SIGN;
    }
  }
}

/** The estimated Jaccard of two signatures: the share of hash functions on which they agree. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let j = 0; j < a.length; j++) if (a[j] === b[j]) same++;
  return same / a.length;
}

/** Probability that a pair of Jaccard `s` shares at least one bucket with `bands` bands of `rows` rows. */
export function candidateProbability(s: number, bands: number, rows: number): number {
  return 1 - (1 - s ** rows) ** bands;
}

/**
 * LSH banding for a threshold: the most rows per band (fewest false candidates) that still makes
 * a pair exactly at the threshold a candidate with probability ≥ 0.99 (candidates are verified,
 * so recall is what the banding must protect).
 */
export function banding(permutations: number, threshold: number): { bands: number; rows: number } {
  for (let rows = permutations; rows >= 1; rows--) {
    const bands = Math.floor(permutations / rows);
    if (candidateProbability(threshold, bands, rows) >= 0.99) return { bands, rows };
  }
  return { bands: permutations, rows: 1 };
}

/** In a bucket larger than this, each item is compared with the `WINDOW` items before it (seq order), so a huge bucket is not quadratic. */
export const WINDOW = 64;

export interface NearDuplicateResult {
  clusters: number;
  excluded: number;
  candidatePairs: number;
  bands: number;
  rows: number;
}

/**
 * One band's buckets → the latest item put in each (an index into the caller's arrays; the
 * caller chains each item to the one before it in its bucket). Open addressing on the bucket, a
 * 52-bit integer, held as two int32s: no boxed numbers, nothing kept beyond one band.
 */
class BucketIndex {
  private readonly mask: number;
  private readonly hi: Int32Array;
  private readonly lo: Int32Array;
  private readonly latest: Int32Array;

  constructor(items: number) {
    let slots = 16;
    while (slots < items * 2) slots *= 2;
    this.mask = slots - 1;
    this.hi = new Int32Array(slots);
    this.lo = new Int32Array(slots);
    this.latest = new Int32Array(slots).fill(-1);
  }

  /** Makes item `i` the latest in `bucket`; answers the one that was (-1: none). */
  push(bucket: number, i: number): number {
    const hi = Math.floor(bucket / 2 ** 32) | 0;
    const lo = bucket % 2 ** 32 | 0;
    let at = fmix32(Math.imul(hi, 0x9e3779b1) ^ lo) & this.mask;
    while (this.latest[at] !== -1 && (this.hi[at] !== hi || this.lo[at] !== lo)) at = (at + 1) & this.mask;
    const before = this.latest[at]!;
    this.hi[at] = hi;
    this.lo[at] = lo;
    this.latest[at] = i;
    return before;
  }
}

/**
 * The kept items' seqs, in the band-key file's order (seq order), and a byte of each value of
 * their signatures (the low byte), one item after another: what pass 2 compares first.
 */
function signatureBytes(work: WorkTable, bands: number, permutations: number): { seqs: Float64Array; bytes: Uint8Array } {
  const seqs = bandFileSeqs(bandsFile(work), bands);
  const bytes = readFileSync(lowBytesFile(work));
  if (bytes.length !== seqs.length * permutations) throw new Error(`The signature bytes file holds ${bytes.length} bytes, ${seqs.length} signatures need ${seqs.length * permutations}`);
  return { seqs, bytes };
}

/**
 * The candidate pairs of one band: of the first `n` items (`seqs` ascending — seqs or the items'
 * numbers — each with its `buckets` entry), pairs (earlier, later) one after the other: each item
 * with the `window` items before it in its bucket.
 */
export function bucketPairs(seqs: Float64Array, buckets: Float64Array, n: number, window = WINDOW): number[] {
  const latest = new BucketIndex(n);
  // The item before each one in its bucket (-1: none).
  const prev = new Int32Array(n);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    prev[i] = latest.push(buckets[i]!, i);
    for (let m = prev[i]!, k = 0; m >= 0 && k < window; m = prev[m]!, k++) out.push(seqs[m]!, seqs[i]!);
  }
  return out;
}

class UnionFind {
  private readonly parent = new Map<number, number>();

  find(x: number): number {
    let root = x;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    // Path compression.
    for (let p = this.parent.get(x); p !== undefined && p !== root; p = this.parent.get(x)) {
      this.parent.set(x, root);
      x = p;
    }
    return root;
  }

  /** Joins two sets; the lower seq becomes the root (the item kept). */
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const [low, high] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent.set(high, low);
    if (!this.parent.has(low)) this.parent.set(low, low);
  }

  members(): number[] {
    return [...this.parent.keys()];
  }
}

/**
 * An item's LSH band keys: `bands` triples (band, bucket, seq), the bucket a 52-bit hash of the
 * band's rows of its MinHash signature and of its kind and language (so only items of one kind
 * and language ever share a bucket). Pure, so the collect stage can compute them beside stages
 * 2–6 (on its threads) and `nearDuplicates` finds them in the side table.
 */
export class BandKeys {
  readonly bands: number;
  readonly rows: number;
  private readonly hasher: MinHasher;
  private readonly shingler: Shingler;
  private readonly groupSeeds = new Map<string, number>();

  constructor(duplicates: ReleaseConfig['duplicates']) {
    ({ bands: this.bands, rows: this.rows } = banding(duplicates.permutations, duplicates.threshold));
    this.hasher = new MinHasher(duplicates.permutations);
    this.shingler = new Shingler(duplicates.shingle);
  }

  /** Values per item in a signature. */
  get permutations(): number {
    return this.hasher.permutations;
  }

  /**
   * Writes the item's `bands * 3` values into `out` from `offset`, and its MinHash signature
   * into `sigOut` from `sigOffset` (what the pair check compares before reading texts). `flat`
   * is the item's text as `shingleText` gives it (the collect stage has it already: textHash).
   */
  write(seq: number, kind: string, language: string, flat: string, out: { [i: number]: number }, offset: number, sigOut: Uint32Array, sigOffset: number): void {
    const group = `${kind}\u0000${language}`;
    let groupSeed = this.groupSeeds.get(group);
    if (groupSeed === undefined) this.groupSeeds.set(group, (groupSeed = hash32(group, MINHASH_SEED)));
    const count = this.shingler.hash(flat); // first: it may grow `hashes`
    this.hasher.signatureOf(this.shingler.hashes, count, sigOut, sigOffset);
    const { bands, rows } = this;
    for (let b = 0; b < bands; b++) {
      // Two 32-bit hashes of the band's rows (and of the kind and language): a 52-bit bucket key.
      let h1 = groupSeed ^ b;
      let h2 = fmix32(groupSeed + b + 1);
      for (let j = b * rows; j < (b + 1) * rows; j++) {
        h1 = fmix32(h1 ^ sigOut[sigOffset + j]!);
        h2 = fmix32(Math.imul(h2, 0x27d4eb2d) ^ sigOut[sigOffset + j]!);
      }
      out[offset + b * 3] = b;
      out[offset + b * 3 + 1] = (h1 >>> 12) * 2 ** 32 + h2;
      out[offset + b * 3 + 2] = seq;
    }
  }
}

/**
 * The side stores of the kept items' band keys and signatures, made afresh: the band keys in a
 * file beside the work table (`bands` values per item, as BandKeys wrote them, appended in seq
 * order and read back a band at a time by pass 2a), the signatures in a table (pass 2b reads them
 * by seq). A file, not a table: twelve rows per item into SQLite, and an index over them, cost more
 * than everything else in the stage.
 */
export function createBandsTable(work: WorkTable): void {
  work.db.exec('DROP TABLE IF EXISTS signatures; CREATE TABLE signatures (seq INTEGER PRIMARY KEY, sig BLOB NOT NULL)');
  writeFileSync(bandsFile(work), new Uint8Array(0));
  writeFileSync(lowBytesFile(work), new Uint8Array(0));
}

/** Where the band keys are (removed with the work table). */
export const bandsFile = (work: WorkTable): string => work.sideFile('bands');
/**
 * Where the low byte of each signature value is, item after item (`permutations` bytes each, in
 * the band-key file's order): what pass 2 compares first, read back whole (reading every
 * signature back from its table only for these bytes took seconds at a million items).
 */
export const lowBytesFile = (work: WorkTable): string => work.sideFile('sigbytes');

/** Writes items' band keys and signatures (as BandKeys wrote them: `bands` triples and `permutations` values per item). */
export function bandWriter(work: WorkTable, keys: BandKeys): (bands: Float64Array, sigs: Uint32Array) => void {
  const insertSig = work.db.prepare('INSERT INTO signatures (seq, sig) VALUES (?, ?)');
  const width = keys.bands * 3;
  const perms = keys.permutations;
  const file = bandsFile(work);
  const lowFile = lowBytesFile(work);
  return (bands, sigs) => {
    appendFileSync(file, new Uint8Array(bands.buffer, bands.byteOffset, bands.byteLength));
    const low = new Uint8Array(sigs.length);
    for (let i = 0; i < sigs.length; i++) low[i] = sigs[i]! & 0xff;
    appendFileSync(lowFile, low);
    work.db.transaction(() => {
      for (let at = 0, item = 0; at < bands.length; at += width, item++) {
        insertSig.run(bands[at + 2], Buffer.from(sigs.buffer, sigs.byteOffset + item * perms * 4, perms * 4));
      }
    })();
  };
}

/**
 * Reads the band-key file a chunk of whole items at a time: `each(chunk, values)` with the chunk's
 * first `values` numbers (`bands` triples per item). Answers how many items the file holds.
 */
function eachBandChunk(file: string, bands: number, each: (chunk: Float64Array, values: number) => void): number {
  const width = bands * 3;
  const chunk = new Float64Array(width * 8192);
  const bytes = new Uint8Array(chunk.buffer);
  const fd = openSync(file, 'r');
  try {
    const items = fstatSync(fd).size / (width * 8);
    for (;;) {
      // A whole chunk (whole items) unless the file ends.
      let read = 0;
      for (let r; read < bytes.length && (r = readSync(fd, bytes, read, bytes.length - read, null)) > 0; ) read += r;
      if (read === 0) break;
      each(chunk, read / 8);
    }
    return items;
  } finally {
    closeSync(fd);
  }
}

/** The seqs of the items in the band-key file, in its order (each item's first triple holds its seq). */
function bandFileSeqs(file: string, bands: number): Float64Array {
  const width = bands * 3;
  const seqs: number[] = [];
  eachBandChunk(file, bands, (chunk, values) => {
    for (let at = 2; at < values; at += width) seqs.push(chunk[at]!);
  });
  return Float64Array.from(seqs);
}

/**
 * One band's entries from the band-key file, in seq order, without the items in `dropped`: how
 * many, and their places in the file (0, 1, …: the item's number) and buckets in `seqs` and
 * `buckets` (made to measure when too short).
 */
function readBand(file: string, bands: number, band: number, expected: number, dropped: ReadonlySet<number>, into: { seqs: Float64Array; buckets: Float64Array }): number {
  const width = bands * 3;
  if (into.seqs.length < expected) {
    into.seqs = new Float64Array(expected);
    into.buckets = new Float64Array(expected);
  }
  const { seqs, buckets } = into;
  let n = 0;
  let place = 0;
  const items = eachBandChunk(file, bands, (chunk, values) => {
    for (let at = band * 3; at < values; at += width, place++) {
      if (dropped.has(chunk[at + 2]!)) continue;
      seqs[n] = place;
      buckets[n++] = chunk[at + 1]!;
    }
  });
  if (items !== expected) throw new Error(`The band-key file holds ${items} items, the signatures ${expected}`);
  return n;
}

/**
 * Finds near duplicates among the kept items of the work table and excludes all but the earliest
 * of each cluster (stage `duplicates`, rule `near_duplicate`).
 */
export function nearDuplicates(work: WorkTable, config: Pick<ReleaseConfig, 'duplicates'>): NearDuplicateResult {
  const { threshold, shingle, permutations } = config.duplicates;
  const { bands, rows } = banding(permutations, threshold);
  const db = work.db;

  // Pass 1: a signature per kept item, its band keys and itself into the side tables — unless the
  // collect stage already wrote them (BandKeys, for every item stages 2–6 kept).
  if (!work.bandsPrefilled) {
    createBandsTable(work);
    const keys = new BandKeys(config.duplicates);
    const write = bandWriter(work, keys);
    const PAGE = 5000;
    let bandValues = new Float64Array(PAGE * bands * 3);
    let sigs = new Uint32Array(PAGE * permutations);
    let n = 0;
    const flush = () => {
      write(bandValues.subarray(0, n * bands * 3), sigs.subarray(0, n * permutations));
      n = 0;
    };
    for (const row of work.kept('seq, kind, language, text')) {
      keys.write(row.seq, row.kind, row.language, shingleText(row.text), bandValues, n * bands * 3, sigs, n * permutations);
      if (++n === PAGE) flush();
    }
    flush();
    bandValues = new Float64Array(0);
    sigs = new Uint32Array(0);
  }
  // Pass 2: candidate pairs, a band at a time: the band's entries read from the band-key file (in
  // seq order; items a later stage excluded, exact duplicates, passed over), each item paired with
  // the WINDOW items before it in its bucket (bucketPairs: in memory, one band's buckets).
  // Each pair is checked first by its signatures: a pair whose estimated Jaccard is more than five
  // standard deviations (of the estimate at the threshold) below the threshold is not a near
  // duplicate (a pair at the threshold is dropped here with probability < 10⁻⁶); the rest by their
  // exact shingle Jaccard, read from their texts. The signatures are compared first by a byte of
  // each value held in memory (values that differ there differ), and only a pair that passes that
  // is compared by its stored signatures. A pair sharing several bands is met again and decided the
  // same way (or skipped, once joined): the clusters are the same in any order of the pairs.
  // (An index on (band, bucket), SQL grouping and a table of pairs did this at n log n, on disk.)
  const dropped = new Set(db.prepare('SELECT seq FROM items WHERE stage IS NOT NULL').pluck().all() as number[]);
  const fetch = db.prepare('SELECT seq, id, kind, language, text FROM full_items WHERE seq = ?');
  const cache = new Map<number, { id: string; group: string; set: Set<number> }>();
  const item = (seq: number) => {
    let entry = cache.get(seq);
    if (entry === undefined) {
      const r = fetch.get(seq) as { id: string; kind: string; language: string; text: string };
      entry = { id: r.id, group: `${r.kind}\u0000${r.language}`, set: shingles(r.text, shingle) };
      if (cache.size >= 4096) cache.delete(cache.keys().next().value!);
      cache.set(seq, entry);
    }
    return entry;
  };
  const floor = Math.ceil(permutations * (threshold - 5 * Math.sqrt((threshold * (1 - threshold)) / permutations)));
  const { seqs: all, bytes } = signatureBytes(work, bands, permutations);
  const signature = db.prepare('SELECT sig FROM signatures WHERE seq = ?').pluck();
  const uf = new UnionFind();
  let candidatePairs = 0;
  const entries = { seqs: new Float64Array(0), buckets: new Float64Array(0) };
  for (let band = 0; band < bands; band++) {
    // Entries by their place in the file (the signatures' order too), turned into seqs below.
    const n = readBand(bandsFile(work), bands, band, all.length, dropped, entries);
    const found = bucketPairs(entries.seqs, entries.buckets, n);
    for (let p = 0; p < found.length; p += 2) {
      candidatePairs++;
      const i = found[p]!;
      const j = found[p + 1]!;
      // Already in one cluster (joined through another pair or band): nothing to decide.
      if (uf.find(all[i]!) === uf.find(all[j]!)) continue;
      let same = 0;
      for (let x = i * permutations, y = j * permutations, end = x + permutations; x < end; x++, y++) if (bytes[x] === bytes[y]) same++;
      if (same < floor) continue;
      const a = all[i]!;
      const b = all[j]!;
      const x = signature.get(a) as Buffer;
      const y = signature.get(b) as Buffer;
      same = 0;
      for (let k = 0; k < x.length; k += 4) if (x.readUInt32LE(k) === y.readUInt32LE(k)) same++;
      if (same < floor) continue;
      const pi = item(a);
      const qi = item(b);
      if (pi.group === qi.group && jaccard(pi.set, qi.set) >= threshold) uf.union(a, b);
    }
  }

  // Clusters: every member but the root excluded, pointing at the root.
  const roots = new Map<number, number[]>();
  for (const seq of uf.members()) {
    const root = uf.find(seq);
    if (root !== seq) (roots.get(root) ?? roots.set(root, []).get(root)!).push(seq);
  }
  const order = [...roots.keys()].sort((p, q) => p - q);
  const setCluster = db.prepare('UPDATE items SET cluster = ? WHERE seq = ?');
  const setOwnCluster = db.prepare('UPDATE items SET cluster = id WHERE seq = ? AND cluster IS NULL');
  const exclusions: { seq: number; detail: string }[] = [];
  db.transaction(() => {
    for (const root of order) {
      const kept = item(root);
      setOwnCluster.run(root);
      for (const seq of roots.get(root)!.sort((p, q) => p - q)) {
        setCluster.run(kept.id, seq);
        const similarity = jaccard(kept.set, item(seq).set);
        exclusions.push({ seq, detail: `near duplicate of ${kept.id} (Jaccard ${similarity.toFixed(2)})` });
      }
    }
  })();
  const excluded = work.exclude('duplicates', 'near_duplicate', exclusions);
  return { clusters: order.length, excluded, candidatePairs, bands, rows };
}
