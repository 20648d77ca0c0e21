// ApiServer.warmWatchCache: every resource's watch cache fills from the store at start (as
// kube-apiserver starts its cachers), so a master's first list is served from memory.
import t from 'tap';
import { InMemoryStorage, SeededRandom } from '../../../core/index.js';
import type { StorageListOptions, StorageListResult } from '../../../core/index.js';
import { ApiServer, ManualClock, NO_AUTHENTICATION } from '../../../actors/index.js';

class CountingStorage extends InMemoryStorage {
  readonly lists: string[] = [];
  override getList(prefix: string, options?: StorageListOptions): Promise<StorageListResult> {
    this.lists.push(prefix);
    return super.getList(prefix, options);
  }
}

void t.test('warmWatchCache reads each resource once; lists after it come from the cache', async (t) => {
  const storage = new CountingStorage();
  const api = new ApiServer({ storage, clock: new ManualClock(Date.UTC(2025, 0, 1)), random: new SeededRandom(1), authenticator: NO_AUTHENTICATION });
  t.teardown(() => api.close());
  await api.ensureSystemNamespaces();
  await storage.create('/registry/pods/default/a', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', uid: 'u1' }, spec: { containers: [] } });

  const cached = await api.warmWatchCache();
  const prefixes = new Set(storage.lists);
  t.equal(storage.lists.length, prefixes.size, 'one read per resource');
  t.equal(cached, prefixes.size, 'each of them cached');
  t.ok(prefixes.has('/registry/pods') && prefixes.has('/registry/deployments') && prefixes.has('/registry/events'), [...prefixes].join(' '));

  const before = storage.lists.length;
  const list = await api.storage.getList('/registry/pods/default', { resourceVersion: '0' });
  t.same(list.items.map((o) => (o.metadata as { name: string }).name), ['a']);
  t.equal(storage.lists.length, before, 'the list did not read the store');
  t.equal(await api.warmWatchCache(), cached, 'warming again reads nothing more');
  t.equal(storage.lists.length, before);
});

void t.test('without a watch cache there is nothing to warm', async (t) => {
  const api = new ApiServer({ storage: new InMemoryStorage(), clock: new ManualClock(0), random: new SeededRandom(1), authenticator: NO_AUTHENTICATION, watchCache: false });
  t.teardown(() => api.close());
  t.equal(await api.warmWatchCache(), 0);
});
