// The MVCC key-value state machine and the etcd v3 API model it serves.
//
// store.ts      MvccStore: apply (synchronous, deterministic), reads, watch, flush, snapshot
// key-index.ts  each key's generations of revisions, ordered by key (sorted-map.ts)
// revision-log  the revision records: unflushed in memory, then in the backend; pinned reads
// reader.ts     ranges (now and past), watch catch-up reads, the records hashKV/snapshots cover
// watch.ts      the watch hub: live dispatch, catch-up, slow consumers, progress
// lessor.ts     leases: replicated grants/revokes/attachments, the leader's expiry bookkeeping
// compactor.ts  the background half of compaction; load.ts rebuilds memory from the backend
// backend.ts    the ordered byte store seam: LevelBackend (LevelDB, under a prefix), MemoryBackend
// codec.ts      the backend layout, every value checksummed (corruption.ts: MvccCorruptionError)
// requests.ts   validation and txn rules; range.ts sort/limit
// limits.ts     every bound, named
export * from './types.js';
export * from './errors.js';
export { MvccCorruptionError } from './corruption.js';
export type { KvStoreApi, WatchHandle } from './api.js';
export type { Backend, BackendEntry, BackendRange, LevelDatabase, LevelBatchOp, LevelIteratorOptions } from './backend.js';
export { LevelBackend, MemoryBackend } from './backend.js';
export type { KeySpan } from './bytes.js';
export { bytesToKey, compareBytes, crc32c, keySpan, keyToBytes, prefixEnd, spanContains } from './bytes.js';
export type { MvccLimits } from './limits.js';
export { DEFAULT_MVCC_LIMITS, MAX_LEASE_TTL_SECONDS } from './limits.js';
export type { Lease, LeaseTimeToLive, LessorOptions } from './lessor.js';
export { Lessor } from './lessor.js';
export type { Revision } from './key-index.js';
export { KeyHistory, KeyIndex } from './key-index.js';
export { SortedStringMap } from './sorted-map.js';
export { isTxnReadOnly, LeaseProvidedError, validateDeleteRangeRequest, validatePutRequest, validateRangeRequest, validateTxnRequest, ValueProvidedError } from './requests.js';
export type { WatchSend } from './watch.js';
export { Watcher } from './watch.js';
export type { MvccSnapshot } from './snapshot.js';
export { decodeSnapshot, encodeSnapshot, encodeSnapshotSliced, SNAPSHOT_ENCODE_SLICE_RECORDS, SNAPSHOT_FORMAT } from './snapshot.js';
export type { LeaseKeeper, MvccStoreOptions } from './store.js';
export { MvccStore } from './store.js';
