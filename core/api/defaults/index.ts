// applyDefaults: the defaulting kube-apiserver applies to a decoded object of each kind.
import { isJsonObject, type JsonObject } from '../json.js';
import type { GroupVersionKind } from '../registry.js';
import { defaultEndpointSlice, defaultEndpoints, defaultNamespace, defaultNode, defaultSecret, defaultService } from './core.js';
import { defaultPod } from './pod.js';
import { defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet, defaultStatefulSet } from './workloads.js';

export { defaultImagePullPolicy, defaultPodSpec } from './pod.js';
export { defaultServiceIpFamilies } from './core.js';
export { defaultJobLabelsFromTemplate } from './workloads.js';

const DEFAULTERS = new Map<string, (object: JsonObject) => void>([
  ['/v1/Pod', defaultPod],
  ['/v1/Service', defaultService],
  ['/v1/Secret', defaultSecret],
  ['/v1/Namespace', defaultNamespace],
  ['/v1/Endpoints', defaultEndpoints],
  ['/v1/Node', defaultNode],
  ['apps/v1/Deployment', defaultDeployment],
  ['apps/v1/ReplicaSet', defaultReplicaSet],
  ['apps/v1/StatefulSet', defaultStatefulSet],
  ['apps/v1/DaemonSet', defaultDaemonSet],
  ['batch/v1/Job', defaultJob],
  ['batch/v1/CronJob', defaultCronJob],
  ['discovery.k8s.io/v1/EndpointSlice', defaultEndpointSlice],
]);

/**
 * Applies Kubernetes' defaults for the kind to `object`, in place, and returns it. Idempotent.
 * Kinds without defaults (ConfigMap, Event, Lease, …) are returned unchanged.
 */
export function applyDefaults<T>(gvk: GroupVersionKind, object: T): T {
  const defaulter = DEFAULTERS.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
  if (defaulter !== undefined && isJsonObject(object)) defaulter(object);
  return object;
}
