// Stopping containers as kubelet does: Killing Event, the preStop hook within the grace period,
// then SIGTERM with what remains of it, then SIGKILL.

import type { Container, Pod } from '../../../core/index.js';
import type { ContainerStatus as RuntimeContainerStatus } from '../runtime/cri.js';
import { ContainerNotFoundError } from '../runtime/runtime-errors.js';
import { runLifecycleHook } from './lifecycle-hooks.js';
import type { PodWorkerState } from './pod-worker-state.js';
import { containerFieldPath, podEvent } from './pod-worker-state.js';

/** Kubernetes' default terminationGracePeriodSeconds. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** The least time a container gets between SIGTERM and SIGKILL (kubelet's minimumGracePeriodInSeconds). */
export const MIN_KILL_GRACE_MS = 2_000;

/** The grace of a pod's deletion: deletionGracePeriodSeconds, else terminationGracePeriodSeconds, else 30 s. */
export function podGracePeriodMs(pod: Pod | undefined): number {
  const seconds = pod?.metadata?.deletionGracePeriodSeconds ?? pod?.spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  return Math.max(0, seconds) * 1000;
}

/** The grace of a kill the kubelet decides on (restart, deadline): terminationGracePeriodSeconds, else 30 s. */
export function terminationGraceMs(pod: Pod | undefined): number {
  return Math.max(0, pod?.spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS) * 1000;
}

/** The spec of the container named `name` (app or init). */
export function containerSpecNamed(pod: Pod | undefined, name: string): Container | undefined {
  return pod?.spec?.containers.find((c) => c.name === name) ?? pod?.spec?.initContainers?.find((c) => c.name === name);
}

/**
 * Stops one container instance: records `Killing` (with `message`, default `Stopping container
 * NAME`), runs its preStop hook bounded by `graceMs`, then stops it with the rest of the grace
 * (at least MIN_KILL_GRACE_MS). Its probes stop. A container already gone is fine.
 */
export async function killContainer(w: PodWorkerState, instance: RuntimeContainerStatus, graceMs: number, message?: string): Promise<void> {
  const container = containerSpecNamed(w.pod, instance.name);
  const probes = w.probes.get(instance.name);
  if (probes?.containerId === instance.id) {
    probes.timer?.handle.cancel();
    w.probes.delete(instance.name);
  }
  if (instance.state !== 'running' && instance.state !== 'created') return;
  podEvent(w, 'Normal', 'Killing', message ?? `Stopping container ${instance.name}`, containerFieldPath(w, instance.name));
  const startedMs = w.host.clock.now();
  const preStop = container?.lifecycle?.preStop;
  if (preStop !== undefined && container !== undefined && instance.state === 'running') {
    const failure = await runLifecycleHook(
      preStop,
      { runtime: w.host.runtime, clock: w.host.clock, podIP: w.sandbox?.ip ?? w.host.nodeIP, containerId: instance.id, container },
      Math.max(graceMs, 1),
    );
    if (failure !== undefined) {
      podEvent(w, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${failure.message}`, containerFieldPath(w, instance.name));
    }
  }
  const remainingMs = Math.max(MIN_KILL_GRACE_MS, graceMs - (w.host.clock.now() - startedMs));
  try {
    await w.host.runtime.stopContainer(instance.id, remainingMs);
  } catch (error) {
    if (!(error instanceof ContainerNotFoundError)) throw error;
  }
}

/** Stops every running container of the pod's sandbox in parallel, as kubelet kills a pod. */
export async function killAllContainers(w: PodWorkerState, all: readonly RuntimeContainerStatus[], graceMs: number): Promise<void> {
  await Promise.all(all.filter((c) => c.state === 'running' || c.state === 'created').map((c) => killContainer(w, c, graceMs)));
}
