import { assert } from '../assert.js';
import { Bitset } from './bitset.js';
import { EntryList, type Entry } from './entry-list.js';
import { mix32 } from './hash.js';
import { isMutation, RegisterModel, type RegisterOp } from './register.js';
import { SearchCache } from './search-cache.js';
import { WantedValues } from './wanted-values.js';

/** One linearization choice, undone when the search backtracks past it. */
interface Choice {
  readonly call: Entry;
  readonly stateBefore: number;
  /** The choice was the only one tried at its configuration (see the observation rule). */
  readonly forced: boolean;
  /** For an optional op: the first return in the time line when it was chosen. */
  readonly deadline: number;
}

/**
 * Decides whether `ops` (one key's register operations) have a linearization starting from
 * register state `initialState` (a value id, or UNKNOWN_STATE for "some value"): an order of
 * all required ops and any subset of optional ops that respects real time (an op whose return
 * precedes another's call comes first) and that the register model accepts.
 *
 * Wing & Gong's search with Lowe's memoization ("Testing for Linearizability", 2017). The
 * candidates at a configuration are the unlinearized ops called before the first unlinearized
 * return. Walk them, required ones first, and linearize the first the model accepts (lift it
 * out of the time line, push the choice), unless the memo holds the resulting configuration
 * (linearized set, state) or one that dominates it (see SearchCache): exploring it again
 * cannot succeed where the first visit failed. When no candidate is left, pop the last choice
 * and try the candidates after it. Optional ops have no return, so they never force a
 * backtrack and may stay unlinearized: the search succeeds once every required op is.
 *
 * Two reductions keep the search small without losing linearizations. Both follow from taking
 * a shortest successful continuation, with optional ops as late as possible:
 * - Observation rule: if a candidate read or failed cas is legal in the current, known state,
 *   it is linearized now and no other candidate is tried there. It changes no state, and
 *   every op returning before its call is already linearized, so it can move to the front.
 * - Optional ops only when needed: an optional op is tried only if it makes current a value
 *   some candidate wants (see WantedValues), and right after one (state s to v) no mutation
 *   legal in s is tried: it would give the same result from s, so the optional op could be
 *   dropped. Without this, a few crashed writes multiply the configurations by every subset of
 *   them. Configurations right after an optional op are searched under this restriction, so
 *   they are not memoized (a memo entry means "explored without restriction").
 *
 * Throws SearchLimitError when more than `maxConfigurations` configurations are reached.
 */
export function isLinearizableFrom(
  ops: readonly RegisterOp[],
  initialState: number,
  maxConfigurations: number,
): boolean {
  const requiredTotal = ops.reduce((n, op) => n + (op.required ? 1 : 0), 0);
  if (requiredTotal === 0) return true;
  let requiredLeft = requiredTotal;
  /** Zobrist hash of the linearized required ops. */
  let requiredHash = 0;
  const line = new EntryList(ops);
  const linearized = new Bitset(ops.length);
  const cache = new SearchCache(maxConfigurations, 2 * ops.length);
  const model = new RegisterModel();
  const stack: Choice[] = [];
  let state = initialState;
  // The scan: over required entries until the first return, then over optional calls before
  // `deadline`, that return's time.
  let cursor: Entry | null = null;
  let scanningOptional = false;
  let deadline = Infinity;
  let atNewConfiguration = true;
  /** When the last choice was optional: the state before it. */
  let afterOptionalFrom: number | null = null;
  const wanted = new WantedValues(ops);

  /** Collects what the candidates before `deadline` need (see WantedValues). */
  const markWanted = (): void => {
    wanted.reset(state);
    for (let e = line.head.next; e !== null && e.isCall; e = e.next) wanted.addNeedsOf(ops[e.op]!);
    for (let e = line.optionalHead.next; e !== null && e.time < deadline; e = e.next) {
      wanted.addNeedsOf(ops[e.op]!);
    }
  };

  /** The state after linearizing `op` now, or null if the model or a reduction rules it out. */
  const tryStep = (op: RegisterOp): number | null => {
    const after = model.step(state, op);
    if (after === null) return null;
    if (!op.required && after === state) return null;
    const before = afterOptionalFrom;
    if (before !== null && isMutation(op) && model.step(before, op) !== null) return null;
    return after;
  };

  /** Linearizes `call` if that reaches a new configuration; false if it was reached before. */
  const tryLinearize = (call: Entry, after: number, forced: boolean): boolean => {
    const required = ops[call.op]!.required;
    linearized.add(call.op);
    if (required) {
      const config = {
        linearized,
        requiredHash: (requiredHash ^ mix32(call.op + 1)) >>> 0,
        requiredCount: requiredTotal - requiredLeft + 1,
        state: after,
      };
      if (!cache.add(config)) {
        linearized.delete(call.op);
        return false;
      }
      requiredHash = config.requiredHash;
      requiredLeft--;
    }
    stack.push({ call, stateBefore: state, forced, deadline });
    line.lift(call);
    afterOptionalFrom = required ? null : state;
    state = after;
    atNewConfiguration = true;
    return true;
  };

  /** Undoes choices up to and including the last unforced one; false if none is left. */
  const backtrack = (): boolean => {
    for (;;) {
      const choice = stack.pop();
      if (choice === undefined) return false;
      line.unlift(choice.call);
      linearized.delete(choice.call.op);
      const required = ops[choice.call.op]!.required;
      if (required) {
        requiredLeft++;
        requiredHash = (requiredHash ^ mix32(choice.call.op + 1)) >>> 0;
      }
      state = choice.stateBefore;
      cursor = choice.call.next;
      scanningOptional = !required;
      deadline = choice.deadline;
      const below = stack[stack.length - 1];
      afterOptionalFrom =
        below !== undefined && !ops[below.call.op]!.required ? below.stateBefore : null;
      if (!choice.forced) {
        if (scanningOptional) markWanted();
        return true;
      }
    }
  };

  for (;;) {
    if (requiredLeft === 0) return true;
    if (atNewConfiguration) {
      atNewConfiguration = false;
      cursor = line.head.next;
      scanningOptional = false;
      deadline = Infinity;
      if (state >= 0) {
        const observation = legalObservation(line, ops, state);
        if (observation !== null) {
          if (!tryLinearize(observation, state, true) && !backtrack()) return false;
          continue;
        }
      }
    }
    if (!scanningOptional) {
      // A required op not yet linearized still has its return entry ahead in the line.
      assert(cursor !== null, 'search ran off the time line with required ops left');
      if (cursor.isCall) {
        const after = tryStep(ops[cursor.op]!);
        if (after === null || !tryLinearize(cursor, after, false)) cursor = cursor.next;
      } else {
        scanningOptional = true;
        deadline = cursor.time;
        cursor = line.optionalHead.next;
        markWanted();
      }
    } else if (cursor !== null && cursor.time < deadline) {
      const op = ops[cursor.op]!;
      const after = wanted.wants(op) ? tryStep(op) : null;
      if (after === null || !tryLinearize(cursor, after, false)) cursor = cursor.next;
    } else if (!backtrack()) {
      return false;
    }
  }
}

/** The first candidate (a call before the first return) that observes `state` without change. */
function legalObservation(
  line: EntryList,
  ops: readonly RegisterOp[],
  state: number,
): Entry | null {
  for (let entry = line.head.next; entry !== null && entry.isCall; entry = entry.next) {
    const op = ops[entry.op]!;
    if (op.kind === 'read' ? op.guard === state : op.kind === 'cas-fail' && op.guard !== state) {
      return entry;
    }
  }
  return null;
}
