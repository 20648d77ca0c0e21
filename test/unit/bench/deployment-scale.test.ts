import t from 'tap';
import type { Deployment, Pod, ResourceClient } from '../../../core/index.js';
import { InMemoryResourceClient } from '../../../core/index.js';
import { DEPLOYMENT_SCALE_LABEL, measureDeploymentScale } from '../../../bench/index.js';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments' } as const;

/**
 * Stands in for the controllers, the scheduler and the kubelets: when a Deployment asks for more
 * replicas, creates its pods, binds them, marks them Running and, with `reportAvailable`, reports
 * them available in the Deployment's status. Failures land in `errors`.
 */
function fakeCluster(client: InMemoryResourceClient, reportAvailable: boolean): { stop: () => void; errors: unknown[] } {
  const errors: unknown[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  const handled = new Set<string>();
  const watch = client.watch(DEPLOYMENTS, { resourceVersion: client.resourceVersion }, (events) => {
    for (const event of events) {
      if (event.type !== 'MODIFIED') continue;
      const d = event.object as Deployment;
      const replicas = d.spec?.replicas ?? 0;
      const key = `${d.metadata?.name ?? ''}/${d.metadata?.generation ?? 0}`;
      if (replicas === 0 || handled.has(key)) continue;
      handled.add(key);
      chain = chain.then(() => scaleUp(client, d, replicas, reportAvailable)).catch((err: unknown) => errors.push(err));
    }
  }, () => undefined);
  return { stop: () => watch.stop(), errors };
}

async function scaleUp(client: ResourceClient, d: Deployment, replicas: number, reportAvailable: boolean): Promise<void> {
  const namespace = d.metadata?.namespace ?? 'default';
  for (let i = 0; i < replicas; i++) {
    const pod = await client.create<Pod>(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${d.metadata?.name ?? ''}-${i}`, namespace, labels: d.spec?.template.metadata?.labels ?? {} },
      spec: { containers: [{ name: 'sleep', image: 'flotilla/sleep' }] },
    });
    const bound = await client.update<Pod>(PODS, { ...pod, spec: { ...pod.spec!, nodeName: `n${i % 3}` } });
    await client.updateStatus<Pod>(PODS, { ...bound, status: { ...bound.status, phase: 'Running' } });
  }
  if (!reportAvailable) return;
  const current = await client.get<Deployment>({ ...DEPLOYMENTS, namespace, name: d.metadata?.name ?? '' });
  await client.updateStatus<Deployment>(DEPLOYMENTS, {
    ...current,
    status: { ...current.status, observedGeneration: current.metadata?.generation ?? 0, replicas, readyReplicas: replicas, availableReplicas: replicas },
  });
}

void t.test('measures every stage of a scale-up and deletes the Deployment', async (t) => {
  const client = new InMemoryResourceClient();
  const { stop, errors } = fakeCluster(client, true);
  const lines: string[] = [];
  try {
    const r = await measureDeploymentScale({ client, replicas: 7, timeoutMs: 10_000, progress: (line) => lines.push(line) });
    t.equal(r.replicas, 7);
    for (const stage of ['createdMs', 'scheduledMs', 'runningMs', 'availableMs'] as const) t.type(r[stage], 'number', stage);
    t.ok(r.createdMs! <= r.scheduledMs! && r.scheduledMs! <= r.runningMs! && r.runningMs! <= r.availableMs!, 'stages in order');
    t.ok(lines.some((l) => l.startsWith('scaled ')));
    const left = await client.list<Deployment>(DEPLOYMENTS, { namespace: 'default' });
    t.equal(left.items.length, 0, 'the Deployment is deleted');
    const pods = await client.list<Pod>(PODS, { namespace: 'default' });
    t.ok(pods.items.length === 7 && pods.items.every((p) => p.metadata?.labels?.[DEPLOYMENT_SCALE_LABEL] !== undefined), 'pods carry the run label');
    t.same(errors, []);
  } finally {
    stop();
  }
});

void t.test('reports no availableMs when the Deployment never becomes available', async (t) => {
  const client = new InMemoryResourceClient();
  const { stop, errors } = fakeCluster(client, false);
  try {
    const r = await measureDeploymentScale({ client, replicas: 3, timeoutMs: 300 });
    t.equal(r.availableMs, undefined);
    t.type(r.runningMs, 'number', 'the pods still ran');
    const left = await client.list<Deployment>(DEPLOYMENTS, { namespace: 'default' });
    t.equal(left.items.length, 0, 'the Deployment is deleted after a timeout too');
    t.same(errors, []);
  } finally {
    stop();
  }
});
