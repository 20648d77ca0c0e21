import { assert } from '../assert.js';

const FULL = 0xffffffff;

/**
 * A fixed-size set of small integers with a compact form.
 *
 * In a linearizability search the set of linearized ops is nearly always "every op up to some
 * point, plus a few beyond it". So the set is summarized as `fullWords` leading all-ones words,
 * then the `frontier()` words, then all-zero words; equal sets have equal summaries, and a
 * copy only needs the frontier.
 *
 * Invariants:
 * - words[0, fullWords) are all ones and words[fullWords] is not.
 * - words[frontierEnd, ...) are all zero, and frontierEnd >= fullWords.
 */
export class Bitset {
  private readonly words: Uint32Array;
  private full = 0;
  private end = 0;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  /** Number of leading all-ones words. */
  get fullWords(): number {
    return this.full;
  }

  /** Length of the frontier: the words after the leading full words up to the last non-zero. */
  get frontierLength(): number {
    return this.end - this.full;
  }

  /** Word `i` of the frontier. */
  frontierWord(i: number): number {
    return this.words[this.full + i]!;
  }

  /** Word `i` of the set: members 32i to 32i + 31. */
  word(i: number): number {
    return this.words[i] ?? 0;
  }

  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** Requires `i` in range and not a member. */
  add(i: number): void {
    assert(i >= 0 && i < this.size && !this.has(i), 'Bitset.add of a member or out of range');
    const w = i >>> 5;
    const words = this.words;
    words[w] = words[w]! | (1 << (i & 31));
    if (w >= this.end) this.end = w + 1;
    while (this.full < words.length && words[this.full] === FULL) this.full++;
    if (this.end < this.full) this.end = this.full;
  }

  /** Requires `i` a member. */
  delete(i: number): void {
    assert(i >= 0 && i < this.size && this.has(i), 'Bitset.delete of a non-member');
    const w = i >>> 5;
    const words = this.words;
    words[w] = words[w]! & ~(1 << (i & 31));
    if (w < this.full) this.full = w;
    while (this.end > this.full && words[this.end - 1] === 0) this.end--;
  }
}
