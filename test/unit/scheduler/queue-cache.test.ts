// The scheduling queue (ordering, back-off, unschedulable re-activation) and the cache's assume/forget.
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import { CONTROLLER_COUNTS_INITIAL_SLOTS, ControllerPodCounts, controllerPodsOnNode, POD_MAX_IN_UNSCHEDULABLE_PODS_MS, schedulePod, SchedulerCache, SchedulingQueue, schedulerPodInfoOf, PodAlreadyAssumedError } from '../../../actors/index.js';
import { makeNode, makePod } from './fixtures.js';

void t.test('active queue: higher priority first, then arrival order', (t) => {
  let now = 0;
  const q = new SchedulingQueue(() => now);
  q.add('ns/a', makePod('a'));
  now = 1;
  q.add('ns/b', makePod('b', { priority: 10 }));
  q.add('ns/c', makePod('c'));
  q.add('ns/d', makePod('d', { priority: 10 }));
  t.equal(q.add('ns/a', makePod('a')), false, 'a pod is queued once');
  t.same([q.pop()?.key, q.pop()?.key, q.pop()?.key, q.pop()?.key, q.pop()], ['ns/b', 'ns/d', 'ns/a', 'ns/c', undefined]);
  t.end();
});

void t.test('back-off doubles from 1 s to 10 s; pods move to active once it is over', (t) => {
  let now = 0;
  const q = new SchedulingQueue(() => now);
  q.add('ns/a', makePod('a'));
  const durations: number[] = [];
  for (let i = 0; i < 6; i++) {
    const info = q.pop()!;
    q.addBackoff(info);
    t.equal(q.locationOf('ns/a'), 'backoff');
    durations.push(q.backoffDurationMs(info));
    now += durations[i]! - 1;
    t.equal(q.flushBackoffCompleted(), 0, 'still backing off');
    now += 1;
    t.equal(q.flushBackoffCompleted(), 1);
    t.equal(q.locationOf('ns/a'), 'active');
  }
  t.same(durations, [1000, 2000, 4000, 8000, 10000, 10000]);
  t.end();
});

void t.test('unschedulable pods return on a cluster event that may help them, or after 5 minutes', (t) => {
  let now = 0;
  const q = new SchedulingQueue(() => now);
  q.add('ns/cpu', makePod('cpu'));
  q.add('ns/aff', makePod('aff'));
  const a = q.pop()!;
  const b = q.pop()!;
  q.addUnschedulable(a, q.cycle, new Set(['NodeResourcesFit']));
  q.addUnschedulable(b, q.cycle, new Set(['InterPodAffinity']));
  t.equal(q.unschedulableCount, 2);
  t.equal(q.moveAllToActiveOrBackoff({ label: 'AssignedPodAdd', plugins: new Set(['InterPodAffinity', 'PodTopologySpread']) }), 1, 'only the affinity pod');
  t.equal(q.locationOf('ns/aff'), 'backoff', 'still within its back-off');
  now += 1000;
  t.equal(q.moveAllToActiveOrBackoff({ label: 'NodeAdd' }), 1);
  t.equal(q.locationOf('ns/cpu'), 'active', 'back-off over: straight to active');
  const again = q.pop()!;
  q.addUnschedulable(again, q.cycle, new Set(['NodeResourcesFit']));
  now += POD_MAX_IN_UNSCHEDULABLE_PODS_MS - 1;
  t.equal(q.flushUnschedulableLeftover(), 0);
  now += 1;
  t.equal(q.flushUnschedulableLeftover(), 1);
  t.end();
});

void t.test('a cluster event during an attempt sends the failed pod to backoff, not unschedulable', (t) => {
  const q = new SchedulingQueue(() => 0);
  q.add('ns/a', makePod('a'));
  const info = q.pop()!;
  const cycle = q.cycle;
  q.moveAllToActiveOrBackoff({ label: 'NodeAdd' });
  q.addUnschedulable(info, cycle, new Set(['NodeResourcesFit']));
  t.equal(q.locationOf('ns/a'), 'backoff');
  t.end();
});

void t.test('updates: spec changes reactivate an unschedulable pod, status changes do not; deletes remove', (t) => {
  const q = new SchedulingQueue(() => 0);
  const pod = makePod('a');
  q.add('ns/a', pod);
  q.addUnschedulable(q.pop()!, q.cycle, new Set(['NodeAffinity']));
  q.update('ns/a', { ...pod, status: { conditions: [{ type: 'PodScheduled', status: 'False' }] } });
  t.equal(q.locationOf('ns/a'), 'unschedulable');
  q.update('ns/a', { ...pod, spec: { ...pod.spec!, nodeSelector: { a: 'b' } } });
  t.equal(q.locationOf('ns/a'), 'backoff');
  q.delete('ns/a');
  t.equal(q.locationOf('ns/a'), undefined);
  t.equal(q.size, 0);
  t.end();
});

void t.test('assume counts a pod on its node at once, forget undoes it, confirm keeps it', (t) => {
  const cache = new SchedulerCache();
  cache.setNode(makeNode('n1', { cpu: '1' }));
  const random = new SeededRandom(3);
  const first = schedulerPodInfoOf(makePod('a', { cpu: '700m' }));
  const r1 = schedulePod(first, cache, random, { next: 0 });
  t.same(r1.kind === 'scheduled' && r1.nodeName, 'n1');
  cache.assumePod(first, 'n1');
  t.throws(() => cache.assumePod(first, 'n1'), PodAlreadyAssumedError);
  // While a's bind is in flight, b must not be placed on the same CPU.
  const second = schedulerPodInfoOf(makePod('b', { cpu: '700m' }));
  const r2 = schedulePod(second, cache, random, { next: 0 });
  t.equal(r2.kind, 'unschedulable', 'no over-commit with a bind in flight');
  cache.forgetPod(first.key);
  t.equal(cache.isAssumed(first.key), false);
  t.equal(schedulePod(second, cache, random, { next: 0 }).kind, 'scheduled', 'forgotten: the CPU is free again');
  cache.assumePod(second, 'n1');
  cache.setPod(makePod('b', { cpu: '700m', nodeName: 'n1' }));
  t.equal(cache.isAssumed(second.key), false, 'confirmed by the informer');
  cache.forgetPod(second.key);
  t.equal(cache.hasPod(second.key), true, 'forget after confirm is a no-op');
  t.equal(cache.nodeInfo('n1')!.requested.milliCpu, 700);
  cache.removePod(second.key);
  t.equal(cache.nodeInfo('n1')!.requested.milliCpu, 0);
  t.end();
});

void t.test('ControllerPodCounts: per-node counts by ordinal, growth past the initial slots, owners dropped at zero', (t) => {
  const counts = new ControllerPodCounts();
  counts.add('rs', 2, 1);
  counts.add('rs', 2, 1);
  counts.add('rs', CONTROLLER_COUNTS_INITIAL_SLOTS + 5, 1);
  counts.add('', 1, 1);
  t.equal(counts.total('rs'), 3);
  t.equal(controllerPodsOnNode(counts.perNode('rs'), 2), 2);
  t.equal(controllerPodsOnNode(counts.perNode('rs'), CONTROLLER_COUNTS_INITIAL_SLOTS + 5), 1, 'the array grew and kept what it had');
  t.equal(controllerPodsOnNode(counts.perNode('rs'), 10_000), 0, 'past the end reads 0');
  t.equal(counts.perNode(''), undefined, 'pods without an owner are not counted');
  counts.add('rs', 7, -1);
  t.equal(counts.total('rs'), 3, 'removing what was never added changes nothing');
  counts.add('rs', 2, -1);
  counts.add('rs', 2, -1);
  counts.add('rs', CONTROLLER_COUNTS_INITIAL_SLOTS + 5, -1);
  t.equal(counts.perNode('rs'), undefined);
  t.equal(counts.ownerCount, 0);
  t.end();
});

void t.test('the cache gives each NodeInfo its own ordinal, reuses freed ones, and indexes owner pods by it', (t) => {
  const cache = new SchedulerCache();
  for (const name of ['a', 'b', 'c']) cache.setNode(makeNode(name));
  const ordinals = ['a', 'b', 'c'].map((n) => cache.nodeInfo(n)!.ordinal);
  t.same([...new Set(ordinals)].length, 3, 'distinct');
  cache.setPod(makePod('x', { nodeName: 'b', ownerUid: 'rs' }));
  cache.assumePod(schedulerPodInfoOf(makePod('y', { ownerUid: 'rs' })), 'b');
  cache.setPod(makePod('z', { nodeName: 'c', ownerUid: 'rs' }));
  const byNode = (name: string): number => controllerPodsOnNode(cache.controllerPodsByNode('rs'), cache.nodeInfo(name)!.ordinal);
  t.same([byNode('a'), byNode('b'), byNode('c')], [0, 2, 1]);
  cache.forgetPod('default/y');
  cache.setPod(makePod('x', { nodeName: 'c', ownerUid: 'rs' }));
  t.same([byNode('b'), byNode('c')], [0, 2], 'forget and a move to another node are counted');
  const freed = cache.nodeInfo('a')!.ordinal;
  cache.removeNode('a');
  cache.setNode(makeNode('d'));
  t.equal(cache.nodeInfo('d')!.ordinal, freed, 'an empty removed node frees its ordinal for the next');
  cache.removeNode('c');
  t.equal(cache.nodeInfo('c')?.ordinal, ordinals[2], 'a removed node that still has pods keeps its NodeInfo and ordinal');
  cache.setNode(makeNode('e'));
  t.not(cache.nodeInfo('e')!.ordinal, ordinals[2]);
  cache.removePod('default/x');
  cache.removePod('default/z');
  t.equal(cache.controllerPodsByNode('rs'), undefined);
  t.end();
});
