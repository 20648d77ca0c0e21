// The endpoints a Service's EndpointSlices should hold, grouped by port set, as kube's
// EndpointSlice reconciler computes them: every selected pod with an IP of the slice's address
// family that is not terminal, terminating ones included with conditions ready/serving/terminating.

import type { EndpointSlice, EndpointSliceEndpoint, Pod, Service } from '../../../core/index.js';
import { isBeingDeleted } from '../../../core/index.js';
import { isPodReadyForEndpoints, podHostnameFor, podTargetRef, resolveTargetPort, shouldPodBeInEndpoints } from '../endpoints/index.js';

export type EndpointSlicePort = NonNullable<EndpointSlice['ports']>[number];
export type EndpointSliceAddressType = 'IPv4' | 'IPv6';

/** Endpoints sharing one port set: they go into the same slices. */
export interface DesiredEndpointGroup {
  readonly portsKey: string;
  readonly ports: EndpointSlicePort[];
  /** By address (the endpoint's identity within a slice set). */
  readonly endpoints: Map<string, EndpointSliceEndpoint>;
}

export function addressTypeOfService(service: Service): EndpointSliceAddressType {
  return service.spec?.ipFamilies?.[0] === 'IPv6' ? 'IPv6' : 'IPv4';
}

function addressTypeOfIp(ip: string): EndpointSliceAddressType {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

export function portsKeyOf(ports: readonly EndpointSlicePort[]): string {
  return JSON.stringify(ports);
}

function endpointOf(service: Service, pod: Pod): EndpointSliceEndpoint {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const terminating = isBeingDeleted(pod);
  const podReady = isPodReadyForEndpoints(pod);
  const endpoint: EndpointSliceEndpoint = {
    addresses: [pod.status?.podIP ?? ''],
    conditions: { ready: publishNotReady || (podReady && !terminating), serving: publishNotReady || podReady, terminating },
    targetRef: podTargetRef(pod),
  };
  const hostname = podHostnameFor(service, pod);
  if (hostname !== undefined) endpoint.hostname = hostname;
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName !== '') endpoint.nodeName = nodeName;
  return endpoint;
}

/** The desired endpoint groups for `service` over the pods its selector matched. */
export function desiredEndpointGroups(service: Service, pods: readonly Pod[]): Map<string, DesiredEndpointGroup> {
  const addressType = addressTypeOfService(service);
  const groups = new Map<string, DesiredEndpointGroup>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    if (addressTypeOfIp(pod.status?.podIP ?? '') !== addressType) continue;
    const ports: EndpointSlicePort[] = [];
    for (const servicePort of service.spec?.ports ?? []) {
      const port = resolveTargetPort(servicePort, pod);
      if (port === undefined) continue;
      const slicePort: EndpointSlicePort = { name: servicePort.name ?? '', port, protocol: servicePort.protocol ?? 'TCP' };
      if (servicePort.appProtocol !== undefined) slicePort.appProtocol = servicePort.appProtocol;
      ports.push(slicePort);
    }
    ports.sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : (a.port ?? 0) - (b.port ?? 0)));
    const key = portsKeyOf(ports);
    let group = groups.get(key);
    if (group === undefined) {
      group = { portsKey: key, ports, endpoints: new Map() };
      groups.set(key, group);
    }
    const endpoint = endpointOf(service, pod);
    group.endpoints.set(endpoint.addresses[0] ?? '', endpoint);
  }
  return groups;
}
