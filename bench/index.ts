// Public surface of bench/: benchmarks the CLI runs.
export { runStoreBench } from './store.js';
export type { StoreBenchOptions, StoreBenchResult } from './store.js';
