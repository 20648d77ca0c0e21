// The storage contract against EtcdStorage over the etcd v3 gRPC API, on a single-member
// Flotilla store and on a single-member etcd 3.4: the API server's storage must behave the same
// on both. Each backend's process is started once for the whole suite and always stopped.
import t from 'tap';
import type { Test } from 'tap';
import { StorageUnavailableError } from '../../../core/index.js';
import { EtcdStorage } from '../../../transport/index.js';
import { runStorageContract } from '../../unit/storage/contract.js';
import { sleep } from '../../unit/storage/contract-helpers.js';
import { WatchRecorder } from '../../unit/storage/watch-recorder.js';
import type { BackendKind, TestCluster } from '../harness/index.js';
import { ETCD_BIN, ETCDCTL_BIN, startEtcdCluster, startFlotillaCluster } from '../harness/index.js';

/** Short, so that the bookmark test waits little on real timers. */
const BOOKMARK_INTERVAL_MS = 100;
const WATCH_MAX_PENDING_EVENTS = 4;
/** Real processes: a generous hang guard (leases expire on the store's own schedule). */
const WAIT_MS = 15_000;

interface BackendRun {
  readonly kind: BackendKind;
  readonly start: () => Promise<TestCluster>;
  readonly skip: string | false;
}

const BACKENDS: readonly BackendRun[] = [
  // The readiness probe of etcd members runs etcdctl.
  { kind: 'flotilla', start: () => startFlotillaCluster({ members: 1 }), skip: false },
  { kind: 'etcd', start: () => startEtcdCluster({ members: 1 }), skip: ETCD_BIN === undefined || ETCDCTL_BIN === undefined ? 'etcd or etcdctl is not installed' : false },
];

async function runOn(t: Test, backend: BackendRun): Promise<void> {
  const cluster = await backend.start();
  t.teardown(() => cluster.close());
  const storage = EtcdStorage.connect({ endpoints: cluster.endpoints, bookmarkIntervalMs: BOOKMARK_INTERVAL_MS, watchMaxPendingEvents: WATCH_MAX_PENDING_EVENTS });
  t.teardown(() => storage.close());
  await runStorageContract(t, {
    storage,
    elapse: (ms) => sleep(ms),
    bookmarkIntervalMs: BOOKMARK_INTERVAL_MS,
    watchMaxPendingEvents: WATCH_MAX_PENDING_EVENTS,
    waitMs: WAIT_MS,
  });
}

for (const backend of BACKENDS) {
  void t.test(`EtcdStorage on ${backend.kind} meets the storage contract`, { skip: backend.skip }, (t) => runOn(t, backend));
}

void t.test('a store that goes away: reads fail as unavailable and watches end with an error', { skip: BACKENDS[1]!.skip }, async (t) => {
  const cluster = await startEtcdCluster({ members: 1 });
  t.teardown(() => cluster.close());
  const storage = EtcdStorage.connect({ endpoints: cluster.endpoints, timeoutMs: 1_000 });
  t.teardown(() => storage.close());
  await storage.create('/registry/pods/ns/a', { metadata: { name: 'a' } });
  const w = new WatchRecorder(WAIT_MS);
  const watch = await storage.watch('/registry/pods', { resourceVersion: '', recursive: true }, w.onEvent, w.onError);
  t.teardown(() => watch.stop());
  t.equal((await w.next()).type, 'ADDED');
  await cluster.stop(cluster.members[0]!.name);
  t.type(await w.error(), StorageUnavailableError);
  await t.rejects(storage.get('/registry/pods/ns/a'), StorageUnavailableError);
});
