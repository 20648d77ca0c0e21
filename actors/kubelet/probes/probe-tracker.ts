// The timing and threshold state of one probe of one container, as kubelet's probe worker keeps
// it (pkg/kubelet/prober/worker.go), without timers: the caller asks when the next run is due,
// runs the probe and records the outcome with the time it finished.

import type { Probe } from '../../../core/index.js';
import type { ProbeKind, ProbeOutcome, ProbeRecordResult, ProbeVerdict } from './probe-types.js';

/** Kubernetes' defaults for unset probe fields (SetDefaults_Probe). */
export const PROBE_DEFAULT_PERIOD_SECONDS = 10;
export const PROBE_DEFAULT_TIMEOUT_SECONDS = 1;
export const PROBE_DEFAULT_SUCCESS_THRESHOLD = 1;
export const PROBE_DEFAULT_FAILURE_THRESHOLD = 3;

/** A probe's timing with defaults applied and validation's floors enforced. */
export interface ProbeTiming {
  readonly initialDelayMs: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

/**
 * The probe's timing with Kubernetes' defaults. Liveness and startup probes must have
 * successThreshold 1 (validation rejects anything else), so it is forced to 1 for them.
 */
export function probeTiming(kind: ProbeKind, probe: Probe): ProbeTiming {
  const initialDelaySeconds = probe.initialDelaySeconds !== undefined && probe.initialDelaySeconds > 0 ? probe.initialDelaySeconds : 0;
  return {
    initialDelayMs: initialDelaySeconds * 1000,
    periodMs: positiveOr(probe.periodSeconds, PROBE_DEFAULT_PERIOD_SECONDS) * 1000,
    timeoutMs: positiveOr(probe.timeoutSeconds, PROBE_DEFAULT_TIMEOUT_SECONDS) * 1000,
    successThreshold: kind === 'readiness' ? positiveOr(probe.successThreshold, PROBE_DEFAULT_SUCCESS_THRESHOLD) : 1,
    failureThreshold: positiveOr(probe.failureThreshold, PROBE_DEFAULT_FAILURE_THRESHOLD),
  };
}

/** The verdict before any run counts: not ready, alive, not yet known to have started. */
const INITIAL_VERDICT: Readonly<Record<ProbeKind, ProbeVerdict>> = { readiness: 'failure', liveness: 'success', startup: 'unknown' };

/**
 * One probe of one running container (a new container gets new trackers).
 *
 * Schedule: the first run is due `initialDelaySeconds` after the container started, then every
 * `periodSeconds` after the previous run was recorded. Verdict: it moves to success after
 * `successThreshold` successes in a row and to failure after `failureThreshold` failures in a row;
 * runs below a threshold leave it unchanged. A liveness or startup tracker stops (nextRunAtMs is
 * Infinity) once its verdict is failure: the container is to be killed. A startup tracker stops
 * once it has succeeded. A liveness or readiness tracker given the container's startup tracker as
 * `startupGate` does not run until that has succeeded (records made meanwhile are dropped).
 */
export class ProbeTracker {
  readonly timing: ProbeTiming;
  private verdict: ProbeVerdict;
  private lastOutcome: ProbeOutcome['result'] | undefined;
  /** Invariant: 0 when lastOutcome is undefined or the tracker is on hold, else >= 1. */
  private run = 0;
  private lastRunAtMs: number | undefined;
  /** Set once a liveness/startup failure verdict means the container will be killed. */
  private onHold = false;

  constructor(
    readonly kind: ProbeKind,
    readonly probe: Probe,
    readonly containerStartedAtMs: number,
    private readonly startupGate?: ProbeTracker,
  ) {
    if (startupGate !== undefined && (kind === 'startup' || startupGate.kind !== 'startup')) {
      throw new TypeError('only liveness and readiness trackers are gated, and only by a startup tracker');
    }
    this.timing = probeTiming(kind, probe);
    this.verdict = INITIAL_VERDICT[kind];
  }

  /** The thresholded verdict now. */
  get result(): ProbeVerdict {
    return this.verdict;
  }

  /** True while a startup gate holds this tracker back. */
  isGated(): boolean {
    return this.startupGate !== undefined && this.startupGate.result !== 'success';
  }

  /** True when this tracker will never run again (see the class comment). */
  isStopped(): boolean {
    if (this.onHold) return true;
    if (this.kind === 'startup' && this.verdict === 'success') return true;
    return this.startupGate !== undefined && this.startupGate.onHold;
  }

  /**
   * When the next run is due (ms on the caller's clock); it may be in the past (run now).
   * `Infinity` when it will never run again: check `isStopped()` before arming a timer with it.
   * While gated, the gate's next run (the earliest the gate can open).
   */
  nextRunAtMs(): number {
    if (this.isStopped()) return Number.POSITIVE_INFINITY;
    const own = this.lastRunAtMs === undefined ? this.containerStartedAtMs + this.timing.initialDelayMs : this.lastRunAtMs + this.timing.periodMs;
    if (this.startupGate !== undefined && this.isGated()) return Math.max(own, this.startupGate.nextRunAtMs());
    return own;
  }

  /** Records a run that finished at `nowMs` and returns the verdict after it. */
  record(outcome: ProbeOutcome, nowMs: number): ProbeRecordResult {
    const before = this.verdict;
    if (this.isStopped() || this.isGated() || nowMs < this.containerStartedAtMs + this.timing.initialDelayMs) {
      return { result: before, changed: false, consecutive: this.run };
    }
    this.lastRunAtMs = nowMs;
    if (this.lastOutcome === outcome.result) {
      this.run++;
    } else {
      this.lastOutcome = outcome.result;
      this.run = 1;
    }
    const consecutive = this.run;
    const threshold = outcome.result === 'success' ? this.timing.successThreshold : this.timing.failureThreshold;
    if (consecutive >= threshold) {
      this.verdict = outcome.result;
      if (outcome.result === 'failure' && (this.kind === 'liveness' || this.kind === 'startup')) {
        this.onHold = true;
        this.run = 0;
      }
    }
    return { result: this.verdict, changed: this.verdict !== before, consecutive };
  }
}
