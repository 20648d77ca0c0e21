// The integration harness: real store clusters (Flotilla's and etcd's) and the real etcdctl.
export type { Backend, BackendKind, ClusterMember, ClusterOptions, ExitStatus, MemberSpec, TestCluster } from './cluster.js';
export { startCluster } from './cluster.js';
export { etcdBackend, startEtcdCluster } from './etcd.js';
export type { EtcdctlOptions, EtcdctlProcess, EtcdctlResult } from './etcdctl.js';
export { ETCD_BIN, ETCDCTL_BIN, errorLine, etcdctl, startEtcdctl } from './etcdctl.js';
export { FLOTILLA_MAIN, flotillaBackend, startFlotillaCluster } from './flotilla.js';
export { freePort, freePorts } from './ports.js';
export { KEEP_TEMP_DIRS } from './cleanup.js';
export { sleep, waitUntil } from './wait.js';
