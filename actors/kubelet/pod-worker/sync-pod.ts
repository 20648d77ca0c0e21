// One pod's sync, level-triggered as kubelet's SyncPod: compare the pod's spec with what the
// runtime runs for it and take the next steps (volumes, sandbox, init containers one at a time,
// app containers, restarts with back-off), then report the status. Safe to run at any time and
// any number of times; a worker that starts over finds the pod's sandbox and containers by label.

import type { Container, Pod } from '../../../core/index.js';
import { parseRfc3339 } from '../../../core/index.js';
import { VolumeSetupError } from '../volumes/index.js';
import type { ContainerStatus as RuntimeContainerStatus } from '../runtime/cri.js';
import { ContainerNotFoundError } from '../runtime/runtime-errors.js';
import { instancesOf, isTerminalPodPhase } from '../status/index.js';
import { matchesSpec, sandboxLabels } from './container-labels.js';
import { killContainer, terminationGraceMs } from './container-killer.js';
import { startContainerInstance } from './container-starter.js';
import { formatGoDuration } from './crash-loop-backoff.js';
import type { PodWorkerState } from './pod-worker-state.js';
import { containerFieldPath, formatPodForMessage, podEvent, wakeAt } from './pod-worker-state.js';
import { stopPodForGood, terminateDeletedPod } from './pod-termination.js';
import { syncProbeTrackers } from './probe-manager.js';
import { currentPodStatus, listPodContainers, reportStatus } from './status-report.js';

/** How long a pod whose volumes failed to set up waits before the next attempt. */
export const VOLUME_SETUP_RETRY_MS = 5_000;

const DEADLINE_EXCEEDED = { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' } as const;

/** Whether a container that exited with `exitCode` is started again under the pod's policy. */
export function shouldRestartContainer(restartPolicy: NonNullable<Pod['spec']>['restartPolicy'], exitCode: number): boolean {
  if (restartPolicy === 'Never') return false;
  if (restartPolicy === 'OnFailure') return exitCode !== 0;
  return true;
}

/** When the pod's activeDeadlineSeconds runs out (undefined without one). */
function deadlineAtMs(w: PodWorkerState, pod: Pod): number | undefined {
  const seconds = pod.spec?.activeDeadlineSeconds;
  if (seconds === undefined) return undefined;
  const startText = pod.status?.startTime ?? w.lastStatus?.startTime;
  const startMs = (startText !== undefined ? parseRfc3339(startText) : undefined) ?? w.firstSeenAtMs ?? w.host.clock.now();
  return startMs + seconds * 1000;
}

/** Sets up (or refreshes) the pod's volumes; false while they cannot be set up the first time. */
async function ensureVolumes(w: PodWorkerState, pod: Pod): Promise<boolean> {
  try {
    w.volumePaths = await w.volumes.setUp(pod, w.lookup);
    return true;
  } catch (error) {
    if (error instanceof VolumeSetupError) podEvent(w, 'Warning', 'FailedMount', error.message);
    else w.log.warn('pod volumes could not be set up; will retry', { pod: formatPodForMessage(pod), error: String(error) });
    wakeAt(w, w.host.clock.now() + VOLUME_SETUP_RETRY_MS);
    // Volumes set up before keep serving running containers (a refresh failed).
    return w.volumePaths !== undefined;
  }
}

/** Finds the pod's ready sandbox (left by an earlier worker) or creates one. */
async function ensureSandbox(w: PodWorkerState, pod: Pod): Promise<void> {
  const { runtime } = w.host;
  if (w.sandbox !== undefined) {
    const previous = w.sandbox;
    w.sandbox = (await runtime.listPodSandboxes()).find((s) => s.id === previous.id);
    if (w.sandbox?.state === 'ready') return;
    podEvent(w, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    // Its containers must not outlive it next to the new sandbox's (kubelet kills the pod first too).
    if (w.sandbox !== undefined) await runtime.stopPodSandbox(previous.id);
    w.sandbox = undefined;
  } else if (!w.adoptionDone) {
    w.adoptionDone = true;
    const ours = (await runtime.listPodSandboxes()).filter((s) => s.podUid === w.podUid);
    // A sandbox no longer ready (its holder died, or the worker's isolation changed) may still run
    // containers an earlier worker started: they stop before the pod gets new ones.
    for (const stale of ours.filter((s) => s.state !== 'ready')) await runtime.stopPodSandbox(stale.id);
    w.sandbox = ours.filter((s) => s.state === 'ready').sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
    if (w.sandbox !== undefined) return;
  }
  const id = await runtime.runPodSandbox({
    podUid: w.podUid,
    podName: pod.metadata?.name ?? '',
    podNamespace: pod.metadata?.namespace ?? '',
    hostname: pod.spec?.hostname ?? pod.metadata?.name ?? '',
    labels: sandboxLabels(pod),
    annotations: pod.metadata?.annotations ?? {},
  });
  w.sandbox = await runtime.podSandboxStatus(id);
}

/** A container created but never started (a worker died between the two): removed, to be created again. */
async function dropUnstarted(w: PodWorkerState, instances: RuntimeContainerStatus[]): Promise<RuntimeContainerStatus[]> {
  const latest = instances[0];
  if (latest === undefined || latest.state !== 'created') return instances;
  try {
    await w.host.runtime.removeContainer(latest.id);
  } catch (error) {
    if (!(error instanceof ContainerNotFoundError)) throw error;
  }
  return instances.slice(1);
}

/**
 * Restarts an exited container unless its crash-loop back-off still runs; then it waits in
 * CrashLoopBackOff (one BackOff Event per exit) and a wake-up is armed for the back-off's end.
 */
async function restartWithBackoff(w: PodWorkerState, pod: Pod, container: Container, instances: RuntimeContainerStatus[]): Promise<void> {
  const latest = instances[0];
  if (latest === undefined) return;
  const nowMs = w.host.clock.now();
  const remainingMs = w.crashBackoff.remainingMs(container.name, latest.finishedAtMs ?? nowMs, nowMs);
  if (remainingMs > 0) {
    const message = `back-off ${formatGoDuration(w.crashBackoff.delayMs(container.name))} restarting failed container=${container.name} pod=${formatPodForMessage(pod)}`;
    if (w.waiting.get(container.name)?.message !== message) {
      podEvent(w, 'Warning', 'BackOff', `Back-off restarting failed container ${container.name} in pod ${formatPodForMessage(pod)}`, containerFieldPath(w, container.name));
    }
    w.waiting.set(container.name, { reason: 'CrashLoopBackOff', message });
    wakeAt(w, nowMs + remainingMs);
    return;
  }
  w.crashBackoff.next(container.name, nowMs);
  await startContainerInstance(w, container, latest.attempt + 1, instances);
}

/**
 * Init containers run one at a time, in order, each to success. `done` once all have succeeded
 * (or app containers already exist: the pod got past initialization before); `failed` when one
 * failed under restartPolicy Never.
 */
async function syncInitContainers(w: PodWorkerState, pod: Pod, all: readonly RuntimeContainerStatus[]): Promise<'done' | 'progressing' | 'failed'> {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0 || pod.spec?.containers.some((c) => instancesOf(c.name, all).length > 0) === true) return 'done';
  for (const container of inits) {
    const instances = await dropUnstarted(w, instancesOf(container.name, all));
    const latest = instances[0];
    if (latest === undefined) {
      await startContainerInstance(w, container, 0, instances);
      return 'progressing';
    }
    if (latest.state === 'running') return 'progressing';
    if (latest.exitCode === 0) continue;
    if (pod.spec?.restartPolicy === 'Never') return 'failed';
    await restartWithBackoff(w, pod, container, instances);
    return 'progressing';
  }
  return 'done';
}

async function syncAppContainers(w: PodWorkerState, pod: Pod, all: readonly RuntimeContainerStatus[]): Promise<void> {
  for (const container of pod.spec?.containers ?? []) {
    const instances = await dropUnstarted(w, instancesOf(container.name, all));
    const latest = instances[0];
    if (latest === undefined) {
      await startContainerInstance(w, container, 0, instances);
    } else if (latest.state === 'running') {
      if (matchesSpec(latest, container)) continue;
      await killContainer(w, latest, terminationGraceMs(pod), `Container ${container.name} definition changed, will be restarted`);
      w.crashBackoff.forget(container.name);
      await startContainerInstance(w, container, latest.attempt + 1, instances);
    } else if (shouldRestartContainer(pod.spec?.restartPolicy, latest.exitCode ?? 0)) {
      await restartWithBackoff(w, pod, container, instances);
    } else {
      w.waiting.delete(container.name);
    }
  }
}

/** Ends the pod for good and reports it (terminal phase, failed initialization, deadline). */
async function finishPod(w: PodWorkerState, pod: Pod): Promise<void> {
  await stopPodForGood(w, terminationGraceMs(pod));
  await reportStatus(w);
}

/** The pod's sync; see the file comment. */
export async function syncPod(w: PodWorkerState): Promise<void> {
  const pod = w.pod;
  if (pod === undefined || w.cleanedUp) return;
  const nowMs = w.host.clock.now();
  w.firstSeenAtMs ??= nowMs;
  if (pod.metadata?.deletionTimestamp != null && !w.isStatic) {
    await terminateDeletedPod(w);
    return;
  }
  if (w.terminal) {
    await reportStatus(w);
    return;
  }
  if (isTerminalPodPhase(pod.status?.phase)) {
    await finishPod(w, pod);
    return;
  }
  const deadlineMs = deadlineAtMs(w, pod);
  if (deadlineMs !== undefined && nowMs >= deadlineMs) {
    podEvent(w, 'Normal', DEADLINE_EXCEEDED.reason, DEADLINE_EXCEEDED.message);
    w.failure = DEADLINE_EXCEEDED;
    await finishPod(w, pod);
    return;
  }
  if (!(await ensureVolumes(w, pod))) {
    await reportStatus(w);
    return;
  }
  await ensureSandbox(w, pod);
  const init = await syncInitContainers(w, pod, await listPodContainers(w));
  if (init === 'failed') {
    await finishPod(w, pod);
    return;
  }
  if (init === 'done') await syncAppContainers(w, pod, await listPodContainers(w));
  const all = await listPodContainers(w);
  syncProbeTrackers(w, all);
  const status = currentPodStatus(w, all);
  if (status !== undefined && isTerminalPodPhase(status.phase)) {
    await finishPod(w, pod);
    return;
  }
  await reportStatus(w, status);
  if (deadlineMs !== undefined) wakeAt(w, deadlineMs);
}
