import type { Backend, ClusterOptions, MemberSpec, TestCluster } from './cluster.js';
import { startCluster } from './cluster.js';
import { ETCD_BIN, errorLine, etcdctl } from './etcdctl.js';
import { commonFlags } from './flotilla.js';

/** How long one readiness probe may take. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Real etcd members. A member is ready when `etcdctl endpoint status` names a leader and, for a
 * voter, `etcdctl endpoint health` passes; a learner serves no linearizable read, so it never
 * passes that (and its etcd_server_is_learner gauge stays 0 when it joined from a snapshot).
 */
export const etcdBackend: Backend = {
  kind: 'etcd',
  command: (s: MemberSpec) => {
    if (!ETCD_BIN) throw new Error('etcd is not installed');
    return { file: ETCD_BIN, args: commonFlags(s) };
  },
  snapshotInstalledLog: /finished applying incoming snapshot at index (\d+)/,
  isReady: async (m) => {
    const status = await etcdctl(['endpoint', 'status', '-w', 'json', '--command-timeout=2s'], { endpoints: [m.endpoint], timeoutMs: PROBE_TIMEOUT_MS });
    if (status.code !== 0) throw new Error(`endpoint status: ${errorLine(status)}`);
    const s = (JSON.parse(status.stdout.replace(/"leader":(\d+)/g, '"leader":"$1"')) as { Status?: { leader?: string; isLearner?: boolean } }[])[0]?.Status;
    if (s?.leader === undefined || s.leader === '0') return false;
    if (s.isLearner === true) return true;
    const health = await etcdctl(['endpoint', 'health', '--command-timeout=2s'], { endpoints: [m.endpoint], timeoutMs: PROBE_TIMEOUT_MS });
    if (health.code !== 0) throw new Error(`endpoint health: ${errorLine(health)}`);
    return true;
  },
};

/** A real etcd cluster (/usr/bin/etcd per member), with the same flags Flotilla's members get. */
export function startEtcdCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  return startCluster(etcdBackend, opts);
}
