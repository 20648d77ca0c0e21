import { assert } from '../assert.js';

/**
 * A frozen copy of a `Bitset`, compacted for the search cache: in a search the set of
 * linearized ops is nearly always "every op up to some point, plus a few beyond it", so only
 * the words between the first non-full word and the last non-zero word are kept.
 */
export interface BitsetSnapshot {
  /** Words before `offset` are all ones. */
  readonly offset: number;
  /** Words from `offset`; words after these are all zeros. */
  readonly words: Uint32Array;
}

const FULL = 0xffffffff;

/** A 32-bit mix of an integer (the murmur3 finalizer), used for Zobrist hashing. */
export function mix32(x: number): number {
  let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A fixed-size set of small integers with an incrementally maintained hash.
 *
 * Invariant: `hash` is the XOR of `mix32(i + 1)` over the members i, so set and clear update it
 * in O(1) and equal sets always have equal hashes.
 */
export class Bitset {
  private readonly words: Uint32Array;
  private hashValue = 0;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  get hash(): number {
    return this.hashValue;
  }

  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** Requires i not a member. */
  add(i: number): void {
    assert(i >= 0 && i < this.size && !this.has(i), () => `bitset add ${i}`);
    this.words[i >>> 5]! |= 1 << (i & 31);
    this.hashValue = (this.hashValue ^ mix32(i + 1)) >>> 0;
  }

  /** Requires i a member. */
  delete(i: number): void {
    assert(i >= 0 && i < this.size && this.has(i), () => `bitset delete ${i}`);
    this.words[i >>> 5]! &= ~(1 << (i & 31));
    this.hashValue = (this.hashValue ^ mix32(i + 1)) >>> 0;
  }

  snapshot(): BitsetSnapshot {
    const words = this.words;
    let offset = 0;
    while (offset < words.length && words[offset] === FULL) offset++;
    let end = words.length;
    while (end > offset && words[end - 1] === 0) end--;
    return { offset, words: words.slice(offset, end) };
  }

  /** True if this set has exactly the members `snapshot` was taken with. */
  equals(snapshot: BitsetSnapshot): boolean {
    const words = this.words;
    const { offset, words: kept } = snapshot;
    for (let i = 0; i < offset; i++) if (words[i] !== FULL) return false;
    for (let i = 0; i < kept.length; i++) if (words[offset + i] !== kept[i]) return false;
    for (let i = offset + kept.length; i < words.length; i++) if (words[i] !== 0) return false;
    return true;
  }
}
