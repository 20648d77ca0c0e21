// The downward API: a pod's own fields (fieldRef) and a container's resources (resourceFieldRef)
// as the strings kubelet puts in environment variables and downwardAPI volume files.

import { Quantity, parseQuantity, type Container, type Pod } from '../../../core/index.js';
import { UnsupportedFieldPathError } from './env-errors.js';

/** What the node knows that the pod object may not (yet) say. */
export interface DownwardNodeContext {
  readonly nodeName: string;
  readonly nodeIP: string;
  readonly podIP: string;
  /** Stands in for limits a container does not set. */
  readonly nodeAllocatable: { readonly cpuMillis: number; readonly memoryBytes: number };
}

/** `k="v"` lines sorted by key, as fieldpath.FormatMap renders labels and annotations. */
export function formatDownwardMap(map: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${JSON.stringify(map?.[key] ?? '')}`)
    .join('\n');
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.*)'\]$/;

/**
 * A metadata field (fieldpath.ExtractFieldPathAsString): name, namespace, uid, labels,
 * annotations, or one label / annotation (`metadata.labels['app']`, '' when absent).
 * Throws UnsupportedFieldPathError for anything else.
 */
export function podMetadataFieldValue(pod: Pod, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const subscript = SUBSCRIPT.exec(fieldPath);
  if (subscript !== null) {
    const map = subscript[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[subscript[2] ?? ''] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatDownwardMap(meta.labels);
    case 'metadata.annotations':
      return formatDownwardMap(meta.annotations);
    default:
      throw new UnsupportedFieldPathError(fieldPath, `unsupported fieldPath: ${fieldPath}`);
  }
}

/**
 * A fieldRef for an environment variable (podFieldSelectorRuntimeValue): the metadata fields,
 * plus spec.nodeName, spec.serviceAccountName, status.hostIP(s) and status.podIP(s) as the node
 * sees them. Throws UnsupportedFieldPathError.
 */
export function podFieldValue(pod: Pod, fieldPath: string, node: DownwardNodeContext): string {
  switch (fieldPath) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? node.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return node.nodeIP;
    case 'status.podIP':
    case 'status.podIPs':
      return node.podIP;
    default:
      return podMetadataFieldValue(pod, fieldPath);
  }
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) return 0n;
  const quotient = numerator / denominator;
  return numerator % denominator !== 0n && numerator > 0n ? quotient + 1n : quotient;
}

function quantityOf(value: string | undefined): Quantity | undefined {
  return value === undefined ? undefined : parseQuantity(value);
}

/**
 * A container's resource as a string (ExtractContainerResourceValue): `limits.cpu`,
 * `limits.memory`, `requests.cpu`, `requests.memory`, divided by `divisor` (default 1) and rounded
 * up. A limit the container does not set is the node's allocatable; an unset request is 0.
 * Throws UnsupportedFieldPathError for other resources.
 */
export function containerResourceValue(
  container: Container,
  resource: string,
  divisor: string | undefined,
  nodeAllocatable: DownwardNodeContext['nodeAllocatable'],
): string {
  const parsedDivisor = divisor === undefined || divisor === '' ? undefined : parseQuantity(divisor);
  const by = parsedDivisor === undefined || parsedDivisor.isZero() ? Quantity.fromBigInt(1n) : parsedDivisor;
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  switch (resource) {
    case 'limits.cpu': {
      const cpu = quantityOf(limits.cpu) ?? Quantity.fromMilli(BigInt(Math.ceil(nodeAllocatable.cpuMillis)));
      return ceilDiv(cpu.milliValue(), by.milliValue()).toString();
    }
    case 'requests.cpu':
      return ceilDiv((quantityOf(requests.cpu) ?? Quantity.fromBigInt(0n)).milliValue(), by.milliValue()).toString();
    case 'limits.memory': {
      const memory = quantityOf(limits.memory) ?? Quantity.fromBigInt(BigInt(Math.ceil(nodeAllocatable.memoryBytes)));
      return ceilDiv(memory.value(), by.value()).toString();
    }
    case 'requests.memory':
      return ceilDiv((quantityOf(requests.memory) ?? Quantity.fromBigInt(0n)).value(), by.value()).toString();
    default:
      throw new UnsupportedFieldPathError(resource, `unsupported container resource : ${resource}`);
  }
}
