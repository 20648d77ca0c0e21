// Ending a pod: for good while it stays in the API (terminal phase, deadline), on a graceful
// deletion (then the kubelet confirms the deletion), or when it is gone from the API (remove).

import type { ContainerStatus as RuntimeContainerStatus } from '../runtime/cri.js';
import { SandboxNotFoundError } from '../runtime/runtime-errors.js';
import { killAllContainers, podGracePeriodMs } from './container-killer.js';
import type { PodWorkerState } from './pod-worker-state.js';
import { stopAllProbes } from './probe-manager.js';
import { currentPodStatus, listPodContainers, reportStatus } from './status-report.js';
import { confirmPodDeletion } from './status-writer.js';

async function ignoringMissingSandbox(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof SandboxNotFoundError)) throw error;
  }
}

/** Stops the sandbox (its containers stay, for logs and status) and refreshes what we know of it. */
async function stopSandbox(w: PodWorkerState): Promise<void> {
  const sandbox = w.sandbox;
  if (sandbox === undefined) return;
  await ignoringMissingSandbox(() => w.host.runtime.stopPodSandbox(sandbox.id));
  try {
    w.sandbox = await w.host.runtime.podSandboxStatus(sandbox.id);
  } catch (error) {
    if (!(error instanceof SandboxNotFoundError)) throw error;
  }
}

/**
 * Stops what still runs, with `graceMs`, and the sandbox; marks the pod terminal so nothing
 * starts again. Returns the containers as they ended.
 */
export async function stopPodForGood(w: PodWorkerState, graceMs: number): Promise<RuntimeContainerStatus[]> {
  stopAllProbes(w);
  w.wake?.handle.cancel();
  w.wake = undefined;
  await killAllContainers(w, await listPodContainers(w), graceMs);
  w.terminal = true;
  await stopSandbox(w);
  return listPodContainers(w);
}

/** Removes every sandbox of the pod (the current one, and any an earlier worker left) and its volumes. */
async function cleanUp(w: PodWorkerState): Promise<void> {
  const ids = new Set<string>();
  if (w.sandbox !== undefined) ids.add(w.sandbox.id);
  for (const sandbox of await w.host.runtime.listPodSandboxes()) {
    if (sandbox.podUid === w.podUid) ids.add(sandbox.id);
  }
  for (const id of ids) {
    await ignoringMissingSandbox(() => w.host.runtime.stopPodSandbox(id));
    await ignoringMissingSandbox(() => w.host.runtime.removePodSandbox(id));
  }
  w.sandbox = undefined;
  await w.volumes.tearDown(w.podUid);
  w.cleanedUp = true;
}

/**
 * A graceful deletion (deletionTimestamp set): stop the containers with the deletion's grace,
 * remove the sandbox and volumes, report the final status, then delete the pod with grace 0 and
 * its uid as precondition, which is what lets the deletion complete.
 */
export async function terminateDeletedPod(w: PodWorkerState): Promise<void> {
  const pod = w.pod;
  if (pod === undefined) return;
  if (!w.cleanedUp) {
    const ended = await stopPodForGood(w, podGracePeriodMs(pod));
    const finalStatus = currentPodStatus(w, ended);
    await cleanUp(w);
    if (finalStatus !== undefined) await reportStatus(w, finalStatus);
  }
  if (!w.deletionConfirmed) {
    w.deletionConfirmed = true;
    await confirmPodDeletion(w.host.client, pod);
  }
}

/**
 * The pod is gone from the API (or from the manifest directory): stop its containers with
 * `gracePeriodSeconds` (else the grace the pod had), then remove its sandbox and volumes.
 */
export async function removePod(w: PodWorkerState, gracePeriodSeconds: number | undefined): Promise<void> {
  if (w.cleanedUp) return;
  if (w.sandbox === undefined) {
    // A fresh worker: find what an earlier one started, so its containers get their grace.
    const sandboxes = (await w.host.runtime.listPodSandboxes()).filter((s) => s.podUid === w.podUid && s.state === 'ready');
    w.sandbox = sandboxes.sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
  }
  const graceMs = gracePeriodSeconds !== undefined ? Math.max(0, gracePeriodSeconds) * 1000 : podGracePeriodMs(w.pod);
  await stopPodForGood(w, graceMs);
  await cleanUp(w);
}
