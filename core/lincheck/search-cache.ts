import { mix32, type Bitset, type BitsetSnapshot } from './bitset.js';

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

interface Configuration {
  readonly state: number;
  readonly linearized: BitsetSnapshot;
}

/**
 * Lowe's memoization for the Wing & Gong search: the configurations (set of linearized ops,
 * register state) already reached. Reaching one again cannot succeed where the first visit
 * failed, because what can still happen depends only on that pair.
 *
 * Bound: at most `maxConfigurations` entries; `add` throws SearchLimitError beyond it.
 */
export class SearchCache {
  private readonly buckets = new Map<number, Configuration[]>();
  private count = 0;

  constructor(private readonly maxConfigurations: number) {}

  get size(): number {
    return this.count;
  }

  /** Records (linearized, state); returns false if it was already recorded. */
  add(linearized: Bitset, state: number): boolean {
    const hash = (linearized.hash ^ mix32(state + 0x3c6ef372)) >>> 0;
    let bucket = this.buckets.get(hash);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(hash, bucket);
    } else {
      for (const seen of bucket) {
        if (seen.state === state && linearized.equals(seen.linearized)) return false;
      }
    }
    if (this.count >= this.maxConfigurations) throw new SearchLimitError(this.maxConfigurations);
    bucket.push({ state, linearized: linearized.snapshot() });
    this.count++;
    return true;
  }
}
