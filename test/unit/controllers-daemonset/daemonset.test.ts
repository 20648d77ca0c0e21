// The DaemonSet controller under the framework's harness: one pod per eligible node (selector,
// taints vs tolerations, default tolerations), pods pinned by node affinity, new and removed
// nodes, RollingUpdate within maxUnavailable, OnDelete, status, and convergence despite watch
// faults and a restart. A stand-in scheduler binds pods to their pinned node and runs them.
import t from 'tap';
import type { Test } from 'tap';
import type { DaemonSet, Node, Pod } from '../../../core/index.js';
import { applyDefaults, formatRfc3339 } from '../../../core/index.js';
import { ControllerTestHarness } from '../../../actors/index.js';
import { DAEMONSET_RESOURCE, daemonPodTargetNode, daemonSetController } from '../../../actors/index.js';

const NS = 'kube-system';
const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };

function newDaemonSet(spec: Partial<NonNullable<DaemonSet['spec']>> = {}, image = 'agent:1'): DaemonSet {
  const object = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: NS },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image }] } }, ...spec },
  };
  return applyDefaults({ group: 'apps', version: 'v1', kind: 'DaemonSet' }, object as unknown as DaemonSet);
}

function newNode(name: string, labels: Record<string, string> = {}, taints: NonNullable<Node['spec']>['taints'] = []): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints } };
}

async function pods(h: ControllerTestHarness): Promise<Pod[]> {
  return (await h.store.list<Pod>(PODS, { namespace: NS })).items;
}

async function podNodes(h: ControllerTestHarness): Promise<string[]> {
  return (await pods(h)).map((p) => daemonPodTargetNode(p) ?? '?').sort();
}

async function getDs(h: ControllerTestHarness): Promise<DaemonSet> {
  return h.store.get<DaemonSet>({ ...DAEMONSET_RESOURCE, namespace: NS, name: 'agent' });
}

/** The scheduler binds pods to their pinned node; the kubelet runs them Ready. */
async function schedulerAndKubelet(h: ControllerTestHarness): Promise<void> {
  for (const pod of await pods(h)) {
    if (pod.metadata?.deletionTimestamp != null) continue;
    let current = pod;
    if ((pod.spec?.nodeName ?? '') === '') current = await h.store.update<Pod>(PODS, { ...pod, spec: { ...pod.spec!, nodeName: daemonPodTargetNode(pod) ?? '' } });
    if (current.status?.phase === 'Running') continue;
    await h.store.updateStatus<Pod>(PODS, { ...current, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: formatRfc3339(h.clock.now()) }] } });
  }
}

async function harness(t: Test, seed = 1, faults = {}): Promise<ControllerTestHarness> {
  const h = new ControllerTestHarness({ controllers: [daemonSetController], seed, faults });
  t.teardown(() => h.stop());
  await h.start();
  return h;
}

void t.test('one pod per eligible node, pinned by node affinity, following nodes as they come and go', async (t) => {
  const h = await harness(t);
  await h.store.create(NODES, newNode('n1'));
  await h.store.create(NODES, newNode('n2', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]));
  await h.store.create(NODES, newNode('n3', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]));
  await h.store.create(DAEMONSET_RESOURCE, newDaemonSet());
  await h.advance(1_000);
  t.same(await podNodes(h), ['n1', 'n3'], 'untolerated taint keeps n2 out; default tolerations admit n3');
  const pod = (await pods(h))[0]!;
  t.same(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
    { matchFields: [{ key: 'metadata.name', operator: 'In', values: [daemonPodTargetNode(pod)] }] },
  ]);
  t.equal(pod.spec?.nodeName, undefined, 'left to the scheduler');
  t.ok(pod.spec?.tolerations?.some((x) => x.key === 'node.kubernetes.io/not-ready' && x.effect === 'NoExecute'));
  t.ok(pod.spec?.tolerations?.some((x) => x.key === 'node.kubernetes.io/memory-pressure' && x.effect === 'NoSchedule'));
  t.ok(pod.metadata?.labels?.['controller-revision-hash']);
  t.match((await getDs(h)).status, { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 0, numberMisscheduled: 0, updatedNumberScheduled: 2, observedGeneration: 1 });

  await schedulerAndKubelet(h);
  await h.store.create(NODES, newNode('n4'));
  await h.advance(1_000);
  t.same(await podNodes(h), ['n1', 'n3', 'n4'], 'new node included');
  await schedulerAndKubelet(h);
  await h.advance(1_000);
  t.match((await getDs(h)).status, { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3 });

  // A NoExecute taint evicts; a label mismatch with nodeSelector misschedules nothing new.
  const n4 = await h.store.get<Node>({ ...NODES, namespace: '', name: 'n4' });
  await h.store.update(NODES, { ...n4, spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } });
  await h.advance(1_000);
  t.same(await podNodes(h), ['n1', 'n3']);
  t.equal(h.events.events.filter((e) => e.reason === 'SuccessfulDelete').length, 1);
});

void t.test('nodeSelector limits nodes; a failed pod is replaced', async (t) => {
  const h = await harness(t);
  await h.store.create(NODES, newNode('a', { disk: 'ssd' }));
  await h.store.create(NODES, newNode('b'));
  const ds = newDaemonSet();
  ds.spec!.template.spec!.nodeSelector = { disk: 'ssd' };
  await h.store.create(DAEMONSET_RESOURCE, ds);
  await h.advance(1_000);
  t.same(await podNodes(h), ['a']);
  const [pod] = await pods(h);
  await h.store.updateStatus<Pod>(PODS, { ...pod!, status: { phase: 'Failed' } });
  await h.advance(2_000);
  const after = await pods(h);
  t.equal(after.length, 1);
  t.not(after[0]?.metadata?.uid, pod?.metadata?.uid, 'replaced');
});

void t.test('RollingUpdate replaces at most maxUnavailable at a time; OnDelete waits', async (t) => {
  const h = await harness(t);
  for (const n of ['n1', 'n2', 'n3', 'n4']) await h.store.create(NODES, newNode(n));
  await h.store.create(DAEMONSET_RESOURCE, newDaemonSet());
  await h.advance(1_000);
  await schedulerAndKubelet(h);
  await h.advance(1_000);
  let ds = await getDs(h);
  await h.store.update(DAEMONSET_RESOURCE, { ...ds, spec: { ...newDaemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } } }, 'agent:2').spec! } });
  await h.advance(1_000);
  let ps = await pods(h);
  t.equal(ps.length, 4);
  t.equal(ps.filter((p) => p.spec?.containers[0]?.image === 'agent:2').length, 2, 'two replaced');
  t.equal(ps.filter((p) => p.spec?.containers[0]?.image === 'agent:2' && p.status?.phase === 'Running').length, 0, 'none ready yet');
  await h.advance(3_000);
  t.equal((await pods(h)).filter((p) => p.spec?.containers[0]?.image === 'agent:2').length, 2, 'waits for them to be available');
  await schedulerAndKubelet(h);
  await h.advance(1_000);
  await schedulerAndKubelet(h);
  await h.advance(1_000);
  ps = await pods(h);
  t.same(ps.map((p) => p.spec?.containers[0]?.image), ['agent:2', 'agent:2', 'agent:2', 'agent:2']);
  ds = await getDs(h);
  t.match(ds.status, { updatedNumberScheduled: 4, numberAvailable: 4 });

  await h.store.update(DAEMONSET_RESOURCE, { ...ds, spec: { ...newDaemonSet({ updateStrategy: { type: 'OnDelete' } }, 'agent:3').spec! } });
  await h.advance(2_000);
  t.equal((await pods(h)).filter((p) => p.spec?.containers[0]?.image === 'agent:3').length, 0, 'OnDelete: untouched');
  const victim = (await pods(h))[0]!;
  await h.store.delete({ ...PODS, namespace: NS, name: victim.metadata?.name ?? '' });
  await h.advance(1_000);
  t.equal((await pods(h)).filter((p) => p.spec?.containers[0]?.image === 'agent:3').length, 1, 'the deleted one comes back new');
});

for (const seed of [1, 2, 3]) {
  void t.test(`a DaemonSet converges despite watch faults and a restart (seed ${seed})`, async (t) => {
    const h = await harness(t, seed, { dropProbability: 0.2, duplicateProbability: 0.2, reorderProbability: 0.3 });
    for (const n of ['n1', 'n2', 'n3']) await h.store.create(NODES, newNode(n));
    await h.store.create(DAEMONSET_RESOURCE, newDaemonSet());
    await h.advance(2_000);
    await schedulerAndKubelet(h);
    await h.store.create(NODES, newNode('n4'));
    const ds = await getDs(h);
    await h.store.update(DAEMONSET_RESOURCE, { ...ds, spec: newDaemonSet({}, 'agent:2').spec! });
    await h.advance(2_000);
    await h.restart();
    await h.store.delete({ ...NODES, namespace: '', name: 'n1' });
    for (let i = 0; i < 4; i++) {
      await h.advance(2_000);
      await schedulerAndKubelet(h);
    }
    await h.heal();
    const ok = await h.runUntil(
      async () => {
        await schedulerAndKubelet(h);
        const ps = (await pods(h)).filter((p) => p.metadata?.deletionTimestamp == null && ['n2', 'n3', 'n4'].includes(daemonPodTargetNode(p) ?? ''));
        const s = await getDs(h);
        return (
          ps.length === 3 &&
          new Set(ps.map((p) => daemonPodTargetNode(p))).size === 3 &&
          ps.every((p) => p.spec?.containers[0]?.image === 'agent:2') &&
          s.status?.desiredNumberScheduled === 3 &&
          s.status.numberAvailable === 3 &&
          s.status.updatedNumberScheduled === 3 &&
          s.status.observedGeneration === s.metadata?.generation
        );
      },
      { maxMs: 10 * 60_000, stepMs: 5_000 },
    );
    t.ok(ok, `converged (seed ${seed})`);
  });
}
