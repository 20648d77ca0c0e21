// Slow start for a burst of API calls (pods a ReplicaSet creates), as kube's slowStartBatch
// grows: one call first, and twice as many in flight after each round that all succeeded; the
// first failure starts no more. Kube runs the rounds as batches, each waiting for its slowest
// call before the next starts. Here the window slides: every success lets one more call start
// at once, so the number in flight still doubles per round trip, but a slow call holds only its
// own place, not the whole next batch.

/** How a burst went: how many calls were made and succeeded, and the first failure, if any. */
export interface SlowStartOutcome {
  readonly started: number;
  readonly succeeded: number;
  readonly failure: unknown;
}

/**
 * Calls `call(i)` for i = 0 … count-1 with at most `initial` in flight at first, one more allowed
 * per success. After the first failure nothing more starts; the calls already in flight finish.
 * `onSuccess`/`onFailure` see each result as it comes (one that throws ends the burst as a failure
 * would). Resolves when no call is in flight; never rejects.
 */
export function slowStart<T>(
  count: number,
  initial: number,
  call: (index: number) => Promise<T>,
  onSuccess: (value: T) => void,
  onFailure: (reason: unknown) => void,
): Promise<SlowStartOutcome> {
  if (!Number.isInteger(initial) || initial < 1) throw new RangeError(`slowStart: initial must be a positive integer, got ${initial}`);
  return new Promise((resolve) => {
    let window = initial;
    let started = 0;
    let inFlight = 0;
    let succeeded = 0;
    let failed = false;
    let failure: unknown;
    const fail = (reason: unknown): void => {
      if (failed) return;
      failed = true;
      failure = reason;
    };
    // A callback that throws counts as a failure of the burst, never as a lost settlement.
    const report = (callback: () => void): void => {
      try {
        callback();
      } catch (err) {
        fail(err);
      }
    };
    const settle = (): void => {
      inFlight--;
      if (!failed) launch();
      if (inFlight === 0) resolve({ started, succeeded, failure });
    };
    const launch = (): void => {
      while (!failed && inFlight < window && started < count) {
        const index = started++;
        inFlight++;
        let promise: Promise<T>;
        try {
          promise = call(index);
        } catch (err) {
          promise = Promise.reject(err);
        }
        promise.then(
          (value) => {
            succeeded++;
            window++;
            report(() => onSuccess(value));
            settle();
          },
          (reason: unknown) => {
            fail(reason);
            report(() => onFailure(reason));
            settle();
          },
        );
      }
    };
    launch();
    if (inFlight === 0) resolve({ started, succeeded, failure });
  });
}
