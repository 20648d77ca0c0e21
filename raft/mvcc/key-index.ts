import { assert } from '../../core/index.js';
import type { KeySpan } from './bytes.js';
import { SortedStringMap } from './sorted-map.js';
import type { KeyValue } from './types.js';

/** etcd's revision{main, sub}: the write txn's revision and the op's place inside it. */
export interface Revision {
  readonly main: number;
  readonly sub: number;
}

/**
 * One key's revisions since the last compaction (etcd's keyIndex): generations, each the
 * revisions from a creation to the delete (tombstone) that ends it.
 *
 * A generation is a flat array [main0, sub0, main1, sub1, …], strictly ascending by main (a key
 * is written at most once per main revision: txns reject duplicate keys).
 *
 * Invariants: `gens` is never empty; every generation but the last is non-empty and ends with its
 * tombstone; the last generation is the current one, empty iff the key is deleted (or all of its
 * history was compacted away, which leaves the history empty: `isEmpty()`).
 */
export class KeyHistory {
  gens: number[][];
  /**
   * The live KeyValue at the current revision (undefined iff the key is deleted): the store's
   * cache that serves reads at the current revision without touching the backend.
   */
  latest: KeyValue | undefined = undefined;

  /** A history with its first revision, or (no arguments) an empty one. */
  constructor(
    readonly key: string,
    main?: number,
    sub?: number,
  ) {
    this.gens = main === undefined ? [[]] : [[main, sub ?? 0]];
  }

  /** No revision left at all (etcd's keyIndex.isEmpty): the key can leave the index. */
  isEmpty(): boolean {
    return this.gens.length === 1 && this.gens[0]!.length === 0;
  }

  /** The newest revision recorded, or undefined for an empty history. */
  last(): Revision | undefined {
    for (let gi = this.gens.length - 1; gi >= 0; gi--) {
      const g = this.gens[gi]!;
      if (g.length > 0) return { main: g[g.length - 2]!, sub: g[g.length - 1]! };
    }
    return undefined;
  }

  put(main: number, sub: number): void {
    const g = this.gens[this.gens.length - 1]!;
    this.checkAfterLast(main);
    g.push(main, sub);
  }

  /** Ends the current generation with a tombstone at (main, sub). The key must exist. */
  tombstone(main: number, sub: number): void {
    const g = this.gens[this.gens.length - 1]!;
    assert(g.length > 0, () => `key index: tombstone of ${JSON.stringify(this.key)}, which does not exist`);
    this.checkAfterLast(main);
    g.push(main, sub);
    this.gens.push([]);
  }

  /**
   * The revision that holds the key's value at revision atRev, or undefined when the key did not
   * exist then (etcd's keyIndex.get).
   */
  get(atRev: number): Revision | undefined {
    const gens = this.gens;
    const lastGen = gens.length - 1;
    for (let gi = lastGen; gi >= 0; gi--) {
      const g = gens[gi]!;
      if (g.length === 0) continue;
      if (gi !== lastGen && g[g.length - 2]! <= atRev) return undefined; // deleted by then
      if (g[0]! <= atRev) {
        const i = lastPairAtOrBelow(g, atRev);
        return { main: g[2 * i]!, sub: g[2 * i + 1]! };
      }
    }
    return undefined;
  }

  /** Whether (main, sub) is still in the history. */
  has(main: number, sub: number): boolean {
    for (const g of this.gens) {
      if (g.length === 0 || g[0]! > main || g[g.length - 2]! < main) continue;
      const i = lastPairAtOrBelow(g, main);
      return i >= 0 && g[2 * i] === main && g[2 * i + 1] === sub;
    }
    return false;
  }

  /**
   * The revision that compaction at atRev keeps for this key (etcd's keyIndex.keep): the newest
   * revision <= atRev of the generation alive at atRev, unless it is that generation's tombstone.
   */
  keptAt(atRev: number): Revision | undefined {
    if (this.isEmpty()) return undefined;
    const [gi, ri] = this.compactPoint(atRev);
    const g = this.gens[gi]!;
    if (ri === -1) return undefined;
    if (ri === g.length / 2 - 1 && gi !== this.gens.length - 1) return undefined; // a tombstone
    return { main: g[2 * ri]!, sub: g[2 * ri + 1]! };
  }

  /**
   * Drops every revision that reads at or after atRev cannot need (etcd's keyIndex.compact):
   * earlier generations, and in the generation alive at atRev the revisions before its newest one
   * <= atRev; a generation reduced to its tombstone goes too. Idempotent for one atRev.
   */
  compact(atRev: number): void {
    if (this.isEmpty()) return;
    const [alive, ri] = this.compactPoint(atRev);
    let gi = alive;
    let g = this.gens[gi]!;
    if (g.length > 0) {
      if (ri !== -1) {
        g = g.slice(2 * ri);
        this.gens[gi] = g;
      }
      if (g.length === 2 && gi !== this.gens.length - 1) gi++;
    }
    if (gi > 0) this.gens = this.gens.slice(gi);
  }

  /** etcd's doCompact: the generation alive at atRev (or the first created after it) and its newest pair <= atRev (-1: none). */
  private compactPoint(atRev: number): [number, number] {
    let gi = 0;
    while (gi < this.gens.length - 1) {
      const g = this.gens[gi]!;
      if (g[g.length - 2]! > atRev) break;
      gi++;
    }
    const g = this.gens[gi]!;
    return [gi, g.length === 0 ? -1 : lastPairAtOrBelow(g, atRev)];
  }

  private checkAfterLast(main: number): void {
    const last = this.lastMain();
    assert(last < main, () => `key index: ${JSON.stringify(this.key)} written at ${main}, not after its last revision ${last}`);
  }

  /** The newest main revision recorded, 0 for an empty history. */
  lastMain(): number {
    for (let gi = this.gens.length - 1; gi >= 0; gi--) {
      const g = this.gens[gi]!;
      if (g.length > 0) return g[g.length - 2]!;
    }
    return 0;
  }
}

/** Index of the last pair of g whose main <= rev, or -1. */
function lastPairAtOrBelow(g: readonly number[], rev: number): number {
  let lo = 0;
  let hi = g.length / 2; // pairs [lo, hi) unresolved; answer is lo - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (g[2 * mid]! <= rev) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Every key's history, ordered by key bytes (etcd's treeIndex), for point lookups and ordered
 * range scans.
 */
export class KeyIndex {
  private readonly map = new SortedStringMap<KeyHistory>();

  get size(): number {
    return this.map.size;
  }

  get(key: string): KeyHistory | undefined {
    return this.map.get(key);
  }

  getOrCreate(key: string): KeyHistory {
    let h = this.map.get(key);
    if (h === undefined) {
      h = new KeyHistory(key);
      this.map.set(key, h);
    }
    return h;
  }

  /** Adds a key that is not in the index, with its first revision (the put that creates it). */
  create(key: string, main: number, sub: number): KeyHistory {
    const h = new KeyHistory(key, main, sub);
    this.map.insert(key, h);
    return h;
  }

  /** Removes a key whose history is empty (after compaction). */
  remove(key: string): void {
    const h = this.map.get(key);
    assert(h === undefined || h.isEmpty(), () => `key index: removing ${JSON.stringify(key)}, whose history is not empty`);
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** Calls fn for each history in the span, in key order, until fn returns false. No mutation during the scan. */
  forEachInSpan(span: KeySpan, fn: (h: KeyHistory) => boolean | void): void {
    if (span.single) {
      const h = this.map.get(span.start);
      if (h !== undefined) fn(h);
      return;
    }
    this.map.forEachInRange(span.start, span.end, (_, h) => fn(h));
  }

  /** Every history in key order; for loading and tests. */
  forEach(fn: (h: KeyHistory) => void): void {
    this.map.forEachInRange('', undefined, (_, h) => {
      fn(h);
    });
  }

  checkInvariants(): void {
    this.map.checkInvariants();
  }
}
