/**
 * Every bound of the MVCC store, named. Defaults follow etcd where etcd has the same knob.
 * All members of a cluster must use the same `maxTxnOps` (it decides whether an applied txn
 * fails); the other bounds only shape local work.
 */
export interface MvccLimits {
  /** Most compares, and most ops per branch, in one txn (etcd --max-txn-ops). */
  readonly maxTxnOps: number;
  /**
   * Events a watcher may hold while its consumer is blocked (its send returned false). Past this
   * the buffer is dropped and the watcher falls back to catching up from the backend, so no event
   * is ever lost, only re-read (etcd: the 128-response watch channel, then the victim list).
   */
  readonly watcherBufferEvents: number;
  /** Revision records read per catch-up round for unsynced watchers (etcd's watchBatchMaxRevs). */
  readonly catchUpBatchRecords: number;
  /** Unsynced watchers served per catch-up round (etcd's maxWatchersPerSync). */
  readonly maxWatchersPerSync: number;
  /** Events per watch response; a response never splits a revision, so one may exceed it. */
  readonly maxEventsPerWatchResponse: number;
  /** Revision records examined per background compaction batch (etcd's compaction-batch-limit). */
  readonly compactionBatchRecords: number;
  /**
   * The least pause between compaction batches (etcd's compaction-sleep-interval, 10 ms). A pause
   * also lasts at least twice as long as the batch before it took, so a compaction never takes
   * more than a third of the member's time: every member compacts at the same moment (it is
   * applied through the log), and back-to-back batches stalled each of them for a second or more.
   */
  readonly compactionSleepMs: number;
  /**
   * Revision records applied but not flushed past which the store starts a flush by itself, so
   * memory stays bounded however seldom the caller flushes.
   */
  readonly maxUnflushedRecords: number;
  /** Entries per backend iteration chunk. */
  readonly backendScanBatch: number;
  /** Most expired leases reported per `expired()` call (etcd revokes at most 1000 per second). */
  readonly maxExpiredLeasesPerCall: number;
  /** After reporting a lease as expired, how long before it is reported again if still not revoked. */
  readonly expiredLeaseRetryMs: number;
}

export const DEFAULT_MVCC_LIMITS: MvccLimits = {
  maxTxnOps: 128,
  watcherBufferEvents: 4096,
  catchUpBatchRecords: 1000,
  maxWatchersPerSync: 512,
  maxEventsPerWatchResponse: 1000,
  compactionBatchRecords: 1000,
  compactionSleepMs: 10,
  maxUnflushedRecords: 50_000,
  backendScanBatch: 1000,
  maxExpiredLeasesPerCall: 1000,
  expiredLeaseRetryMs: 3000,
};

/** etcd's MaxLeaseTTL: 9,000,000,000 seconds. */
export const MAX_LEASE_TTL_SECONDS = 9_000_000_000;
