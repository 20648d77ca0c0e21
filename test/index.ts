// Public surface of test/ for the CLI and benchmarks: the deterministic simulator.
export * from './sim/index.js';
