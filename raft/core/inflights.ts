import { assert } from '../../core/index.js';

/**
 * The in-flight MsgApps of one follower in Replicate state, for flow control: at most `capacity`
 * messages and `maxBytes` payload bytes are sent and not yet acknowledged. A ring buffer of the
 * last index carried by each message.
 */
export class Inflights {
  private start = 0;
  private count = 0;
  private bytes = 0;
  private readonly indexes: Float64Array;
  private readonly sizes: Float64Array;

  constructor(readonly capacity: number, readonly maxBytes: number) {
    this.indexes = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  /** Records a message carrying entries up to `index`, `bytes` in size. Only call when !full(). */
  add(index: number, bytes: number): void {
    assert(this.count < this.capacity, 'add into a full inflights window');
    let next = this.start + this.count;
    if (next >= this.capacity) next -= this.capacity;
    this.indexes[next] = index;
    this.sizes[next] = bytes;
    this.count++;
    this.bytes += bytes;
  }

  /** Frees every in-flight message whose last index is <= to (they were acknowledged). */
  freeLE(to: number): void {
    if (this.count === 0 || to < this.indexes[this.start]!) return;
    let idx = this.start;
    let i = 0;
    let bytes = 0;
    for (; i < this.count; i++) {
      if (to < this.indexes[idx]!) break;
      bytes += this.sizes[idx]!;
      if (++idx >= this.capacity) idx -= this.capacity;
    }
    this.count -= i;
    this.bytes -= bytes;
    this.start = this.count === 0 ? 0 : idx;
  }

  full(): boolean {
    return this.count === this.capacity || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  size(): number {
    return this.count;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }
}
