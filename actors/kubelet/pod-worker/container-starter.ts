// Starting one container instance as kubelet's startContainer does: image, configuration
// (environment, mounts), create, start, postStart hook, each step with its Event and, on failure,
// the waiting reason the container then shows.

import type { Container } from '../../../core/index.js';
import { CreateContainerConfigError, resolveContainerEnv } from '../env/index.js';
import type { ContainerStatus as RuntimeContainerStatus } from '../runtime/cri.js';
import { ContainerNotFoundError, CreateContainerError, StartContainerError } from '../runtime/runtime-errors.js';
import { buildContainerConfig } from './container-config.js';
import { killContainer, terminationGraceMs } from './container-killer.js';
import { runLifecycleHook } from './lifecycle-hooks.js';
import type { PodWorkerState } from './pod-worker-state.js';
import { containerFieldPath, podEvent, wakeAt } from './pod-worker-state.js';

/**
 * Removes the instances of a container older than the newest one, which stays for `lastState`
 * (and its logs, for `kubectl logs --previous`). Bounds the exited instances per container to one.
 */
async function pruneOldInstances(w: PodWorkerState, instances: readonly RuntimeContainerStatus[]): Promise<void> {
  for (const old of instances.slice(1)) {
    if (old.state === 'running') continue;
    try {
      await w.host.runtime.removeContainer(old.id);
    } catch (error) {
      if (!(error instanceof ContainerNotFoundError)) throw error;
    }
  }
}

/** What one start attempt did. */
export type StartOutcome = 'started' | 'waiting';

/**
 * Creates and starts attempt `restartCount` of `container`, given its existing instances (newest
 * first). On a failure the container's waiting reason is set and a wake-up armed for the retry;
 * unknown runtime failures reject (the worker crashes and restarts, which re-adopts).
 */
export async function startContainerInstance(
  w: PodWorkerState,
  container: Container,
  restartCount: number,
  instances: readonly RuntimeContainerStatus[],
): Promise<StartOutcome> {
  const pod = w.pod;
  const sandbox = w.sandbox;
  if (pod === undefined || sandbox === undefined) return 'waiting';
  const { runtime, clock } = w.host;
  const fieldPath = containerFieldPath(w, container.name);
  const event = (type: 'Normal' | 'Warning', reason: string, message: string): void => podEvent(w, type, reason, message, fieldPath);
  const nowMs = clock.now();
  await pruneOldInstances(w, instances);

  const image = await w.images.ensure(container, nowMs, event);
  if (!image.ok) {
    w.waiting.set(container.name, image.waiting);
    wakeAt(w, image.retryAtMs);
    return 'waiting';
  }

  let config;
  try {
    const env = await resolveContainerEnv(pod, container, w.lookup, {
      nodeName: w.host.nodeName,
      nodeIP: w.host.nodeIP,
      podIP: sandbox.ip,
      nodeAllocatable: w.host.nodeAllocatable,
      onInvalidEnvFromKeys: (message) => event('Warning', 'InvalidEnvironmentVariableNames', message),
    });
    const mounts = w.volumes.mountsFor(container, w.volumePaths ?? new Map<string, string>(), env);
    config = buildContainerConfig(pod, container, restartCount, env, mounts);
  } catch (error) {
    if (!(error instanceof CreateContainerConfigError)) throw error;
    event('Warning', 'Failed', `Error: ${error.message}`);
    w.waiting.set(container.name, { reason: 'CreateContainerConfigError', message: error.message });
    wakeAt(w, nowMs + w.host.crashLoopBackoff.initialMs);
    return 'waiting';
  }

  let containerId: string;
  try {
    containerId = await runtime.createContainer(sandbox.id, config);
  } catch (error) {
    if (!(error instanceof CreateContainerError)) throw error;
    event('Warning', 'Failed', `Error: ${error.why}`);
    w.waiting.set(container.name, { reason: 'CreateContainerError', message: error.why });
    wakeAt(w, nowMs + w.host.crashLoopBackoff.initialMs);
    return 'waiting';
  }
  event('Normal', 'Created', `Created container ${container.name}`);
  try {
    await runtime.startContainer(containerId);
  } catch (error) {
    if (!(error instanceof StartContainerError)) throw error;
    event('Warning', 'Failed', `Error: failed to start container ${JSON.stringify(container.name)}: ${error.why}`);
    w.waiting.set(container.name, { reason: 'RunContainerError', message: error.why });
    wakeAt(w, nowMs + w.host.crashLoopBackoff.initialMs);
    return 'waiting';
  }
  event('Normal', 'Started', `Started container ${container.name}`);
  w.waiting.delete(container.name);

  const postStart = container.lifecycle?.postStart;
  if (postStart !== undefined) {
    // postStart has no timeout of its own; the pod's termination grace period bounds it.
    const graceMs = terminationGraceMs(pod);
    const failure = await runLifecycleHook(postStart, { runtime, clock, podIP: sandbox.ip, containerId, container }, graceMs);
    if (failure !== undefined) {
      event('Warning', 'FailedPostStartHook', failure.message);
      const instance = await runtime.containerStatus(containerId);
      await killContainer(w, instance, graceMs, 'FailedPostStartHook');
      // The kill's exit is seen on the next sync, which restarts the container per restartPolicy.
      wakeAt(w, clock.now());
    }
  }
  return 'started';
}
