// A pod's phase from its container statuses, by the kubelet's rules (getPhase in kubelet_pods.go).

import type { ContainerStatus, PodSpec, PodStatus } from '../../../core/index.js';

export type PodPhase = NonNullable<PodStatus['phase']>;

/** Succeeded and Failed are final: a pod never leaves them. */
export function isTerminalPodPhase(phase: PodStatus['phase']): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * The phase. `podIsTerminal` says the kubelet has stopped the pod for good (deleted, past its
 * deadline, or its containers are done): then exited containers decide Succeeded or Failed
 * whatever the restart policy.
 *
 * - An init container that failed under restartPolicy Never fails the pod.
 * - Pending while an init container has not completed, or an app container waits for its first run.
 * - Running while some app container runs (and all have a status).
 * - All app containers exited: Running if they will be restarted (Always; OnFailure with a failure),
 *   Succeeded if all exited 0, else Failed.
 */
export function computePodPhase(
  spec: PodSpec,
  initStatuses: readonly ContainerStatus[],
  statuses: readonly ContainerStatus[],
  podIsTerminal: boolean,
): PodPhase {
  const restartPolicy = spec.restartPolicy ?? 'Always';
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const container of spec.initContainers ?? []) {
    const status = initStatuses.find((s) => s.name === container.name);
    const state = status?.state;
    if (state?.terminated !== undefined) {
      if (state.terminated.exitCode !== 0) failedInitialization++;
    } else if (state?.waiting !== undefined && status?.lastState?.terminated !== undefined) {
      if (status.lastState.terminated.exitCode !== 0) failedInitialization++;
    } else {
      pendingInitialization++;
    }
  }
  if (failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';

  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  let unknown = 0;
  for (const container of spec.containers) {
    const status = statuses.find((s) => s.name === container.name);
    const state = status?.state;
    if (state?.running !== undefined) running++;
    else if (state?.terminated !== undefined) {
      stopped++;
      if (state.terminated.exitCode === 0) succeeded++;
    } else if (state?.waiting !== undefined) {
      if (status?.lastState?.terminated !== undefined) {
        stopped++;
        if (status.lastState.terminated.exitCode === 0) succeeded++;
      } else waiting++;
    } else unknown++;
  }

  if (pendingInitialization > 0 && !podIsTerminal) return 'Pending';
  if (waiting > 0 && !podIsTerminal) return 'Pending';
  if (running > 0 && unknown === 0 && !podIsTerminal) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  if (podIsTerminal) return stopped > 0 && stopped === succeeded && waiting === 0 && running === 0 ? 'Succeeded' : 'Failed';
  return 'Pending';
}
