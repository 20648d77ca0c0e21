// A Deployment driven by the real kubectl on a real cluster (1 master, 2 workers): created, rolled
// forward (set image), back (rollout undo), restarted and scaled, with rollout status/history; its
// pods run on the workers; old ReplicaSets end at 0 replicas; deleting it deletes its ReplicaSets
// and pods (garbage collector).
import t from 'tap';
import type { Deployment, Pod, ReplicaSet } from '../../../core/index.js';
import { ControllerCluster, DEPLOYMENTS, isPodRunningReady, NAMESPACE, REPLICASETS } from './controller-cluster.js';

const WORKERS = ['w1', 'w2'];

async function replicaSets(cluster: ControllerCluster): Promise<ReplicaSet[]> {
  return (await cluster.client.list<ReplicaSet>(REPLICASETS, { namespace: NAMESPACE, labelSelector: 'app=web' })).items;
}

/** The web pods once exactly `count` are Running and Ready with `image` and none other exists. */
async function waitForWebPods(cluster: ControllerCluster, count: number, image: string): Promise<Pod[]> {
  let last: Pod[] = [];
  return cluster.waitFor(
    () => `${count} Running web pods of ${image} (last: ${JSON.stringify(last.map((p) => [p.metadata?.name, p.spec?.nodeName, p.spec?.containers[0]?.image, p.status?.phase]))})`,
    async () => {
      last = await cluster.pods('app=web');
      const ok = last.length === count && last.every((p) => isPodRunningReady(p) && p.spec?.containers[0]?.image === image);
      return ok ? last : undefined;
    },
    60_000,
  );
}

void t.test('kubectl rolls a Deployment forward and back, restarts, scales and deletes it', async (t) => {
  const cluster = await ControllerCluster.start(t, { workers: WORKERS });

  await cluster.kubectlOk(['create', 'deployment', 'web', '--image=flotilla/echo:v1', '--replicas=2']);
  await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  let pods = await waitForWebPods(cluster, 2, 'flotilla/echo:v1');
  t.ok(pods.every((p) => WORKERS.includes(p.spec?.nodeName ?? '')), 'the scheduler bound every pod to a worker');

  await cluster.kubectlOk(['set', 'image', 'deployment/web', '*=flotilla/echo:v2']);
  const status = await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  t.match(status, /successfully rolled out/, 'rollout status reports the new revision rolled out');
  pods = await waitForWebPods(cluster, 2, 'flotilla/echo:v2');
  let sets = await replicaSets(cluster);
  t.equal(sets.length, 2, 'one ReplicaSet per template');
  const old = sets.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'flotilla/echo:v1');
  t.equal(old?.spec?.replicas, 0, 'the old ReplicaSet is scaled to 0');
  t.equal(old?.status?.replicas ?? 0, 0, 'and has no pods left');

  const history = await cluster.kubectlOk(['rollout', 'history', 'deployment/web']);
  t.match(history, /REVISION/, 'rollout history prints a table');
  t.match(history, /^1\s/m, 'revision 1 is listed');
  t.match(history, /^2\s/m, 'revision 2 is listed');

  await cluster.kubectlOk(['rollout', 'undo', 'deployment/web']);
  await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  await waitForWebPods(cluster, 2, 'flotilla/echo:v1');
  sets = await replicaSets(cluster);
  t.equal(sets.length, 2, 'undo reuses the v1 ReplicaSet');
  const deployment = await cluster.client.get<Deployment>({ ...DEPLOYMENTS, namespace: NAMESPACE, name: 'web' });
  t.equal(deployment.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3', 'undo makes revision 3');
  t.equal(sets.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'flotilla/echo:v2')?.spec?.replicas, 0, 'the v2 ReplicaSet is scaled to 0');

  const before = new Set((await cluster.pods('app=web')).map((p) => p.metadata?.name));
  await cluster.kubectlOk(['rollout', 'restart', 'deployment/web']);
  await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  pods = await waitForWebPods(cluster, 2, 'flotilla/echo:v1');
  t.ok(pods.every((p) => !before.has(p.metadata?.name)), 'restart replaced every pod');
  t.equal((await replicaSets(cluster)).length, 3, 'restart made a new ReplicaSet');

  await cluster.kubectlOk(['scale', 'deployment/web', '--replicas=3']);
  await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  pods = await waitForWebPods(cluster, 3, 'flotilla/echo:v1');
  t.equal(pods.length, 3, 'scaled to 3 Running pods');
  const ready = await cluster.kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}/{.status.replicas}/{.status.updatedReplicas}']);
  t.equal(ready, '3/3/3', 'the Deployment status counts 3 ready, total, updated');

  await cluster.kubectlOk(['delete', 'deployment', 'web']);
  await cluster.waitFor('the ReplicaSets and pods of web to be deleted', async () => ((await replicaSets(cluster)).length === 0 && (await cluster.pods('app=web')).length === 0 ? true : undefined), 60_000);
  t.pass('deleting the Deployment deleted its ReplicaSets and pods');
});
