import { assert } from '../assert.js';
import { isMutation, UNKNOWN_STATE, type RegisterOp } from './register.js';
import { isLinearizableFrom } from './search.js';
import { SearchLimitError } from './search-cache.js';
import { NULL_VALUE_ID } from './value-table.js';

/**
 * The smallest windows the shrinking starts from. Checking n / FIRST_SCALE windows of twice
 * this length costs less than n windows of length 2 (each check has a fixed cost), and
 * sliding inside the few failing regions finds shorter windows anyway.
 */
const FIRST_SCALE = 8;

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
 * (monotonicity, which the shrinking relies on):
 * - The register's value when W begins is unknown: W fails only if it fails from every
 *   starting value (the search starts from UNKNOWN_STATE). When W starts at the first op,
 *   nothing precedes it and the starting value is `null`.
 * - Writes and cas ops outside W whose intervals overlap W's span could take effect between
 *   W's ops, so they join the search as optional ops (they may land anywhere after their
 *   invoke, or nowhere). W's span runs from its first invoke to the last return of its
 *   required ops: ops that return before it are summed up by the unknown starting value, and
 *   ops invoked after it can only follow every required op of W, where W's optional ops can
 *   be left out.
 */
export class WindowChecker {
  /**
   * mutationsOpenAt[k]: the required mutations before op k that are still running when op k
   * is invoked (ret > ops[k].call). At most one per process, so short.
   */
  private readonly mutationsOpenAt: (readonly number[])[] = [];
  /** Indices of optional mutations, ascending: they overlap every later window. */
  private readonly optionalMutations: number[] = [];

  /** `ops` must be sorted by `call`. */
  constructor(
    private readonly ops: readonly RegisterOp[],
    private readonly maxConfigurations: number,
  ) {
    let open: number[] = [];
    ops.forEach((op, k) => {
      assert(k === 0 || ops[k - 1]!.call < op.call, 'window ops must be in invocation order');
      open = open.filter((j) => ops[j]!.ret > op.call);
      this.mutationsOpenAt.push(open);
      if (isMutation(op)) {
        if (op.required) open = [...open, k];
        else this.optionalMutations.push(k);
      }
    });
  }

  /**
   * True if ops[start, end) cannot be linearized from any starting value. Throws
   * SearchLimitError if the search for a linearization exceeds its bound.
   */
  fails(start: number, end: number): boolean {
    assert(0 <= start && start < end && end <= this.ops.length, 'window out of range');
    const window = this.ops.slice(start, end);
    const spanEnd = window.reduce(
      (latest, op) => (op.required ? Math.max(latest, op.ret) : latest),
      -Infinity,
    );
    if (spanEnd === -Infinity) return false; // Nothing in the window has to happen.
    const searched = [...window, ...this.context(start, end, spanEnd)];
    const initial = start === 0 ? NULL_VALUE_ID : UNKNOWN_STATE;
    return !isLinearizableFrom(searched, initial, this.maxConfigurations);
  }

  /**
   * The shortest failing window, the earliest among equally short ones. Requires the whole
   * key to fail (not re-checked here: that is a full search).
   *
   * Failures are usually local, so the search works up from small windows rather than down
   * from the whole history (where every failing check is an exhaustive search):
   * 1. Scale: for L = FIRST_SCALE, 2 FIRST_SCALE, ..., check the windows of length 2L starting
   *    at multiples of L. Any window of length <= L lies inside one of them, so at the first L
   *    where one fails, the shortest failing window has length m <= 2L, and m > L / 2 unless
   *    L is the first scale.
   * 2. Regions: every window of length <= 2L lies inside a window of length 3L starting at a
   *    multiple of L; skip those that pass (by monotonicity they hold no failing window).
   * 3. Inside each failing region, slide: for each start, check the window one shorter than
   *    the best so far, and if it fails shrink it from the end while it still fails.
   *
   * A window whose check exceeds the search bound counts as not failing. So the result is
   * always a window shown to fail (at worst the whole key), though then perhaps not the
   * shortest.
   */
  minimalFailingWindow(): OpWindow {
    const n = this.ops.length;
    assert(n > 0, 'minimalFailingWindow needs a failing history');
    let scale = FIRST_SCALE;
    // Once 2L >= n, the one aligned window is the whole key, which fails.
    while (2 * scale < n && !this.someAlignedWindowFails(scale, 2 * scale)) scale *= 2;
    const shortestPossible = scale === FIRST_SCALE ? 1 : scale / 2 + 1;
    let best: OpWindow = { start: 0, end: n };
    for (let start = 0; start < n && length(best) > shortestPossible; start += scale) {
      const region = { start, end: Math.min(n, start + 3 * scale) };
      if (this.shownToFail(region.start, region.end)) best = this.improveWithin(region, best);
    }
    return best;
  }

  /** `fails`, but false when the search exceeds its bound. */
  private shownToFail(start: number, end: number): boolean {
    try {
      return this.fails(start, end);
    } catch (err) {
      if (err instanceof SearchLimitError) return false;
      throw err;
    }
  }

  /** True if some window ops[k * stride, k * stride + size) (clipped at the end) fails. */
  private someAlignedWindowFails(stride: number, size: number): boolean {
    const n = this.ops.length;
    for (let start = 0; start < n; start += stride) {
      if (this.shownToFail(start, Math.min(n, start + size))) return true;
      if (start + size >= n) return false;
    }
    return false;
  }

  /**
   * `best`, or the earliest shortest failing window inside `region` if that is shorter. For
   * each start, the longest window worth checking is one shorter than the best so far; if it
   * fails, shrink it from the end while it still fails.
   */
  private improveWithin(region: OpWindow, best: OpWindow): OpWindow {
    for (let start = region.start; start < region.end && length(best) > 1; start++) {
      let end = Math.min(start + length(best) - 1, region.end);
      if (end <= start || !this.shownToFail(start, end)) continue;
      while (end - 1 > start && this.shownToFail(start, end - 1)) end--;
      best = { start, end };
    }
    return best;
  }

  /**
   * Mutations outside [start, end) that may take effect after ops[start] is invoked and
   * before `spanEnd`, made optional.
   */
  private context(start: number, end: number, spanEnd: number): RegisterOp[] {
    const context: RegisterOp[] = [];
    for (const k of this.mutationsOpenAt[start]!) context.push(optional(this.ops[k]!));
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

function length(window: OpWindow): number {
  return window.end - window.start;
}

function optional(op: RegisterOp): RegisterOp {
  return op.required ? { ...op, required: false, ret: Infinity } : op;
}
