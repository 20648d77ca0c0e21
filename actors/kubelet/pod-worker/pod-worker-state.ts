// What one pod's worker remembers between messages. Everything here can be lost (the worker
// crashes and restarts with fresh state): the runtime's sandboxes and containers, found again by
// their labels, and the API's pod are the truth; back-offs and probe verdicts start over, as
// they do when kubelet restarts.

import type { Pod, PodStatus } from '../../../core/index.js';
import type { TimerHandle } from '../../../raft/index.js';
import type { ObjectLookup } from '../env/index.js';
import type { PodWorkerHost, PodWorkerMsg } from '../pod-worker-contract.js';
import type { ProbeTracker } from '../probes/index.js';
import type { ContainerMount, PodSandboxStatus } from '../runtime/cri.js';
import type { ContainerWaitingReason } from '../status/index.js';
import type { ActorLogger } from '../../runtime/index.js';
import type { Container } from '../../../core/index.js';
import { CrashLoopBackoff } from './crash-loop-backoff.js';
import { ImagePuller } from './image-puller.js';

/** The pod's volumes as the worker uses them (PodVolumeManager's shape). */
export interface PodVolumes {
  setUp(pod: Pod, lookup?: ObjectLookup): Promise<ReadonlyMap<string, string>>;
  tearDown(podUid: string): Promise<void>;
  mountsFor(container: Container, volumePaths: ReadonlyMap<string, string>, env?: readonly { readonly name: string; readonly value: string }[]): ContainerMount[];
}

/** A timer the worker armed, with when it fires (so an equal or earlier one is not re-armed). */
export interface ArmedTimer {
  readonly handle: TimerHandle;
  readonly atMs: number;
}

/** The probe trackers of one running container (a new instance gets new trackers). */
export interface ContainerProbes {
  readonly containerId: string;
  readonly containerName: string;
  readonly startup?: ProbeTracker;
  readonly liveness?: ProbeTracker;
  readonly readiness?: ProbeTracker;
  /** Invariant: at most one probe timer per container. */
  timer: ArmedTimer | undefined;
}

export interface PodWorkerState {
  readonly host: PodWorkerHost;
  readonly log: ActorLogger;
  readonly schedule: (delayMs: number, msg: PodWorkerMsg) => TimerHandle;
  readonly volumes: PodVolumes;
  readonly lookup: ObjectLookup;
  readonly images: ImagePuller;
  readonly crashBackoff: CrashLoopBackoff;
  /** The pod uid this worker is for: its actor key, or the uid of the first pod it is sent. */
  podUid: string;
  /** The pod as last synced (or as last written back, which is newer). */
  pod: Pod | undefined;
  isStatic: boolean;
  /** The sandbox in use; undefined until created or adopted, and after clean-up. */
  sandbox: PodSandboxStatus | undefined;
  /** True once the runtime was searched for a sandbox of this pod left by an earlier worker. */
  adoptionDone: boolean;
  volumePaths: ReadonlyMap<string, string> | undefined;
  /** Why containers that are not running wait, by container name. */
  readonly waiting: Map<string, ContainerWaitingReason>;
  /** Probe trackers by container name; bounded by the pod's containers. */
  readonly probes: Map<string, ContainerProbes>;
  /** The one pending wake-up (back-off end, deadline, retry). */
  wake: ArmedTimer | undefined;
  /** The status last computed: the base of the next one. */
  lastStatus: PodStatus | undefined;
  /** `lastStatus` has not reached the API yet (a write failed, or a static pod has no mirror yet). */
  statusUnsent: boolean;
  /** Set when the kubelet failed the pod (DeadlineExceeded). */
  failure: { readonly reason: string; readonly message: string } | undefined;
  /** The pod's containers are stopped for good: nothing is started again. */
  terminal: boolean;
  /** Sandbox and volumes removed. */
  cleanedUp: boolean;
  deletionConfirmed: boolean;
  /** When this worker first saw the pod: its start time when the status has none yet. */
  firstSeenAtMs: number | undefined;
}

export function newPodWorkerState(
  host: PodWorkerHost,
  log: ActorLogger,
  schedule: PodWorkerState['schedule'],
  volumes: PodVolumes,
  lookup: ObjectLookup,
  podUid: string,
): PodWorkerState {
  return {
    host,
    log,
    schedule,
    volumes,
    lookup,
    images: new ImagePuller(host.runtime, host.crashLoopBackoff),
    crashBackoff: new CrashLoopBackoff(host.crashLoopBackoff),
    podUid,
    pod: undefined,
    isStatic: false,
    sandbox: undefined,
    adoptionDone: false,
    volumePaths: undefined,
    waiting: new Map(),
    probes: new Map(),
    wake: undefined,
    lastStatus: undefined,
    statusUnsent: false,
    failure: undefined,
    terminal: false,
    cleanedUp: false,
    deletionConfirmed: false,
    firstSeenAtMs: undefined,
  };
}

/** Arms the single wake-up timer for `atMs` unless one fires at or before then already. */
export function wakeAt(w: PodWorkerState, atMs: number): void {
  const now = w.host.clock.now();
  // A pending wake-up (even one already fired and queued) resyncs, and the sync re-arms later ones.
  if (w.wake !== undefined && w.wake.atMs <= atMs) return;
  w.wake?.handle.cancel();
  w.wake = { handle: w.schedule(Math.max(0, atMs - now), { type: 'tick', reason: 'wake' }), atMs };
}

/** Records an Event about the pod (about one of its containers with `fieldPath`). */
export function podEvent(w: PodWorkerState, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
  if (w.pod === undefined) return;
  w.host.events.record(w.pod, type, reason, message, fieldPath);
}

/** `spec.containers{web}` / `spec.initContainers{init}`: an Event's fieldPath for a container. */
export function containerFieldPath(w: PodWorkerState, name: string): string {
  const isInit = w.pod?.spec?.initContainers?.some((c) => c.name === name) === true;
  return `${isInit ? 'spec.initContainers' : 'spec.containers'}{${name}}`;
}

/** `name_namespace(uid)`: how kubelet names a pod in messages (format.Pod). */
export function formatPodForMessage(pod: Pod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}
