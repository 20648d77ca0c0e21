// CachedStorage: one store watch per resource fanned out in memory, replay from its buffer,
// fallback to the store for older revisions, predicate transitions, per-watcher flow control.
import t from 'tap';
import type { StorageObject } from '../../../core/index.js';
import { StorageWatchOverflowError } from '../../../core/index.js';
import { brief, nameOf, pod, podKey, rvOf, settle, setup, watch } from './helpers.js';

void t.test('one store watch serves every watcher; each change is decoded once and shared, frozen', async (t) => {
  const fx = setup(t);
  await fx.storage.create(podKey('ns1', 'a'), pod('ns1', 'a'));
  await fx.storage.create(podKey('ns2', 'b'), pod('ns2', 'b'));
  const all = await Promise.all(Array.from({ length: 20 }, () => watch(t, fx, '/registry/pods', { resourceVersion: '0', recursive: true })));
  const ns1 = await Promise.all(Array.from({ length: 5 }, () => watch(t, fx, '/registry/pods/ns1', { resourceVersion: '0', recursive: true })));
  const one = await watch(t, fx, podKey('ns1', 'a'), { resourceVersion: String(await fx.storage.currentRevision()), recursive: false });
  t.equal(fx.spy.watchCalls.length, 1, 'a single store watch');
  t.same(fx.spy.watchCalls[0], { key: '/registry/pods', options: { recursive: true, resourceVersion: fx.spy.watchCalls[0]!.options.resourceVersion, allowWatchBookmarks: true } });
  for (const w of all) t.same(brief(await w.take(2)), [['ADDED', 'a'], ['ADDED', 'b']]);
  for (const w of ns1) t.same(brief(await w.take(1)), [['ADDED', 'a']]);

  await fx.storage.guaranteedUpdate(podKey('ns1', 'a'), (o) => ({ ...o!, spec: { n: 1 } }));
  await fx.storage.create(podKey('ns2', 'c'), pod('ns2', 'c'));
  const seen: StorageObject[] = [];
  for (const w of all) {
    const events = await w.take(2);
    t.same(brief(events), [['MODIFIED', 'a'], ['ADDED', 'c']]);
    seen.push(events[0]!.object);
  }
  for (const w of ns1) {
    const [e] = await w.take(1);
    t.same(brief([e!]), [['MODIFIED', 'a']]);
    seen.push(e!.object);
  }
  t.same(brief(await one.take(1)), [['MODIFIED', 'a']]);
  t.ok(seen.every((o) => o === seen[0]), 'every watcher got the same object');
  t.ok(Object.isFrozen(seen[0]) && Object.isFrozen(seen[0]!.metadata), 'deep-frozen');
  t.throws(() => {
    (seen[0]!.metadata as Record<string, unknown>).name = 'changed';
  }, TypeError);
  await settle();
  for (const w of ns1) t.equal(w.pending, 0, 'nothing from another namespace');
  t.equal(one.pending, 0);
  t.equal(fx.spy.watchCalls.length, 1);
});

void t.test('a resourceVersion in the buffer is replayed from memory; an older one falls back to the store', async (t) => {
  const fx = setup(t, { eventsCapacity: 3 });
  const w0 = await watch(t, fx, '/registry/pods', { resourceVersion: '0', recursive: true });
  const rvs: number[] = [];
  for (let i = 1; i <= 5; i++) rvs.push(rvOf(await fx.storage.create(podKey('ns', `p${i}`), pod('ns', `p${i}`))));
  await w0.take(5);
  t.equal(fx.spy.watchCalls.length, 1);

  const replayed = await watch(t, fx, '/registry/pods', { resourceVersion: String(rvs[1]), recursive: true });
  t.same(brief(await replayed.take(3)), [['ADDED', 'p3'], ['ADDED', 'p4'], ['ADDED', 'p5']]);
  t.equal(fx.spy.watchCalls.length, 1, 'served by the cache');

  const old = await watch(t, fx, '/registry/pods', { resourceVersion: String(rvs[0]), recursive: true });
  t.equal(fx.spy.watchCalls.length, 2, 'one event was evicted: the store serves it');
  t.same(fx.spy.watchCalls[1]!.options.resourceVersion, String(rvs[0]));
  t.same(brief(await old.take(4)), [['ADDED', 'p2'], ['ADDED', 'p3'], ['ADDED', 'p4'], ['ADDED', 'p5']]);

  await fx.storage.delete(podKey('ns', 'p1'));
  for (const w of [w0, replayed, old]) t.same(brief(await w.take(1)), [['DELETED', 'p1']]);
});

void t.test('predicate transitions match the store, replayed and live', async (t) => {
  const fx = setup(t);
  const web = (o: StorageObject): boolean => ((o.metadata as { labels?: Record<string, string> }).labels ?? {}).app === 'web';
  await watch(t, fx, '/registry/pods', { resourceVersion: '0', recursive: true });
  const start = String(await fx.storage.currentRevision());
  const live = await watch(t, fx, '/registry/pods', { resourceVersion: start, recursive: true, predicate: web });
  const relabel = (name: string, app: string): Promise<StorageObject> =>
    fx.storage.guaranteedUpdate(podKey('ns', name), (o) => ({ ...o!, metadata: { ...(o!.metadata as object), labels: { app } } }));
  await fx.storage.create(podKey('ns', 'a'), pod('ns', 'a', { app: 'web' }));
  await fx.storage.create(podKey('ns', 'b'), pod('ns', 'b', { app: 'db' }));
  await relabel('b', 'web');
  const aLeaves = await relabel('a', 'db');
  await fx.storage.guaranteedUpdate(podKey('ns', 'a'), (o) => ({ ...o!, spec: { unseen: true } }));
  await fx.storage.guaranteedUpdate(podKey('ns', 'b'), (o) => ({ ...o!, spec: { seen: true } }));
  await fx.storage.delete(podKey('ns', 'a'));
  await fx.storage.delete(podKey('ns', 'b'));
  const expected = [
    ['ADDED', 'a'],
    ['ADDED', 'b'],
    ['DELETED', 'a'],
    ['MODIFIED', 'b'],
    ['DELETED', 'b'],
  ];
  const liveEvents = await live.take(5);
  t.same(brief(liveEvents), expected, 'live');
  await settle();
  const replayed = await watch(t, fx, '/registry/pods', { resourceVersion: start, recursive: true, predicate: web });
  const replayedEvents = await replayed.take(5);
  t.same(brief(replayedEvents), expected, 'replayed from the buffer');
  t.equal(fx.spy.watchCalls.length, 1);
  for (const events of [liveEvents, replayedEvents]) {
    const leaving = events[2]!.object;
    t.equal(((leaving.metadata as { labels: Record<string, string> }).labels).app, 'web', 'DELETED in its last matching state');
    t.equal(rvOf(leaving), rvOf(aLeaves), '… at the revision it left');
  }
  const reference = await fx.spy.inner.getList('/registry/pods');
  t.same(reference.items, [], 'all gone');
});

void t.test('a slow watcher is overflowed alone; the others get every event', async (t) => {
  const fx = setup(t, { watchMaxPendingEvents: 5 });
  const rv = String(await fx.storage.currentRevision());
  const fast = await Promise.all(Array.from({ length: 10 }, () => watch(t, fx, '/registry/pods', { resourceVersion: rv, recursive: true })));
  const slow = await watch(t, fx, '/registry/pods', { resourceVersion: rv, recursive: true });
  slow.pause();
  for (let i = 0; i < 8; i++) await fx.storage.create(podKey('ns', `p${i}`), pod('ns', `p${i}`));
  const err = await slow.error();
  t.ok(err instanceof StorageWatchOverflowError, err.message);
  t.equal(slow.events.length, 0, 'its backlog is dropped');
  for (const w of fast) t.same((await w.take(8)).map((e) => nameOf(e.object)), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
  t.equal(fx.spy.watchCalls.length, 1, 'the cache was not disturbed');
  const later = await watch(t, fx, '/registry/pods', { resourceVersion: rv, recursive: true });
  t.equal((await later.take(8)).length, 8, 'and still serves from its buffer');
});

void t.test('a watch from a future resourceVersion waits for it', async (t) => {
  const fx = setup(t);
  await watch(t, fx, '/registry/pods', { resourceVersion: '0', recursive: true });
  const future = (await fx.storage.currentRevision()) + 2;
  const w = await watch(t, fx, '/registry/pods', { resourceVersion: String(future), recursive: true, allowWatchBookmarks: true });
  await fx.storage.create(podKey('ns', 'x'), pod('ns', 'x'));
  fx.clock.advance(120_000);
  await fx.storage.create(podKey('ns', 'y'), pod('ns', 'y'));
  await fx.storage.create(podKey('ns', 'z'), pod('ns', 'z'));
  t.same(brief(await w.take(1)), [['ADDED', 'z']], 'nothing at or before the revision asked for, not even a bookmark');
  t.equal(fx.spy.watchCalls.length, 1);
});

void t.test('sendInitialEvents from a cached revision: the cached state, then the end bookmark', async (t) => {
  const fx = setup(t);
  const a = await fx.storage.create(podKey('ns', 'a'), pod('ns', 'a'));
  await watch(t, fx, '/registry/pods', { resourceVersion: '0', recursive: true });
  const w = await watch(t, fx, '/registry/pods', { resourceVersion: String(rvOf(a)), recursive: true, sendInitialEvents: true, allowWatchBookmarks: true });
  const [added, end] = await w.take(2);
  t.same(brief([added!, end!]), [['ADDED', 'a'], ['BOOKMARK', '']]);
  t.same(end!.object, { metadata: { resourceVersion: String(rvOf(a)), annotations: { 'k8s.io/initial-events-end': 'true' } } });
  t.equal(fx.spy.watchCalls.length, 1);
});

void t.test('a consistent list (resourceVersion "") is served by the cache once it has caught up with the store', async (t) => {
  const fx = setup(t);
  await fx.storage.create(podKey('ns', 'a'), pod('ns', 'a'));
  const warm = await fx.storage.getList('/registry/pods', { resourceVersion: '0' });
  t.same(warm.items.map(nameOf), ['a']);
  const listsBefore = fx.spy.listCalls.length;

  // Written through the store just before the list: a consistent list must show it.
  const b = await fx.storage.create(podKey('ns', 'b'), pod('ns', 'b'));
  const list = await fx.storage.getList('/registry/pods');
  t.same(list.items.map(nameOf), ['a', 'b'], 'the write just made is in it');
  t.ok(Number(list.resourceVersion) >= rvOf(b));
  t.equal(fx.spy.listCalls.length, listsBefore, 'not read from the store');

  // Another resource moves the store's revision on; the quiet pods cache catches up through a progress bookmark.
  const other = await fx.storage.create('/registry/configmaps/ns/x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } });
  const progressBefore = fx.spy.progressRequests;
  const quiet = await fx.storage.getList('/registry/pods');
  t.same(quiet.items.map(nameOf), ['a', 'b']);
  t.ok(Number(quiet.resourceVersion) >= rvOf(other), `resourceVersion ${quiet.resourceVersion} is not older than the store's ${rvOf(other)}`);
  t.ok(fx.spy.progressRequests > progressBefore, 'the cache asked the store for its progress');
  t.equal(fx.spy.listCalls.filter((c) => c.prefix.startsWith('/registry/pods')).length, listsBefore, 'still not read from the store');

  const paged = await fx.storage.getList('/registry/pods', { limit: 1 });
  t.equal(paged.items.length, 1);
  t.equal(fx.spy.listCalls.length, listsBefore + 1, 'a paged consistent list reads the store (the cache has no continue tokens)');
});

void t.test('a consistent list reads the store when the cache does not catch up in time', async (t) => {
  const fx = setup(t, { consistentReadTimeoutMs: 500 });
  await fx.storage.create(podKey('ns', 'a'), pod('ns', 'a'));
  await fx.storage.getList('/registry/pods', { resourceVersion: '0' });
  fx.spy.ignoreProgressRequests = true;
  await fx.storage.create('/registry/configmaps/ns/x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } });
  const listsBefore = fx.spy.listCalls.length;
  let done = false;
  const pending = fx.storage.getList('/registry/pods').then((r) => {
    done = true;
    return r;
  });
  await settle();
  t.notOk(done, 'waits for the cache meanwhile');
  fx.clock.advance(500);
  const list = await pending;
  t.same(list.items.map(nameOf), ['a']);
  t.equal(fx.spy.listCalls.length, listsBefore + 1, 'then the store answers');
});

void t.test('cached lists stay in key order as keys come and go', async (t) => {
  const fx = setup(t);
  const list = async (): Promise<string[]> => {
    await settle();
    return (await fx.storage.getList('/registry/pods', { resourceVersion: '0' })).items.map(nameOf);
  };
  await fx.storage.create(podKey('ns', 'c'), pod('ns', 'c'));
  await fx.storage.create(podKey('ns', 'a'), pod('ns', 'a'));
  t.same(await list(), ['a', 'c']);
  await fx.storage.create(podKey('ns', 'b'), pod('ns', 'b'));
  t.same(await list(), ['a', 'b', 'c'], 'a new key takes its place');
  await fx.storage.guaranteedUpdate(podKey('ns', 'c'), (o) => ({ ...o!, spec: { n: 1 } }));
  await settle();
  const afterUpdate = (await fx.storage.getList('/registry/pods', { resourceVersion: '0' })).items;
  t.same(afterUpdate.map(nameOf), ['a', 'b', 'c']);
  t.same(afterUpdate[2]!.spec, { n: 1 }, 'an update shows its new object');
  await fx.storage.delete(podKey('ns', 'a'));
  t.same(await list(), ['b', 'c'], 'a deleted key is gone');
  await fx.storage.create(podKey('ns', 'a'), pod('ns', 'a'));
  t.same(await list(), ['a', 'b', 'c'], 'and back');
});

void t.test('onCached sees every object entering the cache, frozen, with its resource prefix: the initial list and each change', async (t) => {
  const cached: [string, string, boolean][] = [];
  const fx = setup(t, { onCached: (prefix, object) => cached.push([prefix, nameOf(object), Object.isFrozen(object)]) });
  await fx.storage.create(podKey('ns1', 'a'), pod('ns1', 'a'));
  const w = await watch(t, fx, '/registry/pods', { resourceVersion: '0', recursive: true });
  t.same(brief(await w.take(1)), [['ADDED', 'a']]);
  t.same(cached, [['/registry/pods', 'a', true]], 'the initial list');
  await fx.storage.guaranteedUpdate(podKey('ns1', 'a'), (o) => ({ ...o!, spec: { n: 1 } }));
  await fx.storage.create(podKey('ns1', 'b'), pod('ns1', 'b'));
  const [modified, added] = await w.take(2);
  t.same(cached.slice(1), [
    ['/registry/pods', 'a', true],
    ['/registry/pods', 'b', true],
  ], 'each change, once, however many watch it');
  t.ok(Object.isFrozen(modified!.object) && Object.isFrozen(added!.object));
});
