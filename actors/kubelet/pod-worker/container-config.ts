// The runtime's ContainerConfig for one container of a pod: the spec's command, resources and
// labels, with the environment and mounts the kubelet resolved.

import type { Container, Pod } from '../../../core/index.js';
import { Quantity, QuantityParseError } from '../../../core/index.js';
import type { ContainerConfig, ContainerMount, ContainerResourceLimits } from '../runtime/cri.js';
import { containerLabels } from './container-labels.js';

function quantityOf(value: unknown): Quantity | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    const quantity = Quantity.parse(String(value));
    return quantity.sign() > 0 ? quantity : undefined;
  } catch (error) {
    if (error instanceof QuantityParseError) return undefined;
    throw error;
  }
}

/** The container's cpu and memory requests and limits in the runtime's units. */
export function containerResourceLimits(container: Container): ContainerResourceLimits {
  const cpuLimit = quantityOf(container.resources?.limits?.['cpu']);
  const cpuRequest = quantityOf(container.resources?.requests?.['cpu']) ?? cpuLimit;
  const memoryLimit = quantityOf(container.resources?.limits?.['memory']);
  return {
    ...(cpuLimit !== undefined ? { cpuLimitMillis: Number(cpuLimit.milliValue()) } : {}),
    ...(cpuRequest !== undefined ? { cpuRequestMillis: Number(cpuRequest.milliValue()) } : {}),
    ...(memoryLimit !== undefined ? { memoryLimitBytes: Number(memoryLimit.value()) } : {}),
  };
}

/** What the runtime needs to create attempt `restartCount` of `container`. */
export function buildContainerConfig(
  pod: Pod,
  container: Container,
  restartCount: number,
  env: readonly { readonly name: string; readonly value: string }[],
  mounts: readonly ContainerMount[],
): ContainerConfig {
  return {
    name: container.name,
    attempt: restartCount,
    image: container.image ?? '',
    ...(container.command !== undefined ? { command: container.command } : {}),
    ...(container.args !== undefined ? { args: container.args } : {}),
    env,
    ...(container.workingDir !== undefined && container.workingDir !== '' ? { workingDir: container.workingDir } : {}),
    mounts,
    resources: containerResourceLimits(container),
    labels: containerLabels(pod, container, restartCount),
    ...(container.stdin === true ? { stdin: true } : {}),
    ...(container.tty === true ? { tty: true } : {}),
  };
}
