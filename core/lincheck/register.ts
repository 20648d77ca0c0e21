import type { Operation } from './operations.js';
import type { ValueTable } from './value-table.js';

/**
 * A register operation as the search sees it. States are value ids from a `ValueTable`.
 *
 * - `read`: legal iff state === guard; state unchanged.
 * - `write`: always legal; state becomes `next`.
 * - `cas`: legal iff state === guard; state becomes `next`.
 * - `cas-fail`: legal iff state !== guard; state unchanged. A failed cas observed, at some
 *   instant inside its window, a value other than the expected one.
 */
export interface RegisterOp {
  readonly kind: 'read' | 'write' | 'cas' | 'cas-fail';
  /** The value id the state is compared with; -1 for `write`, which compares nothing. */
  readonly guard: number;
  /** The value id the state becomes; -1 for `read` and `cas-fail`, which change nothing. */
  readonly next: number;
  /** Event index of the invoke: the earliest point the op can take effect. */
  readonly call: number;
  /**
   * Event index of the completion: the latest point the op can take effect. `Infinity` for
   * optional ops, which may take effect at any later time or never.
   */
  readonly ret: number;
  /** Must be linearized. Invariant: `required === (ret !== Infinity)`. */
  readonly required: boolean;
  readonly source: Operation;
}

const NONE = -1;

/** The register state "some value, not known yet": a window's starting value. */
export const UNKNOWN_STATE = -1;

/**
 * The sequential register. A state is a value id (>= 0) from a `ValueTable`, or an unknown
 * state (< 0): "the value the search started from, not yet observed, and known to differ from
 * these values" (failed cas ops can say what it is not). The first read or cas that depends on
 * it resolves it, so one search from `UNKNOWN_STATE` decides whether some starting value works,
 * instead of one search per candidate value.
 *
 * One model per search: it interns the exclusion sets of the unknown states it meets.
 */
export class RegisterModel {
  /** Unknown state -1 - k excludes exclusions[k]; each sorted ascending. */
  private readonly exclusions: (readonly number[])[] = [[]];
  private readonly exclusionIds = new Map<string, number>([['', 0]]);

  /** The state after applying `op` in `state`, or null if `op` cannot happen in `state`. */
  step(state: number, op: RegisterOp): number | null {
    if (state >= 0) {
      switch (op.kind) {
        case 'read':
          return state === op.guard ? state : null;
        case 'write':
          return op.next;
        case 'cas':
          return state === op.guard ? op.next : null;
        case 'cas-fail':
          return state !== op.guard ? state : null;
      }
    }
    const excluded = this.exclusions[-1 - state]!;
    switch (op.kind) {
      case 'read':
        return excluded.includes(op.guard) ? null : op.guard;
      case 'write':
        return op.next;
      case 'cas':
        return excluded.includes(op.guard) ? null : op.next;
      case 'cas-fail':
        return excluded.includes(op.guard) ? state : this.unknownExcluding([...excluded, op.guard]);
    }
  }

  private unknownExcluding(values: number[]): number {
    values.sort((a, b) => a - b);
    const key = values.join(',');
    let k = this.exclusionIds.get(key);
    if (k === undefined) {
      k = this.exclusions.length;
      this.exclusions.push(values);
      this.exclusionIds.set(key, k);
    }
    return -1 - k;
  }
}

/** True if `op` can change the register's state. */
export function isMutation(op: RegisterOp): boolean {
  return op.kind === 'write' || op.kind === 'cas';
}

/**
 * How an operation constrains the register, or null when it constrains nothing:
 * - read: `ok` is a read of the value returned. `fail` is dropped (nothing happened), and so
 *   is `info` (whatever it saw, nobody learned it).
 * - write: `ok` is a write. `fail` is dropped (it certainly had no effect). `info` is an
 *   optional write.
 * - cas: `ok` is a cas. `fail` is a `cas-fail`: the compare failed, so at some instant inside
 *   its window the value was not the expected one. `info` is an optional cas.
 * An optional op may take effect at any time after its invoke, or never; an invoke with no
 * completion is `info`.
 *
 * Modelling a failed cas as an observation is stronger than dropping it: a store that rejects
 * a cas whose expected value was current for the whole of the cas's window is caught.
 */
export function toRegisterOp(op: Operation, values: ValueTable): RegisterOp | null {
  const call = op.invokeIndex;
  const ret = op.status === 'info' || op.completeIndex === null ? Infinity : op.completeIndex;
  const base = { call, ret, required: ret !== Infinity, source: op };
  switch (op.f) {
    case 'read':
      if (op.status !== 'ok') return null;
      return { ...base, kind: 'read', guard: values.intern(op.output), next: NONE };
    case 'write':
      if (op.status === 'fail') return null;
      return { ...base, kind: 'write', guard: NONE, next: values.intern(op.input) };
    case 'cas': {
      // The [expected, new] shape was checked by pairOperations.
      const [expected, replacement] = op.input as readonly [unknown, unknown];
      const guard = values.intern(expected);
      if (op.status === 'fail') return { ...base, kind: 'cas-fail', guard, next: NONE };
      return { ...base, kind: 'cas', guard, next: values.intern(replacement) };
    }
  }
}
