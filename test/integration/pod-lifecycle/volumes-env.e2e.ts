// Real processes: a container's environment from ConfigMaps, Secrets, the downward API and its own
// resources; a ConfigMap volume whose file changes inside the running container when the
// ConfigMap is updated; a downward API volume that follows the pod's labels. Volumes need mount
// namespaces, so those parts run only as root.
import t from 'tap';
import type { ConfigMap, Pod, Secret } from '../../../core/index.js';
import { waitUntil } from '../harness/index.js';
import { CONFIGMAPS, IS_ROOT, NAMESPACE, NODE_NAME, PODS, PodCluster, SECRETS, SYNC_FREQUENCY_SECONDS } from './pod-cluster.js';

const NOT_ROOT = IS_ROOT ? false : 'volume mounts need the worker to run as root on Linux (mount namespaces)';

/** The id of the pod's first container once it runs. */
async function runningContainerId(cluster: PodCluster, name: string): Promise<{ pod: Pod; containerID: string }> {
  return cluster.waitForPod(name, 'its container running', (pod) => {
    const cs = pod.status?.containerStatuses?.[0];
    return cs?.state?.running !== undefined && cs.containerID !== undefined ? { pod, containerID: cs.containerID } : undefined;
  });
}

async function waitForLogLine(cluster: PodCluster, containerID: string, what: string, line: RegExp, timeoutMs = 20_000): Promise<string> {
  let found: string | undefined;
  await waitUntil(
    () => {
      found = cluster.containerLog(containerID).find((l) => line.test(l));
      return found !== undefined;
    },
    { timeoutMs, pollMs: 250, what: () => `${what}; log so far: ${JSON.stringify(cluster.containerLog(containerID).slice(-10))}` },
  );
  return found!;
}

void t.test('volumes and environment', async (t) => {
  const cluster = await PodCluster.start(t);
  await cluster.client.create<ConfigMap>(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'env-config', namespace: NAMESPACE }, data: { mode: 'fast' } });
  await cluster.client.create<Secret>(SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'env-secret', namespace: NAMESPACE },
    data: { password: Buffer.from('s3cret').toString('base64') },
  });

  await t.test('env from a ConfigMap, a Secret, fieldRefs, resourceFieldRefs and envFrom', async (t) => {
    const stateCheck = `if [ -e ${cluster.workerDataDir}/runtime ]; then echo "WORKER_STATE=visible"; else echo "WORKER_STATE=hidden"; fi`;
    const script = ['MODE', 'PASSWORD', 'POD_NAME', 'POD_NAMESPACE', 'POD_IP', 'NODE_NAME', 'MEMORY_LIMIT', 'CFG_mode', 'EXPANDED'].map((v) => `echo "${v}=$${v}"`).join('; ');
    await cluster.createPod('env', {
      containers: [
        {
          name: 'app',
          image: 'flotilla/shell',
          command: ['sh', '-c', `${stateCheck}; ${script}; exec sleep 600`],
          env: [
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'env-config', key: 'mode' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'password' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'MEMORY_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
            { name: 'EXPANDED', value: '$(POD_NAME)-$(MODE)' },
          ],
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'env-config' } }],
          resources: { limits: { memory: '64Mi' } },
        },
      ],
      terminationGracePeriodSeconds: 1,
    });
    const { pod, containerID } = await runningContainerId(cluster, 'env');
    await waitForLogLine(cluster, containerID, 'the env dump', /^EXPANDED=/);
    const env = new Map(cluster.containerLog(containerID).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    t.equal(env.get('MODE'), 'fast', 'configMapKeyRef');
    t.equal(env.get('PASSWORD'), 's3cret', 'secretKeyRef (decoded)');
    t.equal(env.get('POD_NAME'), 'env', 'fieldRef metadata.name');
    t.equal(env.get('POD_NAMESPACE'), NAMESPACE, 'fieldRef metadata.namespace');
    t.equal(env.get('POD_IP'), pod.status?.podIP, 'fieldRef status.podIP is the IP the pod reports');
    t.equal(env.get('NODE_NAME'), NODE_NAME, 'fieldRef spec.nodeName');
    t.equal(env.get('MEMORY_LIMIT'), '64', 'resourceFieldRef limits.memory in Mi');
    t.equal(env.get('CFG_mode'), 'fast', 'envFrom with a prefix');
    t.equal(env.get('EXPANDED'), 'env-fast', '$(VAR) references expand');
    if (IS_ROOT) t.equal(env.get('WORKER_STATE'), 'hidden', `the worker's state directory (${cluster.workerDataDir}) is hidden from containers`);
  });

  await t.test('a ConfigMap volume follows updates of the ConfigMap', { skip: NOT_ROOT }, async (t) => {
    await cluster.client.create<ConfigMap>(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: NAMESPACE }, data: { greeting: 'hello' } });
    await cluster.createPod('config-volume', {
      containers: [
        {
          name: 'app',
          image: 'flotilla/shell',
          command: ['sh', '-c', 'while true; do echo "greeting=$(cat /etc/config/greeting)"; sleep 0.5; done'],
          volumeMounts: [{ name: 'config', mountPath: '/etc/config' }],
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'app-config' } }],
      terminationGracePeriodSeconds: 1,
    });
    const { containerID } = await runningContainerId(cluster, 'config-volume');
    await waitForLogLine(cluster, containerID, 'the mounted file', /^greeting=hello$/);
    t.pass('the container reads the ConfigMap\'s key as a file under /etc/config');
    const current = await cluster.client.get<ConfigMap>({ ...CONFIGMAPS, namespace: NAMESPACE, name: 'app-config' });
    await cluster.client.update<ConfigMap>(CONFIGMAPS, { ...current, data: { greeting: 'bonjour' } });
    // The kubelet refreshes volumes on its periodic pod sync (--sync-frequency).
    await waitForLogLine(cluster, containerID, 'the updated file', /^greeting=bonjour$/, 10_000 + 3 * SYNC_FREQUENCY_SECONDS * 1000);
    t.pass('the file changes inside the running container after the ConfigMap is updated');
    const pod = await cluster.pod('config-volume');
    t.equal(pod.status?.containerStatuses?.[0]?.restartCount, 0, 'without a restart');
  });

  await t.test('a downward API volume shows the pod\'s name, labels and limits, and follows label changes', { skip: NOT_ROOT }, async (t) => {
    const created = await cluster.client.create<Pod>(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'podinfo', namespace: NAMESPACE, labels: { app: 'demo', tier: 'web' } },
      spec: {
        nodeName: NODE_NAME,
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'app',
            image: 'flotilla/shell',
            command: ['sh', '-c', 'echo "name=$(cat /etc/podinfo/name)"; echo "memory=$(cat /etc/podinfo/memory)"; while true; do echo "labels=$(tr \'\\n\' \' \' < /etc/podinfo/labels)"; sleep 0.5; done'],
            resources: { limits: { memory: '32Mi' } },
            volumeMounts: [{ name: 'podinfo', mountPath: '/etc/podinfo', readOnly: true }],
          },
        ],
        volumes: [
          {
            name: 'podinfo',
            downwardAPI: {
              items: [
                { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
                { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                { path: 'memory', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
              ],
            },
          },
        ],
      },
    });
    t.ok(created.metadata?.uid, 'created');
    const { containerID } = await runningContainerId(cluster, 'podinfo');
    await waitForLogLine(cluster, containerID, 'the labels file', /^labels=/);
    const log = cluster.containerLog(containerID);
    t.ok(log.includes('name=podinfo'), 'metadata.name');
    t.ok(log.includes('memory=32'), 'limits.memory in Mi');
    t.ok(log.includes('labels=app="demo" tier="web"'), `metadata.labels, one key="value" per line (${JSON.stringify(log.find((l) => l.startsWith('labels=')))})`);
    await cluster.client.patch({ ...PODS, namespace: NAMESPACE, name: 'podinfo' }, 'merge', { metadata: { labels: { tier: 'backend' } } });
    await waitForLogLine(cluster, containerID, 'the updated labels', /^labels=app="demo" tier="backend"$/, 10_000 + 3 * SYNC_FREQUENCY_SECONDS * 1000);
    t.pass('the labels file follows the pod\'s labels');
  });
});
