// The node lifecycle controller under the framework's harness (ManualClock): a node whose
// kubelet goes silent turns Unknown and gets the unreachable taints, its pods are evicted as
// their tolerations run out, and the taints go when the heartbeat returns; cordon mirrors
// spec.unschedulable; convergence despite dropped/reordered watch events and a restart.
import t from 'tap';
import type { Lease, Node, Pod, Taint } from '../../../core/index.js';
import { applyPodAdmissionDefaults, formatRfc3339, formatRfc3339Micro, isNotFound } from '../../../core/index.js';
import { ControllerTestHarness } from '../../../actors/index.js';
import {
  NODE_STATUS_UNKNOWN_MESSAGE,
  NODE_STATUS_UNKNOWN_REASON,
  nodeLifecycleController,
  reconcileNodeTaints,
  taintEvictionDecision,
} from '../../../actors/index.js';

const NODES = { group: '', version: 'v1', resource: 'nodes' };
const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
const PODS = { group: '', version: 'v1', resource: 'pods' };

function readyNode(name: string, nowMs: number): Node {
  const now = formatRfc3339(nowMs);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: {},
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }] },
  };
}

/** The kubelet's heartbeat: renews the node's Lease and reports Ready=True. */
async function heartbeat(h: ControllerTestHarness, name: string, postStatus = false): Promise<void> {
  const ref = { ...LEASES, namespace: 'kube-node-lease', name };
  const renewTime = formatRfc3339Micro(h.clock.now());
  try {
    const lease = await h.store.get<Lease>(ref);
    await h.store.update<Lease>(LEASES, { ...lease, spec: { ...lease.spec, renewTime } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await h.store.create<Lease>(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime } });
  }
  if (!postStatus) return;
  const node = await h.store.get<Node>({ ...NODES, name });
  const now = formatRfc3339(h.clock.now());
  const conditions = (node.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
  conditions.push({ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now });
  await h.store.updateStatus<Node>(NODES, { ...node, status: { ...node.status, conditions } });
}

function pod(name: string, nodeName: string, tolerations?: Pod['spec'] extends infer S ? (S extends { tolerations?: infer T } ? T : never) : never): Pod {
  const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } };
  if (tolerations === undefined) return applyPodAdmissionDefaults(p);
  p.spec!.tolerations = tolerations;
  return p;
}

async function getNode(h: ControllerTestHarness, name: string): Promise<Node> {
  return h.store.get<Node>({ ...NODES, name });
}

async function podNames(h: ControllerTestHarness): Promise<string[]> {
  return (await h.store.list<Pod>(PODS, { namespace: 'default' })).items.map((p) => p.metadata?.name ?? '').sort();
}

function taintKeys(node: Node): string[] {
  return (node.spec?.taints ?? []).map((taint) => `${taint.key}:${taint.effect}`).sort();
}

void t.test('taintEvictionDecision: untolerated at once, tolerationSeconds from timeAdded, unbounded never', (t) => {
  const now = 1_000_000;
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: formatRfc3339(now - 10_000) };
  t.same(taintEvictionDecision(pod('a', 'n', []), [taint], now), { evict: true, atMs: now });
  t.same(taintEvictionDecision(pod('a', 'n'), [taint], now), { evict: true, atMs: now - 10_000 + 300_000 });
  t.same(taintEvictionDecision(pod('a', 'n', [{ operator: 'Exists', effect: 'NoExecute' }]), [taint], now), { evict: false });
  t.same(taintEvictionDecision(pod('a', 'n', [{ operator: 'Exists', tolerationSeconds: 0 }]), [taint], now), { evict: true, atMs: now });
  t.same(taintEvictionDecision(pod('a', 'n', []), [{ key: 'x', effect: 'NoSchedule' }], now), { evict: false }, 'NoSchedule taints never evict');
  t.same(taintEvictionDecision(pod('a', 'n', [{ key: 'x', operator: 'Equal', value: 'v', effect: 'NoExecute', tolerationSeconds: 5 }]), [{ key: 'x', value: 'w', effect: 'NoExecute' }], now), { evict: true, atMs: now }, 'value mismatch');
  t.end();
});

void t.test('reconcileNodeTaints keeps user taints and timeAdded, adds and removes managed ones', (t) => {
  const node = readyNode('n', 0);
  t.equal(reconcileNodeTaints(node, 'T'), undefined, 'a ready node needs nothing');
  const user: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const unknown: Node = { ...node, spec: { taints: [user], unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  t.same(reconcileNodeTaints(unknown, 'T'), [
    user,
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'T' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
  ]);
  const tainted: Node = { ...unknown, spec: { ...unknown.spec, taints: reconcileNodeTaints(unknown, 'T')! } };
  t.equal(reconcileNodeTaints(tainted, 'U'), undefined, 'stable: timeAdded kept');
  const back: Node = { ...tainted, spec: { ...tainted.spec, unschedulable: false }, status: { conditions: [{ type: 'Ready', status: 'False' }] } };
  t.same(reconcileNodeTaints(back, 'U'), [
    user,
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'U' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
  ]);
  t.end();
});

void t.test('a silent node goes Unknown and tainted, its pods are evicted by toleration, and it recovers', async (t) => {
  const h = new ControllerTestHarness({ controllers: [nodeLifecycleController] });
  t.teardown(() => h.stop());
  await h.start();
  await h.store.create(NODES, readyNode('n1', h.clock.now()));
  await heartbeat(h, 'n1');
  await h.store.create(PODS, pod('tolerates-300s', 'n1'));
  await h.store.create(PODS, pod('no-toleration', 'n1', []));
  await h.store.create(PODS, pod('tolerates-forever', 'n1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]));
  await h.store.create(PODS, { ...pod('elsewhere', 'n2', []) });
  for (let i = 0; i < 6; i++) {
    await h.advance(10_000);
    await heartbeat(h, 'n1');
  }
  t.same(taintKeys(await getNode(h, 'n1')), [], 'healthy while the lease is renewed');
  t.equal((await podNames(h)).length, 4);

  // The kubelet stops. Within the grace period nothing happens.
  await h.advance(35_000);
  t.equal((await getNode(h, 'n1')).status?.conditions?.[0]?.status, 'True', 'still within the 40 s grace');
  await h.advance(10_000);
  const node = await getNode(h, 'n1');
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  t.equal(ready?.status, 'Unknown');
  t.equal(ready?.reason, NODE_STATUS_UNKNOWN_REASON);
  t.equal(ready?.message, NODE_STATUS_UNKNOWN_MESSAGE);
  for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) t.equal(node.status?.conditions?.find((c) => c.type === type)?.status, 'Unknown', `${type} Unknown`);
  t.same(taintKeys(node), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  const noExecute = node.spec?.taints?.find((taint) => taint.effect === 'NoExecute');
  t.ok(noExecute?.timeAdded, 'NoExecute taint has timeAdded');
  t.same(await podNames(h), ['elsewhere', 'tolerates-300s', 'tolerates-forever'], 'the untolerating pod went at once');
  const evictions = h.events.events.filter((e) => e.reason === 'TaintManagerEviction');
  t.same(evictions.map((e) => e.message), ['Marking for deletion Pod default/no-toleration']);
  t.ok(h.events.events.some((e) => e.reason === 'NodeNotReady' && e.involved.kind === 'Node'), 'NodeNotReady on the node');

  await h.advance(290_000);
  t.same(await podNames(h), ['elsewhere', 'tolerates-300s', 'tolerates-forever'], 'not before 300 s');
  await h.advance(15_000);
  t.same(await podNames(h), ['elsewhere', 'tolerates-forever'], 'after its tolerationSeconds');

  // The kubelet comes back.
  await heartbeat(h, 'n1', true);
  await h.advance(1_000);
  const recovered = await getNode(h, 'n1');
  t.equal(recovered.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  t.same(taintKeys(recovered), [], 'taints removed');
  t.end();
});

void t.test('cordon and uncordon mirror spec.unschedulable as a NoSchedule taint', async (t) => {
  const h = new ControllerTestHarness({ controllers: [nodeLifecycleController] });
  t.teardown(() => h.stop());
  await h.start();
  await h.store.create(NODES, readyNode('n1', h.clock.now()));
  await heartbeat(h, 'n1');
  await h.advance(1_000);
  let node = await getNode(h, 'n1');
  await h.store.update(NODES, { ...node, spec: { ...node.spec, unschedulable: true } });
  await h.advance(1_000);
  node = await getNode(h, 'n1');
  t.same(taintKeys(node), ['node.kubernetes.io/unschedulable:NoSchedule']);
  await h.store.update(NODES, { ...node, spec: { ...node.spec, unschedulable: false } });
  await h.advance(1_000);
  t.same(taintKeys(await getNode(h, 'n1')), []);
  t.end();
});

for (const seed of [1, 2, 3]) {
  void t.test(`node health converges despite watch faults and a restart (seed ${seed})`, async (t) => {
    const h = new ControllerTestHarness({
      controllers: [nodeLifecycleController],
      seed,
      faults: { dropProbability: 0.2, duplicateProbability: 0.2, reorderProbability: 0.3 },
      settings: { nodeMonitorGracePeriodSeconds: 20 },
    });
    t.teardown(() => h.stop());
    await h.start();
    const live = ['live-0', 'live-1', 'live-2'];
    const dead = ['dead-0', 'dead-1'];
    for (const name of [...live, ...dead]) {
      await h.store.create(NODES, readyNode(name, h.clock.now()));
      await heartbeat(h, name);
      await h.store.create(PODS, pod(`p-${name}`, name, []));
    }
    for (let i = 0; i < 10; i++) {
      await h.advance(5_000);
      for (const name of live) await heartbeat(h, name);
      if (i === 4) await h.restart();
    }
    await h.heal();
    const converged = async (): Promise<boolean> => {
      for (const name of live) await heartbeat(h, name);
      for (const name of live) if (taintKeys(await getNode(h, name)).length !== 0) return false;
      for (const name of dead) {
        const node = await getNode(h, name);
        if (node.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'Unknown') return false;
        if (!taintKeys(node).includes('node.kubernetes.io/unreachable:NoExecute')) return false;
      }
      const names = await podNames(h);
      return names.length === live.length && live.every((name) => names.includes(`p-${name}`));
    };
    t.ok(await h.runUntil(converged, { maxMs: 10 * 60_000, stepMs: 5_000 }), `converged (seed ${seed})`);
    t.end();
  });
}
