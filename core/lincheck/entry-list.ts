import { assert } from '../assert.js';
import type { RegisterOp } from './register.js';

/** A call or return point of an op in the search's time line. */
export interface Entry {
  /** Index of the op in the searched array. */
  readonly op: number;
  readonly isCall: boolean;
  /** Event index of the point: the op's call or return. */
  readonly time: number;
  /** For a required op's call, its return entry; otherwise null. */
  returnEntry: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/**
 * The Wing & Gong time line, as two doubly linked lists in real-time order behind sentinel
 * heads: `head` holds every required op's call and return points; `optionalHead` holds the
 * optional ops' call points (they have no return: they may take effect at any later time).
 * Keeping optional calls apart lets the search try them only after the required candidates.
 *
 * Invariant: the lists hold exactly the entries of ops not yet linearized. `lift` and `unlift`
 * are dancing-links removals and re-insertions, so unlifts must undo lifts in LIFO order.
 */
export class EntryList {
  readonly head: Entry = sentinel();
  readonly optionalHead: Entry = sentinel();

  constructor(ops: readonly RegisterOp[]) {
    const required: Entry[] = [];
    const optional: Entry[] = [];
    ops.forEach((op, index) => {
      assert(op.call < op.ret, () => `op ${index} returns before it is called`);
      const call = entry(index, true, op.call);
      if (op.required) {
        call.returnEntry = entry(index, false, op.ret);
        required.push(call, call.returnEntry);
      } else {
        optional.push(call);
      }
    });
    link(this.head, required);
    link(this.optionalHead, optional);
  }

  /** Removes a call entry and its return entry, if any: the op is now linearized. */
  lift(call: Entry): void {
    unlink(call);
    if (call.returnEntry !== null) unlink(call.returnEntry);
  }

  /** Undoes the most recent `lift`, which must have been of `call`. */
  unlift(call: Entry): void {
    if (call.returnEntry !== null) relink(call.returnEntry);
    relink(call);
  }
}

function sentinel(): Entry {
  return entry(-1, false, -Infinity);
}

function entry(op: number, isCall: boolean, time: number): Entry {
  return { op, isCall, time, returnEntry: null, prev: null, next: null };
}

function link(head: Entry, entries: Entry[]): void {
  entries.sort((a, b) => a.time - b.time);
  let last = head;
  for (const e of entries) {
    // Times are event indices, and each event belongs to one op.
    assert(e.time > last.time, () => `two entries at event ${e.time}`);
    e.prev = last;
    last.next = e;
    last = e;
  }
}

function unlink(e: Entry): void {
  e.prev!.next = e.next;
  if (e.next !== null) e.next.prev = e.prev;
}

function relink(e: Entry): void {
  e.prev!.next = e;
  if (e.next !== null) e.next.prev = e;
}
