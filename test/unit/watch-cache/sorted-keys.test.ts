// SortedKeyIndex: the watch cache's keys in etcd's order, brought up to date at each list by
// merging what came since; and the cached lists that use it, per namespace and whole.
import t from 'tap';
import { compareStorageKeys, storageKeyLowerBound } from '../../../core/index.js';
import { SortedKeyIndex } from '../../../actors/index.js';
import { nameOf, pod, podKey, setup } from './helpers.js';

void t.test('follows every add and remove, in key order, with each key once', (t) => {
  const index = new SortedKeyIndex();
  const present = new Set<string>();
  const exists = (k: string): boolean => present.has(k);
  // A small key space so keys go and come back, some within one merge.
  const keys = Array.from({ length: 40 }, (_, i) => `/registry/pods/ns${i % 4}/p${(i * 7919) % 40}`);
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 300; round++) {
    for (let op = random(12); op >= 0; op--) {
      const key = keys[random(keys.length)]!;
      if (present.has(key)) {
        present.delete(key);
        index.remove(key);
      } else {
        present.add(key);
        index.add(key);
      }
    }
    const want = [...present].sort(compareStorageKeys);
    const got = index.ordered(exists);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      t.same(got, want, `round ${round}`);
      return t.end();
    }
  }
  t.pass('300 rounds matched a full sort');
  t.end();
});

void t.test('a key that goes and comes back before the next list is listed once', (t) => {
  const index = new SortedKeyIndex();
  const present = new Set(['a', 'b', 'c']);
  for (const k of present) index.add(k);
  t.same(index.ordered((k) => present.has(k)), ['a', 'b', 'c']);
  index.remove('b');
  index.add('b');
  index.add('d');
  index.remove('d');
  present.add('b');
  t.same(index.ordered((k) => present.has(k)), ['a', 'b', 'c']);
  index.clear();
  t.same(index.ordered(() => true), []);
  t.end();
});

void t.test('storageKeyLowerBound finds where a prefix starts', (t) => {
  const keys = ['/p/ns1/a', '/p/ns1/b', '/p/ns10/a', '/p/ns2/a'].sort(compareStorageKeys);
  t.equal(storageKeyLowerBound(keys, '/p/ns1/'), 0);
  t.equal(storageKeyLowerBound(keys, '/p/ns10/'), 2);
  t.equal(storageKeyLowerBound(keys, '/p/ns2/'), 3);
  t.equal(storageKeyLowerBound(keys, '/p/ns3/'), 4);
  t.equal(storageKeyLowerBound([], '/p/'), 0);
  t.end();
});

void t.test('a cached namespace list has its own pods only, in order, through creates and deletes', async (t) => {
  const fx = setup(t);
  for (const ns of ['ns1', 'ns10', 'ns1a', 'ns0']) for (const name of ['b', 'a']) await fx.storage.create(podKey(ns, name), pod(ns, name));
  const list = async (prefix: string): Promise<string[]> => (await fx.storage.getList(prefix, { resourceVersion: '0' })).items.map((o) => `${String((o.metadata as { namespace: string }).namespace)}/${nameOf(o)}`);
  t.same(await list('/registry/pods/ns1'), ['ns1/a', 'ns1/b']);
  await fx.storage.create(podKey('ns1', 'c'), pod('ns1', 'c'));
  await fx.storage.delete(podKey('ns1', 'a'));
  await fx.storage.create(podKey('ns10', '0'), pod('ns10', '0'));
  t.same(await list('/registry/pods/ns1'), ['ns1/b', 'ns1/c']);
  t.same(await list('/registry/pods/ns10'), ['ns10/0', 'ns10/a', 'ns10/b']);
  t.same(await list('/registry/pods'), ['ns0/a', 'ns0/b', 'ns1/b', 'ns1/c', 'ns10/0', 'ns10/a', 'ns10/b', 'ns1a/a', 'ns1a/b']);
  t.same(await list('/registry/pods/nsx'), []);
});
