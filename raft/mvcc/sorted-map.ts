import { assert } from '../../core/index.js';

/**
 * Most keys per chunk. A chunk splits in two when it grows past this, so an insert moves at most
 * this many references, and the chunk list of a 1,000,000-key map stays in the low thousands.
 */
const CHUNK_MAX = 512;
/** A chunk that shrinks below this merges with a neighbour when the two fit in one. */
const CHUNK_MIN = CHUNK_MAX / 4;

/** One run of consecutive keys, with their values in parallel. */
interface Chunk<V> {
  keys: string[];
  vals: V[];
}

/**
 * A map from strings to values, ordered by the strings (a chunked sorted array): O(1) get of a
 * key through a Map, O(log n + CHUNK_MAX) insert and delete of a key, ordered range scans that
 * walk the chunks without hashing. Keys are latin1 strings of byte keys (bytes.ts), whose string
 * order is byte order.
 *
 * Invariants: the chunks hold every key of `values` once, with the same value; each chunk is
 * sorted and non-empty (but for the single chunk of an empty map); chunks are ordered; no chunk
 * is longer than CHUNK_MAX.
 */
export class SortedStringMap<V> {
  private readonly values = new Map<string, V>();
  private chunks: Chunk<V>[] = [{ keys: [], vals: [] }];

  get size(): number {
    return this.values.size;
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  set(key: string, value: V): void {
    if (this.values.has(key)) {
      if (this.values.get(key) === value) return;
      this.values.set(key, value);
      const chunk = this.chunks[this.chunkFor(key)]!;
      chunk.vals[lowerBound(chunk.keys, key)] = value;
      return;
    }
    this.insert(key, value);
  }

  /** Adds a key that is not in the map (one hash operation fewer than set). */
  insert(key: string, value: V): void {
    const n = this.values.size;
    this.values.set(key, value);
    assert(this.values.size === n + 1, () => `sorted map: insert of ${JSON.stringify(key)}, which is present`);
    const ci = this.chunkFor(key);
    const chunk = this.chunks[ci]!;
    const keys = chunk.keys;
    if (keys.length === 0 || keys[keys.length - 1]! < key) {
      keys.push(key);
      chunk.vals.push(value);
    } else {
      const i = lowerBound(keys, key);
      keys.splice(i, 0, key);
      chunk.vals.splice(i, 0, value);
    }
    if (keys.length > CHUNK_MAX) {
      const half = keys.length >>> 1;
      this.chunks.splice(ci + 1, 0, { keys: keys.splice(half), vals: chunk.vals.splice(half) });
    }
  }

  delete(key: string): boolean {
    if (!this.values.delete(key)) return false;
    const ci = this.chunkFor(key);
    const chunk = this.chunks[ci]!;
    const i = lowerBound(chunk.keys, key);
    assert(chunk.keys[i] === key, () => `sorted map: key ${JSON.stringify(key)} missing from its chunk`);
    chunk.keys.splice(i, 1);
    chunk.vals.splice(i, 1);
    if (chunk.keys.length === 0 && this.chunks.length > 1) {
      this.chunks.splice(ci, 1);
    } else if (chunk.keys.length < CHUNK_MIN) {
      this.mergeSmall(ci);
    }
    return true;
  }

  clear(): void {
    this.values.clear();
    this.chunks = [{ keys: [], vals: [] }];
  }

  /**
   * Calls fn for each key in [start, end) in order (end undefined: to the last key) until fn
   * returns false. The map must not be modified during the scan.
   */
  forEachInRange(start: string, end: string | undefined, fn: (key: string, value: V) => boolean | void): void {
    if (end !== undefined && end <= start) return;
    let ci = this.chunkFor(start);
    let i = lowerBound(this.chunks[ci]!.keys, start);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const { keys, vals } = this.chunks[ci]!;
      for (; i < keys.length; i++) {
        const key = keys[i]!;
        if (end !== undefined && key >= end) return;
        if (fn(key, vals[i]!) === false) return;
      }
    }
  }

  /** Every key in order; for tests and invariant checks. */
  keys(): string[] {
    return this.chunks.flatMap((c) => c.keys);
  }

  /** Checks the invariants; for tests. */
  checkInvariants(): void {
    let prev: string | undefined;
    let n = 0;
    for (const { keys, vals } of this.chunks) {
      assert(keys.length === vals.length, 'sorted map: chunk keys and values differ in length');
      assert(keys.length <= CHUNK_MAX, 'sorted map: chunk over CHUNK_MAX');
      assert(keys.length > 0 || this.chunks.length === 1, 'sorted map: empty chunk');
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        assert(prev === undefined || prev < k, 'sorted map: keys out of order');
        assert(this.values.has(k) && this.values.get(k) === vals[i], 'sorted map: chunk entry differs from the map');
        prev = k;
        n++;
      }
    }
    assert(n === this.values.size, 'sorted map: chunk keys and values differ in number');
  }

  /** The chunk whose range holds key: the first chunk whose last key >= key, else the last. */
  private chunkFor(key: string): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const keys = chunks[mid]!.keys;
      if (keys[keys.length - 1]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private mergeSmall(ci: number): void {
    const chunk = this.chunks[ci]!;
    const next = this.chunks[ci + 1];
    if (next !== undefined && chunk.keys.length + next.keys.length <= CHUNK_MAX) {
      chunk.keys.push(...next.keys);
      chunk.vals.push(...next.vals);
      this.chunks.splice(ci + 1, 1);
      return;
    }
    const prev = this.chunks[ci - 1];
    if (prev !== undefined && chunk.keys.length + prev.keys.length <= CHUNK_MAX) {
      prev.keys.push(...chunk.keys);
      prev.vals.push(...chunk.vals);
      this.chunks.splice(ci, 1);
    }
  }
}

/** First index i with a[i] >= key. */
function lowerBound(a: readonly string[], key: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
