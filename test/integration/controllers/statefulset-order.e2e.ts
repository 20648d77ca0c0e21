// A StatefulSet `web` of 2 on a real cluster: web-0 is Running and Ready before web-1 is created
// (OrderedReady); scaled to 0 it deletes web-1, and only once web-1 is gone web-0. The order is
// read from a watch on the pods, whose events come in the store's revision order.
import t from 'tap';
import type { Pod, ResourceWatchEvent, StatefulSet } from '../../../core/index.js';
import { ControllerCluster, isPodRunningReady, NAMESPACE, PODS } from './controller-cluster.js';

const STATEFULSETS = { group: 'apps', version: 'v1', resource: 'statefulsets' } as const;
const MANIFEST = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 8080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: echo
        image: flotilla/echo
        readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1}
`;

interface Seen {
  readonly type: string;
  readonly name: string;
  readonly ready: boolean;
  readonly deleting: boolean;
}

void t.test('a StatefulSet creates in order and scales down from the highest ordinal', async (t) => {
  const cluster = await ControllerCluster.start(t, { workers: ['w1'] });
  const seen: Seen[] = [];
  const watch = cluster.client.watch(PODS, { namespace: NAMESPACE, labelSelector: 'app=web', resourceVersion: '0' }, (events: readonly ResourceWatchEvent[]) => {
    for (const e of events) {
      if (e.type === 'ERROR' || e.type === 'BOOKMARK') continue;
      const pod = e.object as Pod;
      seen.push({ type: e.type, name: pod.metadata?.name ?? '', ready: isPodRunningReady(pod), deleting: pod.metadata?.deletionTimestamp !== undefined });
    }
  }, () => undefined);
  t.teardown(() => watch.stop());

  await cluster.kubectlOk(['apply', '-f', '-'], MANIFEST);
  await cluster.kubectlOk(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
  const pods = await cluster.waitFor('web-0 and web-1 Running and Ready', async () => {
    const p = await cluster.pods('app=web');
    return p.length === 2 && p.every(isPodRunningReady) ? p : undefined;
  });
  t.same(pods.map((p) => p.metadata?.name).sort(), ['web-0', 'web-1'], 'the pods are web-0 and web-1');
  t.equal(pods.find((p) => p.metadata?.name === 'web-1')?.spec?.hostname, 'web-1', 'each pod has its stable hostname');

  const firstWeb1 = seen.findIndex((s) => s.name === 'web-1');
  const web0ReadyAt = seen.findIndex((s) => s.name === 'web-0' && s.ready);
  t.ok(web0ReadyAt >= 0 && firstWeb1 > web0ReadyAt, 'web-0 was Running and Ready before web-1 was created', { events: seen.slice(0, 12) });

  await cluster.kubectlOk(['scale', 'statefulset/web', '--replicas=0']);
  await cluster.waitFor('every web pod gone', async () => ((await cluster.pods('app=web')).length === 0 ? true : undefined), 60_000);
  const web1Deleting = seen.findIndex((s) => s.name === 'web-1' && s.deleting);
  const web1Gone = seen.findIndex((s) => s.name === 'web-1' && s.type === 'DELETED');
  const web0Deleting = seen.findIndex((s) => s.name === 'web-0' && (s.deleting || s.type === 'DELETED'));
  t.ok(web1Deleting >= 0 && web0Deleting > web1Deleting, 'web-1 was deleted first');
  t.ok(web1Gone >= 0 && web0Deleting > web1Gone, 'web-0 was deleted only once web-1 was gone');
  const sts = await cluster.client.get<StatefulSet>({ ...STATEFULSETS, namespace: NAMESPACE, name: 'web' });
  t.equal(sts.status?.replicas ?? 0, 0, 'status.replicas is 0');
});
