// What a probe runs against and what one run of it says. Shared by the probe handlers and the
// tracker that turns runs into a thresholded verdict.

import type { ContainerPort } from '../../../core/index.js';
import type { ContainerRuntime } from '../runtime/cri.js';

/** Which of a container's probes: they differ in initial verdict and in what a failure does. */
export type ProbeKind = 'liveness' | 'readiness' | 'startup';

/** Where a probe runs. */
export interface ProbeTarget {
  /** The pod's IP: the default host of httpGet and tcpSocket probes. */
  readonly podIP: string;
  /** The runtime's id of the container (exec probes run in it). */
  readonly containerId: string;
  readonly runtime: ContainerRuntime;
  /**
   * The container's `ports`, to resolve a named probe port (`port: http`). Without them a named
   * port fails the probe with `port http not found`.
   */
  readonly containerPorts?: readonly ContainerPort[];
}

/** One run of a probe. `message` is what kubelet puts after `Liveness probe failed: `. */
export interface ProbeOutcome {
  readonly result: 'success' | 'failure';
  readonly message?: string;
}

/** The verdict of a probe after thresholds: what the container's ready / started / live state is. */
export type ProbeVerdict = 'success' | 'failure' | 'unknown';

/** What one `ProbeTracker.record` did. */
export interface ProbeRecordResult {
  /** The thresholded verdict after this run. */
  readonly result: ProbeVerdict;
  /** True when `result` differs from the verdict before this run. */
  readonly changed: boolean;
  /** How many runs in a row (this one included) had this run's outcome. */
  readonly consecutive: number;
}
