// A Service selecting echo pods on two workers: its Endpoints and EndpointSlice list the pods'
// IPs and port, and each pod answers HTTP on its IP with its own name.
import t from 'tap';
import type { EndpointSlice, Endpoints, Pod } from '../../../core/index.js';
import { ControllerCluster, isPodRunningReady, NAMESPACE } from './controller-cluster.js';

const ENDPOINTS = { group: '', version: 'v1', resource: 'endpoints' } as const;
const ENDPOINT_SLICES = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' } as const;
/** How long one HTTP request to a pod may take. */
const HTTP_TIMEOUT_MS = 5_000;

void t.test('a Service has the Endpoints and EndpointSlices of its pods, which answer on their IPs', async (t) => {
  const cluster = await ControllerCluster.start(t, { workers: ['w1', 'w2'] });
  await cluster.kubectlOk(['create', 'deployment', 'web', '--image=flotilla/echo', '--replicas=2']);
  await cluster.kubectlOk(['expose', 'deployment', 'web', '--port=80', '--target-port=8080']);
  const pods: Pod[] = await cluster.waitFor('2 Running web pods with IPs', async () => {
    const p = await cluster.pods('app=web');
    return p.length === 2 && p.every((x) => isPodRunningReady(x) && (x.status?.podIP ?? '') !== '') ? p : undefined;
  });
  const podIPs = pods.map((p) => p.status!.podIP!).sort();

  let endpoints: Endpoints | undefined;
  await cluster.waitFor(() => `Endpoints web with ${podIPs.join(', ')} (last: ${JSON.stringify(endpoints?.subsets)})`, async () => {
    endpoints = await cluster.client.get<Endpoints>({ ...ENDPOINTS, namespace: NAMESPACE, name: 'web' });
    const ips = (endpoints.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
    return JSON.stringify(ips) === JSON.stringify(podIPs) ? true : undefined;
  }, 30_000);
  t.same(endpoints?.subsets?.[0]?.ports?.map((p) => p.port), [8080], 'Endpoints carry the target port');
  t.same(
    endpoints?.subsets?.[0]?.addresses?.map((a) => a.targetRef?.name).sort(),
    pods.map((p) => p.metadata?.name).sort(),
    'each address refers to its pod',
  );

  let slices: EndpointSlice[] = [];
  await cluster.waitFor(() => `an EndpointSlice of web with ${podIPs.join(', ')} (last: ${JSON.stringify(slices.map((s) => s.endpoints))})`, async () => {
    slices = (await cluster.client.list<EndpointSlice>(ENDPOINT_SLICES, { namespace: NAMESPACE, labelSelector: 'kubernetes.io/service-name=web' })).items;
    const ips = slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).flatMap((e) => e.addresses)).sort();
    return JSON.stringify(ips) === JSON.stringify(podIPs) ? true : undefined;
  }, 30_000);
  t.equal(slices[0]?.addressType, 'IPv4', 'the slice is IPv4');
  t.same(slices[0]?.ports?.map((p) => p.port), [8080], 'the slice carries the target port');
  t.equal(slices[0]?.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io', 'managed by the EndpointSlice controller');

  const kubectlEndpoints = await cluster.kubectlOk(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
  t.same(kubectlEndpoints.split(' ').sort(), podIPs, 'kubectl get endpoints lists the pod IPs');

  for (const pod of pods) {
    // Without a readiness probe, Ready means the container started, not that it listens yet.
    const body = await cluster.waitFor(`${pod.metadata!.name!} listening on ${pod.status!.podIP!}:8080`, async () => {
      const res = await fetch(`http://${pod.status!.podIP!}:8080/`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) }).catch(() => undefined);
      return res === undefined ? undefined : await res.text();
    });
    t.match(body, new RegExp(`pod=${pod.metadata!.name!}\\b`), `${pod.metadata!.name!} answers on ${pod.status!.podIP!}:8080 with its name`);
  }

  await cluster.kubectlOk(['scale', 'deployment/web', '--replicas=1']);
  await cluster.waitFor('Endpoints web down to 1 address', async () => {
    const e = await cluster.client.get<Endpoints>({ ...ENDPOINTS, namespace: NAMESPACE, name: 'web' });
    return (e.subsets ?? []).flatMap((s) => s.addresses ?? []).length === 1 ? true : undefined;
  }, 30_000);
  t.pass('scaling down removes the address');
});
