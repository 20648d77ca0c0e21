// Time for clients, injected: core schedules nothing itself. The shape is a subset of the store's
// and actor runtime's Clock (raft/server), so the same real or manual clock drives informers.

/** A scheduled callback; cancel() is idempotent and harmless after it fired. */
export interface ClientTimerHandle {
  cancel(): void;
}

export interface ClientClock {
  /** Milliseconds since some fixed origin; never goes backwards. */
  now(): number;
  setTimeout(fn: () => void, ms: number): ClientTimerHandle;
}
