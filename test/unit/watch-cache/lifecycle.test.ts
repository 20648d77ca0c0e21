// The cacher's life: lists at resourceVersion '0' from memory, re-initialization after its store
// watch fails (its watchers are told to re-list; nothing is silently missed), and its metrics.
import t from 'tap';
import type { StorageObject } from '../../../core/index.js';
import { StorageResourceVersionTooLargeError } from '../../../core/index.js';
import { brief, nameOf, pod, podKey, rvOf, settle, setup, watch } from './helpers.js';

void t.test("lists at resourceVersion '0' (or not older than a cached revision) come from the cache", async (t) => {
  const fx = setup(t);
  for (const [ns, name] of [['ns1', 'c'], ['ns1', 'a'], ['ns2', 'd'], ['ns1', 'b']] as const) await fx.storage.create(podKey(ns, name), pod(ns, name, { odd: String(name === 'a' || name === 'c') }));
  const first = await fx.storage.getList('/registry/pods', { resourceVersion: '0' });
  t.same(first.items.map(nameOf), ['a', 'b', 'c', 'd'], 'sorted by key');
  t.equal(fx.spy.listCalls.length, 1, 'the cacher initialized with one list');
  await fx.storage.create(podKey('ns1', 'e'), pod('ns1', 'e'));
  await settle();
  const rv = await fx.storage.currentRevision();

  const cached = await fx.storage.getList('/registry/pods', { resourceVersion: '0', limit: 2 });
  t.same(cached.items.map(nameOf), ['a', 'b', 'c', 'e', 'd'], 'limit is ignored at resourceVersion 0, as kube does');
  t.equal(cached.continue, undefined);
  t.equal(cached.resourceVersion, String(rv));
  t.same((await fx.storage.getList('/registry/pods/ns1/', { resourceVersion: '0' })).items.map(nameOf), ['a', 'b', 'c', 'e'], 'a namespace');
  const odd = (o: StorageObject): boolean => ((o.metadata as { labels?: Record<string, string> }).labels ?? {}).odd === 'true';
  t.same((await fx.storage.getList('/registry/pods', { resourceVersion: '0', predicate: odd })).items.map(nameOf), ['a', 'c'], 'a predicate');
  t.same((await fx.storage.getList('/registry/pods', { resourceVersion: String(rv), resourceVersionMatch: 'NotOlderThan' })).items.length, 5);
  t.same((await fx.storage.getList('/registry/pods', { resourceVersion: String(rv) })).items.length, 5, 'legacy not-older-than, unpaged');
  t.equal(fx.spy.listCalls.length, 1, 'none of those reached the store');

  t.same((await fx.storage.getList('/registry/pods')).items.length, 5, "consistent ('') and unpaged: the cache, once it has caught up");
  t.equal(fx.spy.listCalls.length, 1, 'that did not reach the store either');

  const delegated: [string, Promise<unknown>][] = [
    ['Exact', fx.storage.getList('/registry/pods', { resourceVersion: String(rv), resourceVersionMatch: 'Exact' })],
    ['paged at N', fx.storage.getList('/registry/pods', { resourceVersion: String(rv), limit: 2 })],
  ];
  for (const [what, p] of delegated) await t.resolves(p, what);
  const page = await fx.storage.getList('/registry/pods', { limit: 2 });
  await fx.storage.getList('/registry/pods', { resourceVersion: '0', continue: page.continue! });
  t.equal(fx.spy.listCalls.length, 1 + delegated.length + 2, 'exact, paged and continued lists go to the store');
  await t.rejects(fx.storage.getList('/registry/pods', { resourceVersion: String(rv + 100), resourceVersionMatch: 'NotOlderThan' }), StorageResourceVersionTooLargeError);
});

void t.test('a failed store watch ends the watchers with 410 and the cacher re-initializes after a back-off', async (t) => {
  const fx = setup(t, { reinitBackoff: { initialMs: 1_000, maxMs: 8_000 } });
  const w1 = await watch(t, fx, '/registry/pods', { resourceVersion: '0', recursive: true });
  await fx.storage.create(podKey('ns', 'a'), pod('ns', 'a'));
  t.same(brief(await w1.take(1)), [['ADDED', 'a']]);

  fx.spy.breakWatches();
  const end = await w1.next();
  t.equal(end.type, 'ERROR');
  t.match(end.object, { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
  t.same(w1.errors, []);

  // Backing off: requests are served by the store, and see every change.
  const b = await fx.storage.create(podKey('ns', 'b'), pod('ns', 'b'));
  const calls = fx.spy.watchCalls.length;
  const during = await watch(t, fx, '/registry/pods', { resourceVersion: '0', recursive: true });
  t.equal(fx.spy.watchCalls.length, calls + 1, 'a store watch while the cache is down');
  t.same(brief(await during.take(2)), [['ADDED', 'a'], ['ADDED', 'b']]);
  t.same((await fx.storage.getList('/registry/pods', { resourceVersion: '0' })).items.map(nameOf), ['a', 'b']);

  fx.clock.advance(1_000);
  await settle();
  await settle();
  t.equal(fx.spy.watchCalls.length, calls + 2, 'the cacher watches again');
  const after = await watch(t, fx, '/registry/pods', { resourceVersion: String(rvOf(b)), recursive: true });
  t.equal(fx.spy.watchCalls.length, calls + 2, 'served by the cache again');
  await fx.storage.create(podKey('ns', 'c'), pod('ns', 'c'));
  t.same(brief(await after.take(1)), [['ADDED', 'c']]);
  t.same(brief(await during.take(1)), [['ADDED', 'c']]);
  const inits = (await fx.registry.getSingleMetricAsString('apiserver_watch_cache_initializations_total')).trim();
  t.match(inits, /apiserver_watch_cache_initializations_total\{resource="pods"\} 2$/);
});

void t.test('while the store cannot be listed the cache stays down and retries with growing back-off', async (t) => {
  const fx = setup(t, { reinitBackoff: { initialMs: 1_000, maxMs: 4_000 } });
  fx.spy.listUnavailable = true;
  const w = await watch(t, fx, '/registry/pods', { resourceVersion: '0', recursive: true });
  t.equal(fx.spy.watchCalls.length, 1, 'the store serves the watch');
  await fx.storage.create(podKey('ns', 'a'), pod('ns', 'a'));
  t.same(brief(await w.take(1)), [['ADDED', 'a']]);
  const lists = (): number => fx.spy.listCalls.filter((c) => c.prefix === '/registry/pods' && c.options.resourceVersion === undefined).length;
  t.equal(lists(), 1);
  fx.clock.advance(1_000);
  await settle();
  t.equal(lists(), 2, 'retried after 1 s');
  fx.clock.advance(1_999);
  await settle();
  t.equal(lists(), 2, 'then waits 2 s');
  fx.clock.advance(1);
  await settle();
  t.equal(lists(), 3);
  fx.spy.listUnavailable = false;
  fx.clock.advance(4_000);
  await settle();
  await settle();
  t.equal(lists(), 4);
  const cached = await fx.storage.getList('/registry/pods', { resourceVersion: '0' });
  t.same(cached.items.map(nameOf), ['a']);
  t.equal(lists(), 4, 'the cache is up');
});

void t.test('metrics', async (t) => {
  const fx = setup(t);
  const ws = await Promise.all([1, 2, 3].map(() => watch(t, fx, '/registry/pods', { resourceVersion: '0', recursive: true })));
  const a = await fx.storage.create(podKey('ns', 'a'), pod('ns', 'a'));
  await fx.storage.create('/registry/minions/n1', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  for (const w of ws) await w.take(1);
  const text = await fx.registry.metrics();
  t.match(text, /apiserver_watch_cache_events_dispatched_total\{resource="pods"\} 1\n/);
  t.match(text, new RegExp(`apiserver_watch_cache_resource_version\\{resource="pods"\\} ${rvOf(a)}\\n`));
  t.match(text, /apiserver_watch_events_total\{kind="Pod"\} 3\n/);
  t.notMatch(text, /resource="minions"/, 'no cacher for a resource nobody watched');
});
