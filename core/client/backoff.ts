// Exponential backoff with jitter for reconnect loops, with the random source injected.

import type { Random } from '../random.js';

export interface ClientBackoffPolicy {
  /** Delay before the first retry, before jitter. */
  readonly initialMs: number;
  /** Upper bound of every delay, jitter included. */
  readonly maxMs: number;
  /** Growth per consecutive failure (>= 1). */
  readonly factor: number;
  /** Fraction in [0, 1] taken off at random, so clients that failed together spread out. */
  readonly jitter: number;
}

/** client-go's reflector grows from 800 ms to 30 s; we start lower so a master failover is quick. */
export const CLIENT_BACKOFF_DEFAULTS: ClientBackoffPolicy = Object.freeze({ initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.5 });

/**
 * The delay before retry number `failures` (1 for the first retry after one failure):
 * min(maxMs, initialMs·factor^(failures-1)) scaled by a random factor in (1-jitter, 1].
 * 0 when `failures` is 0.
 */
export function clientBackoffDelayMs(policy: ClientBackoffPolicy, failures: number, random: Random): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 64);
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, exponent));
  return Math.max(0, Math.round(base * (1 - policy.jitter * random.next())));
}
