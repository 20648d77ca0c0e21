// The labels the kubelet keeps with each sandbox and container it creates. They are how a
// restarted worker recognises what already runs for a pod (runtime re-adoption) and whether a
// running container still matches its spec.

import type { Container, Pod } from '../../../core/index.js';
import type { ContainerStatus } from '../runtime/cri.js';

export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
export const CONTAINER_RESTART_COUNT_LABEL = 'io.kubernetes.container.restartCount';
export const CONTAINER_HASH_LABEL = 'io.kubernetes.container.hash';

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * FNV-1a (32 bit, hex) of the container's spec in canonical JSON: equal specs hash equal
 * whatever their key order; any change (a new image) gives another hash, and the container is
 * replaced, as kubelet does when the container hash changes.
 */
export function containerSpecHash(container: Container): string {
  const text = stableJson(container);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Labels of the pod's sandbox: its own labels plus the pod's identity. */
export function sandboxLabels(pod: Pod): Record<string, string> {
  return {
    ...(pod.metadata?.labels ?? {}),
    [POD_UID_LABEL]: pod.metadata?.uid ?? '',
    [POD_NAME_LABEL]: pod.metadata?.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata?.namespace ?? '',
  };
}

/** Labels of one container instance. */
export function containerLabels(pod: Pod, container: Container, restartCount: number): Record<string, string> {
  return {
    [POD_UID_LABEL]: pod.metadata?.uid ?? '',
    [POD_NAME_LABEL]: pod.metadata?.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata?.namespace ?? '',
    [CONTAINER_NAME_LABEL]: container.name,
    [CONTAINER_RESTART_COUNT_LABEL]: String(restartCount),
    [CONTAINER_HASH_LABEL]: containerSpecHash(container),
  };
}

/** True when the running instance was created from this very spec (or predates hashing). */
export function matchesSpec(instance: ContainerStatus, container: Container): boolean {
  const hash = instance.labels[CONTAINER_HASH_LABEL];
  return hash === undefined || hash === containerSpecHash(container);
}
