// The StatefulSet controller under the framework's harness: ordered creation and scale-down,
// Parallel, stable identity (a failed pod comes back under its name), RollingUpdate with a
// partition, OnDelete, status, and convergence despite watch faults and a restart. A stand-in
// scheduler/kubelet binds pods and marks them Running and Ready.
import t from 'tap';
import type { Test } from 'tap';
import type { Pod, StatefulSet } from '../../../core/index.js';
import { applyDefaults, formatRfc3339 } from '../../../core/index.js';
import { ControllerTestHarness } from '../../../actors/index.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  POD_INDEX_LABEL,
  STATEFULSET_POD_NAME_LABEL,
  STATEFULSET_RESOURCE,
  statefulSetController,
} from '../../../actors/index.js';

const NS = 'default';
const PODS = { group: '', version: 'v1', resource: 'pods' };

function newSet(spec: Partial<NonNullable<StatefulSet['spec']>>, image = 'nginx:1'): StatefulSet {
  const object = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: NS },
    spec: { replicas: 3, serviceName: 'nginx', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } }, ...spec },
  };
  return applyDefaults({ group: 'apps', version: 'v1', kind: 'StatefulSet' }, object as unknown as StatefulSet);
}

async function pods(h: ControllerTestHarness): Promise<Pod[]> {
  return (await h.store.list<Pod>(PODS, { namespace: NS })).items.sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
}

async function names(h: ControllerTestHarness): Promise<string[]> {
  return (await pods(h)).map((p) => p.metadata?.name ?? '');
}

async function getSet(h: ControllerTestHarness): Promise<StatefulSet> {
  return h.store.get<StatefulSet>({ ...STATEFULSET_RESOURCE, namespace: NS, name: 'web' });
}

/** Scheduler and kubelet: pending pods become Running and Ready (the ones named, or all). */
async function kubelet(h: ControllerTestHarness, only?: readonly string[]): Promise<void> {
  for (const pod of await pods(h)) {
    if (only !== undefined && !only.includes(pod.metadata?.name ?? '')) continue;
    if (pod.metadata?.deletionTimestamp != null || (pod.status?.phase ?? 'Pending') !== 'Pending') continue;
    await h.store.updateStatus<Pod>(PODS, { ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: formatRfc3339(h.clock.now()) }] } });
  }
}

async function harness(t: Test, seed = 1, faults = {}): Promise<ControllerTestHarness> {
  const h = new ControllerTestHarness({ controllers: [statefulSetController], seed, faults });
  t.teardown(() => h.stop());
  await h.start();
  return h;
}

void t.test('OrderedReady: pods created one at a time, each ready before the next, with stable identity', async (t) => {
  const h = await harness(t);
  await h.store.create(STATEFULSET_RESOURCE, newSet({}));
  await h.advance(1_000);
  t.same(await names(h), ['web-0'], 'only web-0 until it is ready');
  await h.advance(5_000);
  t.same(await names(h), ['web-0']);
  await kubelet(h);
  await h.advance(1_000);
  t.same(await names(h), ['web-0', 'web-1']);
  await kubelet(h);
  await h.advance(1_000);
  await kubelet(h);
  await h.advance(1_000);
  const ps = await pods(h);
  t.same(ps.map((p) => p.metadata?.name), ['web-0', 'web-1', 'web-2']);
  const set = await getSet(h);
  for (const [i, pod] of ps.entries()) {
    t.equal(pod.metadata?.labels?.[STATEFULSET_POD_NAME_LABEL], `web-${i}`);
    t.equal(pod.metadata?.labels?.[POD_INDEX_LABEL], String(i));
    t.equal(pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL], set.status?.updateRevision);
    t.equal(pod.spec?.hostname, `web-${i}`);
    t.equal(pod.spec?.subdomain, 'nginx');
  }
  t.match(set.status, { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, observedGeneration: 1 });
  t.equal(set.status?.currentRevision, set.status?.updateRevision);
  t.match(set.status?.updateRevision, /^web-[a-z0-9]+$/);
  t.same(
    h.events.events.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message),
    ['create Pod web-0 in StatefulSet web successful', 'create Pod web-1 in StatefulSet web successful', 'create Pod web-2 in StatefulSet web successful'],
  );

  // A failed pod is deleted and recreated under the same name.
  const failed = ps[1]!;
  await h.store.updateStatus<Pod>(PODS, { ...failed, status: { phase: 'Failed' } });
  await h.advance(1_000);
  const again = (await pods(h)).find((p) => p.metadata?.name === 'web-1');
  t.ok(again, 'web-1 exists again');
  t.not(again?.metadata?.uid, failed.metadata?.uid, 'as a new pod');
  await kubelet(h);

  // Scale down: from the highest ordinal, one at a time.
  const current = await getSet(h);
  await h.store.update(STATEFULSET_RESOURCE, { ...current, spec: { ...current.spec!, replicas: 1 } });
  await h.advance(2_000);
  t.same(await names(h), ['web-0']);
  const deletes = h.events.events.filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message);
  t.same(
    deletes,
    ['delete Pod web-1 in StatefulSet web successful', 'delete Pod web-2 in StatefulSet web successful', 'delete Pod web-1 in StatefulSet web successful'],
    'the failed pod, then the condemned ones from the highest ordinal',
  );
});

void t.test('Parallel: all pods at once, and scale-down all at once', async (t) => {
  const h = await harness(t);
  await h.store.create(STATEFULSET_RESOURCE, newSet({ podManagementPolicy: 'Parallel', replicas: 4 }));
  await h.advance(1_000);
  t.same(await names(h), ['web-0', 'web-1', 'web-2', 'web-3']);
  const current = await getSet(h);
  await h.store.update(STATEFULSET_RESOURCE, { ...current, spec: { ...current.spec!, replicas: 1 } });
  await h.advance(1_000);
  t.same(await names(h), ['web-0']);
});

void t.test('RollingUpdate from the highest ordinal down to the partition; OnDelete waits for deletes', async (t) => {
  const h = await harness(t);
  await h.store.create(STATEFULSET_RESOURCE, newSet({}));
  for (let i = 0; i < 4; i++) {
    await h.advance(1_000);
    await kubelet(h);
  }
  const before = await getSet(h);
  const oldRevision = before.status?.updateRevision;
  const withPartition = newSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, 'nginx:2').spec!;
  await h.store.update(STATEFULSET_RESOURCE, { ...before, spec: withPartition });
  await h.advance(1_000);
  let ps = await pods(h);
  t.same(ps.map((p) => p.spec?.containers[0]?.image), ['nginx:1', 'nginx:1', 'nginx:2'], 'web-2 replaced first');
  t.equal(ps.find((p) => p.metadata?.name === 'web-2')?.spec?.containers[0]?.image, 'nginx:2');
  t.equal(ps.find((p) => p.metadata?.name === 'web-1')?.spec?.containers[0]?.image, 'nginx:1', 'waits for web-2 to be ready');
  await kubelet(h);
  await h.advance(1_000);
  await h.advance(1_000);
  await kubelet(h);
  await h.advance(2_000);
  ps = await pods(h);
  t.same(ps.map((p) => p.spec?.containers[0]?.image), ['nginx:1', 'nginx:2', 'nginx:2'], 'partition 1 keeps web-0');
  let set = await getSet(h);
  t.equal(set.status?.currentRevision, oldRevision);
  t.equal(set.status?.updatedReplicas, 2);
  t.equal(set.status?.currentReplicas, 1);

  // A failed partitioned pod comes back at the current (old) revision.
  await h.store.updateStatus<Pod>(PODS, { ...ps[0]!, status: { phase: 'Failed' } });
  await h.advance(2_000);
  ps = await pods(h);
  t.equal(ps[0]?.spec?.containers[0]?.image, 'nginx:1', 'recreated from the old template');
  t.equal(ps[0]?.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL], oldRevision);
  await kubelet(h);

  // Partition 0 finishes the rollout and makes the update revision current.
  set = await getSet(h);
  await h.store.update(STATEFULSET_RESOURCE, { ...set, spec: { ...set.spec!, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } } });
  for (let i = 0; i < 3; i++) {
    await h.advance(1_000);
    await kubelet(h);
  }
  set = await getSet(h);
  t.same((await pods(h)).map((p) => p.spec?.containers[0]?.image), ['nginx:2', 'nginx:2', 'nginx:2']);
  t.equal(set.status?.currentRevision, set.status?.updateRevision, 'rollout complete');

  // OnDelete: a template change touches nothing until a pod is deleted.
  const onDelete = newSet({ updateStrategy: { type: 'OnDelete' } }, 'nginx:3').spec!;
  await h.store.update(STATEFULSET_RESOURCE, { ...set, spec: onDelete });
  await h.advance(2_000);
  t.same((await pods(h)).map((p) => p.spec?.containers[0]?.image), ['nginx:2', 'nginx:2', 'nginx:2']);
  await h.store.delete({ ...PODS, namespace: NS, name: 'web-1' });
  await h.advance(1_000);
  t.same((await pods(h)).map((p) => p.spec?.containers[0]?.image), ['nginx:2', 'nginx:3', 'nginx:2']);
});

for (const seed of [1, 2, 3]) {
  void t.test(`a StatefulSet converges despite watch faults and a restart (seed ${seed})`, async (t) => {
    const h = await harness(t, seed, { dropProbability: 0.2, duplicateProbability: 0.2, reorderProbability: 0.3 });
    await h.store.create(STATEFULSET_RESOURCE, newSet({ replicas: 4 }));
    for (let i = 0; i < 4; i++) {
      await h.advance(2_000);
      await kubelet(h);
    }
    const set = await getSet(h);
    await h.store.update(STATEFULSET_RESOURCE, { ...set, spec: newSet({ replicas: 5 }, 'nginx:2').spec! });
    await h.advance(2_000);
    await h.restart();
    for (let i = 0; i < 4; i++) {
      await h.advance(2_000);
      await kubelet(h);
    }
    await h.heal();
    const ok = await h.runUntil(
      async () => {
        await kubelet(h);
        const ps = await pods(h);
        const s = await getSet(h);
        return (
          ps.length === 5 &&
          ps.every((p, i) => p.metadata?.name === `web-${i}` && p.spec?.containers[0]?.image === 'nginx:2' && p.status?.phase === 'Running') &&
          s.status?.readyReplicas === 5 &&
          s.status.updatedReplicas === 5 &&
          s.status.currentRevision === s.status.updateRevision &&
          s.status.observedGeneration === s.metadata?.generation
        );
      },
      { maxMs: 10 * 60_000, stepMs: 5_000 },
    );
    t.ok(ok, `converged (seed ${seed})`);
  });
}
