// Randomized check of the filters and scores against a dumb reference written from kube's
// definitions: it recounts everything from the pods it placed (no aggregates, no indexes), so the
// scheduler's incremental per-node figures, its per-owner index and its one-pass scoring must
// agree with it on every node. A failure prints the seed that reproduces it.
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import type { Pod, Taint } from '../../../core/index.js';
import { runNodeFilters, SCHEDULER_CACHE_MAX_INTERNED_ZONES, SchedulerCache, schedulerPodInfoOf, scoreNodes } from '../../../actors/index.js';
import { makeNode, makePod } from './fixtures.js';

const MI = 1024 * 1024;
const GI = 1024 * MI;
const OWNERS = ['rs-a', 'rs-b', 'rs-c', ''];

interface RefNode {
  readonly name: string;
  readonly zone: string | undefined;
  readonly milliCpu: number;
  readonly memoryBytes: number;
  readonly maxPods: number;
  readonly taints: readonly Taint[];
}

interface RefPod {
  readonly name: string;
  readonly owner: string;
  /** Requested (0 when absent) and counted for scoring (kube's defaults when absent). */
  readonly milliCpu: number;
  readonly memoryBytes: number;
  readonly nonZeroMilliCpu: number;
  readonly nonZeroMemoryBytes: number;
  readonly pod: Pod;
}

function randomPod(random: SeededRandom, name: string, nodeName?: string): RefPod {
  const owner = OWNERS[random.int(OWNERS.length)]!;
  const cpu = random.chance(0.2) ? undefined : 50 * (1 + random.int(20));
  const memory = random.chance(0.2) ? undefined : 64 * (1 + random.int(32));
  const pod = makePod(name, {
    ...(cpu === undefined ? {} : { cpu: `${cpu}m` }),
    ...(memory === undefined ? {} : { memory: `${memory}Mi` }),
    ...(owner === '' ? {} : { ownerUid: owner }),
    ...(nodeName === undefined ? {} : { nodeName }),
  });
  return {
    name,
    owner,
    milliCpu: cpu ?? 0,
    memoryBytes: (memory ?? 0) * MI,
    nonZeroMilliCpu: cpu ?? 100,
    nonZeroMemoryBytes: (memory ?? 200) * MI,
    pod,
  };
}

function randomNode(random: SeededRandom, i: number): RefNode {
  const taints: Taint[] = [];
  if (random.chance(0.2)) taints.push({ key: `soft-${random.int(2)}`, effect: 'PreferNoSchedule' });
  if (random.chance(0.1)) taints.push({ key: 'soft-x', effect: 'PreferNoSchedule' });
  if (random.chance(0.05)) taints.push({ key: 'hard', effect: 'NoSchedule' });
  return { name: `n${i}`, zone: random.chance(0.9) ? `zone-${random.int(3)}` : undefined, milliCpu: 1000 * (1 + random.int(8)), memoryBytes: GI * (1 + random.int(16)), maxPods: 3 + random.int(20), taints };
}

/** kube's filters as far as these fixtures go: no NoSchedule taint, pod count, cpu, memory. */
function referenceFits(node: RefNode, placed: readonly RefPod[], pod: RefPod): boolean {
  if (node.taints.some((taint) => taint.effect === 'NoSchedule')) return false;
  if (placed.length + 1 > node.maxPods) return false;
  const cpu = placed.reduce((s, p) => s + p.milliCpu, 0);
  const memory = placed.reduce((s, p) => s + p.memoryBytes, 0);
  if (pod.milliCpu > 0 && pod.milliCpu > node.milliCpu - cpu) return false;
  if (pod.memoryBytes > 0 && pod.memoryBytes > node.memoryBytes - memory) return false;
  return true;
}

function leastAllocated(requested: number, capacity: number): number {
  return capacity === 0 || requested > capacity ? 0 : Math.trunc(((capacity - requested) * 100) / capacity);
}

/** The default profile's weighted total for each of `nodes` (no affinity terms in these fixtures). */
function referenceScores(nodes: readonly RefNode[], allNodes: readonly RefNode[], placed: ReadonlyMap<string, RefPod[]>, pod: RefPod): number[] {
  const on = (n: RefNode): RefPod[] => placed.get(n.name) ?? [];
  const totals = nodes.map((n) => {
    const pods = on(n);
    const least = Math.trunc(
      (leastAllocated(pods.reduce((s, p) => s + p.nonZeroMilliCpu, 0) + pod.nonZeroMilliCpu, n.milliCpu) +
        leastAllocated(pods.reduce((s, p) => s + p.nonZeroMemoryBytes, 0) + pod.nonZeroMemoryBytes, n.memoryBytes)) /
        2,
    );
    const cpuFraction = Math.min(1, (pods.reduce((s, p) => s + p.milliCpu, 0) + pod.milliCpu) / n.milliCpu);
    const memoryFraction = Math.min(1, (pods.reduce((s, p) => s + p.memoryBytes, 0) + pod.memoryBytes) / n.memoryBytes);
    return least + Math.trunc((1 - Math.abs((cpuFraction - memoryFraction) / 2)) * 100);
  });
  // TaintToleration: untolerated PreferNoSchedule taints, fewer is better (DefaultNormalizeScore, reversed).
  const taints = nodes.map((n) => n.taints.filter((taint) => taint.effect === 'PreferNoSchedule').length);
  const maxTaints = Math.max(0, ...taints);
  taints.forEach((c, i) => (totals[i]! += 3 * (maxTaints === 0 ? 100 : 100 - Math.trunc((100 * c) / maxTaints))));
  // PodTopologySpread system defaults: the pod's owner by hostname (maxSkew 3) and zone (maxSkew 5).
  if (pod.owner !== '') {
    const owned = (n: RefNode): number => on(n).filter((p) => p.owner === pod.owner).length;
    const zoned = allNodes.some((n) => n.zone !== undefined);
    const domains = new Set(nodes.flatMap((n) => (n.zone === undefined ? [] : [n.zone])));
    const zoneCount = (zone: string): number => allNodes.filter((n) => n.zone === zone).reduce((s, n) => s + owned(n), 0);
    const hostWeight = Math.log(nodes.length + 2);
    const zoneWeight = Math.log(domains.size + 2);
    const raw = nodes.map((n) => {
      let score = owned(n) * hostWeight + 2;
      if (zoned && n.zone !== undefined) score += zoneCount(n.zone) * zoneWeight + 4;
      return Math.round(score);
    });
    const min = Math.min(...raw);
    const max = Math.max(0, ...raw);
    raw.forEach((s, i) => (totals[i]! += 2 * (max === 0 ? 100 : Math.trunc((100 * (max + min - s)) / max))));
  }
  return totals;
}

void t.test('filters and scores agree with a from-scratch recount on random clusters', (t) => {
  for (let seed = 1; seed <= 25; seed++) {
    const random = new SeededRandom(seed);
    const nodes = Array.from({ length: 3 + random.int(30) }, (_, i) => randomNode(random, i));
    const cache = new SchedulerCache();
    for (const n of nodes) cache.setNode(makeNode(n.name, { cpu: `${n.milliCpu / 1000}`, memory: `${n.memoryBytes / GI}Gi`, pods: `${n.maxPods}`, ...(n.zone === undefined ? {} : { labels: { 'topology.kubernetes.io/zone': n.zone } }), taints: [...n.taints] }));
    const placed = new Map<string, RefPod[]>();
    const where = new Map<string, string>();
    const place = (p: RefPod, node: string): void => {
      placed.set(node, [...(placed.get(node) ?? []), p]);
      where.set(p.name, node);
    };
    const unplace = (name: string): void => {
      const node = where.get(name)!;
      placed.set(node, placed.get(node)!.filter((p) => p.name !== name));
      where.delete(name);
    };
    let mismatches = 0;
    for (let step = 0; step < 120 && mismatches === 0; step++) {
      const action = random.int(10);
      if (action < 3 && where.size > 0) {
        // A bound pod goes away (or an assumed one is forgotten).
        const names = [...where.keys()];
        const name = names[random.int(names.length)]!;
        const key = `default/${name}`;
        if (cache.isAssumed(key)) cache.forgetPod(key);
        else cache.removePod(key);
        unplace(name);
        continue;
      }
      const incoming = randomPod(random, `p${seed}-${step}`);
      const info = schedulerPodInfoOf(incoming.pod);
      const cached = nodes.map((n) => cache.nodeInfo(n.name)!);
      const fits = cached.map((n) => runNodeFilters(info, n) === undefined);
      const expectedFits = nodes.map((n) => referenceFits(n, placed.get(n.name) ?? [], incoming));
      if (JSON.stringify(fits) !== JSON.stringify(expectedFits)) {
        mismatches++;
        t.same(fits, expectedFits, `filters, seed ${seed} step ${step}`);
        break;
      }
      const feasible = nodes.filter((_, i) => fits[i]);
      if (feasible.length === 0) continue;
      const scores = scoreNodes(info, feasible.map((n) => cache.nodeInfo(n.name)!), cache);
      const expected = referenceScores(feasible, nodes, placed, incoming);
      if (JSON.stringify(scores) !== JSON.stringify(expected)) {
        mismatches++;
        t.same(scores, expected, `scores, seed ${seed} step ${step}`);
        break;
      }
      // Place it on a random feasible node, assumed or confirmed by an informer update.
      const target = feasible[random.int(feasible.length)]!;
      if (random.chance(0.5)) cache.assumePod(info, target.name);
      else cache.setPod({ ...incoming.pod, spec: { ...incoming.pod.spec!, nodeName: target.name } });
      place(incoming, target.name);
    }
    t.equal(mismatches, 0, `seed ${seed}: ${nodes.length} nodes, ${where.size} pods placed at the end`);
  }
  t.end();
});

void t.test('spreading scores the same once there are more zones than the cache numbers', (t) => {
  const random = new SeededRandom(99);
  const nodes: RefNode[] = Array.from({ length: SCHEDULER_CACHE_MAX_INTERNED_ZONES + 8 }, (_, i) => ({ name: `n${i}`, zone: `zone-${i % (SCHEDULER_CACHE_MAX_INTERNED_ZONES + 4)}`, milliCpu: 4000, memoryBytes: 8 * GI, maxPods: 110, taints: [] }));
  const cache = new SchedulerCache();
  for (const n of nodes) cache.setNode(makeNode(n.name, { cpu: '4', memory: '8Gi', labels: { 'topology.kubernetes.io/zone': n.zone! } }));
  t.equal(cache.zoneIdCount, undefined, 'zone numbering gave up');
  const placed = new Map<string, RefPod[]>();
  for (let i = 0; i < 40; i++) {
    const p = randomPod(random, `e${i}`);
    const node = nodes[random.int(8)]!.name;
    cache.setPod({ ...p.pod, spec: { ...p.pod.spec!, nodeName: node } });
    placed.set(node, [...(placed.get(node) ?? []), p]);
  }
  const incoming = randomPod(random, 'incoming');
  const scored = nodes.slice(0, 300);
  t.same(scoreNodes(schedulerPodInfoOf({ ...incoming.pod, metadata: { ...incoming.pod.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-a', controller: true }] } }), scored.map((n) => cache.nodeInfo(n.name)!), cache), referenceScores(scored, nodes, placed, { ...incoming, owner: 'rs-a' }));
  t.end();
});
