// Durable Raft storage: the contract the store member drives, and its LevelDB implementation.
export type { DurableStorage } from './contract.js';
export type { LevelRaftStorageOptions } from './leveldb.js';
export { LevelRaftStorage } from './leveldb.js';
export type { RaftLevelDb } from './load.js';
export { CorruptStorageError, DiskFullError } from './errors.js';
export { FORMAT_VERSION, SNAPSHOT_CHUNK_BYTES } from './records.js';
