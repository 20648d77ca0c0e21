import type { Random } from '../../core/index.js';

/**
 * What a parent does when a child's restart budget is exhausted and the child escalates:
 * - `restart`: the parent fails itself: its own policy restarts it (stopping every child, the
 *   failed one included, and re-running its `initialState`) or, if its budget is spent too,
 *   escalates to its own parent;
 * - `stop-child`: the failed child is stopped; the parent carries on;
 * - `escalate`: the parent escalates at once, without spending its own budget.
 * Escalation past a top-level actor calls the system's fatal handler.
 */
export type EscalationDecision = 'restart' | 'stop-child' | 'escalate';

/** What a parent learns when a child escalates. */
export interface ChildEscalation {
  readonly childPath: string;
  readonly childName: string;
  readonly childType: string;
  readonly cause: unknown;
}

/**
 * How an actor is restarted when its handler (or `initialState`) throws: with fresh state, after
 * an exponential backoff with jitter, at most `maxRestarts` times within `restartWindowMs`;
 * the next crash inside the window escalates to the parent.
 */
export interface SupervisionPolicy {
  /** Delay before the first restart of a window. */
  readonly initialBackoffMs: number;
  /** Cap on the delay, jitter included. */
  readonly maxBackoffMs: number;
  /** Each further restart within the window waits this many times longer. */
  readonly backoffMultiplier: number;
  /** The delay is scaled by a uniform factor in [1 − jitter, 1 + jitter). In [0, 1]. */
  readonly backoffJitter: number;
  /** Restarts allowed within `restartWindowMs`; 0 escalates on the first crash. */
  readonly maxRestarts: number;
  readonly restartWindowMs: number;
  /** This actor's decision when one of its children escalates. */
  readonly onChildEscalation: (escalation: ChildEscalation) => EscalationDecision;
}

export const DEFAULT_SUPERVISION: SupervisionPolicy = {
  initialBackoffMs: 100,
  maxBackoffMs: 30_000,
  backoffMultiplier: 2,
  backoffJitter: 0.2,
  maxRestarts: 5,
  restartWindowMs: 60_000,
  onChildEscalation: () => 'restart',
};

/** Fills a partial policy with the defaults and checks it; throws RangeError on nonsense values. */
export function resolveSupervision(partial: Partial<SupervisionPolicy> | undefined): SupervisionPolicy {
  const policy: SupervisionPolicy = { ...DEFAULT_SUPERVISION, ...partial };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new RangeError(`supervision policy: ${what}`);
  };
  check(policy.initialBackoffMs >= 0, 'initialBackoffMs must be >= 0');
  check(policy.maxBackoffMs >= policy.initialBackoffMs, 'maxBackoffMs must be >= initialBackoffMs');
  check(policy.backoffMultiplier >= 1, 'backoffMultiplier must be >= 1');
  check(policy.backoffJitter >= 0 && policy.backoffJitter <= 1, 'backoffJitter must be in [0, 1]');
  check(Number.isInteger(policy.maxRestarts) && policy.maxRestarts >= 0, 'maxRestarts must be an integer >= 0');
  check(policy.restartWindowMs > 0, 'restartWindowMs must be > 0');
  return policy;
}

/** Delay before the `restartNumber`-th restart (1-based) of the current window. */
export function restartBackoffMs(policy: SupervisionPolicy, restartNumber: number, random: Random): number {
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.backoffMultiplier ** (restartNumber - 1));
  const factor = 1 - policy.backoffJitter + 2 * policy.backoffJitter * random.next();
  return Math.min(policy.maxBackoffMs, Math.round(base * factor));
}

/**
 * The restarts of one actor within the sliding window. Invariant: holds at most `maxRestarts`
 * timestamps, all within `restartWindowMs` of the last check.
 */
export class RestartBudget {
  private readonly restartTimesMs: number[] = [];

  constructor(private readonly policy: SupervisionPolicy) {}

  /**
   * Records a restart at `nowMs` and returns its number within the window (1-based), or
   * undefined when the budget is spent and the failure must escalate.
   */
  tryRestart(nowMs: number): number | undefined {
    const horizonMs = nowMs - this.policy.restartWindowMs;
    while (this.restartTimesMs.length > 0 && this.restartTimesMs[0]! <= horizonMs) this.restartTimesMs.shift();
    if (this.restartTimesMs.length >= this.policy.maxRestarts) return undefined;
    this.restartTimesMs.push(nowMs);
    return this.restartTimesMs.length;
  }
}
