// The autoscaling/v1 Scale subresource of Deployments, ReplicaSets and StatefulSets.
import type { KubeObject, LabelSelector } from './types/meta.js';
import type { Scale } from './types/workloads.js';
import { formatLabelSelector } from './validation/selector.js';

interface ScalableSpec {
  replicas?: number;
  selector?: LabelSelector;
}

/** The Scale view of a workload: spec.replicas, status.replicas and the selector as a string. */
export function scaleOfWorkload(workload: KubeObject): Scale {
  const spec = (workload.spec ?? {}) as ScalableSpec;
  const status = (workload.status ?? {}) as { replicas?: number };
  const metadata = workload.metadata ?? {};
  const scaleMetadata: Scale['metadata'] = { name: metadata.name ?? '' };
  if (metadata.namespace !== undefined) scaleMetadata.namespace = metadata.namespace;
  if (metadata.uid !== undefined) scaleMetadata.uid = metadata.uid;
  if (metadata.resourceVersion !== undefined) scaleMetadata.resourceVersion = metadata.resourceVersion;
  if (metadata.creationTimestamp !== undefined) scaleMetadata.creationTimestamp = metadata.creationTimestamp;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: scaleMetadata,
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: formatLabelSelector(spec.selector) },
  };
}

/** The workload with spec.replicas taken from a Scale (a copy; the input is not changed). */
export function applyScaleToWorkload<T extends KubeObject>(workload: T, scale: Scale): T {
  const spec = { ...((workload.spec ?? {}) as Record<string, unknown>), replicas: scale.spec?.replicas ?? 0 };
  const metadata = { ...(workload.metadata ?? {}) };
  if (scale.metadata?.resourceVersion !== undefined) metadata.resourceVersion = scale.metadata.resourceVersion;
  return { ...workload, metadata, spec };
}
