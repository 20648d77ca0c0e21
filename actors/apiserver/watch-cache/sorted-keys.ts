// The watch cache's keys in etcd's order, kept up to date cheaply. A list is served in key
// order; sorting every key again after each create or delete cost a list of 10,000 pods (in a
// cache of 20,000) about 50 ms right after a burst of writes. Here a new key waits in a small
// set until the next list, which sorts only the new keys and merges them into the ordered ones
// (linear), and a deletion costs one filtering pass at that list.

import { compareStorageKeys } from '../../../core/index.js';

export class SortedKeyIndex {
  private sorted: string[] = [];
  /** Keys added since `sorted` was last brought up to date. */
  private readonly added = new Set<string>();
  /** Whether some key left since then (`sorted` may hold keys that are gone). */
  private removedSome = false;

  /** A key came. */
  add(key: string): void {
    this.added.add(key);
  }

  /** A key went. */
  remove(key: string): void {
    this.added.delete(key);
    this.removedSome = true;
  }

  clear(): void {
    this.sorted = [];
    this.added.clear();
    this.removedSome = false;
  }

  /** Every present key in order; `exists` says whether a key is still present. Treat it as read-only. */
  ordered(exists: (key: string) => boolean): readonly string[] {
    if (this.added.size === 0 && !this.removedSome) return this.sorted;
    const kept = this.removedSome ? this.sorted.filter(exists) : this.sorted;
    // A key that went and came back is in both: the merge keeps one.
    const fresh = [...this.added].filter(exists).sort(compareStorageKeys);
    this.sorted = fresh.length === 0 ? kept : mergeSorted(kept, fresh);
    this.added.clear();
    this.removedSome = false;
    return this.sorted;
  }
}

/** Both in key order; equal keys once. */
function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const c = compareStorageKeys(a[i]!, b[j]!);
    if (c < 0) out[n++] = a[i++]!;
    else if (c > 0) out[n++] = b[j++]!;
    else {
      out[n++] = a[i++]!;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  out.length = n;
  return out;
}
