// A worker killed with SIGKILL: after the node monitor grace period its Node's Ready condition
// goes Unknown and it is tainted unreachable (NoExecute); its pods are evicted once their
// default toleration (a few seconds here) runs out; the ReplicaSet replaces them on the other
// worker, where they run.
import t from 'tap';
import type { Node, Pod } from '../../../core/index.js';
import { ControllerCluster, isPodRunningReady, NODES } from './controller-cluster.js';

const MASTER_ARGS = ['--node-monitor-grace-period=4', '--default-not-ready-toleration-seconds=3', '--default-unreachable-toleration-seconds=3'];
const WORKER_ARGS = ['--node-lease-duration-seconds=2'];
const UNREACHABLE = 'node.kubernetes.io/unreachable';

void t.test('a dead worker goes Unknown, is tainted, its pods are evicted and replaced elsewhere', async (t) => {
  const cluster = await ControllerCluster.start(t, { workers: ['w1', 'w2'], masterArgs: MASTER_ARGS, workerArgs: WORKER_ARGS });
  await cluster.kubectlOk(['create', 'deployment', 'web', '--image=flotilla/echo', '--replicas=2']);
  const pods = await cluster.waitFor('2 Running web pods', async () => {
    const p = await cluster.pods('app=web');
    return p.length === 2 && p.every(isPodRunningReady) ? p : undefined;
  });
  const tolerations = pods[0]!.spec?.tolerations ?? [];
  t.ok(tolerations.some((x) => x.key === UNREACHABLE && x.effect === 'NoExecute' && x.tolerationSeconds === 3), 'admission gave the pods the short unreachable toleration');

  const victim = pods[0]!.spec!.nodeName!;
  const survivor = victim === 'w1' ? 'w2' : 'w1';
  const victimPods = new Set(pods.filter((p) => p.spec?.nodeName === victim).map((p) => p.metadata?.name));
  await cluster.killWorker(victim, 'SIGKILL');

  let node: Node | undefined;
  await cluster.waitFor(() => `${victim} Ready=Unknown (last: ${JSON.stringify(node?.status?.conditions)})`, async () => {
    node = await cluster.client.get<Node>({ ...NODES, name: victim });
    return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' ? true : undefined;
  }, 30_000);
  t.pass(`${victim} is NotReady with status Unknown`);
  await cluster.waitFor(() => `${victim} tainted unreachable (last: ${JSON.stringify(node?.spec?.taints)})`, async () => {
    node = await cluster.client.get<Node>({ ...NODES, name: victim });
    return node.spec?.taints?.some((x) => x.key === UNREACHABLE && x.effect === 'NoExecute') === true ? true : undefined;
  }, 30_000);
  t.ok(node?.spec?.taints?.some((x) => x.key === UNREACHABLE && x.effect === 'NoSchedule'), 'and unreachable:NoSchedule');

  let last: Pod[] = [];
  await cluster.waitFor(() => `the pods of ${victim} evicted (last: ${JSON.stringify(last.map((p) => [p.metadata?.name, p.spec?.nodeName, p.metadata?.deletionTimestamp]))})`, async () => {
    last = await cluster.pods('app=web');
    return last.every((p) => !victimPods.has(p.metadata?.name) || p.metadata?.deletionTimestamp !== undefined) ? true : undefined;
  }, 30_000);
  t.pass(`the pods on ${victim} were deleted after their toleration`);

  const replaced = await cluster.waitFor(() => `2 Running web pods on ${survivor} (last: ${JSON.stringify(last.map((p) => [p.metadata?.name, p.spec?.nodeName, p.status?.phase]))})`, async () => {
    last = (await cluster.pods('app=web')).filter((p) => p.metadata?.deletionTimestamp === undefined);
    return last.length === 2 && last.every((p) => isPodRunningReady(p) && p.spec?.nodeName === survivor) ? last : undefined;
  }, 60_000);
  t.equal(replaced.length, 2, `the ReplicaSet replaced them on ${survivor}`);
});
