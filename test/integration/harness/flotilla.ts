import { fileURLToPath } from 'node:url';
import type { Backend, ClusterOptions, MemberSpec, TestCluster } from './cluster.js';
import { startCluster } from './cluster.js';

/** dist/cluster/main.js, next to this file's compiled form (dist/test/integration/harness/). */
export const FLOTILLA_MAIN = fileURLToPath(new URL('../../../cluster/main.js', import.meta.url));

/** How long one readiness probe of /status may take. */
const PROBE_TIMEOUT_MS = 1_000;

interface StatusBody {
  readonly raft?: { readonly leader?: string };
}

/** `flotilla store` members; ready when their /status names a leader. */
export const flotillaBackend: Backend = {
  kind: 'flotilla',
  command: (s: MemberSpec) => ({
    file: process.execPath,
    args: [
      FLOTILLA_MAIN,
      'store',
      ...commonFlags(s),
    ],
  }),
  snapshotInstalledLog: /"msg":"restored state machine from snapshot"[^\n]*?"index":(\d+)/,
  isReady: async (m) => {
    const res = await fetch(`${m.metricsUrl}/status`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (!res.ok) return false;
    const body = (await res.json()) as StatusBody;
    return body.raft?.leader !== undefined && body.raft.leader !== '0';
  },
};

/** The etcd flags both backends take, in etcd's spelling and meaning. */
export function commonFlags(s: MemberSpec): string[] {
  return [
    `--name=${s.name}`,
    `--data-dir=${s.dataDir}`,
    `--listen-client-urls=${s.clientUrl}`,
    `--advertise-client-urls=${s.clientUrl}`,
    `--listen-peer-urls=${s.peerUrl}`,
    `--initial-advertise-peer-urls=${s.peerUrl}`,
    `--listen-metrics-urls=${s.metricsUrl}`,
    `--initial-cluster=${s.initialCluster}`,
    `--initial-cluster-state=${s.initialClusterState}`,
    `--initial-cluster-token=${s.token}`,
    `--heartbeat-interval=${s.heartbeatMs}`,
    `--election-timeout=${s.electionMs}`,
    ...(s.snapshotCount === undefined ? [] : [`--snapshot-count=${s.snapshotCount}`]),
    ...(s.maxRequestBytes === undefined ? [] : [`--max-request-bytes=${s.maxRequestBytes}`]),
  ];
}

/** A Flotilla store cluster (`node dist/cluster/main.js store …` per member). */
export function startFlotillaCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  return startCluster(flotillaBackend, opts);
}
