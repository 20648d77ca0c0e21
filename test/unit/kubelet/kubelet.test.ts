// The kubelet actor with an in-memory API, a fake runtime and a recording pod worker: Node
// registration and take-over, heartbeat Lease renewals, status reporting, pod event routing,
// container exits, orphan sandbox cleanup.
import t from 'tap';
import type { Lease, Node, Pod } from '../../../core/index.js';
import { InMemoryResourceClient } from '../../../core/index.js';
import { KubeletMetrics, kubeletActor, LEASES, NODES, PODS, POD_UID_CONTAINER_LABEL } from '../../../actors/index.js';
import type { KubeletHarness } from './fakes.js';
import { containerStatus, HEALTHY, kubeletHarness, mutableProbe, recordingPodWorker, settle, until } from './fakes.js';

function spawnKubelet(h: KubeletHarness, probe = mutableProbe().probe, extra: { registry?: boolean } = {}): void {
  const metrics = extra.registry === true ? new KubeletMetrics(h.registry).forNode('n1') : undefined;
  h.system.spawn(
    kubeletActor({
      nodeName: 'n1',
      nodeIP: '10.1.2.3',
      client: h.client,
      runtime: h.runtime,
      pods: h.pods,
      probe,
      rootDir: '/var/lib/flotilla/n1',
      podWorker: recordingPodWorker(h.log),
      ...(metrics === undefined ? {} : { metrics }),
    }),
    'kubelet-n1',
  );
}

const getNode = (h: KubeletHarness): Promise<Node> => h.client.get<Node>({ ...NODES, name: 'n1' });
const getLease = (h: KubeletHarness): Promise<Lease> => h.client.get<Lease>({ ...LEASES, namespace: 'kube-node-lease', name: 'n1' });
const exists = (p: Promise<unknown>): Promise<boolean> => p.then(() => true, () => false);

function pod(name: string, nodeName: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName, containers: [{ name: 'c', image: 'flotilla/sleep' }] } };
}

void t.test('registers its Node with capacity, labels, addresses, nodeInfo and conditions', async (t) => {
  const h = kubeletHarness(t);
  spawnKubelet(h);
  await until('node and lease exist', () => exists(getLease(h)));
  const node = await getNode(h);
  t.match(node.metadata?.labels, { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' });
  t.same(node.status?.capacity, { cpu: '4', memory: String(8 * 1024 ** 3), pods: '110', 'ephemeral-storage': String(100 * 1024 ** 3) });
  t.same(node.status?.allocatable, node.status?.capacity, 'nothing reserved');
  t.same(node.status?.addresses, [{ type: 'InternalIP', address: '10.1.2.3' }, { type: 'Hostname', address: 'n1' }]);
  t.match(node.status?.nodeInfo, { kubeletVersion: 'v1.32.0-flotilla', containerRuntimeVersion: 'flotilla-process://0.1', osImage: 'Test Linux', kernelVersion: '6.1.0', architecture: 'amd64', operatingSystem: 'linux' });
  t.same(node.status?.daemonEndpoints, { kubeletEndpoint: { Port: 0 } });
  const conditions = node.status?.conditions ?? [];
  t.same(conditions.map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`), [
    'MemoryPressure=False/KubeletHasSufficientMemory',
    'DiskPressure=False/KubeletHasNoDiskPressure',
    'PIDPressure=False/KubeletHasSufficientPID',
    'Ready=True/KubeletReady',
  ]);
  const ready = conditions.find((c) => c.type === 'Ready');
  t.equal(ready?.message, 'kubelet is posting ready status (process runtime without namespaces: not root)', 'partial isolation is said in the Ready message');
  t.equal(ready?.lastHeartbeatTime, '2024-01-01T00:00:00Z');
  t.equal(ready?.lastTransitionTime, '2024-01-01T00:00:00Z');
});

void t.test('renews its Lease every 10 s, owned by the Node', async (t) => {
  const h = kubeletHarness(t);
  spawnKubelet(h);
  await until('lease exists', () => exists(getLease(h)));
  await settle();
  const node = await getNode(h);
  const first = await getLease(h);
  t.match(first.spec, { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.000000Z' });
  t.same(first.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: node.metadata?.uid }]);
  h.clock.advance(10_000);
  await until('lease renewed', async () => (await getLease(h)).spec?.renewTime === '2024-01-01T00:00:10.000000Z');
  await settle();
  h.clock.advance(10_000);
  await until('lease renewed again', async () => (await getLease(h)).spec?.renewTime === '2024-01-01T00:00:20.000000Z');
  t.pass('renewTime follows the clock');
});

void t.test('status: written when a condition changes, otherwise only every 5 minutes', async (t) => {
  const h = kubeletHarness(t);
  const { probe, sample } = mutableProbe();
  spawnKubelet(h, probe);
  await until('registered', () => exists(getLease(h)));
  await settle();
  const rv0 = (await getNode(h)).metadata?.resourceVersion;
  h.clock.advance(10_000);
  await new Promise((r) => setTimeout(r, 20));
  t.equal((await getNode(h)).metadata?.resourceVersion, rv0, 'nothing changed: no write');
  sample.current = { ...HEALTHY, memoryAvailableBytes: 10 * 1024 * 1024 };
  h.clock.advance(10_000);
  await until('memory pressure reported', async () => (await getNode(h)).status?.conditions?.find((c) => c.type === 'MemoryPressure')?.status === 'True');
  const memory = (await getNode(h)).status?.conditions?.find((c) => c.type === 'MemoryPressure');
  t.match(memory, { reason: 'KubeletHasInsufficientMemory', lastTransitionTime: '2024-01-01T00:00:20Z' });
  const ready = (await getNode(h)).status?.conditions?.find((c) => c.type === 'Ready');
  t.equal(ready?.lastTransitionTime, '2024-01-01T00:00:00Z', 'an unchanged condition keeps its transition time');
  const rv1 = (await getNode(h)).metadata?.resourceVersion;
  h.clock.advance(5 * 60_000);
  await until('heartbeat after the report frequency', async () => (await getNode(h)).metadata?.resourceVersion !== rv1);
  t.pass('an unchanged status is written after 5 minutes');
});

void t.test('a restarted kubelet takes over its existing Node', async (t) => {
  const client = new InMemoryResourceClient({ now: () => '2024-01-01T00:00:00Z' });
  const old = await client.create<Node>(NODES, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', team: 'blue', 'kubernetes.io/arch': 'arm64' } },
    spec: { unschedulable: true },
  });
  const h = kubeletHarness(t, 'n1', client);
  spawnKubelet(h);
  await until('registered', () => exists(getLease(h)));
  const node = await getNode(h);
  t.equal(node.metadata?.uid, old.metadata?.uid, 'the same Node object');
  t.match(node.metadata?.labels, { team: 'blue', 'kubernetes.io/arch': 'amd64' }, 'user labels kept, ours brought up to date');
  t.equal(node.spec?.unschedulable, true, 'spec left alone');
  t.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
});

void t.test('routes pod events to the pod worker of each uid; exits by container label or sandbox', async (t) => {
  const h = kubeletHarness(t);
  spawnKubelet(h);
  const mine = await h.client.create<Pod>(PODS, pod('a', 'n1'));
  await h.client.create<Pod>(PODS, pod('b', 'n2'));
  const uid = mine.metadata!.uid!;
  await until('sync delivered', () => h.log.entries.includes(`${uid} sync`));
  t.equal(h.log.entries.filter((e) => e.endsWith(' sync')).length, 1, 'only the pod bound to this node');
  t.equal(h.log.hosts[0]?.nodeName, 'n1');
  t.same(h.log.hosts[0]?.nodeAllocatable, { cpuMillis: 4000, memoryBytes: 8 * 1024 ** 3 });

  h.runtime.exit(containerStatus('c1', 'sb1', { [POD_UID_CONTAINER_LABEL]: uid }));
  await until('exit by label', () => h.log.entries.includes(`${uid} containerExited c1`));
  h.runtime.addSandbox('sb2', uid);
  h.runtime.exit(containerStatus('c2', 'sb2', {}));
  await until('exit by sandbox', () => h.log.entries.includes(`${uid} containerExited c2`));

  h.log.entries.length = 0;
  h.clock.advance(30_000);
  await until('periodic resync', () => h.log.entries.includes(`${uid} sync`));

  await h.client.delete({ ...PODS, namespace: 'default', name: 'a' });
  await until('remove delivered', () => h.log.entries.includes(`${uid} remove`));
  t.pass('delete becomes remove');
});

void t.test('after the first list, sandboxes of pods that no longer exist are stopped and removed', async (t) => {
  const h = kubeletHarness(t);
  const live = await h.client.create<Pod>(PODS, pod('live', 'n1'));
  h.runtime.addSandbox('sb-live', live.metadata!.uid!);
  h.runtime.addSandbox('sb-gone', 'uid-of-a-deleted-pod');
  spawnKubelet(h);
  await until('orphan removed', () => h.runtime.removed.includes('sb-gone'));
  t.same(h.runtime.stopped, ['sb-gone'], 'stopped first');
  t.ok(h.runtime.sandboxes.has('sb-live'), 'the sandbox of an existing pod is left for its worker');
});

void t.test('kubelet metrics: node name, running pods, pod start duration', async (t) => {
  const h = kubeletHarness(t);
  const created = await h.client.create<Pod>(PODS, pod('x', 'n1'));
  h.runtime.addSandbox('sb-x', created.metadata!.uid!);
  spawnKubelet(h, undefined, { registry: true });
  await until('registered', () => exists(getLease(h)));
  await settle();
  h.clock.advance(2_500);
  await h.client.updateStatus<Pod>(PODS, { ...created, status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'flotilla/sleep', imageID: '', state: { running: { startedAt: '2024-01-01T00:00:02Z' } } }] } } as Pod);
  await settle();
  h.clock.advance(10_000);
  await until('counted', async () => (await h.registry.metrics()).includes('kubelet_running_pods 1'));
  const text = await h.registry.metrics();
  t.match(text, /kubelet_node_name\{node="n1"\} 1/);
  t.match(text, /kubelet_pod_start_duration_seconds_count 1/);
  t.match(text, /kubelet_pod_start_duration_seconds_bucket\{le="3"\} 1/);
  t.match(text, /kubelet_pod_start_duration_seconds_bucket\{le="2"\} 0/);
});
