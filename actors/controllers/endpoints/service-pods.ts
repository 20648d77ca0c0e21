// What the Endpoints and EndpointSlice controllers read from a Service and its pods, as kube's
// endpoint utilities: which pods a Service selects, which of them are endpoints (with an IP, not
// terminal, terminating only when asked), whether they are ready, and the container port a
// Service port's targetPort names.

import type { ObjectReference, Pod, Service, ServicePort } from '../../../core/index.js';
import { isBeingDeleted } from '../../../core/index.js';

export const ENDPOINTS_SERVICE_RESOURCE = { group: '', version: 'v1', resource: 'services' } as const;
export const ENDPOINTS_POD_RESOURCE = { group: '', version: 'v1', resource: 'pods' } as const;
/** The label Kubernetes puts on Endpoints and EndpointSlices of a headless Service. */
export const LABEL_SERVICE_HEADLESS = 'service.kubernetes.io/headless';

/** The Service's selector, or undefined when it has none (its endpoints are managed by hand). */
export function serviceSelector(service: Service): Readonly<Record<string, string>> | undefined {
  const selector = service.spec?.selector;
  return selector === undefined || Object.keys(selector).length === 0 ? undefined : selector;
}

/** Whether every selector label is on the pod (a Service selector is a plain equality map). */
export function serviceSelectsPod(selector: Readonly<Record<string, string>>, pod: Pod): boolean {
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

export function isHeadlessService(service: Service): boolean {
  return service.spec?.clusterIP === 'None';
}

/** kube's ShouldPodBeInEndpoints: has an IP, not Succeeded/Failed, and not terminating unless `includeTerminating`. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if ((pod.status?.podIP ?? '') === '') return false;
  return includeTerminating || !isBeingDeleted(pod);
}

export function isPodReadyForEndpoints(pod: Pod): boolean {
  return pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true;
}

/**
 * The port a Service port sends to on `pod` (kube's FindPort): a number as is (absent: the
 * Service port), a name looked up among the pod's container ports with the same protocol;
 * undefined when the pod has no such named port.
 */
export function resolveTargetPort(servicePort: ServicePort, pod: Pod): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^[0-9]+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
  }
  return undefined;
}

export function podTargetRef(pod: Pod): ObjectReference {
  return { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
}

/** The pod's DNS hostname under a headless Service when its spec.subdomain names that Service. */
export function podHostnameFor(service: Service, pod: Pod): string | undefined {
  const hostname = pod.spec?.hostname ?? '';
  return hostname !== '' && pod.spec?.subdomain === service.metadata?.name ? hostname : undefined;
}

/** The labels Endpoints and EndpointSlices copy from their Service (plus the headless marker). */
export function endpointLabelsFor(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata?.labels ?? {}) };
  if (isHeadlessService(service)) labels[LABEL_SERVICE_HEADLESS] = '';
  return labels;
}
