// Which resourceVersion an informer lists at (client-go's reflector): "0" for its first list, so
// the API server answers from its watch cache; nothing (a quorum read) for a relist once synced.
import t from 'tap';
import type { ResourceClient, ResourceListOptions } from '../../../core/index.js';
import { InMemoryResourceClient, resourceUnavailableError, SharedInformer } from '../../../core/index.js';
import { fixedRandom, pod, PODS, settle, TestClock } from './helpers.js';

/** An InMemoryResourceClient that records the options of every list. */
function recordingLists(inner: InMemoryResourceClient): { client: ResourceClient; lists: ResourceListOptions[] } {
  const lists: ResourceListOptions[] = [];
  const client: ResourceClient = {
    get: (ref) => inner.get(ref),
    list: (r, o) => {
      lists.push({ ...o });
      return inner.list(r, o);
    },
    watch: (r, o, e, c) => inner.watch(r, o, e, c),
    create: (r, o, opt) => inner.create(r, o, opt),
    update: (r, o, opt) => inner.update(r, o, opt),
    updateStatus: (r, o, opt) => inner.updateStatus(r, o, opt),
    patch: (r, p, b, opt) => inner.patch(r, p, b, opt),
    delete: (r, opt) => inner.delete(r, opt),
  };
  return { client, lists };
}

void t.test('the first list asks for resourceVersion "0" on its first page only', async (t) => {
  const store = new InMemoryResourceClient();
  for (const name of ['a', 'b', 'c']) await store.create(PODS, pod('ns', name));
  const { client, lists } = recordingLists(store);
  const informer = new SharedInformer({ client, resource: PODS, clock: new TestClock(), random: fixedRandom(0), listPageSize: 2 });
  informer.start();
  await informer.waitForSync();
  t.equal(lists.length, 2, 'two pages');
  t.equal(lists[0]?.resourceVersion, '0');
  t.equal(lists[1]?.resourceVersion, undefined, 'a continued page carries no resourceVersion');
  t.ok(lists[1]?.continue, 'the second page continues the first');
  t.equal(informer.cache.size, 3);
  informer.stop();
});

void t.test('a list that failed before the first sync is retried at "0" too', async (t) => {
  const store = new InMemoryResourceClient();
  await store.create(PODS, pod('ns', 'a'));
  store.failNext('list', resourceUnavailableError('no master'), 1);
  const { client, lists } = recordingLists(store);
  const clock = new TestClock();
  const informer = new SharedInformer({ client, resource: PODS, clock, random: fixedRandom(0), onError: () => undefined });
  informer.start();
  await settle();
  clock.advance(1_000);
  await informer.waitForSync();
  t.same(lists.map((o) => o.resourceVersion), ['0', '0']);
  informer.stop();
});

void t.test('a relist after 410 Gone reads the store: no resourceVersion', async (t) => {
  const store = new InMemoryResourceClient();
  await store.create(PODS, pod('ns', 'a'));
  const { client, lists } = recordingLists(store);
  const clock = new TestClock();
  const informer = new SharedInformer({ client, resource: PODS, clock, random: fixedRandom(0), onError: () => undefined });
  informer.start();
  await informer.waitForSync();
  store.closeWatches(resourceUnavailableError('partition'));
  await store.create(PODS, pod('ns', 'b'));
  store.compact();
  for (let i = 0; i < 5; i++) {
    await settle();
    clock.advance(1_000);
  }
  await settle();
  t.ok(lists.length >= 2, 'relisted');
  t.equal(lists[0]?.resourceVersion, '0');
  t.equal(lists[1]?.resourceVersion, undefined);
  t.same(informer.cache.listKeys().sort(), ['ns/a', 'ns/b']);
  informer.stop();
});
