// The consensus core's surface inside raft/ (the store member and storage build on it).
export * from './types.js';
export * from './errors.js';
export * from './storage.js';
export * from './raft.js';
export * from './rawnode.js';
export * from './confchange.js';
export * from './bootstrap.js';
