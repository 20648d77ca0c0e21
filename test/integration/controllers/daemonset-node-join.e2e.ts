// A DaemonSet follows the nodes: with one worker it runs one pod there; when a second worker
// joins, a daemon pod is created for it and runs there.
import t from 'tap';
import type { DaemonSet, Pod } from '../../../core/index.js';
import { ControllerCluster, isPodRunningReady, NAMESPACE } from './controller-cluster.js';

const DAEMONSETS = { group: 'apps', version: 'v1', resource: 'daemonsets' } as const;
const MANIFEST = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: flotilla/sleep}]
`;

async function runningOn(cluster: ControllerCluster, nodes: readonly string[]): Promise<Pod[]> {
  let last: Pod[] = [];
  return cluster.waitFor(
    () => `a Running agent pod on each of ${nodes.join(', ')} (last: ${JSON.stringify(last.map((p) => [p.metadata?.name, p.spec?.nodeName, p.status?.phase]))})`,
    async () => {
      last = await cluster.pods('app=agent');
      const ok = last.length === nodes.length && nodes.every((n) => last.some((p) => isPodRunningReady(p) && p.spec?.nodeName === n));
      return ok ? last : undefined;
    },
    60_000,
  );
}

void t.test('a DaemonSet puts a pod on a node that joins', async (t) => {
  const cluster = await ControllerCluster.start(t, { workers: ['w1'] });
  await cluster.kubectlOk(['apply', '-f', '-'], MANIFEST);
  await runningOn(cluster, ['w1']);
  t.pass('one daemon pod on w1');

  await cluster.startWorker('w2');
  const pods = await runningOn(cluster, ['w1', 'w2']);
  t.equal(pods.length, 2, 'a daemon pod was added for w2, and only that');
  const ds = await cluster.waitFor('the DaemonSet status to count 2 ready', async () => {
    const d = await cluster.client.get<DaemonSet>({ ...DAEMONSETS, namespace: NAMESPACE, name: 'agent' });
    return d.status?.numberReady === 2 ? d : undefined;
  }, 30_000);
  t.equal(ds.status?.desiredNumberScheduled, 2, 'desiredNumberScheduled is 2');
  t.equal(ds.status?.currentNumberScheduled, 2, 'currentNumberScheduled is 2');
  const rollout = await cluster.kubectlOk(['rollout', 'status', 'daemonset/agent', '--timeout=30s']);
  t.match(rollout, /successfully rolled out/, 'kubectl rollout status agrees');
});
