// The probes of a pod's running containers: one set of trackers per container instance, one
// timer per container (armed for its earliest due probe), and the verdicts the status shows.

import type { Container, Probe } from '../../../core/index.js';
import type { ProbeKind } from '../probes/index.js';
import { ProbeTracker, probeFailedMessage, runProbe } from '../probes/index.js';
import type { ContainerStatus as RuntimeContainerStatus } from '../runtime/cri.js';
import type { PodProbeResults } from '../status/index.js';
import { instancesOf } from '../status/index.js';
import type { ContainerProbes, PodWorkerState } from './pod-worker-state.js';
import { containerFieldPath, podEvent } from './pod-worker-state.js';

/** Message reason of a container's probe timer: `probe:<container name>`. */
export const PROBE_TICK_PREFIX = 'probe:';

function trackersOf(entry: ContainerProbes): ProbeTracker[] {
  return [entry.startup, entry.liveness, entry.readiness].filter((t): t is ProbeTracker => t !== undefined);
}

function stopProbes(w: PodWorkerState, name: string): void {
  w.probes.get(name)?.timer?.handle.cancel();
  w.probes.delete(name);
}

/** Stops every probe (the pod is terminating). */
export function stopAllProbes(w: PodWorkerState): void {
  for (const name of [...w.probes.keys()]) stopProbes(w, name);
}

function newProbes(container: Container, instance: RuntimeContainerStatus, nowMs: number): ContainerProbes {
  const startedAtMs = instance.startedAtMs ?? nowMs;
  const startup = container.startupProbe !== undefined ? new ProbeTracker('startup', container.startupProbe, startedAtMs) : undefined;
  const tracker = (kind: 'liveness' | 'readiness', probe: Probe | undefined): ProbeTracker | undefined =>
    probe === undefined ? undefined : new ProbeTracker(kind, probe, startedAtMs, startup);
  const liveness = tracker('liveness', container.livenessProbe);
  const readiness = tracker('readiness', container.readinessProbe);
  return {
    containerId: instance.id,
    containerName: container.name,
    ...(startup !== undefined ? { startup } : {}),
    ...(liveness !== undefined ? { liveness } : {}),
    ...(readiness !== undefined ? { readiness } : {}),
    timer: undefined,
  };
}

/** Arms the container's probe timer for its earliest due probe (none when all are stopped). */
export function armProbeTimer(w: PodWorkerState, entry: ContainerProbes): void {
  const next = Math.min(...trackersOf(entry).map((t) => t.nextRunAtMs()));
  if (entry.timer !== undefined && entry.timer.atMs === next) return;
  entry.timer?.handle.cancel();
  entry.timer = undefined;
  if (!Number.isFinite(next)) return;
  const delayMs = Math.max(0, next - w.host.clock.now());
  entry.timer = { handle: w.schedule(delayMs, { type: 'tick', reason: PROBE_TICK_PREFIX + entry.containerName }), atMs: next };
}

/**
 * Makes the trackers match what runs: new trackers for a container instance that started, none
 * for containers that do not run. Only app containers are probed.
 */
export function syncProbeTrackers(w: PodWorkerState, all: readonly RuntimeContainerStatus[]): void {
  const containers = w.pod?.spec?.containers ?? [];
  for (const name of [...w.probes.keys()]) {
    if (!containers.some((c) => c.name === name)) stopProbes(w, name);
  }
  for (const container of containers) {
    if (container.startupProbe === undefined && container.livenessProbe === undefined && container.readinessProbe === undefined) continue;
    const latest = instancesOf(container.name, all)[0];
    if (latest === undefined || latest.state !== 'running') {
      stopProbes(w, container.name);
      continue;
    }
    let entry = w.probes.get(container.name);
    if (entry?.containerId !== latest.id) {
      stopProbes(w, container.name);
      entry = newProbes(container, latest, w.host.clock.now());
      w.probes.set(container.name, entry);
    }
    armProbeTimer(w, entry);
  }
}

/** The verdicts computePodStatus needs. */
export function probeResultsOf(w: PodWorkerState): PodProbeResults {
  const ready = new Map<string, boolean>();
  const started = new Map<string, boolean>();
  for (const entry of w.probes.values()) {
    if (entry.readiness !== undefined) ready.set(entry.containerId, entry.readiness.result === 'success');
    if (entry.startup !== undefined) started.set(entry.containerId, entry.startup.result === 'success');
  }
  return { ready, started };
}

/** What a round of due probes of one container concluded. */
export interface ProbeRoundResult {
  /** A liveness or startup probe failed past its threshold: the container is to be killed. */
  readonly failed?: { readonly kind: ProbeKind; readonly probe: Probe };
  /** A verdict the status shows (ready, started) changed. */
  readonly statusChanged: boolean;
}

/**
 * Runs the container's probes that are due, in order startup, liveness, readiness, recording
 * each outcome; a failed run records an `Unhealthy` Event. Re-arms the container's timer.
 */
export async function runDueProbes(w: PodWorkerState, entry: ContainerProbes, containerPorts: Container['ports']): Promise<ProbeRoundResult> {
  let statusChanged = false;
  for (const tracker of trackersOf(entry)) {
    if (tracker.isStopped() || tracker.isGated() || tracker.nextRunAtMs() > w.host.clock.now()) continue;
    const outcome = await runProbe(tracker.probe, {
      podIP: w.sandbox?.ip ?? w.host.nodeIP,
      containerId: entry.containerId,
      runtime: w.host.runtime,
      ...(containerPorts !== undefined ? { containerPorts } : {}),
    });
    if (w.probes.get(entry.containerName) !== entry) return { statusChanged };
    const recorded = tracker.record(outcome, w.host.clock.now());
    if (outcome.result === 'failure') {
      podEvent(w, 'Warning', 'Unhealthy', probeFailedMessage(tracker.kind, outcome.message), containerFieldPath(w, entry.containerName));
    }
    if (recorded.changed && tracker.kind !== 'liveness') statusChanged = true;
    if (recorded.result === 'failure' && tracker.kind !== 'readiness' && recorded.changed) {
      return { failed: { kind: tracker.kind, probe: tracker.probe }, statusChanged };
    }
  }
  armProbeTimer(w, entry);
  return { statusChanged };
}
