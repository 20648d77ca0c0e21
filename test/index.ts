// Public surface of test/ for the CLI and benchmarks: the deterministic simulator.
export * from './sim/index.js';
// The integration harness: real Flotilla and etcd clusters (for benchmarks that compare them).
export { startEtcdCluster, startFlotillaCluster, ETCD_BIN } from './integration/harness/index.js';
export type { TestCluster } from './integration/harness/index.js';
