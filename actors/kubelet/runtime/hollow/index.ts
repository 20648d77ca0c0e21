// Public surface of the hollow runtime (nothing runs; for control-plane benchmarks at scale).
export { HollowRuntime } from './hollow-runtime.js';
export type { HollowRuntimeOptions } from './hollow-runtime.js';
