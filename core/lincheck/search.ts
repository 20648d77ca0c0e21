import { assert } from '../assert.js';
import { Bitset } from './bitset.js';
import { EntryList, type Entry } from './entry-list.js';
import { stepRegister, type RegisterOp } from './register.js';
import { SearchCache } from './search-cache.js';

/**
 * Decides whether `ops` (one key's register operations) have a linearization starting from
 * register state `initialState`: an order of all required ops and any subset of optional
 * ops that respects real time (an op whose return precedes another's call comes first) and
 * that the register model accepts.
 *
 * Wing & Gong's search with Lowe's memoization ("Testing for Linearizability", 2017): walk the
 * time line from its head; at a call, try to linearize that op now (lift it out of the line and
 * push it); at a return, the op returning there was not linearized in time, so pop the last
 * choice and try the next candidate after it. A configuration (linearized set, state) seen
 * before is skipped. Optional ops have no return entry, so they never force a backtrack and
 * may stay unlinearized: the search succeeds as soon as every required op is linearized.
 *
 * Throws SearchLimitError when more than `maxConfigurations` configurations are reached.
 */
export function isLinearizableFrom(
  ops: readonly RegisterOp[],
  initialState: number,
  maxConfigurations: number,
): boolean {
  let requiredLeft = ops.reduce((n, op) => n + (op.required ? 1 : 0), 0);
  if (requiredLeft === 0) return true;
  const line = new EntryList(ops);
  const linearized = new Bitset(ops.length);
  const cache = new SearchCache(maxConfigurations);
  const stack: { call: Entry; stateBefore: number }[] = [];
  let state = initialState;
  let entry = line.head.next;
  for (;;) {
    // A required op not yet linearized still has its return entry ahead in the line.
    assert(entry !== null, 'search ran off the time line with required ops left');
    if (entry.isCall) {
      const op = ops[entry.op]!;
      const after = stepRegister(state, op);
      if (after !== null) {
        linearized.add(entry.op);
        if (cache.add(linearized, after)) {
          stack.push({ call: entry, stateBefore: state });
          line.lift(entry);
          state = after;
          if (op.required && --requiredLeft === 0) return true;
          entry = line.head.next;
          continue;
        }
        linearized.delete(entry.op);
      }
      entry = entry.next;
    } else {
      const top = stack.pop();
      if (top === undefined) return false;
      const { call, stateBefore } = top;
      line.unlift(call);
      linearized.delete(call.op);
      if (ops[call.op]!.required) requiredLeft++;
      state = stateBefore;
      entry = call.next;
    }
  }
}
