// The scheduler's filters, one small fixture each, and kube's unschedulable message format.
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import { runNodeFilters, schedulePod, SchedulerCache, schedulerPodInfoOf } from '../../../actors/index.js';
import type { SchedulerCache as Cache } from '../../../actors/index.js';
import type { Node, Pod } from '../../../core/index.js';
import { makeNode, makePod } from './fixtures.js';

function cacheOf(nodes: Node[], pods: Pod[] = []): Cache {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.setNode(n);
  for (const p of pods) cache.setPod(p);
  return cache;
}

/** The reason the single node `name` gives for `pod`, or 'fits'. */
function verdict(cache: Cache, pod: Pod, name: string): string {
  const result = schedulePod(schedulerPodInfoOf(pod), cache, new SeededRandom(1), { next: 0 });
  if (result.kind === 'scheduled') return result.nodeName === name ? 'fits' : `placed on ${result.nodeName}`;
  if (result.kind === 'error') return result.message;
  return [...result.diagnosis.reasonCounts.keys()].join('; ');
}

void t.test('node readiness and cordon', (t) => {
  t.equal(verdict(cacheOf([makeNode('n1', { ready: 'False' })]), makePod('p'), 'n1'), 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }');
  t.equal(verdict(cacheOf([makeNode('n1', { ready: 'Unknown' })]), makePod('p'), 'n1'), 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }');
  const tolerant = makePod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }] } });
  t.equal(verdict(cacheOf([makeNode('n1', { ready: 'missing' })]), tolerant, 'n1'), 'fits');
  t.equal(verdict(cacheOf([makeNode('n1', { unschedulable: true })]), makePod('p'), 'n1'), 'node(s) were unschedulable');
  const cordonTolerant = makePod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
  t.equal(verdict(cacheOf([makeNode('n1', { unschedulable: true })]), cordonTolerant, 'n1'), 'fits');
  t.end();
});

void t.test('NodeResourcesFit: requests, init containers, overhead, pod count', (t) => {
  const node = makeNode('n1', { cpu: '1', memory: '1Gi', pods: '2' });
  t.equal(verdict(cacheOf([node]), makePod('p', { cpu: '1' }), 'n1'), 'fits');
  t.equal(verdict(cacheOf([node]), makePod('p', { cpu: '1001m', memory: '2Gi' }), 'n1'), 'Insufficient cpu; Insufficient memory');
  t.equal(verdict(cacheOf([node], [makePod('a', { cpu: '600m', nodeName: 'n1' })]), makePod('p', { cpu: '500m' }), 'n1'), 'Insufficient cpu');
  const initHeavy = makePod('p', { cpu: '100m', spec: { initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '2' } } }] } });
  t.equal(verdict(cacheOf([node]), initHeavy, 'n1'), 'Insufficient cpu', 'the largest init container counts');
  const overhead = makePod('p', { cpu: '900m', spec: { overhead: { cpu: '200m' } } });
  t.equal(verdict(cacheOf([node]), overhead, 'n1'), 'Insufficient cpu', 'pod overhead counts');
  const full = cacheOf([node], [makePod('a', { nodeName: 'n1' }), makePod('b', { nodeName: 'n1' })]);
  t.equal(verdict(full, makePod('p'), 'n1'), 'Too many pods');
  const gpu = makePod('p', { spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { 'nvidia.com/gpu': '1' } } }] } });
  t.equal(verdict(cacheOf([node]), gpu, 'n1'), 'Insufficient nvidia.com/gpu', 'a limit without a request requests the limit');
  const terminal = makePod('done', { cpu: '1', nodeName: 'n1' });
  terminal.status = { phase: 'Succeeded' };
  t.equal(verdict(cacheOf([node], [terminal]), makePod('p', { cpu: '1' }), 'n1'), 'fits', 'terminal pods free their requests');
  t.end();
});

void t.test('nodeSelector and required node affinity operators', (t) => {
  const node = makeNode('n1', { labels: { disk: 'ssd', cores: '8' } });
  const cache = cacheOf([node]);
  t.equal(verdict(cache, makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), 'n1'), 'fits');
  t.equal(verdict(cache, makePod('p', { spec: { nodeSelector: { disk: 'hdd' } } }), 'n1'), "node(s) didn't match Pod's node affinity/selector");
  const withTerm = (expr: object[], fields: object[] = []): Pod =>
    makePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: expr as never, matchFields: fields as never }] } } } } });
  const cases: [object[], object[], boolean][] = [
    [[{ key: 'disk', operator: 'In', values: ['ssd', 'nvme'] }], [], true],
    [[{ key: 'disk', operator: 'NotIn', values: ['ssd'] }], [], false],
    [[{ key: 'gpu', operator: 'NotIn', values: ['x'] }], [], true],
    [[{ key: 'disk', operator: 'Exists' }], [], true],
    [[{ key: 'disk', operator: 'DoesNotExist' }], [], false],
    [[{ key: 'cores', operator: 'Gt', values: ['4'] }], [], true],
    [[{ key: 'cores', operator: 'Lt', values: ['4'] }], [], false],
    [[{ key: 'disk', operator: 'Gt', values: ['4'] }], [], false],
    [[], [{ key: 'metadata.name', operator: 'In', values: ['n1'] }], true],
    [[], [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }], false],
    [[], [], false],
  ];
  for (const [expr, fields, fits] of cases) t.equal(verdict(cache, withTerm(expr, fields), 'n1') === 'fits', fits, JSON.stringify([expr, fields]));
  t.end();
});

void t.test('TaintToleration: effects, Exists/Equal, empty key', (t) => {
  const node = makeNode('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
  const cache = cacheOf([node]);
  t.equal(verdict(cache, makePod('p'), 'n1'), 'node(s) had untolerated taint {dedicated: db}');
  t.equal(verdict(cache, makePod('p', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db' }] } }), 'n1'), 'fits');
  t.equal(verdict(cache, makePod('p', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web' }] } }), 'n1') !== 'fits', true);
  t.equal(verdict(cache, makePod('p', { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }] } }), 'n1') !== 'fits', true, 'effect must match');
  t.equal(verdict(cache, makePod('p', { spec: { tolerations: [{ operator: 'Exists' }] } }), 'n1'), 'fits', 'empty key with Exists tolerates everything');
  const noExec = cacheOf([makeNode('n1', { taints: [{ key: 'k', effect: 'NoExecute' }] })]);
  t.equal(verdict(noExec, makePod('p'), 'n1'), 'node(s) had untolerated taint {k: }');
  const prefer = cacheOf([makeNode('n1', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })]);
  t.equal(verdict(prefer, makePod('p'), 'n1'), 'fits', 'PreferNoSchedule does not filter');
  t.end();
});

void t.test('NodePorts: protocol, hostIP and wildcard conflicts', (t) => {
  const withPort = (name: string, port: number, opts: { hostIP?: string; protocol?: 'TCP' | 'UDP'; nodeName?: string } = {}): Pod =>
    makePod(name, {
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: port, ...(opts.hostIP ? { hostIP: opts.hostIP } : {}), ...(opts.protocol ? { protocol: opts.protocol } : {}) }] }] },
    });
  const cache = cacheOf([makeNode('n1')], [withPort('a', 8080, { nodeName: 'n1', hostIP: '10.0.0.1' })]);
  t.equal(verdict(cache, withPort('p', 8080), 'n1'), "node(s) didn't have free ports for the requested pod ports", 'wildcard conflicts with any IP');
  t.equal(verdict(cache, withPort('p', 8080, { hostIP: '10.0.0.1' }), 'n1') !== 'fits', true);
  t.equal(verdict(cache, withPort('p', 8080, { hostIP: '10.0.0.2' }), 'n1'), 'fits', 'another IP is free');
  t.equal(verdict(cache, withPort('p', 8080, { protocol: 'UDP' }), 'n1'), 'fits', 'another protocol is free');
  t.equal(verdict(cache, withPort('p', 8081), 'n1'), 'fits');
  t.end();
});

void t.test('InterPodAffinity: affinity, anti-affinity, existing anti-affinity, namespaces', (t) => {
  const zoneA = { 'topology.kubernetes.io/zone': 'a' };
  const zoneB = { 'topology.kubernetes.io/zone': 'b' };
  const nodes = [makeNode('n1', { labels: zoneA }), makeNode('n2', { labels: zoneB })];
  const db = makePod('db', { labels: { app: 'db' }, nodeName: 'n1' });
  const term = (app: string, extra: object = {}): object => ({ labelSelector: { matchLabels: { app } }, topologyKey: 'topology.kubernetes.io/zone', ...extra });
  const affine = makePod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db') as never] } } } });
  const cache = cacheOf(nodes, [db]);
  t.equal(verdict(cacheOf([nodes[1]!, nodes[0]!], [db]), affine, 'n1'), 'fits');
  t.equal(verdict(cacheOf([nodes[1]!], []), affine, 'n2'), "node(s) didn't match pod affinity rules");
  const selfAffine = makePod('p', { labels: { app: 'db' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db') as never] } } } });
  t.equal(verdict(cacheOf([nodes[1]!]), selfAffine, 'n2'), 'fits', 'the first pod of a self-affine group may go anywhere');
  const anti = makePod('p', { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db') as never] } } } });
  t.equal(verdict(cacheOf([nodes[0]!], [db]), anti, 'n1'), "node(s) didn't match pod anti-affinity rules");
  t.equal(verdict(cache, anti, 'n2'), 'fits');
  const otherNs = makePod('p', { namespace: 'other', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db') as never] } } } });
  t.equal(verdict(cacheOf([nodes[0]!], [db]), otherNs, 'n1'), 'fits', "a term selects the pod's own namespace by default");
  const allNs = makePod('p', { namespace: 'other', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', { namespaceSelector: {} }) as never] } } } });
  t.equal(verdict(cacheOf([nodes[0]!], [db]), allNs, 'n1'), "node(s) didn't match pod anti-affinity rules", 'an empty namespaceSelector selects every namespace');
  const guard = makePod('guard', { nodeName: 'n1', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web') as never] } } } });
  t.equal(verdict(cacheOf([nodes[0]!], [guard]), makePod('w', { labels: { app: 'web' } }), 'n1'), "node(s) didn't satisfy existing pods anti-affinity rules");
  t.equal(verdict(cacheOf([nodes[0]!], [guard]), makePod('w', { labels: { app: 'api' } }), 'n1'), 'fits');
  t.end();
});

void t.test('PodTopologySpread DoNotSchedule: maxSkew, missing label, minDomains', (t) => {
  const z = (zone: string): Record<string, string> => ({ 'topology.kubernetes.io/zone': zone });
  const nodes = [makeNode('n1', { labels: z('a') }), makeNode('n2', { labels: z('b') })];
  const web = (name: string, nodeName?: string): Pod => makePod(name, { labels: { app: 'web' }, ...(nodeName ? { nodeName } : {}) });
  const spread = (minDomains?: number): Pod =>
    makePod('p', {
      labels: { app: 'web' },
      spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...(minDomains ? { minDomains } : {}) }] },
    });
  const cache = cacheOf(nodes, [web('a1', 'n1')]);
  t.equal(verdict(cacheOf(nodes, [web('a1', 'n1')]), spread(), 'n2'), 'fits');
  // Only zone a is offered to the filter here, but zone b (empty) still counts as a domain with 0.
  const result = schedulePod(schedulerPodInfoOf(spread()), cache, new SeededRandom(1), { next: 0 });
  t.same(result.kind === 'scheduled' ? result.nodeName : result, 'n2', 'the empty zone is chosen');
  const onlyA = cacheOf([nodes[0]!, makeNode('n3', { labels: z('b'), unschedulable: true })], [web('a1', 'n1')]);
  t.equal(verdict(onlyA, spread(), 'n1'), "node(s) didn't match pod topology spread constraints; node(s) were unschedulable");
  t.equal(verdict(cacheOf([makeNode('n9')]), spread(), 'n9'), "node(s) didn't match pod topology spread constraints (missing required label)");
  t.equal(verdict(cacheOf([nodes[0]!], [web('a1', 'n1')]), spread(), 'n1'), 'fits', 'one domain: skew against itself is 0');
  t.equal(verdict(cacheOf([nodes[0]!], [web('a1', 'n1')]), spread(3), 'n1'), "node(s) didn't match pod topology spread constraints", 'fewer domains than minDomains: the minimum is 0');
  t.end();
});

void t.test('unschedulable message in kube format, reasons counted and sorted', (t) => {
  const cp = makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
  const cache = cacheOf([cp, makeNode('w1', { cpu: '1' }), makeNode('w2', { cpu: '1' })]);
  const result = schedulePod(schedulerPodInfoOf(makePod('p', { cpu: '2' })), cache, new SeededRandom(1), { next: 0 });
  t.equal(result.kind, 'unschedulable');
  if (result.kind === 'unschedulable') {
    t.equal(result.message, '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.');
    t.same([...result.diagnosis.unschedulablePlugins].sort(), ['NodeResourcesFit', 'TaintToleration']);
  }
  const none = schedulePod(schedulerPodInfoOf(makePod('p')), new SchedulerCache(), new SeededRandom(1), { next: 0 });
  t.same(none, { kind: 'error', message: 'no nodes available to schedule pods' });
  t.equal(runNodeFilters(schedulerPodInfoOf(makePod('p')), cache.nodeInfo('w1')!), undefined);
  t.end();
});
