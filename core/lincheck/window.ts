import { assert } from '../assert.js';
import { isMutation, type RegisterOp } from './register.js';
import { isLinearizableFrom } from './search.js';
import { NULL_VALUE_ID, UNSEEN_VALUE_ID } from './value-table.js';

/** A contiguous run `ops[start, end)` of one key's ops in invocation order. */
export interface OpWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * Decides whether windows of one key's ops can be linearized on their own, and finds the
 * shortest window that cannot.
 *
 * A window W = ops[start, end) is checked so that its failure proves the whole history is not
 * linearizable (soundness), and so that every window containing a failing window also fails
 * (monotonicity, which the shrinking below relies on):
 * - The register's value when W begins is unknown: W fails only if it fails from every
 *   starting value. Trying the values W's ops compare against plus one value they never
 *   compare against covers every value, since values no op compares against behave alike.
 *   When W starts at the first op, nothing precedes it and the start value is `null`.
 * - Writes and cas ops outside W whose intervals overlap W's span could take effect between
 *   W's ops, so they join the search as optional ops (they may land anywhere after their
 *   invoke, or nowhere). Ops that return before W's first invoke are summed up by the unknown
 *   start value; ops invoked after all of W returned cannot come before any op of W.
 */
export class WindowChecker {
  /** maxRequiredRetUpTo[k] = the latest return among required ops[0..k]. */
  private readonly maxRequiredRetUpTo: number[] = [];
  /** Indices of optional mutations, ascending: they overlap every later window. */
  private readonly optionalMutations: number[] = [];

  /** `ops` must be sorted by `call`. */
  constructor(
    private readonly ops: readonly RegisterOp[],
    private readonly maxConfigurations: number,
  ) {
    let latest = -Infinity;
    ops.forEach((op, k) => {
      assert(k === 0 || ops[k - 1]!.call < op.call, 'window ops must be in invocation order');
      if (op.required) latest = Math.max(latest, op.ret);
      this.maxRequiredRetUpTo.push(latest);
      if (!op.required && isMutation(op)) this.optionalMutations.push(k);
    });
  }

  /** True if ops[start, end) cannot be linearized from any starting value. */
  fails(start: number, end: number): boolean {
    assert(0 <= start && start < end && end <= this.ops.length, 'window out of range');
    const window = this.ops.slice(start, end);
    const spanStart = window[0]!.call;
    const spanEnd = window.reduce((latest, op) => Math.max(latest, op.ret), -Infinity);
    const searched = [...window, ...this.context(start, end, spanStart, spanEnd)];
    const starts = start === 0 ? [NULL_VALUE_ID] : startCandidates(searched);
    return starts.every((s) => !isLinearizableFrom(searched, s, this.maxConfigurations));
  }

  /**
   * The shortest failing window, the earliest among equally short ones. Requires the whole
   * key to fail. Relies on monotonicity: find the shortest failing prefix, drop ops from its
   * front while it still fails, then slide a window one shorter than the best so far across
   * the rest, shrinking it whenever it fails.
   */
  minimalFailingWindow(): OpWindow {
    const n = this.ops.length;
    assert(n > 0 && this.fails(0, n), 'minimalFailingWindow needs a failing history');
    let lo = 1;
    let hi = n; // Invariant: fails(0, hi).
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.fails(0, mid)) hi = mid;
      else lo = mid + 1;
    }
    const end = hi;
    let first = 0; // Invariant: fails(first, end).
    let last = end - 1;
    while (first < last) {
      const mid = (first + last + 1) >>> 1;
      if (this.fails(mid, end)) first = mid;
      else last = mid - 1;
    }
    // A window starting before `first` that fails ends at or after `end` (no shorter prefix
    // fails), so it is longer than [first, end): only later starts can do better.
    let best: OpWindow = { start: first, end };
    for (let start = first + 1; start < n; start++) {
      for (;;) {
        const shorter = best.end - best.start - 1;
        if (shorter < 1 || start + shorter > n || !this.fails(start, start + shorter)) break;
        best = { start, end: start + shorter };
      }
    }
    return best;
  }

  /** Mutations outside [start, end) that overlap [spanStart, spanEnd], made optional. */
  private context(start: number, end: number, spanStart: number, spanEnd: number): RegisterOp[] {
    const context: RegisterOp[] = [];
    for (let k = start - 1; k >= 0 && this.maxRequiredRetUpTo[k]! > spanStart; k--) {
      const op = this.ops[k]!;
      if (op.required && op.ret > spanStart && isMutation(op)) context.push(optional(op));
    }
    for (const k of this.optionalMutations) {
      if (k >= start) break;
      context.push(this.ops[k]!);
    }
    for (let k = end; k < this.ops.length && this.ops[k]!.call < spanEnd; k++) {
      const op = this.ops[k]!;
      if (isMutation(op)) context.push(optional(op));
    }
    return context;
  }
}

function optional(op: RegisterOp): RegisterOp {
  return op.required ? { ...op, required: false, ret: Infinity } : op;
}

/** Every value the ops compare the state against, plus one value none of them compares. */
function startCandidates(ops: readonly RegisterOp[]): number[] {
  const guards = new Set<number>();
  for (const op of ops) if (op.kind !== 'write') guards.add(op.guard);
  return [...guards, UNSEEN_VALUE_ID];
}
