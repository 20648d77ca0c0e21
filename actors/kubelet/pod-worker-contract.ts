// What the kubelet actor and its per-pod worker actors say to each other. The kubelet watches the
// pods bound to its node and hands each pod's latest state to that pod's worker (keyed by pod uid,
// sharded); the worker drives the runtime to the spec and reports status through the API.

import type { Pod, ResourceClient } from '../../core/index.js';
import type { Clock } from '../../raft/index.js';
import type { EventRecorder } from '../events/event-recorder.js';
import type { ContainerRuntime } from './runtime/cri.js';

/** Back-off between restarts of a crashing container: doubles from initialMs up to maxMs. */
export interface CrashLoopBackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A container that ran this long without exiting resets its back-off. */
  readonly resetAfterMs: number;
}

/** Kubernetes' defaults: 10 s doubling to 5 min, reset after 10 min of running. */
export const DEFAULT_CRASH_LOOP_BACKOFF: CrashLoopBackoffPolicy = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

/** Everything a pod worker needs from the node it runs on. Shared by all pod workers of a kubelet. */
export interface PodWorkerHost {
  readonly nodeName: string;
  /** The node's IP: the pods' IP until pod networking exists. */
  readonly nodeIP: string;
  readonly runtime: ContainerRuntime;
  /** The API (gRPC to the masters in a worker process; in memory in tests). */
  readonly client: ResourceClient;
  readonly events: EventRecorder;
  readonly clock: Clock;
  /** The kubelet's own directory: pod volumes live under `<rootDir>/pods/<uid>/volumes/…`. */
  readonly rootDir: string;
  readonly crashLoopBackoff: CrashLoopBackoffPolicy;
  /** Allocatable of the node, for `resourceFieldRef` defaults when a container sets no limit. */
  readonly nodeAllocatable: { readonly cpuMillis: number; readonly memoryBytes: number };
}

/**
 * Messages to one pod's worker.
 * - `sync`: the pod as the API now has it (level-triggered: the worker compares it with what runs).
 *   `static` marks a pod from the manifest directory (its API object is only a mirror).
 * - `remove`: the pod is gone from the API (or from the manifest directory): stop its containers
 *   (honouring the grace period it had), remove its sandbox and volumes, then stop the worker.
 * - `containerExited`: the runtime saw one of the pod's containers exit.
 * Other message types are the worker's own (timers for probes, back-off, status retries).
 */
export type PodWorkerMsg =
  | { readonly type: 'sync'; readonly pod: Pod; readonly static?: boolean }
  | { readonly type: 'remove'; readonly gracePeriodSeconds?: number }
  | { readonly type: 'containerExited'; readonly containerId: string }
  | { readonly type: 'tick'; readonly reason: string };
