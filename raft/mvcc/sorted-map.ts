import { assert } from '../../core/index.js';

/**
 * Most keys per chunk. A chunk splits in two when it grows past this, so an insert moves at most
 * this many references, and the chunk list of a 1,000,000-key map stays in the low thousands.
 */
const CHUNK_MAX = 512;
/** A chunk that shrinks below this merges with a neighbour when the two fit in one. */
const CHUNK_MIN = CHUNK_MAX / 4;

/**
 * A map from strings to values, ordered by the strings (a chunked sorted array): O(1) get/set of
 * an existing key through a Map, O(log n + CHUNK_MAX) insert and delete of a key, ordered range
 * scans. Keys are latin1 strings of byte keys (bytes.ts), whose string order is byte order.
 *
 * Invariant: `chunks` holds every key of `values` once, each chunk sorted and non-empty (but for
 * the single chunk of an empty map), chunks ordered, every chunk at most CHUNK_MAX long.
 */
export class SortedStringMap<V> {
  private readonly values = new Map<string, V>();
  private chunks: string[][] = [[]];

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
    if (!this.values.has(key)) this.insertKey(key);
    this.values.set(key, value);
  }

  delete(key: string): boolean {
    if (!this.values.delete(key)) return false;
    const ci = this.chunkFor(key);
    const chunk = this.chunks[ci]!;
    const i = lowerBound(chunk, key);
    assert(chunk[i] === key, () => `sorted map: key ${JSON.stringify(key)} missing from its chunk`);
    chunk.splice(i, 1);
    if (chunk.length === 0 && this.chunks.length > 1) {
      this.chunks.splice(ci, 1);
    } else if (chunk.length < CHUNK_MIN) {
      this.mergeSmall(ci);
    }
    return true;
  }

  clear(): void {
    this.values.clear();
    this.chunks = [[]];
  }

  /**
   * Calls fn for each key in [start, end) in order (end undefined: to the last key) until fn
   * returns false. The map must not be modified during the scan.
   */
  forEachInRange(start: string, end: string | undefined, fn: (key: string, value: V) => boolean | void): void {
    if (end !== undefined && end <= start) return;
    let ci = this.chunkFor(start);
    let i = lowerBound(this.chunks[ci]!, start);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const chunk = this.chunks[ci]!;
      for (; i < chunk.length; i++) {
        const key = chunk[i]!;
        if (end !== undefined && key >= end) return;
        if (fn(key, this.values.get(key) as V) === false) return;
      }
    }
  }

  /** Every key in order; for tests and invariant checks. */
  keys(): string[] {
    return this.chunks.flat();
  }

  /** Checks the invariant; for tests. */
  checkInvariants(): void {
    let prev: string | undefined;
    let n = 0;
    for (const chunk of this.chunks) {
      assert(chunk.length <= CHUNK_MAX, 'sorted map: chunk over CHUNK_MAX');
      assert(chunk.length > 0 || this.chunks.length === 1, 'sorted map: empty chunk');
      for (const k of chunk) {
        assert(prev === undefined || prev < k, 'sorted map: keys out of order');
        assert(this.values.has(k), 'sorted map: chunk key without value');
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
      const c = chunks[mid]!;
      if (c[c.length - 1]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertKey(key: string): void {
    const ci = this.chunkFor(key);
    const chunk = this.chunks[ci]!;
    if (chunk.length === 0 || chunk[chunk.length - 1]! < key) chunk.push(key);
    else chunk.splice(lowerBound(chunk, key), 0, key);
    if (chunk.length > CHUNK_MAX) this.chunks.splice(ci + 1, 0, chunk.splice(chunk.length >>> 1));
  }

  private mergeSmall(ci: number): void {
    const chunk = this.chunks[ci]!;
    const next = this.chunks[ci + 1];
    if (next !== undefined && chunk.length + next.length <= CHUNK_MAX) {
      chunk.push(...next);
      this.chunks.splice(ci + 1, 1);
      return;
    }
    const prev = this.chunks[ci - 1];
    if (prev !== undefined && chunk.length + prev.length <= CHUNK_MAX) {
      prev.push(...chunk);
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
