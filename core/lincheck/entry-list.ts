import { assert } from '../assert.js';
import type { RegisterOp } from './register.js';

/** A call or return point of an op in the search's time line. */
export interface Entry {
  /** Index of the op in the searched array. */
  readonly op: number;
  readonly isCall: boolean;
  /** For a call, its return entry; null for an optional op, which has none. */
  returnEntry: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/**
 * The Wing & Gong time line: every op's call point and every required op's return point, as a
 * doubly linked list in real-time order behind a sentinel head.
 *
 * Invariant: the list holds exactly the entries of ops not yet linearized; `lift` and `unlift`
 * are dancing-links removals and re-insertions, so unlifts must undo lifts in LIFO order.
 */
export class EntryList {
  readonly head: Entry = { op: -1, isCall: false, returnEntry: null, prev: null, next: null };

  constructor(ops: readonly RegisterOp[]) {
    const timed: { time: number; entry: Entry }[] = [];
    ops.forEach((op, index) => {
      assert(op.call < op.ret, () => `op ${index} returns before it is called`);
      const call: Entry = { op: index, isCall: true, returnEntry: null, prev: null, next: null };
      timed.push({ time: op.call, entry: call });
      if (op.required) {
        const ret: Entry = { op: index, isCall: false, returnEntry: null, prev: null, next: null };
        call.returnEntry = ret;
        timed.push({ time: op.ret, entry: ret });
      }
    });
    timed.sort((a, b) => a.time - b.time);
    let last = this.head;
    let lastTime = -Infinity;
    for (const { time, entry } of timed) {
      // Times are event indices, and each event belongs to one op.
      assert(time > lastTime, () => `two entries at event ${time}`);
      entry.prev = last;
      last.next = entry;
      last = entry;
      lastTime = time;
    }
  }

  /** Removes a call entry and its return entry: the op is now linearized. */
  lift(call: Entry): void {
    call.prev!.next = call.next;
    if (call.next !== null) call.next.prev = call.prev;
    const ret = call.returnEntry;
    if (ret !== null) {
      ret.prev!.next = ret.next;
      if (ret.next !== null) ret.next.prev = ret.prev;
    }
  }

  /** Undoes the most recent `lift`, which must have been of `call`. */
  unlift(call: Entry): void {
    const ret = call.returnEntry;
    if (ret !== null) {
      ret.prev!.next = ret;
      if (ret.next !== null) ret.next.prev = ret;
    }
    call.prev!.next = call;
    if (call.next !== null) call.next.prev = call;
  }
}
