import { assert } from '../assert.js';
import type { Bitset } from './bitset.js';
import { mix32 } from './hash.js';

/**
 * Thrown when a search would remember more configurations than its bound allows. The history
 * is then neither shown linearizable nor shown not linearizable: it is too large or too
 * concurrent to decide within the bound.
 */
export class SearchLimitError extends Error {
  override readonly name = 'SearchLimitError';

  constructor(readonly maxConfigurations: number) {
    super(`linearizability search exceeded ${maxConfigurations} configurations`);
  }
}

/** A search configuration: which ops are linearized, and the register state after them. */
export interface Configuration {
  readonly linearized: Bitset;
  /** Zobrist hash (see mix32) of the required ops in `linearized`. */
  readonly requiredHash: number;
  /** How many required ops `linearized` holds. */
  readonly requiredCount: number;
  readonly state: number;
}

/**
 * Lowe's memoization for the Wing & Gong search: configurations already explored without
 * success. A configuration is skipped if an explored one *dominates* it: same state, same
 * required ops, and a subset of its optional ops. Whatever the dominated one can still do,
 * the dominating one could too (an optional op left out imposes nothing), so it would fail
 * as well. Plain equality is the special case with no optional ops.
 *
 * Entries live in flat typed arrays (an open-addressing table of entry numbers keyed by the
 * required ops and state, per-entry columns, and one arena of frontier words) because a
 * search may store millions and per-entry objects would spend the time in the collector.
 *
 * Bound: at most `maxConfigurations` entries; `add` throws SearchLimitError beyond it.
 */
export class SearchCache {
  private count = 0;
  /** Slot -> entry number + 1, 0 when empty. Invariant: at most half full. */
  private slots: Int32Array;
  private hashes: Uint32Array;
  private states: Int32Array;
  private requiredCounts: Int32Array;
  private fullWords: Int32Array;
  private frontierStart: Int32Array;
  private frontierLength: Int32Array;
  private arena: Uint32Array;
  private arenaUsed = 0;

  /** `expectedSize` sizes the first allocation; the cache grows past it as needed. */
  constructor(
    private readonly maxConfigurations: number,
    expectedSize: number,
  ) {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(16, expectedSize)));
    this.slots = new Int32Array(capacity * 2);
    this.hashes = new Uint32Array(capacity);
    this.states = new Int32Array(capacity);
    this.requiredCounts = new Int32Array(capacity);
    this.fullWords = new Int32Array(capacity);
    this.frontierStart = new Int32Array(capacity);
    this.frontierLength = new Int32Array(capacity);
    this.arena = new Uint32Array(capacity);
  }

  /** Records `config`; returns false if an entry dominates it (it need not be explored). */
  add(config: Configuration): boolean {
    const hash = (config.requiredHash ^ mix32(config.state + 0x3c6ef372)) >>> 0;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
      if (this.hashes[entry - 1] === hash && this.dominates(entry - 1, config)) return false;
      slot = (slot + 1) & mask;
    }
    if (this.count >= this.maxConfigurations) throw new SearchLimitError(this.maxConfigurations);
    const entry = this.append(hash, config);
    this.slots[slot] = entry + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return true;
  }

  /**
   * Same state and required count, and the entry's set is a subset of the config's: then the
   * required ops are the same (a subset of equal size) and only optional ops differ.
   */
  private dominates(entry: number, config: Configuration): boolean {
    const { linearized } = config;
    const full = this.fullWords[entry]!;
    if (
      this.states[entry] !== config.state ||
      this.requiredCounts[entry] !== config.requiredCount ||
      linearized.fullWords < full
    ) {
      return false;
    }
    const start = this.frontierStart[entry]!;
    const length = this.frontierLength[entry]!;
    for (let i = 0; i < length; i++) {
      if ((this.arena[start + i]! & ~linearized.word(full + i)) !== 0) return false;
    }
    return true;
  }

  private append(hash: number, config: Configuration): number {
    const { linearized } = config;
    const entry = this.count++;
    if (entry === this.hashes.length) this.growColumns();
    const length = linearized.frontierLength;
    if (this.arenaUsed + length > this.arena.length) {
      this.arena = grow(this.arena, Math.max(this.arena.length * 2, this.arenaUsed + length));
    }
    for (let i = 0; i < length; i++) this.arena[this.arenaUsed + i] = linearized.frontierWord(i);
    this.hashes[entry] = hash;
    this.states[entry] = config.state;
    this.requiredCounts[entry] = config.requiredCount;
    this.fullWords[entry] = linearized.fullWords;
    this.frontierStart[entry] = this.arenaUsed;
    this.frontierLength[entry] = length;
    this.arenaUsed += length;
    return entry;
  }

  private growColumns(): void {
    const capacity = this.hashes.length * 2;
    this.hashes = grow(this.hashes, capacity);
    this.states = grow(this.states, capacity);
    this.requiredCounts = grow(this.requiredCounts, capacity);
    this.fullWords = grow(this.fullWords, capacity);
    this.frontierStart = grow(this.frontierStart, capacity);
    this.frontierLength = grow(this.frontierLength, capacity);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
    assert(this.count * 2 <= this.slots.length, 'search cache table over half full');
  }
}

function grow<T extends Uint32Array | Int32Array>(array: T, capacity: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(capacity);
  bigger.set(array);
  return bigger;
}
