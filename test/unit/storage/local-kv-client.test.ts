// LocalEtcdKvClient: the API server's storage reaching a store's etcd API in process. The whole
// storage contract runs over it (on the etcd-rules fake store; flotilla master runs it on the
// real member, which the conformance and e2e suites exercise), plus its own watch lifecycle.
import t from 'tap';
import { StorageUnavailableError } from '../../../core/index.js';
import { StoppedError } from '../../../raft/index.js';
import type { WatchResponse } from '../../../raft/index.js';
import { EtcdStorage, LocalEtcdKvClient } from '../../../transport/index.js';
import { FakeKvStore } from '../etcd-api/fake-store.js';
import { runStorageContract } from './contract.js';
import { sleep } from './contract-helpers.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

void t.test('EtcdStorage over LocalEtcdKvClient meets the storage contract', async (t) => {
  const storage = new EtcdStorage(new LocalEtcdKvClient(new FakeKvStore()), { bookmarkIntervalMs: 100, watchMaxPendingEvents: 4 }, true);
  t.teardown(() => storage.close());
  await runStorageContract(t, { storage, elapse: (ms) => sleep(ms), bookmarkIntervalMs: 100, watchMaxPendingEvents: 4, waitMs: 5_000 });
});

void t.test('a local watch: created first, then events in order, none after cancel', async (t) => {
  const store = new FakeKvStore();
  const client = new LocalEtcdKvClient(store);
  const seen: WatchResponse[] = [];
  let delivering = false;
  const w = client.watch({ key: enc('a'), rangeEnd: enc('b') }, (r) => {
    t.notOk(delivering, 'never re-entered');
    delivering = true;
    seen.push(r);
    delivering = false;
  }, (e) => t.fail(`no error expected: ${e.message}`));
  const created = await w.created;
  t.equal(created.created, true);
  for (let i = 0; i < 5; i++) await store.put({ key: enc(`a${i}`), value: enc(String(i)) }, 1_000);
  await sleep(20);
  t.same(seen.flatMap((r) => r.events.map((e) => new TextDecoder().decode(e.kv.key))), ['a0', 'a1', 'a2', 'a3', 'a4'], 'every event, in order');
  w.cancel();
  await store.put({ key: enc('a9'), value: enc('9') }, 1_000);
  await sleep(20);
  t.notOk(seen.some((r) => r.events.some((e) => new TextDecoder().decode(e.kv.key) === 'a9')), 'nothing after cancel');
});

void t.test('a closed local client refuses calls as a stopped store, and reports it as unavailable', async (t) => {
  const client = new LocalEtcdKvClient(new FakeKvStore());
  client.close();
  await t.rejects(client.range({ key: enc('a') }), StoppedError);
  let failed: Error | undefined;
  const w = client.watch({ key: enc('a') }, () => t.fail('no response'), (e) => (failed = e));
  await t.rejects(w.created, StoppedError);
  t.type(failed, StoppedError);
  const storage = new EtcdStorage(client);
  await t.rejects(storage.get('/registry/pods/ns/a'), StorageUnavailableError);
});
