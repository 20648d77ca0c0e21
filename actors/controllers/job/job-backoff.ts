// The back-off between pod recreations after failures, as kube's job backoffRecord: 10 s after
// the first failure since the last success, doubling per further failure, capped at 6 min,
// measured from the newest failure. Records live in memory (a controller restart forgets them and
// recreates at once, as kube's does when its informer-derived record is empty).

/** Delay after the first failure (kube's DefaultJobPodFailureBackOff). */
export const JOB_POD_FAILURE_BACKOFF_BASE_MS = 10_000;
/** Longest delay (kube's MaxJobPodFailureBackOff as the brief fixes it: 6 min). */
export const JOB_POD_FAILURE_BACKOFF_MAX_MS = 6 * 60_000;
/** Jobs with a back-off record; beyond this the oldest record is dropped. */
export const JOB_BACKOFF_RECORDS_MAX = 10_000;

interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureMs: number;
}

export class JobBackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  /** Notes newly counted outcomes: a success resets the count, failures add to it. */
  observe(jobKey: string, newSucceeded: number, newFailedFinishMs: readonly number[]): void {
    if (newSucceeded === 0 && newFailedFinishMs.length === 0) return;
    let record = this.records.get(jobKey) ?? { failuresAfterLastSuccess: 0, lastFailureMs: 0 };
    if (newSucceeded > 0) record = { failuresAfterLastSuccess: 0, lastFailureMs: 0 };
    for (const finishMs of newFailedFinishMs) {
      record.failuresAfterLastSuccess++;
      record.lastFailureMs = Math.max(record.lastFailureMs, finishMs);
    }
    this.records.delete(jobKey);
    if (record.failuresAfterLastSuccess === 0) return;
    this.records.set(jobKey, record);
    if (this.records.size > JOB_BACKOFF_RECORDS_MAX) {
      const oldest = this.records.keys().next();
      if (oldest.done !== true) this.records.delete(oldest.value);
    }
  }

  /** How long new pods must still wait, in ms (0: create now). */
  remainingMs(jobKey: string, nowMs: number): number {
    const record = this.records.get(jobKey);
    if (record === undefined || record.failuresAfterLastSuccess === 0) return 0;
    const delayMs = Math.min(JOB_POD_FAILURE_BACKOFF_BASE_MS * 2 ** (record.failuresAfterLastSuccess - 1), JOB_POD_FAILURE_BACKOFF_MAX_MS);
    return Math.max(0, record.lastFailureMs + delayMs - nowMs);
  }

  forget(jobKey: string): void {
    this.records.delete(jobKey);
  }
}
