// InMemoryResourceClient against the ResourceClient contract: revisions, conflicts, paging,
// watches from a revision, 410 below the history, selectors, finalizers, subresources, patches.
import t from 'tap';
import type { ResourceObject, ResourceWatchEvent } from '../../../core/index.js';
import { InMemoryResourceClient, isAlreadyExists, isConflict, isGone, isNotFound, ResourceApiError, resourceUnavailableError } from '../../../core/index.js';
import { DEPLOYMENTS, pod, PODS, settle } from './helpers.js';

async function rejection(p: Promise<unknown>): Promise<ResourceApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ResourceApiError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

function watchAll(client: InMemoryResourceClient, resourceVersion: string, options: { labelSelector?: string; fieldSelector?: string; namespace?: string } = {}) {
  const events: ResourceWatchEvent[] = [];
  const batches: number[] = [];
  const closed: (Error | undefined)[] = [];
  const handle = client.watch(PODS, { resourceVersion, allowWatchBookmarks: true, ...options }, (batch) => {
    batches.push(batch.length);
    events.push(...batch);
  }, (err) => closed.push(err));
  const text = (): string[] => events.map((e) => (e.type === 'ERROR' ? `ERROR ${e.object.code}` : `${e.type} ${e.object.metadata?.name ?? ''}@${e.object.metadata?.resourceVersion ?? ''}`));
  return { events, batches, closed, handle, text };
}

void t.test('create, get, update, delete with resourceVersions and the usual errors', async (t) => {
  const client = new InMemoryResourceClient();
  const created = await client.create(PODS, pod('default', 'a'));
  t.equal(created.metadata?.resourceVersion, '1');
  t.equal(created.metadata?.generation, 1);
  t.match(created.metadata?.uid, /^[0-9a-f-]{36}$/);
  t.ok(isAlreadyExists(await rejection(client.create(PODS, pod('default', 'a')))));
  const missing = await rejection(client.get({ ...PODS, namespace: 'default', name: 'zz' }));
  t.ok(isNotFound(missing));
  t.equal(missing.message, 'pods "zz" not found');
  t.same(missing.status.details, { name: 'zz', kind: 'pods' });

  const got = await client.get({ ...PODS, namespace: 'default', name: 'a' });
  got.metadata!.labels = { x: 'y' };
  const updated = await client.update(PODS, got);
  t.equal(updated.metadata?.resourceVersion, '2');
  t.equal(updated.metadata?.generation, 1, 'metadata-only change keeps generation');
  const stale = await rejection(client.update(PODS, got));
  t.ok(isConflict(stale), 'update with an old resourceVersion conflicts');
  t.notOk(isAlreadyExists(stale));
  t.match(stale.message, /Operation cannot be fulfilled on pods "a": the object has been modified/);

  (updated['spec'] as Record<string, unknown>)['nodeName'] = 'n1';
  const respec = await client.update(PODS, updated);
  t.equal(respec.metadata?.generation, 2, 'spec change bumps generation');

  const noop = await client.update(PODS, respec);
  t.equal(noop.metadata?.resourceVersion, respec.metadata?.resourceVersion, 'an update that changes nothing writes nothing');

  t.ok(isConflict(await rejection(client.delete({ ...PODS, namespace: 'default', name: 'a' }, { preconditions: { resourceVersion: '1' } }))));
  const deleted = await client.delete({ ...PODS, namespace: 'default', name: 'a' });
  t.equal(deleted.metadata?.resourceVersion, '4', 'the deleted object carries the deletion revision');
  t.ok(isNotFound(await rejection(client.get({ ...PODS, namespace: 'default', name: 'a' }))));
  t.equal(client.resourceVersion, '4');
});

void t.test('update ignores status, updateStatus only changes status', async (t) => {
  const client = new InMemoryResourceClient();
  const created: ResourceObject = await client.create(PODS, { ...pod('ns', 'p'), status: { phase: 'Pending' } });
  const withStatus: ResourceObject = await client.updateStatus(PODS, { ...created, spec: { changed: true }, status: { phase: 'Running' } });
  t.same(withStatus['status'], { phase: 'Running' });
  t.same(withStatus['spec'], created['spec'], 'spec is untouched by a status update');
  const viaUpdate = await client.update(PODS, { ...withStatus, status: { phase: 'Failed' }, metadata: { ...withStatus.metadata, labels: { a: 'b' } } });
  t.same(viaUpdate['status'], { phase: 'Running' }, 'status is untouched by an update');
  t.same(viaUpdate.metadata?.labels, { a: 'b' });
});

void t.test('patch: merge, json and strategic', async (t) => {
  const client = new InMemoryResourceClient();
  await client.create(PODS, pod('ns', 'p', { labels: { a: '1' } }));
  const ref = { ...PODS, namespace: 'ns', name: 'p' };
  const merged = await client.patch(ref, 'merge', { metadata: { labels: { b: '2' } } });
  t.same(merged.metadata?.labels, { a: '1', b: '2' });
  const jsonPatched = await client.patch(ref, 'json', [{ op: 'remove', path: '/metadata/labels/a' }]);
  t.same(jsonPatched.metadata?.labels, { b: '2' });
  const strategic = await client.patch(ref, 'strategic', { spec: { containers: [{ name: 'sidecar', image: 'envoy' }] } });
  t.same((strategic['spec'] as { containers: { name: string }[] }).containers.map((c) => c.name).sort(), ['c', 'sidecar'], 'containers merge by name');
  const failed = await rejection(client.patch(ref, 'json', [{ op: 'test', path: '/metadata/name', value: 'other' }]));
  t.equal(failed.code, 422);
  const conflict = await rejection(client.patch(ref, 'merge', { metadata: { resourceVersion: '1' } }));
  t.ok(isConflict(conflict), 'a resourceVersion in the patch is a precondition');
});

void t.test('finalizers hold a deleted object until the last one is removed', async (t) => {
  const client = new InMemoryResourceClient({ now: () => '2024-01-01T00:00:00Z' });
  await client.create(PODS, pod('ns', 'f', { finalizers: ['example.com/hold'] }));
  const ref = { ...PODS, namespace: 'ns', name: 'f' };
  const marked = await client.delete(ref);
  t.equal(marked.metadata?.deletionTimestamp, '2024-01-01T00:00:00Z');
  t.ok(await client.get(ref), 'still there');
  const again = await client.delete(ref);
  t.equal(again.metadata?.resourceVersion, marked.metadata?.resourceVersion, 'a second delete changes nothing');
  await client.update(PODS, { ...marked, metadata: { ...marked.metadata, finalizers: [] } });
  t.ok(isNotFound(await rejection(client.get(ref))), 'gone once finalizers are empty');
});

void t.test('list: selectors, namespaces, consistent pages, exact versions', async (t) => {
  const client = new InMemoryResourceClient();
  for (const name of ['e', 'b', 'd', 'a', 'c']) await client.create(PODS, pod('one', name, { labels: { tier: name < 'c' ? 'web' : 'db' } }));
  await client.create(PODS, pod('two', 'a', { nodeName: 'n1' }));
  await client.create(DEPLOYMENTS, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'one' } });

  const all = await client.list(PODS);
  t.same(all.items.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`), ['one/a', 'one/b', 'one/c', 'one/d', 'one/e', 'two/a']);
  t.equal(all.resourceVersion, '7');
  t.same((await client.list(PODS, { namespace: 'two' })).items.length, 1);
  t.same((await client.list(PODS, { labelSelector: 'tier=web' })).items.map((o) => o.metadata?.name), ['a', 'b']);
  t.same((await client.list(PODS, { fieldSelector: 'metadata.namespace=one,metadata.name!=a' })).items.length, 4);
  t.same((await client.list(PODS, { fieldSelector: 'spec.nodeName=n1' })).items.map((o) => o.metadata?.namespace), ['two'], 'kind-specific fields select');
  t.equal((await rejection(client.list(PODS, { labelSelector: 'a in (' }))).code, 400);

  const page1 = await client.list(PODS, { limit: 2 });
  t.equal(page1.items.length, 2);
  t.ok(page1.continue);
  await client.delete({ ...PODS, namespace: 'one', name: 'c' });
  const page2 = await client.list(PODS, { limit: 2, continue: page1.continue! });
  t.same(page2.items.map((o) => o.metadata?.name), ['c', 'd'], 'later pages read the first page’s snapshot');
  t.equal(page2.resourceVersion, page1.resourceVersion);
  const page3 = await client.list(PODS, { limit: 2, continue: page2.continue! });
  t.same(page3.items.map((o) => o.metadata?.name), ['e', 'a']);
  t.equal(page3.continue, undefined);

  const exact = await client.list(PODS, { resourceVersion: '3', resourceVersionMatch: 'Exact' });
  t.same(exact.items.map((o) => o.metadata?.name), ['b', 'd', 'e']);
  t.equal((await rejection(client.list(PODS, { resourceVersion: '99' }))).code, 504);
  client.compact();
  t.ok(isGone(await rejection(client.list(PODS, { resourceVersion: '3', resourceVersionMatch: 'Exact' }))));
  t.ok(isGone(await rejection(client.list(PODS, { limit: 2, continue: page1.continue! }))), 'continue tokens expire with compaction');
});

void t.test('watch: replay from a revision, batching, selectors, 410, bookmarks, stop', async (t) => {
  const client = new InMemoryResourceClient();
  await client.create(PODS, pod('ns', 'a'));
  await client.create(PODS, pod('ns', 'b', { labels: { app: 'web' } }));
  const fromStart = watchAll(client, '0');
  const fromOne = watchAll(client, '1');
  const web = watchAll(client, '0', { labelSelector: 'app=web' });
  t.same(fromStart.events, [], 'nothing is delivered before watch() returns');
  await settle();
  t.same(fromStart.text(), ['ADDED a@1', 'ADDED b@2'], 'resourceVersion 0 starts with the current state');
  t.same(fromOne.text(), ['ADDED b@2'], 'a revision replays what came after it');
  t.same(web.text(), ['ADDED b@2']);

  const a = await client.get({ ...PODS, namespace: 'ns', name: 'a' });
  await client.update(PODS, { ...a, metadata: { ...a.metadata, labels: { app: 'web' } } });
  const b = await client.get({ ...PODS, namespace: 'ns', name: 'b' });
  await client.update(PODS, { ...b, metadata: { ...b.metadata, labels: {} } });
  await client.delete({ ...PODS, namespace: 'ns', name: 'a' });
  await settle();
  t.same(fromStart.text().slice(2), ['MODIFIED a@3', 'MODIFIED b@4', 'DELETED a@5']);
  t.same(web.text().slice(1), ['ADDED a@3', 'DELETED b@4', 'DELETED a@5'], 'objects entering and leaving a selector are ADDED and DELETED');

  const burst = watchAll(client, client.resourceVersion);
  await settle();
  // Writes made in one synchronous stretch reach a watch as one batch.
  await Promise.all(Array.from({ length: 50 }, (_, i) => client.create(PODS, pod('ns', `burst-${i}`))));
  await settle();
  t.equal(burst.events.length, 50);
  t.same(burst.batches, [50]);

  client.sendBookmarks();
  await settle();
  t.same(fromStart.events.at(-1), { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: client.resourceVersion } } });

  fromOne.handle.stop();
  const before = fromOne.events.length;
  await client.create(PODS, pod('ns', 'after-stop'));
  await settle();
  t.equal(fromOne.events.length, before, 'no events after stop()');
  t.same(fromOne.closed, [], 'no onClose after stop()');

  client.compact();
  const tooOld = watchAll(client, '2');
  await settle();
  t.same(tooOld.text(), ['ERROR 410']);
  t.ok(isGone(tooOld.events[0]?.object));
  t.same(tooOld.closed, [undefined], 'the watch then ends cleanly');

  const err = resourceUnavailableError('going away');
  client.closeWatches(err);
  await settle();
  t.same(fromStart.closed, [err]);
  t.equal(client.openWatches, 0);
});

void t.test('injected failures and history bound', async (t) => {
  const client = new InMemoryResourceClient({ historyLimit: 3 });
  client.failNext('get', resourceUnavailableError('down'), 2);
  await client.create(PODS, pod('ns', 'a'));
  t.equal((await rejection(client.get({ ...PODS, namespace: 'ns', name: 'a' }))).code, 503);
  t.equal((await rejection(client.get({ ...PODS, namespace: 'ns', name: 'a' }))).code, 503);
  t.ok(await client.get({ ...PODS, namespace: 'ns', name: 'a' }));
  t.equal(client.requestCount('get'), 3);
  for (let i = 0; i < 5; i++) await client.create(PODS, pod('ns', `x${i}`));
  const old = watchAll(client, '1');
  const recent = watchAll(client, '3');
  await settle();
  t.same(old.text(), ['ERROR 410'], 'revisions older than the retained history answer 410');
  t.same(recent.text(), ['ADDED x2@4', 'ADDED x3@5', 'ADDED x4@6']);
  const objects: ResourceObject[] = (await client.list(PODS)).items;
  t.equal(objects.length, 6);
});
