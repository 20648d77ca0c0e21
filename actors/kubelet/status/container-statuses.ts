// One pod's containers as the API shows them (v1.ContainerStatus), built from what the runtime
// reports plus the waiting reasons and probe verdicts only the kubelet knows.

import type { Container, ContainerState as ApiContainerState, ContainerStatus as ApiContainerStatus } from '../../../core/index.js';
import { formatRfc3339 } from '../../../core/index.js';
import type { ContainerStatus as RuntimeContainerStatus } from '../runtime/cri.js';

/** Prefix of `containerID` in the API: the runtime's name, as `containerd://…` in Kubernetes. */
export const CONTAINER_ID_SCHEME = 'flotilla://';

/** Why a container that is not running waits (`CrashLoopBackOff`, `ErrImagePull`, …). */
export interface ContainerWaitingReason {
  readonly reason: string;
  readonly message?: string;
}

/** Probe verdicts of the pod's running containers, by runtime container id. */
export interface PodProbeResults {
  /** Readiness verdict; absent for a container without a readiness probe (ready once started). */
  readonly ready: ReadonlyMap<string, boolean>;
  /** Startup verdict; absent for a container without a startup probe (started once running). */
  readonly started: ReadonlyMap<string, boolean>;
}

export const NO_PROBE_RESULTS: PodProbeResults = { ready: new Map(), started: new Map() };

/** A container's instances, newest first (by attempt, then creation time). */
export function instancesOf(name: string, all: readonly RuntimeContainerStatus[]): RuntimeContainerStatus[] {
  return all
    .filter((c) => c.name === name)
    .sort((a, b) => b.attempt - a.attempt || b.createdAtMs - a.createdAtMs);
}

function terminatedState(c: RuntimeContainerStatus): ApiContainerState {
  const exitCode = c.exitCode ?? 0;
  return {
    terminated: {
      exitCode,
      reason: c.reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message !== undefined && c.message !== '' ? { message: c.message } : {}),
      ...(c.startedAtMs !== undefined ? { startedAt: formatRfc3339(c.startedAtMs) } : {}),
      ...(c.finishedAtMs !== undefined ? { finishedAt: formatRfc3339(c.finishedAtMs) } : {}),
      containerID: CONTAINER_ID_SCHEME + c.id,
    },
  };
}

/** The API state of one runtime instance (an instance not yet started counts as waiting). */
function stateOf(c: RuntimeContainerStatus, defaultWaiting: ContainerWaitingReason): ApiContainerState {
  switch (c.state) {
    case 'running':
      return { running: c.startedAtMs !== undefined ? { startedAt: formatRfc3339(c.startedAtMs) } : {} };
    case 'exited':
      return terminatedState(c);
    case 'created':
    case 'unknown':
      return { waiting: { ...defaultWaiting } };
  }
}

export interface ContainerStatusInput {
  readonly container: Container;
  readonly isInit: boolean;
  readonly instances: readonly RuntimeContainerStatus[];
  /** The kubelet's reason while the container does not run (overrides an exited state). */
  readonly waiting: ContainerWaitingReason | undefined;
  /** Reason when there is no instance and no kubelet reason (ContainerCreating, PodInitializing). */
  readonly defaultWaiting: ContainerWaitingReason;
  readonly probes: PodProbeResults;
}

/**
 * One container's API status. Invariants: `restartCount` is the newest instance's attempt;
 * `lastState` is the previous run (the newest instance itself while the kubelet holds the
 * container waiting to restart it); `ready` and `started` are false unless it runs.
 */
export function buildContainerStatus(input: ContainerStatusInput): ApiContainerStatus {
  const { container, instances, waiting, probes } = input;
  const [latest, previous] = instances;
  const image = container.image ?? '';
  if (latest === undefined) {
    return {
      name: container.name,
      state: { waiting: { ...(waiting ?? input.defaultWaiting) } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image,
      imageID: '',
      started: false,
    };
  }
  const running = latest.state === 'running';
  let state: ApiContainerState;
  let lastState: ApiContainerState;
  if (!running && waiting !== undefined) {
    state = { waiting: { ...waiting } };
    lastState = latest.state === 'exited' ? terminatedState(latest) : previous !== undefined ? terminatedState(previous) : {};
  } else {
    state = stateOf(latest, input.defaultWaiting);
    lastState = previous !== undefined && previous.state === 'exited' ? terminatedState(previous) : {};
  }
  const started = running && (probes.started.get(latest.id) ?? true);
  let ready: boolean;
  if (input.isInit) ready = latest.state === 'exited' && latest.exitCode === 0;
  else ready = started && (probes.ready.get(latest.id) ?? true);
  return {
    name: container.name,
    state,
    lastState,
    ready,
    restartCount: latest.attempt,
    image,
    imageID: latest.imageId,
    containerID: CONTAINER_ID_SCHEME + latest.id,
    started,
  };
}
