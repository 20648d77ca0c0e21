// Computing the pod's status from the runtime and reporting it when it changed.

import type { Pod, PodStatus } from '../../../core/index.js';
import type { ContainerStatus as RuntimeContainerStatus } from '../runtime/cri.js';
import { SandboxNotFoundError } from '../runtime/runtime-errors.js';
import { computePodStatus, isTerminalPodPhase, KUBELET_OWNED_POD_CONDITIONS, podStatusEqual } from '../status/index.js';
import type { PodWorkerState } from './pod-worker-state.js';
import { wakeAt } from './pod-worker-state.js';
import { probeResultsOf } from './probe-manager.js';
import { writePodStatus } from './status-writer.js';

/** How long a status write that failed (API unreachable, repeated conflicts) waits to be retried. */
export const STATUS_RETRY_DELAY_MS = 1_000;

/** The containers of the pod's current sandbox (none without one). */
export async function listPodContainers(w: PodWorkerState): Promise<RuntimeContainerStatus[]> {
  if (w.sandbox === undefined) return [];
  try {
    return await w.host.runtime.listContainers(w.sandbox.id);
  } catch (error) {
    if (error instanceof SandboxNotFoundError) return [];
    throw error;
  }
}

/**
 * The pod with the status to build on: the API's, with the kubelet-owned parts (start time,
 * kubelet conditions, phase) from the last status this worker wrote, which the API copy may
 * not show yet (a static pod's manifest copy never does).
 */
function podWithBaseStatus(w: PodWorkerState, pod: Pod): Pod {
  const last = w.lastStatus;
  if (last === undefined) return pod;
  const api = pod.status ?? {};
  const owned = (last.conditions ?? []).filter((c) => KUBELET_OWNED_POD_CONDITIONS.includes(c.type));
  const others = (api.conditions ?? last.conditions ?? []).filter((c) => !KUBELET_OWNED_POD_CONDITIONS.includes(c.type));
  const base: PodStatus = {
    ...api,
    conditions: [...owned, ...others],
    ...((api.startTime ?? last.startTime) !== undefined ? { startTime: api.startTime ?? last.startTime } : {}),
    ...((api.podIP ?? last.podIP) !== undefined ? { podIP: api.podIP ?? last.podIP } : {}),
  };
  if (!isTerminalPodPhase(api.phase) && isTerminalPodPhase(last.phase)) {
    base.phase = last.phase;
    if (last.reason !== undefined) base.reason = last.reason;
    if (last.message !== undefined) base.message = last.message;
  }
  return { ...pod, status: base };
}

/** The status the pod has now, from `all` (its sandbox's containers). */
export function currentPodStatus(w: PodWorkerState, all: readonly RuntimeContainerStatus[]): PodStatus | undefined {
  if (w.pod === undefined) return undefined;
  return computePodStatus(podWithBaseStatus(w, w.pod), w.sandbox, all, probeResultsOf(w), w.host.clock.now(), {
    nodeIP: w.host.nodeIP,
    waiting: w.waiting,
    podIsTerminal: w.terminal,
    ...(w.failure !== undefined ? { failure: w.failure } : {}),
  });
}

/**
 * Writes `status` (default: computed now) unless it equals what was last written or what the
 * API already shows. A static pod's status goes to its mirror pod, when there is one.
 */
export async function reportStatus(w: PodWorkerState, status?: PodStatus): Promise<void> {
  const pod = w.pod;
  if (pod === undefined) return;
  const next = status ?? currentPodStatus(w, await listPodContainers(w));
  if (next === undefined) return;
  const unchanged = w.lastStatus !== undefined && podStatusEqual(next, w.lastStatus) && !w.statusUnsent;
  // The last computed status is the base of the next one (start time, transition times), sent or not.
  w.lastStatus = next;
  if (unchanged) return;
  if (!w.isStatic && podStatusEqual(next, pod.status)) {
    w.statusUnsent = false;
    return;
  }
  try {
    const result = await writePodStatus(w.host.client, pod, w.isStatic ? undefined : w.podUid, next);
    if (result.outcome === 'conflict') {
      w.statusUnsent = true;
      wakeAt(w, w.host.clock.now() + STATUS_RETRY_DELAY_MS);
      return;
    }
    // A static pod without a mirror yet gets its status once the kubelet has created the mirror.
    w.statusUnsent = result.outcome === 'gone' && w.isStatic;
    if (result.outcome === 'written' && !w.isStatic) w.pod = result.pod;
  } catch (error) {
    w.statusUnsent = true;
    w.log.warn('pod status update failed; will retry', { pod: `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`, error: String(error) });
    wakeAt(w, w.host.clock.now() + STATUS_RETRY_DELAY_MS);
  }
}
