// Per-object token buckets for Events: client-go's EventSourceObjectSpamFilter (burst 25, one
// token per 5 minutes), so a crash-looping object cannot flood the API with Events.

/** Events one object may emit in a burst. */
export const EVENT_RATE_LIMIT_BURST = 25;
/** After the burst, one more Event per object per this long. */
export const EVENT_RATE_LIMIT_REFILL_MS = 5 * 60_000;
/** Objects whose buckets are kept; the least recently used is forgotten (it starts full again). */
export const EVENT_RATE_LIMIT_MAX_TRACKED_OBJECTS = 4096;

export interface EventRateLimitPolicy {
  readonly burst: number;
  readonly refillMs: number;
  readonly maxTrackedObjects: number;
}

export const DEFAULT_EVENT_RATE_LIMIT: EventRateLimitPolicy = {
  burst: EVENT_RATE_LIMIT_BURST,
  refillMs: EVENT_RATE_LIMIT_REFILL_MS,
  maxTrackedObjects: EVENT_RATE_LIMIT_MAX_TRACKED_OBJECTS,
};

export class EventRateLimiter {
  /** In least-recently-used order (a Map keeps insertion order; a use re-inserts). */
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(private readonly policy: EventRateLimitPolicy = DEFAULT_EVENT_RATE_LIMIT) {}

  /** Takes a token from `key`'s bucket at `nowMs`; false when it is empty. */
  tryAccept(key: string, nowMs: number): boolean {
    const known = this.buckets.get(key);
    const bucket = known ?? { tokens: this.policy.burst, atMs: nowMs };
    bucket.tokens = Math.min(this.policy.burst, bucket.tokens + Math.max(0, nowMs - bucket.atMs) / this.policy.refillMs);
    bucket.atMs = nowMs;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.policy.maxTrackedObjects) {
      const oldest = this.buckets.keys().next();
      if (oldest.done !== true) this.buckets.delete(oldest.value);
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
