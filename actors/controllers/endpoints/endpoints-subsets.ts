// The subsets of a Service's Endpoints, as kube's endpoints controller computes them: one subset
// per distinct set of resolved ports (kube's RepackSubsets), addresses sorted, ready pods (or all,
// with publishNotReadyAddresses) in `addresses`, the others in `notReadyAddresses`.

import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from '../../../core/index.js';
import { isPodReadyForEndpoints, isHeadlessService, podHostnameFor, podTargetRef, resolveTargetPort, shouldPodBeInEndpoints } from './service-pods.js';

/** Addresses one Endpoints object holds at most (kube's maxCapacity); beyond it they are truncated. */
export const ENDPOINTS_MAX_ADDRESSES = 1000;
/** Set to `truncated` on an Endpoints object that hit ENDPOINTS_MAX_ADDRESSES. */
export const ENDPOINTS_OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

interface SubsetBuilder {
  readonly ports: EndpointPort[];
  readonly ready: EndpointAddress[];
  readonly notReady: EndpointAddress[];
}

function addressOf(service: Service, pod: Pod): EndpointAddress {
  const address: EndpointAddress = { ip: pod.status?.podIP ?? '' };
  const hostname = podHostnameFor(service, pod);
  if (hostname !== undefined) address.hostname = hostname;
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName !== '') address.nodeName = nodeName;
  address.targetRef = podTargetRef(pod);
  return address;
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const an = a.targetRef?.name ?? '';
  const bn = b.targetRef?.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  const an = a.name ?? '';
  const bn = b.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : a.port - b.port;
}

/** The Endpoints subsets for `service` over the pods its selector matched; `truncated` when over capacity. */
export function computeEndpointSubsets(service: Service, pods: readonly Pod[]): { subsets: EndpointSubset[]; truncated: boolean } {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const servicePorts = service.spec?.ports ?? [];
  // kube's RepackSubsets: each address with the set of ports it serves, then one subset per port set.
  const byAddress = new Map<string, { address: EndpointAddress; ready: boolean; ports: EndpointPort[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = addressOf(service, pod);
    const ready = publishNotReady || isPodReadyForEndpoints(pod);
    const ports: EndpointPort[] = [];
    for (const servicePort of servicePorts) {
      const port = resolveTargetPort(servicePort, pod);
      if (port === undefined) continue;
      const endpointPort: EndpointPort = { port, protocol: servicePort.protocol ?? 'TCP' };
      if ((servicePort.name ?? '') !== '') endpointPort.name = servicePort.name;
      if (servicePort.appProtocol !== undefined) endpointPort.appProtocol = servicePort.appProtocol;
      ports.push(endpointPort);
    }
    // A headless Service without ports still publishes its addresses (for DNS); otherwise an
    // address with no resolvable port serves nothing.
    if (ports.length === 0 && !(servicePorts.length === 0 && isHeadlessService(service))) continue;
    ports.sort(comparePorts);
    byAddress.set(`${address.ip}/${address.targetRef?.uid ?? ''}`, { address, ready, ports });
  }
  const byPorts = new Map<string, SubsetBuilder>();
  for (const { address, ready, ports } of byAddress.values()) {
    const key = JSON.stringify(ports);
    let builder = byPorts.get(key);
    if (builder === undefined) {
      builder = { ports, ready: [], notReady: [] };
      byPorts.set(key, builder);
    }
    (ready ? builder.ready : builder.notReady).push(address);
  }
  let budget = ENDPOINTS_MAX_ADDRESSES;
  let truncated = false;
  const subsets: EndpointSubset[] = [];
  const builders = [...byPorts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, builder]) => builder);
  for (const builder of builders) {
    const take = (addresses: readonly EndpointAddress[]): EndpointAddress[] => {
      const sorted = [...addresses].sort(compareAddresses);
      if (sorted.length > budget) truncated = true;
      const kept = sorted.slice(0, Math.max(0, budget));
      budget -= kept.length;
      return kept;
    };
    const subset: EndpointSubset = {};
    const ready = take(builder.ready);
    const notReady = take(builder.notReady);
    if (ready.length > 0) subset.addresses = ready;
    if (notReady.length > 0) subset.notReadyAddresses = notReady;
    if (ready.length === 0 && notReady.length === 0) continue;
    if (builder.ports.length > 0) subset.ports = builder.ports;
    subsets.push(subset);
  }
  return { subsets, truncated };
}
