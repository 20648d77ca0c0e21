import type { RegisterOp } from './register.js';

/**
 * The values worth making current with an optional op at one configuration of the search.
 *
 * Among the shortest linearizations, take one that puts optional ops as late as possible.
 * There, an optional op (state s to v) is immediately followed by an op that is illegal in s
 * and legal in v: otherwise the optional op could be dropped (a write after it gives the same
 * result from s) or moved after that op (a failed cas legal in both). So the next op is a
 * read or cas expecting v, or a failed cas expecting s, which any v != s satisfies. The search
 * tries an optional op only if one of the current candidates wants what it writes.
 */
export class WantedValues {
  /** Value v is wanted iff stamp[v] === generation; bumping `generation` clears the set. */
  private readonly stamp: Int32Array;
  private generation = 0;
  private anyChange = false;
  private state = 0;

  constructor(ops: readonly RegisterOp[]) {
    const maxValueId = ops.reduce((max, op) => Math.max(max, op.guard, op.next), 0);
    this.stamp = new Int32Array(maxValueId + 1);
  }

  /** Empties the set, for a configuration whose register state is `state`. */
  reset(state: number): void {
    this.generation++;
    this.anyChange = false;
    this.state = state;
  }

  /** Adds what candidate `op` needs that the state does not give. */
  addNeedsOf(op: RegisterOp): void {
    if (op.kind === 'read' || op.kind === 'cas') this.stamp[op.guard] = this.generation;
    else if (op.kind === 'cas-fail' && op.guard === this.state) this.anyChange = true;
  }

  /** True if the optional mutation `op` would make a wanted value current. */
  wants(op: RegisterOp): boolean {
    return (this.anyChange && op.next !== this.state) || this.stamp[op.next] === this.generation;
  }
}
