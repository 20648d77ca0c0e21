// The MVCC key-value state machine and the etcd v3 API model it serves.
export * from './types.js';
export * from './errors.js';
export type { KvStoreApi, WatchHandle } from './api.js';
