// The Deployment reconciler with the ReplicaSet reconciler and a stand-in kubelet, against the
// in-memory client: rollouts within maxSurge/maxUnavailable at every step, Recreate ordering,
// pause/resume, undo reusing the old ReplicaSet, history clean-up, progress deadline, resizing.
import t from 'tap';
import type { Deployment, Pod, ReplicaSet } from '../../../core/index.js';
import { applyDefaults } from '../../../core/index.js';
import { deploymentController, computePodTemplateHash, templatesEqualIgnoringHash } from '../../../actors/index.js';
import { replicaSetController } from '../../../actors/index.js';
import { Bed, DEPLOYMENTS, REPLICASETS, settle } from '../controllers-replicaset/harness.js';

const NS = 'default';

interface DeploymentOptions {
  replicas?: number;
  strategy?: Deployment['spec'] extends infer S ? (S extends { strategy?: infer X } ? X : never) : never;
  image?: string;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  minReadySeconds?: number;
}

function deployment(name: string, o: DeploymentOptions = {}): Deployment {
  const spec: Record<string, unknown> = {
    replicas: o.replicas ?? 3,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:1' }] } },
  };
  if (o.strategy !== undefined) spec['strategy'] = o.strategy;
  if (o.revisionHistoryLimit !== undefined) spec['revisionHistoryLimit'] = o.revisionHistoryLimit;
  if (o.progressDeadlineSeconds !== undefined) spec['progressDeadlineSeconds'] = o.progressDeadlineSeconds;
  if (o.minReadySeconds !== undefined) spec['minReadySeconds'] = o.minReadySeconds;
  const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS }, spec };
  return applyDefaults({ group: 'apps', version: 'v1', kind: 'Deployment' }, object as unknown as Deployment);
}

async function setup(): Promise<Bed> {
  const bed = new Bed([replicaSetController, deploymentController]);
  await bed.start();
  return bed;
}

async function getDeployment(bed: Bed, name: string): Promise<Deployment> {
  return bed.store.get<Deployment>({ ...DEPLOYMENTS, namespace: NS, name });
}

async function replicaSets(bed: Bed): Promise<ReplicaSet[]> {
  return (await bed.store.list<ReplicaSet>(REPLICASETS, { namespace: NS })).items;
}

async function activePods(bed: Bed): Promise<Pod[]> {
  return (await bed.pods(NS)).filter((p) => p.metadata?.deletionTimestamp == null);
}

/** Runs both controllers over every object until a round writes nothing. */
async function converge(bed: Bed, check?: () => Promise<void>, rounds = 40): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const before = bed.store.resourceVersion;
    for (const d of (await bed.store.list<Deployment>(DEPLOYMENTS, { namespace: NS })).items) await bed.reconcile('deployment', NS, d.metadata?.name ?? '');
    if (check !== undefined) await check();
    for (const rs of await replicaSets(bed)) await bed.reconcile('replicaset', NS, rs.metadata?.name ?? '');
    if (check !== undefined) await check();
    if (bed.store.resourceVersion === before) return;
  }
  throw new Error(`no convergence in ${rounds} rounds`);
}

/** Converges, then marks pods ready one at a time (converging after each) until all are ready. */
async function rollOut(bed: Bed, check?: () => Promise<void>): Promise<void> {
  await converge(bed, check);
  for (let i = 0; i < 100; i++) {
    const pending = (await activePods(bed)).find((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') !== true);
    if (pending === undefined) return;
    await bed.makePodReady(pending);
    await settle();
    await converge(bed, check);
  }
  throw new Error('rollout did not finish');
}

async function updateTemplate(bed: Bed, name: string, image: string, annotations?: Record<string, string>): Promise<void> {
  const d = await getDeployment(bed, name);
  const template = structuredClone(d.spec!.template);
  template.spec!.containers[0]!.image = image;
  const metadata = annotations === undefined ? d.metadata : { ...d.metadata, annotations: { ...d.metadata?.annotations, ...annotations } };
  await bed.store.update(DEPLOYMENTS, { ...d, metadata, spec: { ...d.spec!, template } });
  await settle();
}

function condition(d: Deployment, type: string): { status: string; reason?: string } | undefined {
  return d.status?.conditions?.find((c) => c.type === type);
}

void t.test('first rollout: a hashed ReplicaSet with revision 1, pods, status and conditions', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  const created = await bed.store.create(DEPLOYMENTS, deployment('web', { replicas: 3 }));
  await settle();
  await rollOut(bed);
  const [rs, ...others] = await replicaSets(bed);
  t.equal(others.length, 0);
  const hash = computePodTemplateHash(created.spec!.template, undefined);
  t.equal(rs?.metadata?.name, `web-${hash}`);
  t.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  t.same(rs?.spec?.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  t.equal(rs?.spec?.template?.metadata?.labels?.['pod-template-hash'], hash);
  t.same(rs?.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: created.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
  t.equal(rs?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
  t.equal(rs?.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
  t.equal(rs?.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
  const d = await getDeployment(bed, 'web');
  t.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
  t.equal(d.metadata?.generation, 1, 'the revision annotation went through status: no generation bump');
  t.match(d.status, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0 });
  t.match(condition(d, 'Available'), { status: 'True', reason: 'MinimumReplicasAvailable' });
  t.match(condition(d, 'Progressing'), { status: 'True', reason: 'NewReplicaSetAvailable' });
  t.same(bed.eventsFor('ScalingReplicaSet'), [`Scaled up replica set web-${hash} from 0 to 3`]);
  t.equal((await activePods(bed)).length, 3);
  t.end();
});

void t.test('rolling update stays within maxSurge and maxUnavailable at every step', async (t) => {
  for (const [surge, unavailable] of [
    [1, 0],
    [0, 1],
    ['50%', '25%'],
  ] as const) {
    const bed = await setup();
    await bed.store.create(DEPLOYMENTS, deployment('web', { replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } }));
    await settle();
    await rollOut(bed);
    await updateTemplate(bed, 'web', 'nginx:2');
    const maxSurgeCount = typeof surge === 'number' ? surge : 2;
    const maxUnavailableCount = typeof unavailable === 'number' ? unavailable : 1;
    let worstTotal = 0;
    let worstAvailable = Infinity;
    await rollOut(bed, async () => {
      const pods = await activePods(bed);
      const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
      worstTotal = Math.max(worstTotal, pods.length);
      worstAvailable = Math.min(worstAvailable, ready.length);
    });
    t.ok(worstTotal <= 4 + maxSurgeCount, `surge ${surge}: at most ${4 + maxSurgeCount} pods (saw ${worstTotal})`);
    t.ok(worstAvailable >= 4 - maxUnavailableCount, `unavailable ${unavailable}: at least ${4 - maxUnavailableCount} ready (saw ${worstAvailable})`);
    const pods = await activePods(bed);
    t.equal(pods.length, 4);
    t.ok(pods.every((p) => p.spec?.containers[0]?.image === 'nginx:2'), 'all pods updated');
    const sets = await replicaSets(bed);
    t.equal(sets.length, 2);
    t.same(sets.map((rs) => rs.spec?.replicas).sort(), [0, 4]);
    const d = await getDeployment(bed, 'web');
    t.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    t.match(d.status, { updatedReplicas: 4, replicas: 4, availableReplicas: 4 });
    t.match(condition(d, 'Progressing'), { reason: 'NewReplicaSetAvailable' });
    bed.stop();
  }
  t.end();
});

void t.test('Recreate scales the old ReplicaSet to zero and waits for its pods before creating the new one', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(DEPLOYMENTS, deployment('web', { replicas: 2, strategy: { type: 'Recreate' } }));
  await settle();
  await rollOut(bed);
  await updateTemplate(bed, 'web', 'nginx:2');
  let overlap = false;
  await rollOut(bed, async () => {
    const images = new Set((await activePods(bed)).map((p) => p.spec?.containers[0]?.image));
    if (images.has('nginx:1') && images.has('nginx:2')) overlap = true;
  });
  t.notOk(overlap, 'never old and new pods at once');
  const pods = await activePods(bed);
  t.same(pods.map((p) => p.spec?.containers[0]?.image), ['nginx:2', 'nginx:2']);
  t.end();
});

void t.test('Recreate does not create the new ReplicaSet while an old pod is still terminating', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(DEPLOYMENTS, deployment('web', { replicas: 1, strategy: { type: 'Recreate' } }));
  await settle();
  await rollOut(bed);
  const [old] = await activePods(bed);
  await bed.store.patch({ group: '', version: 'v1', resource: 'pods', namespace: NS, name: old!.metadata?.name ?? '' }, 'merge', { metadata: { finalizers: ['test/hold'] } });
  await updateTemplate(bed, 'web', 'nginx:2');
  await converge(bed);
  t.equal((await replicaSets(bed)).length, 1, 'no new ReplicaSet while the old pod exists');
  await bed.store.patch({ group: '', version: 'v1', resource: 'pods', namespace: NS, name: old!.metadata?.name ?? '' }, 'merge', { metadata: { finalizers: null } });
  await settle();
  t.same(deploymentController.watches[1]!.mapToRequests(old!, bed.context), [{ namespace: NS, name: 'web' }], 'pod changes reach the Recreate deployment');
  await rollOut(bed);
  t.equal((await replicaSets(bed)).length, 2);
  t.same((await activePods(bed)).map((p) => p.spec?.containers[0]?.image), ['nginx:2']);
  t.end();
});

void t.test('pause stops rollout progress but applies scaling; resume continues', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(DEPLOYMENTS, deployment('web', { replicas: 2 }));
  await settle();
  await rollOut(bed);
  let d = await getDeployment(bed, 'web');
  await bed.store.update(DEPLOYMENTS, { ...d, spec: { ...d.spec!, paused: true } });
  await settle();
  await updateTemplate(bed, 'web', 'nginx:2');
  await rollOut(bed);
  t.equal((await replicaSets(bed)).length, 1, 'no new ReplicaSet while paused');
  d = await getDeployment(bed, 'web');
  t.match(condition(d, 'Progressing'), { status: 'Unknown', reason: 'DeploymentPaused' });
  await bed.store.update(DEPLOYMENTS, { ...d, spec: { ...d.spec!, replicas: 3 } });
  await settle();
  await rollOut(bed);
  t.equal((await activePods(bed)).length, 3, 'scaling applies while paused');
  d = await getDeployment(bed, 'web');
  await bed.store.update(DEPLOYMENTS, { ...d, spec: { ...d.spec!, paused: false } });
  await settle();
  await bed.reconcile('deployment', NS, 'web');
  t.match(condition(await getDeployment(bed, 'web'), 'Progressing'), { reason: /DeploymentResumed|NewReplicaSetCreated|ReplicaSetUpdated/ });
  await rollOut(bed);
  t.same((await activePods(bed)).map((p) => p.spec?.containers[0]?.image), ['nginx:2', 'nginx:2', 'nginx:2']);
  t.end();
});

void t.test('undo to a previous revision reuses its ReplicaSet with a new revision and history', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(DEPLOYMENTS, deployment('web', { replicas: 2 }));
  await settle();
  await rollOut(bed);
  await updateTemplate(bed, 'web', 'nginx:2', { 'kubernetes.io/change-cause': 'upgrade to 2' });
  await rollOut(bed);
  const before = await replicaSets(bed);
  t.equal(before.length, 2);
  const rev1 = before.find((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1')!;
  const rev2 = before.find((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2')!;
  t.equal(rev2.metadata?.annotations?.['kubernetes.io/change-cause'], 'upgrade to 2', 'change-cause copied for rollout history');
  // kubectl rollout undo (1.32): the old ReplicaSet's template, without its hash label, patched in.
  const template = structuredClone(rev1.spec!.template!);
  delete template.metadata!.labels!['pod-template-hash'];
  await bed.store.patch({ ...DEPLOYMENTS, namespace: NS, name: 'web' }, 'json', [{ op: 'replace', path: '/spec/template', value: template }]);
  await settle();
  await rollOut(bed);
  const after = await replicaSets(bed);
  t.equal(after.length, 2, 'no third ReplicaSet');
  const reused = after.find((rs) => rs.metadata?.uid === rev1.metadata?.uid)!;
  t.equal(reused.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  t.equal(reused.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  t.equal(reused.spec?.replicas, 2);
  t.equal((await getDeployment(bed, 'web')).metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  t.same((await activePods(bed)).map((p) => p.spec?.containers[0]?.image), ['nginx:1', 'nginx:1']);
  t.ok(templatesEqualIgnoringHash(reused.spec?.template, (await getDeployment(bed, 'web')).spec?.template));
  t.end();
});

void t.test('rollout restart: a restartedAt template annotation makes a new ReplicaSet', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(DEPLOYMENTS, deployment('web', { replicas: 1 }));
  await settle();
  await rollOut(bed);
  await bed.store.patch({ ...DEPLOYMENTS, namespace: NS, name: 'web' }, 'strategic', { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' } } } } });
  await settle();
  await rollOut(bed);
  t.equal((await replicaSets(bed)).length, 2);
  t.equal((await activePods(bed))[0]?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], '2024-05-01T10:00:00Z');
  t.end();
});

void t.test('revisionHistoryLimit deletes the oldest scaled-down ReplicaSets', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(DEPLOYMENTS, deployment('web', { replicas: 1, revisionHistoryLimit: 1 }));
  await settle();
  await rollOut(bed);
  for (const image of ['nginx:2', 'nginx:3', 'nginx:4']) {
    await updateTemplate(bed, 'web', image);
    await rollOut(bed);
  }
  const sets = await replicaSets(bed);
  t.same(sets.map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort(), ['3', '4'], 'the current and one old revision');
  t.end();
});

void t.test('progress deadline exceeded when the new pods never become ready', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(DEPLOYMENTS, deployment('web', { replicas: 1, progressDeadlineSeconds: 60 }));
  await settle();
  await rollOut(bed);
  await updateTemplate(bed, 'web', 'nginx:broken');
  await converge(bed);
  const result = await bed.reconcile('deployment', NS, 'web');
  t.ok(result !== undefined && result.requeueAfterMs !== undefined && result.requeueAfterMs <= 60_001, `requeued for the deadline (${JSON.stringify(result)})`);
  t.match(condition(await getDeployment(bed, 'web'), 'Progressing'), { status: 'True' });
  bed.clock.advance(result?.requeueAfterMs ?? 0);
  await bed.reconcile('deployment', NS, 'web');
  const d = await getDeployment(bed, 'web');
  t.match(condition(d, 'Progressing'), { status: 'False', reason: 'ProgressDeadlineExceeded' });
  t.same(await bed.reconcile('deployment', NS, 'web'), {}, 'no more requeues once timed out');
  t.end();
});

void t.test('resizing mid-rollout scales the ReplicaSets proportionally', async (t) => {
  const bed = await setup();
  t.teardown(() => bed.stop());
  await bed.store.create(DEPLOYMENTS, deployment('web', { replicas: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
  await settle();
  await rollOut(bed);
  await updateTemplate(bed, 'web', 'nginx:2');
  await converge(bed); // new pods never become ready: the rollout is stuck midway
  const mid = await replicaSets(bed);
  const sizes = (sets: ReplicaSet[]): number[] => sets.map((rs) => rs.spec?.replicas ?? 0);
  t.same(sizes(mid).reduce((a, b) => a + b, 0), 13, 'desired + maxSurge');
  const d = await getDeployment(bed, 'web');
  await bed.store.update(DEPLOYMENTS, { ...d, spec: { ...d.spec!, replicas: 20 } });
  await settle();
  await bed.reconcile('deployment', NS, 'web');
  const after = await replicaSets(bed);
  t.equal(sizes(after).reduce((a, b) => a + b, 0), 23, 'new desired + maxSurge');
  for (const rs of mid) {
    const now = after.find((x) => x.metadata?.uid === rs.metadata?.uid)!;
    const was = rs.spec?.replicas ?? 0;
    t.ok(Math.abs((now.spec?.replicas ?? 0) - Math.round((was * 23) / 13)) <= 1, `${rs.metadata?.name ?? ''}: ${was} → ${now.spec?.replicas ?? 0}, proportional`);
  }
  t.match(bed.eventsFor('ScalingReplicaSet').at(-1), /^Scaled up replica set web-/);
  t.end();
});
