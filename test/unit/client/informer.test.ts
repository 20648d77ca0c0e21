// SharedInformer against InMemoryResourceClient with a manual clock: list+watch, handlers,
// resync, resume after a watch ends, relist on 410, backoff, indexers, bounds, the factory.
import t from 'tap';
import type { ClientClock, ResourceObject, SharedInformerOptions } from '../../../core/index.js';
import type { Clock } from '../../../raft/index.js';
import {
  indexByNamespace,
  indexByNodeName,
  indexByOwnerUid,
  InformerCacheFullError,
  InformerStoppedError,
  InMemoryResourceClient,
  NAMESPACE_INDEX,
  NODE_NAME_INDEX,
  OWNER_UID_INDEX,
  resourceUnavailableError,
  SharedInformer,
  SharedInformerFactory,
  UnknownObjectIndexError,
} from '../../../core/index.js';
import { DEPLOYMENTS, fixedRandom, HandlerLog, pod, PODS, settle, TestClock } from './helpers.js';

// The store's and actor runtime's Clock drives informers as it is (a compile-time check).
const clockFits = (clock: Clock): ClientClock => clock;
void clockFits;

interface Setup {
  readonly client: InMemoryResourceClient;
  readonly clock: TestClock;
  readonly informer: SharedInformer;
  readonly log: HandlerLog;
  readonly errors: string[];
}

function setup(options: Partial<SharedInformerOptions> = {}, client = new InMemoryResourceClient()): Setup {
  const clock = new TestClock();
  const errors: string[] = [];
  const informer = new SharedInformer({
    client,
    resource: PODS,
    clock,
    random: fixedRandom(0),
    onError: (err, source) => errors.push(`${source}: ${err.message}`),
    ...options,
  });
  const log = new HandlerLog();
  informer.addEventHandler(log.handler);
  return { client, clock, informer, log, errors };
}

void t.test('lists, then watches from the list, keeping the cache and handlers in step', async (t) => {
  const client = new InMemoryResourceClient();
  for (const name of ['a', 'b', 'c', 'd', 'e']) await client.create(PODS, pod('ns', name));
  const { informer, log } = setup({ listPageSize: 2 }, client);
  t.notOk(informer.hasSynced());
  informer.start();
  await informer.waitForSync();
  t.ok(informer.hasSynced());
  t.equal(client.requestCount('list'), 3, 'five objects in pages of two');
  t.same(log.take(), ['add ns/a (initial)', 'add ns/b (initial)', 'add ns/c (initial)', 'add ns/d (initial)', 'add ns/e (initial)']);
  t.equal(informer.lastSyncResourceVersion, '5');
  t.equal(informer.cache.size, 5);

  await client.create(PODS, pod('ns', 'f'));
  const b = await client.get({ ...PODS, namespace: 'ns', name: 'b' });
  await client.update(PODS, { ...b, metadata: { ...b.metadata, labels: { x: '1' } } });
  await client.delete({ ...PODS, namespace: 'ns', name: 'c' });
  await settle();
  t.same(log.take(), ['add ns/f', 'update ns/b 2->7', 'delete ns/c']);
  t.equal(informer.lastSyncResourceVersion, '8');
  t.same(informer.get('ns', 'b')?.metadata?.labels, { x: '1' });
  t.equal(informer.get('ns', 'c'), undefined);
  t.equal(client.requestCount('watch'), 1);

  client.sendBookmarks();
  await client.create(DEPLOYMENTS, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' } });
  client.sendBookmarks();
  await settle();
  t.same(log.take(), [], 'bookmarks reach no handler');
  t.equal(informer.lastSyncResourceVersion, '9', 'but move the resume point');
  informer.stop();
  t.equal(client.openWatches, 0, 'stop() ends the watch');
});

void t.test('many handlers share one informer; late handlers get the cache as adds; remove() stops delivery', async (t) => {
  const { client, informer, log } = setup();
  await client.create(PODS, pod('ns', 'a'));
  informer.start();
  await informer.waitForSync();
  const late = new HandlerLog();
  const registration = informer.addEventHandler(late.handler);
  t.same(late.take(), ['add ns/a (initial)']);
  await client.create(PODS, pod('ns', 'b'));
  await settle();
  t.same(log.take(), ['add ns/a (initial)', 'add ns/b']);
  t.same(late.take(), ['add ns/b']);
  registration.remove();
  await client.create(PODS, pod('ns', 'c'));
  await settle();
  t.same(late.take(), []);
  t.same(log.take(), ['add ns/c']);
  t.equal(client.requestCount('list'), 1);
  informer.stop();
});

void t.test('a throwing handler is reported and does not starve the others', async (t) => {
  const { client, informer, log, errors } = setup();
  informer.addEventHandler({ onAdd: () => {
    throw new Error('boom');
  } });
  await client.create(PODS, pod('ns', 'a'));
  informer.start();
  await informer.waitForSync();
  t.same(log.take(), ['add ns/a (initial)']);
  t.same(errors, ['handler: boom']);
  informer.stop();
});

void t.test('resync re-delivers every cached object as an update, every period', async (t) => {
  const { client, clock, informer, log } = setup({ resyncPeriodMs: 1_000 });
  await client.create(PODS, pod('ns', 'a'));
  await client.create(PODS, pod('ns', 'b'));
  informer.start();
  await informer.waitForSync();
  log.take();
  clock.advance(999);
  t.same(log.take(), []);
  clock.advance(1);
  t.same(log.take(), ['resync ns/a', 'resync ns/b']);
  clock.advance(1_000);
  t.same(log.take(), ['resync ns/a', 'resync ns/b']);
  informer.stop();
  clock.advance(5_000);
  t.same(log.take(), [], 'no resync after stop()');
});

void t.test('a watch that ends resumes from the last resourceVersion, missing and repeating nothing', async (t) => {
  const { client, clock, informer, log, errors } = setup();
  await client.create(PODS, pod('ns', 'a'));
  informer.start();
  await informer.waitForSync();
  await client.create(PODS, pod('ns', 'b'));
  await settle();
  log.take();

  // A clean end after events were delivered: watch again at once.
  client.closeWatches();
  await client.create(PODS, pod('ns', 'c'));
  await settle();
  t.equal(client.requestCount('watch'), 2);
  t.same(log.take(), ['add ns/c'], 'the change made while reconnecting arrives once');

  // Failures: the first retry is immediate, the next ones back off.
  client.closeWatches(resourceUnavailableError('master lost'));
  client.failNext('watch', resourceUnavailableError('still down'), 2);
  await client.create(PODS, pod('ns', 'd'));
  await settle();
  t.same(errors.splice(0), ['watch: master lost']);
  t.same(clock.pendingDelaysMs(), [0]);
  clock.advance(0);
  await settle();
  t.same(errors.splice(0), ['watch: still down']);
  t.same(clock.pendingDelaysMs(), [200], 'second retry after the initial backoff');
  clock.advance(200);
  await settle();
  t.same(clock.pendingDelaysMs(), [400], 'then doubling');
  clock.advance(400);
  await settle();
  t.same(log.take(), ['add ns/d']);
  t.equal(client.requestCount('list'), 1, 'resuming never relists');
  t.equal(client.requestCount('watch'), 5);

  // A healthy watch resets the backoff.
  client.closeWatches(resourceUnavailableError('again'));
  await settle();
  t.same(clock.pendingDelaysMs(), [0]);
  informer.stop();
  t.equal(clock.pendingTimers, 0, 'stop() cancels the retry');
});

void t.test('a clean watch end with nothing delivered, quickly, counts as a failure', async (t) => {
  const { client, clock, informer } = setup();
  informer.start();
  await informer.waitForSync();
  client.closeWatches();
  await settle();
  t.same(clock.pendingDelaysMs(), [0]);
  clock.advance(0);
  await settle();
  client.closeWatches();
  await settle();
  t.same(clock.pendingDelaysMs(), [200], 'no hot loop against a server that closes at once');
  informer.stop();
});

void t.test('410 Gone: relist and deliver the difference, with tombstones for what vanished', async (t) => {
  const { client, clock, informer, log, errors } = setup();
  for (const name of ['keep', 'change', 'vanish']) await client.create(PODS, pod('ns', name));
  informer.start();
  await informer.waitForSync();
  log.take();

  client.closeWatches(resourceUnavailableError('partition'));
  const change = await client.get({ ...PODS, namespace: 'ns', name: 'change' });
  await client.update(PODS, { ...change, metadata: { ...change.metadata, labels: { v: '2' } } });
  await client.delete({ ...PODS, namespace: 'ns', name: 'vanish' });
  await client.create(PODS, pod('ns', 'new'));
  client.compact();
  await settle();
  t.same(errors.splice(0), ['watch: partition']);
  clock.advance(0);
  await settle();
  t.same(errors.splice(0), ['watch: too old resource version: 3 (6)'], 'resuming finds the history compacted');
  t.equal(client.requestCount('list'), 1);
  t.same(clock.pendingDelaysMs(), [200], 'the relist is the second retry in a row');
  clock.advance(200);
  await settle();
  t.equal(client.requestCount('list'), 2, 'relisted');
  t.same(log.take(), ['tombstone ns/vanish', 'update ns/change 2->4', 'add ns/new']);
  t.same(informer.cache.listKeys().sort(), ['ns/change', 'ns/keep', 'ns/new']);
  t.equal(informer.lastSyncResourceVersion, '6');
  await client.create(PODS, pod('ns', 'later'));
  await settle();
  t.same(log.take(), ['add ns/later'], 'and watches again from the relist');
  informer.stop();
});

void t.test('list failures back off and retry until the informer syncs', async (t) => {
  const { client, clock, informer, errors } = setup();
  client.failNext('list', resourceUnavailableError('no master'), 3);
  informer.start();
  await settle();
  t.same(clock.pendingDelaysMs(), [0]);
  clock.advance(0);
  await settle();
  clock.advance(200);
  await settle();
  t.notOk(informer.hasSynced());
  t.same(clock.pendingDelaysMs(), [400]);
  clock.advance(400);
  await informer.waitForSync();
  t.equal(errors.length, 3);
  t.equal(client.requestCount('list'), 4);
  informer.stop();
});

void t.test('backoff is capped and jittered', async (t) => {
  const client = new InMemoryResourceClient();
  const clock = new TestClock();
  const informer = new SharedInformer({ client, resource: PODS, clock, random: fixedRandom(0.5), backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 } });
  client.failNext('list', resourceUnavailableError('down'), 10);
  informer.start();
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    await settle();
    const [delay] = clock.pendingDelaysMs();
    delays.push(delay!);
    clock.advance(delay!);
  }
  t.same(delays, [0, 75, 150, 300, 600, 750, 750, 750]);
  informer.stop();
});

void t.test('indexers: by namespace, owner uid and node name, kept current', async (t) => {
  const { client, informer } = setup({ indexers: { [NAMESPACE_INDEX]: indexByNamespace, [OWNER_UID_INDEX]: indexByOwnerUid } });
  informer.addIndexers({ [NODE_NAME_INDEX]: indexByNodeName });
  await client.create(PODS, pod('a', 'p1', { ownerUid: 'rs-1', nodeName: 'n1' }));
  await client.create(PODS, pod('a', 'p2', { ownerUid: 'rs-1' }));
  await client.create(PODS, pod('b', 'p3', { ownerUid: 'rs-2', nodeName: 'n1' }));
  informer.start();
  await informer.waitForSync();
  const names = (objects: ResourceObject[]): string[] => objects.map((o) => o.metadata?.name ?? '').sort();
  t.same(names(informer.cache.byIndex(NAMESPACE_INDEX, 'a')), ['p1', 'p2']);
  t.same(names(informer.cache.byIndex(OWNER_UID_INDEX, 'rs-1')), ['p1', 'p2']);
  t.same(names(informer.cache.byIndex(NODE_NAME_INDEX, 'n1')), ['p1', 'p3']);
  t.same(informer.cache.indexValues(NODE_NAME_INDEX), ['n1']);

  const p2 = await client.get({ ...PODS, namespace: 'a', name: 'p2' });
  await client.update(PODS, { ...p2, spec: { ...(p2['spec'] as object), nodeName: 'n2' } });
  await client.delete({ ...PODS, namespace: 'b', name: 'p3' });
  await settle();
  t.same(names(informer.cache.byIndex(NODE_NAME_INDEX, 'n1')), ['p1']);
  t.same(names(informer.cache.byIndex(NODE_NAME_INDEX, 'n2')), ['p2']);
  t.same(informer.cache.byIndex(OWNER_UID_INDEX, 'rs-2'), [], 'deleted objects leave every index');
  t.same(informer.cache.indexValues(NAMESPACE_INDEX), ['a']);
  t.throws(() => informer.cache.byIndex('nope', 'x'), UnknownObjectIndexError);
  informer.stop();
});

void t.test('selectors scope the informer; objects leaving the selection are deleted', async (t) => {
  const { client, informer, log } = setup({ namespace: 'ns', labelSelector: 'app=web' });
  await client.create(PODS, pod('ns', 'web', { labels: { app: 'web' } }));
  await client.create(PODS, pod('ns', 'db', { labels: { app: 'db' } }));
  await client.create(PODS, pod('other', 'web', { labels: { app: 'web' } }));
  informer.start();
  await informer.waitForSync();
  t.same(log.take(), ['add ns/web (initial)']);
  const web = await client.get({ ...PODS, namespace: 'ns', name: 'web' });
  await client.update(PODS, { ...web, metadata: { ...web.metadata, labels: { app: 'db' } } });
  await settle();
  t.same(log.take(), ['delete ns/web']);
  t.equal(informer.cache.size, 0);
  informer.stop();
});

void t.test('the object bound stops the informer instead of caching part of the truth', async (t) => {
  const { client, informer, errors } = setup({ maxObjects: 2, listPageSize: 1 });
  for (const name of ['a', 'b', 'c']) await client.create(PODS, pod('ns', name));
  const synced = informer.waitForSync();
  informer.start();
  await t.rejects(synced, InformerStoppedError);
  t.equal(errors.length, 1);
  t.match(errors[0], /^cache: informer for \/v1\/pods holds more than 2 objects/);
  t.notOk(informer.isRunning);

  const second = setup({ maxObjects: 1 });
  await second.client.create(PODS, pod('ns', 'a'));
  second.informer.start();
  await second.informer.waitForSync();
  await second.client.create(PODS, pod('ns', 'b'));
  await settle();
  t.notOk(second.informer.isRunning, 'a watch event past the bound stops it too');
  t.ok(second.errors[0]?.startsWith('cache:'));
  t.equal(second.client.openWatches, 0);
  t.ok(new InformerCacheFullError('x', 1) instanceof Error);
});

void t.test('SharedInformerFactory: one informer per resource and scope, started together', async (t) => {
  const client = new InMemoryResourceClient();
  await client.create(PODS, pod('ns', 'a'));
  const clock = new TestClock();
  const factory = new SharedInformerFactory({ client, clock, random: fixedRandom(0), defaultResyncPeriodMs: 500 });
  const pods = factory.informerFor(PODS, { indexers: { [NAMESPACE_INDEX]: indexByNamespace } });
  t.equal(factory.informerFor(PODS, { indexers: { [NODE_NAME_INDEX]: indexByNodeName } }), pods, 'same resource, same informer');
  const scoped = factory.informerFor(PODS, { namespace: 'ns' });
  t.not(scoped, pods, 'another scope, another informer');
  factory.start();
  await factory.waitForCacheSync();
  t.equal(client.requestCount('list'), 2);
  t.same(pods.cache.indexKeys(NODE_NAME_INDEX, 'x'), [], 'indexers of every caller are registered');
  const deployments = factory.informerFor(DEPLOYMENTS);
  await deployments.waitForSync();
  t.ok(deployments.hasSynced(), 'informers created after start() start at once');
  const log = new HandlerLog();
  pods.addEventHandler(log.handler);
  log.take();
  clock.advance(500);
  t.same(log.take(), ['resync ns/a'], 'the default resync period applies');
  factory.stop();
  t.equal(client.openWatches, 0);
});
