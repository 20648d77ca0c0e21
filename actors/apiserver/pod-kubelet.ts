// What `pods/log` and `pods/exec` share: finding the pod, the container a request means (as
// kube-apiserver's pod REST validates it), and the kubelet that runs it (its Node's InternalIP
// and status.daemonEndpoints.kubeletEndpoint.Port); and the kubelet's failures as API errors.

import { ApiBadRequestError, ApiInternalError, ApiStatusError, ResourceApiError } from '../../core/index.js';
import type { StatusReason } from '../../core/index.js';
import type { KubeletClient, KubeletClientPool } from '../../transport/index.js';
import { isJsonMap, metaOf } from './object-meta.js';
import type { JsonMap } from './object-meta.js';
import type { ResourceRest } from './rest.js';

/** The registry's pods and nodes, and the clients of the kubelets. */
export interface PodKubeletContext {
  readonly pods: ResourceRest;
  readonly nodes: ResourceRest;
  readonly kubelets: KubeletClientPool;
}

/** A Status a kubelet answered with, passed on to the API client as it is. */
export class KubeletStatusError extends ApiStatusError {
  override readonly name = 'KubeletStatusError';
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The API error for a failed kubelet call: the kubelet's own 400 and 404 (the container is not
 * running, has no previous instance) pass through; anything else (unreachable, refused our
 * token) is the server's failure, a 500 naming the cause.
 */
export function apiErrorOfKubelet(err: unknown): Error {
  if (err instanceof ApiStatusError) return err;
  if (err instanceof ResourceApiError && (err.code === 400 || err.code === 404)) return new KubeletStatusError(err.code, (err.reason || 'BadRequest') as StatusReason, err.status.message ?? err.message);
  return new ApiInternalError(err instanceof Error ? err.message : String(err));
}

function containerNames(spec: JsonMap, field: 'containers' | 'initContainers' | 'ephemeralContainers'): string[] {
  const list = spec[field];
  return Array.isArray(list) ? list.filter(isJsonMap).map((c) => String(c.name ?? '')) : [];
}

/**
 * The container a request names, or the pod's only container when it names none. Messages as
 * kube-apiserver's: `a container name must be specified for pod p, choose one of: [a b]`.
 */
export function resolvePodContainer(pod: JsonMap, requested: string): string {
  const name = String(metaOf(pod).name ?? '');
  const spec = isJsonMap(pod.spec) ? pod.spec : {};
  const containers = containerNames(spec, 'containers');
  const init = containerNames(spec, 'initContainers');
  const ephemeral = containerNames(spec, 'ephemeralContainers');
  if (requested === '') {
    if (containers.length === 1) return containers[0]!;
    let message = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
    if (init.length > 0) message += ` or one of the init containers: [${init.join(' ')}]`;
    if (ephemeral.length > 0) message += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
    throw new ApiBadRequestError(message);
  }
  if (![...containers, ...init, ...ephemeral].includes(requested)) throw new ApiBadRequestError(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** The container's status in the pod (regular, init or ephemeral), if the kubelet reported one. */
export function podContainerStatus(pod: JsonMap, container: string): JsonMap | undefined {
  const status = isJsonMap(pod.status) ? pod.status : {};
  for (const field of ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses']) {
    const list = status[field];
    if (!Array.isArray(list)) continue;
    const found = list.filter(isJsonMap).find((s) => s.name === container);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `host:port` of the kubelet of `nodeName`; a 500 when the node has no reachable kubelet endpoint. */
export async function kubeletAddressOf(c: PodKubeletContext, nodeName: string): Promise<string> {
  let node: JsonMap;
  try {
    node = await c.nodes.get('', nodeName);
  } catch (err) {
    throw new ApiInternalError(`the pod's node ${nodeName} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  const status = isJsonMap(node.status) ? node.status : {};
  const addresses = Array.isArray(status.addresses) ? status.addresses.filter(isJsonMap) : [];
  const pick = (type: string): string | undefined => addresses.find((a) => a.type === type && typeof a.address === 'string' && a.address !== '')?.address as string | undefined;
  const host = pick('InternalIP') ?? pick('ExternalIP') ?? pick('Hostname');
  const endpoints = isJsonMap(status.daemonEndpoints) ? status.daemonEndpoints : {};
  const kubelet = isJsonMap(endpoints.kubeletEndpoint) ? endpoints.kubeletEndpoint : {};
  const port = typeof kubelet.Port === 'number' ? kubelet.Port : 0;
  if (host === undefined || port <= 0) throw new ApiInternalError(`node ${nodeName} has no kubelet endpoint in its status (address ${host ?? 'none'}, port ${port})`);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The kubelet client of the node the pod is bound to. */
export async function kubeletOfPod(c: PodKubeletContext, pod: JsonMap): Promise<KubeletClient> {
  const spec = isJsonMap(pod.spec) ? pod.spec : {};
  const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : '';
  if (nodeName === '') throw new ApiBadRequestError(`pod ${String(metaOf(pod).name ?? '')} is not scheduled to a node yet`);
  return c.kubelets.clientFor(await kubeletAddressOf(c, nodeName));
}
