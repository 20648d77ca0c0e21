/**
 * Time as the store member sees it. Injected so tests and simulations control it; the real one
 * (wall clock and Node timers) is built in cluster/.
 */
export interface Clock {
  /** Milliseconds since some fixed origin; never goes backwards. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}
