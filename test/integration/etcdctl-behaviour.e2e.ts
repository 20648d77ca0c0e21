// etcdctl 3.4 against a 3-member Flotilla store and against a 3-member etcd 3.4: one set of
// behavioural cases (test/integration/etcdctl-cases/), written once, run against each backend
// in turn. An expectation is what etcd does, so a case failing only for Flotilla is a difference
// from etcd (the reported ones are listed in etcdctl-cases/context.ts, KNOWN_DIFFERENCES).
// Each backend's cluster is started once; the cases run in order on it (the last two change its
// membership and stop members). `check perf` is in check-perf.test.ts, which runs alone.
import t from 'tap';
import type { Test } from 'tap';
import type { BackendKind, ClusterOptions, TestCluster } from './harness/index.js';
import { ETCD_BIN, ETCDCTL_BIN, KEEP_TEMP_DIRS, startEtcdCluster, startFlotillaCluster } from './harness/index.js';
import type { Case, Ctx } from './etcdctl-cases/context.js';
import { CASE_TIMEOUT_MS } from './etcdctl-cases/context.js';
import { KV_CASES } from './etcdctl-cases/kv.js';
import { LEASE_CASES } from './etcdctl-cases/lease.js';
import { MAINTENANCE_CASES } from './etcdctl-cases/maintenance.js';
import { MEMBERSHIP_CASES } from './etcdctl-cases/membership.js';
import { QUORUM_CASES } from './etcdctl-cases/quorum.js';
import { WATCH_CASES } from './etcdctl-cases/watch.js';

/** Both backends get the same flags: etcd's timing defaults, 1 MiB requests. */
const MAX_REQUEST_BYTES = 1024 * 1024;
const CLUSTER_OPTIONS: ClusterOptions = {
  members: 3,
  heartbeatMs: 100,
  electionMs: 1000,
  maxRequestBytes: MAX_REQUEST_BYTES,
};
/** The behavioural cases' cluster snapshots often, so that the membership case's learner is sent a snapshot. */
const CASES_CLUSTER_OPTIONS: ClusterOptions = { ...CLUSTER_OPTIONS, snapshotCount: 100 };

const CASES: readonly Case[] = [...KV_CASES, ...WATCH_CASES, ...LEASE_CASES, ...MAINTENANCE_CASES, ...MEMBERSHIP_CASES, ...QUORUM_CASES];

interface BackendRun {
  readonly kind: BackendKind;
  readonly start: (o: ClusterOptions) => Promise<TestCluster>;
  readonly skip: string | false;
}

/** FLOTILLA_IT_BACKENDS=etcd (or flotilla) runs one backend only, while working on a case. */
const only = process.env.FLOTILLA_IT_BACKENDS?.split(',');
const skipUnless = (kind: BackendKind, installed: boolean, what: string): string | false =>
  !installed ? `${what} is not installed` : only && !only.includes(kind) ? `FLOTILLA_IT_BACKENDS=${only.join(',')}` : false;

const BACKENDS: readonly BackendRun[] = [
  { kind: 'flotilla', start: startFlotillaCluster, skip: skipUnless('flotilla', ETCDCTL_BIN !== undefined, 'etcdctl') },
  { kind: 'etcd', start: startEtcdCluster, skip: skipUnless('etcd', ETCDCTL_BIN !== undefined && ETCD_BIN !== undefined, 'etcd or etcdctl') },
];

async function withCluster(t: Test, backend: BackendRun, opts: ClusterOptions, cases: readonly Case[]): Promise<void> {
  const startedAt = Date.now();
  const cluster = await backend.start(opts);
  t.teardown(() => cluster.close());
  t.comment(`${backend.kind}: ${cluster.members.length} members serving after ${Date.now() - startedAt} ms; dirs ${cluster.members.map((m) => m.dir).join(' ')}${KEEP_TEMP_DIRS ? ' (kept)' : ''}`);
  const c: Ctx = { kind: backend.kind, cluster, maxRequestBytes: opts.maxRequestBytes ?? MAX_REQUEST_BYTES };
  for (const k of cases) {
    await t.test(k.name, { timeout: k.timeoutMs ?? CASE_TIMEOUT_MS, skip: k.skip?.(backend.kind) ?? false }, (t) => k.run(t, c));
  }
  t.comment(`${backend.kind}: the cases ran in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

for (const backend of BACKENDS) {
  void t.test(backend.kind, { skip: backend.skip, timeout: 0 }, (t) => withCluster(t, backend, CASES_CLUSTER_OPTIONS, CASES));
}

