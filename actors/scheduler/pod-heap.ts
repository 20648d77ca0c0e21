// A binary heap of queued pods that can also remove or re-position any entry in O(log n): each
// entry remembers its index. Invariant: entries[i].heapIndex === i for every i.

export interface HeapEntry {
  heapIndex: number;
}

export class PodHeap<T extends HeapEntry> {
  private readonly entries: T[] = [];

  /** `less(a, b)`: a comes out before b. */
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.entries.length;
  }

  peek(): T | undefined {
    return this.entries[0];
  }

  push(entry: T): void {
    entry.heapIndex = this.entries.length;
    this.entries.push(entry);
    this.up(entry.heapIndex);
  }

  pop(): T | undefined {
    const top = this.entries[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `entry` if it is in this heap; returns whether it was. */
  remove(entry: T): boolean {
    const i = entry.heapIndex;
    if (this.entries[i] !== entry) return false;
    const last = this.entries.pop()!;
    entry.heapIndex = -1;
    if (i < this.entries.length) {
      this.entries[i] = last;
      last.heapIndex = i;
      this.fix(i);
    }
    return true;
  }

  /** Restores order after `entry`'s sort key changed. */
  fix(i: number): void {
    this.up(i);
    this.down(i);
  }

  contains(entry: T): boolean {
    return this.entries[entry.heapIndex] === entry;
  }

  *[Symbol.iterator](): Iterator<T> {
    yield* this.entries;
  }

  private up(i: number): void {
    const e = this.entries;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(e[i]!, e[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const e = this.entries;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < e.length && this.less(e[l]!, e[best]!)) best = l;
      if (r < e.length && this.less(e[r]!, e[best]!)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }

  private swap(a: number, b: number): void {
    const e = this.entries;
    const x = e[a]!;
    const y = e[b]!;
    e[a] = y;
    e[b] = x;
    y.heapIndex = a;
    x.heapIndex = b;
  }
}
