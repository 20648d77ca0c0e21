// The scores: each plugin's preference shows in which node a pod lands.
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import type { Node, Pod } from '../../../core/index.js';
import { schedulePod, SchedulerCache, schedulerPodInfoOf, scoreNodes } from '../../../actors/index.js';
import { makeNode, makePod } from './fixtures.js';

function place(nodes: Node[], pods: Pod[], pod: Pod): string {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.setNode(n);
  for (const p of pods) cache.setPod(p);
  const r = schedulePod(schedulerPodInfoOf(pod), cache, new SeededRandom(7), { next: 0 });
  return r.kind === 'scheduled' ? r.nodeName : r.kind;
}

void t.test('LeastAllocated prefers the emptier node; BalancedAllocation the balanced one', (t) => {
  const nodes = [makeNode('busy'), makeNode('idle')];
  t.equal(place(nodes, [makePod('x', { cpu: '3', memory: '8Gi', nodeName: 'busy' })], makePod('p', { cpu: '100m' })), 'idle');
  const cache = new SchedulerCache();
  for (const n of nodes) cache.setNode(n);
  cache.setPod(makePod('x', { cpu: '2', memory: '2Gi', nodeName: 'busy' }));
  const pod = schedulerPodInfoOf(makePod('p', { cpu: '1', memory: '1Gi' }));
  const [busy, idle] = scoreNodes(pod, [cache.nodeInfo('busy')!, cache.nodeInfo('idle')!], cache);
  // idle: least (75 + 93) / 2 = 84, balanced 1 − |0.25 − 0.0625|/2 → 90; plus TaintToleration 3 × 100.
  t.equal(idle, 84 + 90 + 300);
  t.ok(busy! < idle!);
  t.end();
});

void t.test('TaintToleration prefers fewer untolerated PreferNoSchedule taints', (t) => {
  const nodes = [makeNode('tainted', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }), makeNode('clean')];
  t.equal(place(nodes, [], makePod('p')), 'clean');
  t.end();
});

void t.test('NodeAffinity preferred terms weigh in', (t) => {
  const nodes = [makeNode('a', { labels: { disk: 'hdd' } }), makeNode('b', { labels: { disk: 'ssd' } })];
  const pod = makePod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } } });
  t.equal(place(nodes, [], pod), 'b');
  t.end();
});

void t.test('InterPodAffinity preferred affinity and anti-affinity', (t) => {
  const z = (zone: string): Record<string, string> => ({ 'topology.kubernetes.io/zone': zone });
  const nodes = [makeNode('a', { labels: z('a') }), makeNode('b', { labels: z('b') })];
  const cache = [makePod('db', { labels: { app: 'db' }, nodeName: 'b' })];
  const term = { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'topology.kubernetes.io/zone' };
  const near = makePod('p', { spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } } } });
  const far = makePod('p', { spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } } } });
  t.equal(place(nodes, cache, near), 'b');
  t.equal(place(nodes, cache, far), 'a');
  t.end();
});

void t.test('default spreading puts pods of one owner on different nodes; ScheduleAnyway constraints spread by zone', (t) => {
  const nodes = [makeNode('a'), makeNode('b')];
  const existing = [makePod('r1', { ownerUid: 'rs1', nodeName: 'a' }), makePod('r2', { ownerUid: 'rs1', nodeName: 'a' })];
  t.equal(place(nodes, existing, makePod('p', { ownerUid: 'rs1' })), 'b');
  const z = (zone: string): Record<string, string> => ({ 'topology.kubernetes.io/zone': zone });
  const zoned = [makeNode('a1', { labels: z('a') }), makeNode('a2', { labels: z('a') }), makeNode('b1', { labels: z('b') })];
  const web = (name: string, nodeName: string): Pod => makePod(name, { labels: { app: 'web' }, nodeName });
  const pod = makePod('p', { labels: { app: 'web' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }] } });
  t.equal(place(zoned, [web('w1', 'b1'), web('w2', 'b1'), web('w3', 'b1')], pod).startsWith('a'), true);
  t.end();
});

void t.test('ties are broken by the injected random source', (t) => {
  const nodes = [makeNode('a'), makeNode('b'), makeNode('c')];
  const seen = new Set<string>();
  const cache = new SchedulerCache();
  for (const n of nodes) cache.setNode(n);
  const random = new SeededRandom(11);
  for (let i = 0; i < 30; i++) {
    const r = schedulePod(schedulerPodInfoOf(makePod(`p${i}`)), cache, random, { next: 0 });
    if (r.kind === 'scheduled') seen.add(r.nodeName);
  }
  t.same([...seen].sort(), ['a', 'b', 'c']);
  t.end();
});
