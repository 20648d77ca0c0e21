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
// Internals of the core, exported for their unit tests (test/unit/raft-core/), which may not
// deep-import; nothing outside raft/ should build on them.
export { Unstable } from './core/unstable.js';
export { RaftLog } from './core/log.js';
export { limitSize } from './core/storage.js';
export { Inflights } from './core/inflights.js';
export { Progress } from './core/progress.js';
export type { VoteResult } from './core/quorum.js';
export { majorityCommittedIndex, majorityVoteResult } from './core/quorum.js';
export { validateChange } from './core/confchange.js';
export * from './mvcc/index.js';
// Durable Raft storage on the member's LevelDB (raft/storage/).
export * from './storage/index.js';
export * from './server/index.js';
export type { DurableStorage } from './storage/contract.js';
