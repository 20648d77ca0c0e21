// Per-key exponential back-off for failed reconciles: client-go's ItemExponentialFailureRateLimiter
// with the defaults of its DefaultControllerRateLimiter (5 ms doubling to 1000 s).

/** First retry delay after a failure. */
export const RECONCILE_BACKOFF_BASE_DELAY_MS = 5;
/** Longest retry delay, however many failures in a row. */
export const RECONCILE_BACKOFF_MAX_DELAY_MS = 1_000_000;

export interface ReconcileBackoffPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RECONCILE_BACKOFF: ReconcileBackoffPolicy = {
  baseDelayMs: RECONCILE_BACKOFF_BASE_DELAY_MS,
  maxDelayMs: RECONCILE_BACKOFF_MAX_DELAY_MS,
};

/**
 * Counts failures per key. The n-th failure in a row (from 0) waits `baseDelayMs * 2^n`, capped at
 * `maxDelayMs`; `forget` (after a success) starts the key over. Holds one entry per key that is
 * failing, so it is bounded by the keys of the controller's primary resource.
 */
export class ReconcileBackoff {
  private readonly failures = new Map<string, number>();

  constructor(private readonly policy: ReconcileBackoffPolicy = DEFAULT_RECONCILE_BACKOFF) {
    if (!(policy.baseDelayMs > 0) || !(policy.maxDelayMs >= policy.baseDelayMs)) {
      throw new RangeError('reconcile back-off: need 0 < baseDelayMs <= maxDelayMs');
    }
  }

  /** Records a failure of `key` and returns how long to wait before retrying it. */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity long after the cap; Math.min handles that.
    return Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** n);
  }

  /** Failures of `key` since its last success. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Keys currently backing off. */
  get size(): number {
    return this.failures.size;
  }
}
