// Public surface of raft/: the consensus core (pure), its storage contract and in-memory storage.
export * from './core/types.js';
export * from './core/errors.js';
export type { Storage } from './core/storage.js';
export { MemoryStorage, entrySize } from './core/storage.js';
export type { RaftConfig, RaftLogger, RaftStatus } from './core/raft.js';
export { Raft, isLocalMessage, isResponseMessage } from './core/raft.js';
export { RawNode } from './core/rawnode.js';
export { encodeConfChange, decodeConfChange, applyChange } from './core/confchange.js';
export type { ProgressState } from './core/progress.js';
export { bootstrapStorage } from './core/bootstrap.js';
