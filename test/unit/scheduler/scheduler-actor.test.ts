// The scheduler actor end to end on an InMemoryResourceClient with a ManualClock: binds, events,
// the PodScheduled condition of a pod that fits nowhere, and its re-activation on a node add.
import t from 'tap';
import { Registry } from 'prom-client';
import { InMemoryResourceClient, SeededRandom } from '../../../core/index.js';
import type { GroupVersionResource, Pod, ResourceObject } from '../../../core/index.js';
import { ActorSystem, ManualClock } from '../../../actors/index.js';
import type { EventRecorder } from '../../../actors/index.js';
import { resourceClientPodBinder, startScheduler } from '../../../actors/index.js';
import type { PodBinder } from '../../../actors/index.js';
import { makeNode, makePod } from './fixtures.js';

const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
const NODES: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes' };
const NAMESPACES: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces' };

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (await cond()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened: ${what}`);
}

interface Recorded {
  readonly name: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

async function setup(teardown: (fn: () => Promise<void>) => void, binder?: PodBinder): Promise<{ client: InMemoryResourceClient; clock: ManualClock; events: Recorded[]; registry: Registry; system: ActorSystem; stats: () => Promise<{ scheduled: number; unschedulable: number; backoff: number; inFlightBinds: number; assumedPods: number }> }> {
  const client = new InMemoryResourceClient();
  const clock = new ManualClock(1_700_000_000_000);
  const system = new ActorSystem({ name: 'sched-test', clock, random: new SeededRandom(5), registry: new Registry(), logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  const events: Recorded[] = [];
  const recorder: EventRecorder = { record: (o: ResourceObject, type, reason, message) => void events.push({ name: o.metadata?.name ?? '', type, reason, message }) };
  const registry = new Registry();
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const handle = startScheduler(system, { client, events: recorder, registry, ...(binder ? { binder } : {}) });
  teardown(async () => {
    await handle.stop();
    await system.shutdown();
  });
  return { client, clock, events, registry, system, stats: () => handle.ref.ask({ type: 'stats' }, 10_000) };
}


void t.test('binds pending pods to nodes that fit and records Scheduled', async (t) => {
  const { client, events, stats, registry } = await setup((fn) => t.teardown(fn));
  await client.create(NODES, makeNode('n1', { cpu: '1' }));
  await client.create(NODES, makeNode('n2', { cpu: '1' }));
  for (let i = 0; i < 4; i++) await client.create(PODS, makePod(`p${i}`, { cpu: '400m' }));
  await until(async () => (await stats()).scheduled === 4, 'four pods bound');
  const { items } = await client.list<Pod>(PODS);
  const perNode = new Map<string, number>();
  for (const p of items) perNode.set(p.spec?.nodeName ?? '', (perNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  t.same(Object.fromEntries(perNode), { n1: 2, n2: 2 }, 'two 400m pods per 1-CPU node, never three');
  t.ok(items.every((p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'True')));
  t.ok(events.some((e) => e.reason === 'Scheduled' && e.type === 'Normal' && /^Successfully assigned default\/p\d to n[12]$/.test(e.message)));
  t.equal(events.filter((e) => e.reason === 'Scheduled').length, 4, 'every bind outcome is handled once, however they were batched');
  t.match(await registry.getSingleMetricAsString('scheduler_scheduling_algorithm_duration_seconds'), /scheduler_scheduling_algorithm_duration_seconds_count 4\b/);
  t.equal((await stats()).inFlightBinds, 0);
  const ignored = makePod('other', { spec: { schedulerName: 'someone-else' } });
  await client.create(PODS, ignored);
  await until(async () => (await stats()).scheduled === 4, 'settled');
  t.equal((await client.get<Pod>({ ...PODS, namespace: 'default', name: 'other' })).spec?.nodeName, undefined, 'pods of other schedulers are left alone');
});

void t.test('a pod that fits nowhere gets PodScheduled=False and FailedScheduling, then binds when a node is added', async (t) => {
  const { client, clock, events, stats, registry } = await setup((fn) => t.teardown(fn));
  await client.create(NODES, makeNode('small', { cpu: '1' }));
  await client.create(PODS, makePod('big', { cpu: '2' }));
  const message = '0/1 nodes are available: 1 Insufficient cpu.';
  await until(async () => (await client.get<Pod>({ ...PODS, namespace: 'default', name: 'big' })).status?.conditions?.some((c) => c.message === message) === true, 'condition written');
  const pod = await client.get<Pod>({ ...PODS, namespace: 'default', name: 'big' });
  const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  t.same({ status: cond?.status, reason: cond?.reason, message: cond?.message }, { status: 'False', reason: 'Unschedulable', message });
  t.ok(events.some((e) => e.type === 'Warning' && e.reason === 'FailedScheduling' && e.message === message));
  t.equal((await stats()).unschedulable, 1);
  const metrics = await registry.getSingleMetricAsString('scheduler_pending_pods');
  t.match(metrics, /scheduler_pending_pods\{queue="unschedulable"\} 1/);
  await client.create(NODES, makeNode('large', { cpu: '4' }));
  await until(async () => (await stats()).backoff === 1, 'moved out of unschedulable by the node add (into its back-off)');
  clock.advance(1_000);
  await until(async () => (await stats()).scheduled === 1, 'bound after the node add');
  t.equal((await client.get<Pod>({ ...PODS, namespace: 'default', name: 'big' })).spec?.nodeName, 'large');
  t.match(await registry.getSingleMetricAsString('scheduler_schedule_attempts_total'), /result="unschedulable"/);
});

void t.test('a failed bind forgets the assumed pod and retries after back-off', async (t) => {
  let failures = 1;
  const holder: { inner?: PodBinder } = {};
  const binder: PodBinder = {
    bind: async (target, node) => {
      if (failures-- > 0) throw new Error('injected bind failure');
      await holder.inner!.bind(target, node);
    },
  };
  const { client, clock, stats, events } = await setup((fn) => t.teardown(fn), binder);
  holder.inner = resourceClientPodBinder(client, () => '2024-01-01T00:00:00Z');
  await client.create(NODES, makeNode('n1', { cpu: '1' }));
  await client.create(PODS, makePod('p', { cpu: '600m' }));
  await until(() => events.some((e) => e.message.startsWith('Binding rejected')), 'bind failure recorded');
  await until(async () => (await stats()).inFlightBinds === 0, 'bind settled');
  t.equal((await stats()).assumedPods, 0, 'forgotten');
  clock.advance(1_000);
  await until(async () => (await stats()).scheduled === 1, 'bound on retry');
  t.equal((await client.get<Pod>({ ...PODS, namespace: 'default', name: 'p' })).spec?.nodeName, 'n1');
});
