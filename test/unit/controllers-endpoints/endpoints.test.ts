// The Endpoints and EndpointSlice controllers under the framework's harness: ready and
// not-ready addresses, named target ports, publishNotReadyAddresses, terminating pods, services
// without selectors, slices of at most maxEndpointsPerSlice, and convergence under watch faults.
import t from 'tap';
import type { Test } from 'tap';
import type { EndpointSlice, Endpoints, Pod, Service } from '../../../core/index.js';
import { ControllerTestHarness } from '../../../actors/index.js';
import { computeEndpointSubsets, endpointsController } from '../../../actors/index.js';
import { endpointSliceController } from '../../../actors/index.js';

const PODS = { group: '', version: 'v1', resource: 'pods' };
const SERVICES = { group: '', version: 'v1', resource: 'services' };
const ENDPOINTS = { group: '', version: 'v1', resource: 'endpoints' };
const SLICES = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' };
const NS = 'default';

function service(name: string, extra: Partial<NonNullable<Service['spec']>> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }], ...extra } };
}

function pod(name: string, app: string, ip: string, ready: boolean, extra: { terminating?: boolean; noPort?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, uid: `uid-${name}`, labels: { app }, ...(extra.terminating === true ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x', ...(extra.noPort === true ? {} : { ports: [{ name: 'web', containerPort: 8080 }] }) }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

void t.test('computeEndpointSubsets: ready/not-ready, named ports, terminating and portless pods', (t) => {
  const pods = [pod('a', 'web', '10.0.0.2', true), pod('b', 'web', '10.0.0.1', false), pod('c', 'web', '10.0.0.3', true, { terminating: true }), pod('d', 'web', '10.0.0.4', true, { noPort: true }), { ...pod('e', 'web', '', true) }];
  const { subsets } = computeEndpointSubsets(service('web'), pods);
  t.same(subsets, [
    {
      addresses: [{ ip: '10.0.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: NS, name: 'a', uid: 'uid-a' } }],
      notReadyAddresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: NS, name: 'b', uid: 'uid-b' } }],
      ports: [{ port: 8080, protocol: 'TCP', name: 'http' }],
    },
  ]);
  const published = computeEndpointSubsets(service('web', { publishNotReadyAddresses: true }), pods).subsets;
  t.same(published[0]?.addresses?.map((a) => a.ip), ['10.0.0.1', '10.0.0.2', '10.0.0.3'], 'publishNotReadyAddresses: all ready, terminating included');
  t.end();
});

async function start(t: Test, seed = 1, faults = false): Promise<ControllerTestHarness> {
  const h = new ControllerTestHarness({
    controllers: [endpointsController, endpointSliceController],
    seed,
    settings: { maxEndpointsPerSlice: 3 },
    ...(faults ? { faults: { dropProbability: 0.2, duplicateProbability: 0.2, reorderProbability: 0.3 } } : {}),
  });
  t.teardown(() => h.stop());
  await h.start();
  return h;
}

async function readyIps(h: ControllerTestHarness, name: string): Promise<string[]> {
  try {
    const ep = await h.store.get<Endpoints>({ ...ENDPOINTS, namespace: NS, name });
    return (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  } catch {
    return ['<none>'];
  }
}

async function slicesOf(h: ControllerTestHarness, name: string): Promise<EndpointSlice[]> {
  return (await h.store.list<EndpointSlice>(SLICES, { namespace: NS, labelSelector: `kubernetes.io/service-name=${name}` })).items;
}

function sliceReadyIps(slices: readonly EndpointSlice[]): string[] {
  return slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).map((e) => e.addresses[0] ?? '')).sort();
}

void t.test('Endpoints and EndpointSlices follow the selected pods; selectorless services are left alone', async (t) => {
  const h = await start(t);
  await h.store.create(SERVICES, service('web'));
  await h.store.create(SERVICES, { ...service('manual'), spec: { ports: [{ port: 80 }] } });
  for (let i = 1; i <= 5; i++) await h.store.create(PODS, pod(`web-${i}`, 'web', `10.0.0.${i}`, i !== 5));
  await h.store.create(PODS, pod('other', 'other', '10.0.1.1', true));
  await h.advance(1_000);
  t.same(await readyIps(h, 'web'), ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
  const ep = await h.store.get<Endpoints>({ ...ENDPOINTS, namespace: NS, name: 'web' });
  t.same(ep.subsets?.[0]?.notReadyAddresses?.map((a) => a.ip), ['10.0.0.5']);
  t.same(await readyIps(h, 'manual'), ['<none>'], 'no Endpoints written for a Service without selector');
  t.equal((await slicesOf(h, 'manual')).length, 0);

  const slices = await slicesOf(h, 'web');
  t.equal(slices.length, 2, '5 endpoints at 3 per slice');
  t.ok(slices.every((s) => (s.endpoints ?? []).length <= 3));
  t.same(sliceReadyIps(slices), ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
  const s0 = slices[0]!;
  t.equal(s0.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  t.equal(s0.addressType, 'IPv4');
  t.same(s0.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  t.equal(s0.metadata?.ownerReferences?.[0]?.kind, 'Service');

  // A pod starts terminating: out of Endpoints, terminating in its slice.
  const p1 = await h.store.get<Pod>({ ...PODS, namespace: NS, name: 'web-1' });
  await h.store.update(PODS, { ...p1, metadata: { ...p1.metadata, finalizers: ['hold'] } });
  await h.store.delete({ ...PODS, namespace: NS, name: 'web-1' });
  await h.advance(1_000);
  t.same(await readyIps(h, 'web'), ['10.0.0.2', '10.0.0.3', '10.0.0.4']);
  const e1 = (await slicesOf(h, 'web')).flatMap((s) => s.endpoints ?? []).find((e) => e.addresses[0] === '10.0.0.1');
  t.same(e1?.conditions, { ready: false, serving: true, terminating: true });

  // Labels change away: the pod leaves both.
  const p2 = await h.store.get<Pod>({ ...PODS, namespace: NS, name: 'web-2' });
  await h.store.update(PODS, { ...p2, metadata: { ...p2.metadata, labels: { app: 'moved' } } });
  await h.advance(1_000);
  t.same(await readyIps(h, 'web'), ['10.0.0.3', '10.0.0.4']);
  t.notOk(sliceReadyIps(await slicesOf(h, 'web')).includes('10.0.0.2'));

  // Service deleted: its Endpoints and slices go.
  await h.store.delete({ ...SERVICES, namespace: NS, name: 'web' });
  await h.advance(1_000);
  t.same(await readyIps(h, 'web'), ['<none>']);
  t.equal((await slicesOf(h, 'web')).length, 0);
  t.end();
});

void t.test('a service without endpoints keeps one empty placeholder slice', async (t) => {
  const h = await start(t);
  await h.store.create(SERVICES, service('empty'));
  await h.advance(1_000);
  const slices = await slicesOf(h, 'empty');
  t.equal(slices.length, 1);
  t.same(slices[0]?.endpoints, []);
  t.end();
});

for (const seed of [1, 2, 3]) {
  void t.test(`endpoints and slices converge despite watch faults and a restart (seed ${seed})`, async (t) => {
    const h = await start(t, seed, true);
    await h.store.create(SERVICES, service('web'));
    for (let i = 1; i <= 8; i++) {
      await h.store.create(PODS, pod(`web-${i}`, 'web', `10.0.0.${i}`, i % 2 === 0));
      await h.advance(500);
    }
    await h.restart();
    for (let i = 1; i <= 8; i += 2) {
      const p = await h.store.get<Pod>({ ...PODS, namespace: NS, name: `web-${i}` });
      await h.store.updateStatus(PODS, { ...p, status: { ...p.status, conditions: [{ type: 'Ready', status: 'True' }] } });
    }
    await h.store.delete({ ...PODS, namespace: NS, name: 'web-8' });
    await h.advance(2_000);
    await h.heal();
    const want = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7'];
    const converged = async (): Promise<boolean> => {
      const slices = await slicesOf(h, 'web');
      const all = slices.flatMap((s) => (s.endpoints ?? []).map((e) => e.addresses[0] ?? '')).sort();
      return JSON.stringify(await readyIps(h, 'web')) === JSON.stringify(want) && JSON.stringify(sliceReadyIps(slices)) === JSON.stringify(want) && JSON.stringify(all) === JSON.stringify(want) && slices.every((s) => (s.endpoints ?? []).length <= 3);
    };
    t.ok(await h.runUntil(converged, { maxMs: 10 * 60_000, stepMs: 5_000 }), `converged (seed ${seed})`);
    t.end();
  });
}
