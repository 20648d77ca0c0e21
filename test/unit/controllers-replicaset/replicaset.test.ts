// The ReplicaSet reconciler against the in-memory client: scaling, expectations under a lagging
// cache, adoption and release, the deletion order, availability after minReadySeconds, failures.
import t from 'tap';
import type { Pod, ReplicaSet } from '../../../core/index.js';
import { formatRfc3339, resourceInvalidError } from '../../../core/index.js';
import { podsToDelete, replicaSetController } from '../../../actors/index.js';
import { Bed, PODS, REPLICASETS, settle } from './harness.js';

const NS = 'default';

function replicaSet(name: string, replicas: number, extra: { minReadySeconds?: number } = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      ...(extra.minReadySeconds === undefined ? {} : { minReadySeconds: extra.minReadySeconds }),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}

async function setup(): Promise<Bed> {
  const bed = new Bed([replicaSetController]);
  await bed.start();
  return bed;
}

async function getRs(bed: Bed, name: string): Promise<ReplicaSet> {
  return bed.store.get<ReplicaSet>({ ...REPLICASETS, namespace: NS, name });
}

async function scale(bed: Bed, name: string, replicas: number): Promise<void> {
  const rs = await getRs(bed, name);
  await bed.store.update(REPLICASETS, { ...rs, spec: { ...rs.spec!, replicas } });
  await settle();
}

/** Reconciles until a pass changes nothing in the store (at most `rounds` passes). */
async function converge(bed: Bed, name: string, rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const before = bed.store.resourceVersion;
    await bed.reconcile('replicaset', NS, name);
    if (bed.store.resourceVersion === before) return;
  }
  throw new Error(`no convergence in ${rounds} rounds`);
}

void t.test('scales up from the template with slow start, owner references and events', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  const created = await bed.store.create(REPLICASETS, replicaSet('web', 5));
  await settle();
  await bed.reconcile('replicaset', NS, 'web');
  t.same((await getRs(bed, 'web')).status, { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 }, 'status counts what the cache held');
  t.equal(bed.store.requestCount('create'), 1 + 5, 'the ReplicaSet, then its five pods (slow start: one, then more as they succeed)');
  await bed.reconcile('replicaset', NS, 'web');
  const pods = await bed.pods(NS);
  t.equal(pods.length, 5);
  for (const pod of pods) {
    t.match(pod.metadata?.name, /^web-/);
    t.equal(pod.metadata?.generateName, 'web-');
    t.same(pod.metadata?.labels, { app: 'web', tier: 'web' });
    t.same(pod.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: created.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
  }
  t.same(bed.eventsFor('SuccessfulCreate').sort(), pods.map((p) => `Created pod: ${p.metadata?.name ?? ''}`).sort());
  const rs = await getRs(bed, 'web');
  t.same(rs.status, { replicas: 5, fullyLabeledReplicas: 5, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 });
  t.end();
});

void t.test('never overshoots when the cache lags its own writes', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(REPLICASETS, replicaSet('web', 3));
  await settle();
  bed.client.hold();
  await bed.reconcile('replicaset', NS, 'web');
  t.equal((await bed.pods(NS)).length, 3);
  // The informer has not seen the pods: without expectations this pass would create 3 more.
  await bed.reconcile('replicaset', NS, 'web');
  await bed.reconcile('replicaset', NS, 'web');
  t.equal((await bed.pods(NS)).length, 3, 'no extra creates while the creations are unobserved');
  bed.client.release();
  await settle();
  await converge(bed, 'web');
  t.equal((await bed.pods(NS)).length, 3);

  // The same for deletions.
  await scale(bed, 'web', 1);
  bed.client.hold();
  await bed.reconcile('replicaset', NS, 'web');
  t.equal((await bed.pods(NS)).length, 1);
  await bed.reconcile('replicaset', NS, 'web');
  t.equal((await bed.pods(NS)).length, 1, 'no extra deletes while the deletions are unobserved');
  t.equal(bed.eventsFor('SuccessfulDelete').length, 2);
  bed.client.release();
  await settle();
  await converge(bed, 'web');
  t.equal((await bed.pods(NS)).length, 1);
  t.end();
});

void t.test('unobserved expectations expire after five minutes', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(REPLICASETS, replicaSet('web', 2));
  await settle();
  bed.client.hold();
  const first = await bed.reconcile('replicaset', NS, 'web');
  t.ok(first !== undefined && first.requeueAfterMs !== undefined && first.requeueAfterMs <= 5 * 60 * 1000, 'requeued for the expiry');
  // The created pods vanish before the informer ever saw them.
  for (const pod of await bed.pods(NS)) await bed.store.delete({ ...PODS, namespace: NS, name: pod.metadata?.name ?? '' });
  bed.client.release();
  await settle();
  await bed.reconcile('replicaset', NS, 'web');
  t.equal((await bed.pods(NS)).length, 2, 'observed (created then deleted): acts again at once');
  t.end();
});

void t.test('scales down preferring unscheduled, pending, not ready, newly ready, restarting, newer pods', (t) => {
  const base = Date.parse('2024-05-01T10:00:00Z');
  const mk = (name: string, o: { node?: string; phase?: 'Pending' | 'Running'; readyAtS?: number; restarts?: number; createdS?: number; cost?: string }): Pod => ({
    metadata: {
      name,
      creationTimestamp: formatRfc3339(base + (o.createdS ?? 0) * 1000),
      ...(o.cost === undefined ? {} : { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } }),
    },
    spec: { containers: [], ...(o.node === undefined ? {} : { nodeName: o.node }) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readyAtS === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: formatRfc3339(base + o.readyAtS * 1000) }],
      containerStatuses: [{ name: 'c', ready: o.readyAtS !== undefined, restartCount: o.restarts ?? 0, image: 'x', imageID: '' }],
    },
  });
  const pods = [
    mk('old-ready', { node: 'a', readyAtS: 10, createdS: 0 }),
    mk('unscheduled', { phase: 'Pending' }),
    mk('pending', { node: 'b', phase: 'Pending' }),
    mk('not-ready', { node: 'c' }),
    mk('new-ready', { node: 'd', readyAtS: 100, createdS: 1 }),
    mk('restarting', { node: 'e', readyAtS: 10, restarts: 3, createdS: 2 }),
    mk('newer', { node: 'f', readyAtS: 10, createdS: 50 }),
    mk('expensive', { node: 'g', readyAtS: 10, cost: '100' }),
    mk('cheap', { node: 'h', readyAtS: 10, createdS: 0, cost: '-5' }),
  ];
  const order = podsToDelete(pods, pods, pods.length - 1).map((p) => p.metadata?.name);
  t.same(order, ['unscheduled', 'pending', 'not-ready', 'cheap', 'new-ready', 'restarting', 'newer', 'old-ready']);
  // Doubled-up pods go before lone ones with otherwise equal standing.
  const x = mk('x', { node: 'n1', readyAtS: 10 });
  const y = mk('y', { node: 'n2', readyAtS: 10 });
  const sibling = mk('sibling', { node: 'n2', readyAtS: 10 });
  t.same(podsToDelete([x, y], [x, y, sibling], 1).map((p) => p.metadata?.name), ['y']);
  t.end();
});

void t.test('scale-down through the reconciler deletes the not-ready pods first', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(REPLICASETS, replicaSet('web', 4));
  await settle();
  await converge(bed, 'web');
  const pods = await bed.pods(NS);
  await bed.makePodReady(pods[0]!);
  await bed.makePodReady(pods[2]!);
  await settle();
  await scale(bed, 'web', 2);
  await converge(bed, 'web');
  const left = (await bed.pods(NS)).map((p) => p.metadata?.name).sort();
  t.same(left, [pods[0]!.metadata?.name, pods[2]!.metadata?.name].sort());
  t.same(bed.eventsFor('SuccessfulDelete').sort(), [`Deleted pod: ${pods[1]!.metadata?.name ?? ''}`, `Deleted pod: ${pods[3]!.metadata?.name ?? ''}`].sort());
  t.end();
});

void t.test('adopts matching orphans, releases pods that stop matching, ignores terminating pods', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  const orphan: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: NS, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  await bed.store.create(PODS, orphan);
  const otherOwned: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'foreign', namespace: NS, labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'other', controller: true }] },
    spec: { containers: [{ name: 'c', image: 'x' }] },
  };
  await bed.store.create(PODS, otherOwned);
  const rs = await bed.store.create(REPLICASETS, replicaSet('web', 2));
  await settle();
  await converge(bed, 'web');
  const adopted = await bed.store.get<Pod>({ ...PODS, namespace: NS, name: 'orphan' });
  t.equal(adopted.metadata?.ownerReferences?.[0]?.uid, rs.metadata?.uid, 'orphan adopted');
  t.equal((await bed.pods(NS)).length, 3, 'one created besides the adopted orphan; the foreign pod untouched');
  t.equal((await getRs(bed, 'web')).status?.fullyLabeledReplicas, 1, 'the orphan lacks the template label tier');

  // Relabel the adopted pod: it is released and replaced.
  await bed.store.patch({ ...PODS, namespace: NS, name: 'orphan' }, 'merge', { metadata: { labels: { app: 'other' } } });
  await settle();
  await converge(bed, 'web');
  const released = await bed.store.get<Pod>({ ...PODS, namespace: NS, name: 'orphan' });
  t.equal(released.metadata?.ownerReferences?.length ?? 0, 0, 'released');
  t.equal((await bed.pods(NS, 'app=web')).length, 3, 'replaced');

  // A terminating pod does not count.
  const mine = (await bed.pods(NS, 'app=web')).find((p) => p.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid)!;
  await bed.store.patch({ ...PODS, namespace: NS, name: mine.metadata?.name ?? '' }, 'merge', { metadata: { finalizers: ['test/hold'] } });
  await bed.store.delete({ ...PODS, namespace: NS, name: mine.metadata?.name ?? '' });
  await settle();
  await converge(bed, 'web');
  const active = (await bed.pods(NS, 'app=web')).filter((p) => p.metadata?.deletionTimestamp == null && p.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid);
  t.equal(active.length, 2, 'a replacement for the terminating pod');
  t.equal((await getRs(bed, 'web')).status?.replicas, 2);
  t.end();
});

void t.test('does not adopt while the ReplicaSet is being deleted', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(REPLICASETS, { ...replicaSet('web', 2), metadata: { name: 'web', namespace: NS, finalizers: ['test/hold'] } });
  await bed.store.delete({ ...REPLICASETS, namespace: NS, name: 'web' });
  await bed.store.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: NS, labels: { app: 'web' } }, spec: { containers: [] } });
  await settle();
  await bed.reconcile('replicaset', NS, 'web');
  const pod = await bed.store.get<Pod>({ ...PODS, namespace: NS, name: 'orphan' });
  t.equal(pod.metadata?.ownerReferences, undefined);
  t.equal((await bed.pods(NS)).length, 1, 'no creates either');
  t.end();
});

void t.test('availableReplicas counts pods ready for minReadySeconds, with a requeue to re-check', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(REPLICASETS, replicaSet('web', 2, { minReadySeconds: 30 }));
  await settle();
  await converge(bed, 'web');
  await bed.makeAllPodsReady(NS);
  const result = await bed.reconcile('replicaset', NS, 'web');
  let rs = await getRs(bed, 'web');
  t.equal(rs.status?.readyReplicas, 2);
  t.equal(rs.status?.availableReplicas, 0);
  t.ok(result !== undefined && result.requeueAfterMs !== undefined && result.requeueAfterMs > 29_000 && result.requeueAfterMs <= 30_001, `requeue ~30s (${JSON.stringify(result)})`);
  bed.clock.advance(result?.requeueAfterMs ?? 0);
  const after = await bed.reconcile('replicaset', NS, 'web');
  rs = await getRs(bed, 'web');
  t.equal(rs.status?.availableReplicas, 2);
  t.same(after, {}, 'nothing left to wait for');
  t.end();
});

void t.test('a failed create stops the batch, records FailedCreate and sets ReplicaFailure until a clean sync', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(REPLICASETS, replicaSet('web', 4));
  await settle();
  const quota = resourceInvalidError('Pod', '', 'spec', 'exceeded quota: compute');
  bed.store.failNext('create', quota, 2);
  await t.rejects(bed.reconcile('replicaset', NS, 'web'));
  t.equal(bed.store.requestCount('create'), 1 + 1, 'the ReplicaSet, then a first create that failed: no more');
  t.equal(bed.eventsFor('FailedCreate').length, 1);
  t.match(bed.eventsFor('FailedCreate')[0], /^Error creating: /);
  let rs = await getRs(bed, 'web');
  t.equal(rs.status?.conditions?.[0]?.type, 'ReplicaFailure');
  t.equal(rs.status?.conditions?.[0]?.reason, 'FailedCreate');
  await t.rejects(bed.reconcile('replicaset', NS, 'web'));
  await converge(bed, 'web');
  t.equal((await bed.pods(NS)).length, 4);
  rs = await getRs(bed, 'web');
  t.equal(rs.status?.conditions, undefined, 'cleared after a clean sync');
  t.end();
});

void t.test('a deleted ReplicaSet is a no-op; pods map to their owner or matching ReplicaSets', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  t.same(await bed.reconcile('replicaset', NS, 'gone'), {});
  await bed.store.create(REPLICASETS, replicaSet('web', 1));
  await settle();
  const watch = replicaSetController.watches[0]!;
  const orphan: Pod = { metadata: { name: 'p', namespace: NS, labels: { app: 'web' } } };
  t.same(watch.mapToRequests(orphan, bed.context), [{ namespace: NS, name: 'web' }]);
  const owned: Pod = { metadata: { name: 'p', namespace: NS, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'u', controller: true }] } };
  t.same(watch.mapToRequests(owned, bed.context), [{ namespace: NS, name: 'x' }]);
  const jobPod: Pod = { metadata: { name: 'p', namespace: NS, labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'x', uid: 'u', controller: true }] } };
  t.same(watch.mapToRequests(jobPod, bed.context), []);
  t.end();
});
