// The Node's conditions as the kubelet computes them (kubelet's nodestatus setters): the three
// pressure conditions from the host's figures, and Ready. Kubernetes' order and wording.

import type { NodeCondition } from '../../../core/index.js';
import { formatRfc3339 } from '../../../core/index.js';
import type { NodePressureSample } from './host-probe.js';

/** Below this much available memory the node reports MemoryPressure (kubelet's default eviction threshold `memory.available<100Mi`). */
export const MEMORY_PRESSURE_AVAILABLE_BYTES = 100 * 1024 * 1024;
/** Below this share of its filesystem free the node reports DiskPressure (`nodefs.available<10%`). */
export const DISK_PRESSURE_AVAILABLE_FRACTION = 0.1;
/** Below this share of pid_max still free the node reports PIDPressure. */
export const PID_PRESSURE_AVAILABLE_FRACTION = 0.05;

/** What the Ready condition should say; `message` is added to KubeletReady's when present. */
export interface NodeReadiness {
  readonly ready: boolean;
  /** Why not ready, or a note on partial isolation when ready. */
  readonly message?: string;
}

type Status = NodeCondition['status'];

interface ConditionText {
  readonly type: string;
  readonly status: Status;
  readonly reason: string;
  readonly message: string;
}

export function pressureConditionTexts(sample: NodePressureSample): ConditionText[] {
  const memory = sample.memoryAvailableBytes < MEMORY_PRESSURE_AVAILABLE_BYTES;
  const disk = sample.diskCapacityBytes > 0 && sample.diskAvailableBytes < sample.diskCapacityBytes * DISK_PRESSURE_AVAILABLE_FRACTION;
  const pid = sample.processLimit > 0 && sample.processLimit - sample.processCount < sample.processLimit * PID_PRESSURE_AVAILABLE_FRACTION;
  return [
    memory
      ? { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' }
      : { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    disk
      ? { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }
      : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    pid
      ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' }
      : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  ];
}

export function readyConditionText(readiness: NodeReadiness): ConditionText {
  if (!readiness.ready) return { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: readiness.message ?? 'kubelet is not ready' };
  const base = 'kubelet is posting ready status';
  return { type: 'Ready', status: 'True', reason: 'KubeletReady', message: readiness.message === undefined ? base : `${base} (${readiness.message})` };
}

/**
 * The node's conditions now: heartbeat stamped `nowMs`; a condition's lastTransitionTime is kept
 * from `previous` while its status is unchanged (Invariant: lastTransitionTime moves only when
 * status does). Conditions of other types in `previous` (set by others) are kept as they are.
 */
export function computeNodeConditions(previous: readonly NodeCondition[] | undefined, sample: NodePressureSample, readiness: NodeReadiness, nowMs: number): NodeCondition[] {
  const now = formatRfc3339(nowMs);
  const ours = [...pressureConditionTexts(sample), readyConditionText(readiness)];
  const result: NodeCondition[] = ours.map((text) => {
    const old = previous?.find((c) => c.type === text.type);
    const lastTransitionTime = old !== undefined && old.status === text.status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : now;
    return { type: text.type, status: text.status, lastHeartbeatTime: now, lastTransitionTime, reason: text.reason, message: text.message };
  });
  const ourTypes = new Set(ours.map((c) => c.type));
  for (const other of previous ?? []) if (!ourTypes.has(other.type)) result.push(other);
  return result;
}

/** True when the conditions differ in anything but their heartbeat times. */
export function nodeConditionsChanged(a: readonly NodeCondition[] | undefined, b: readonly NodeCondition[] | undefined): boolean {
  const strip = (list: readonly NodeCondition[] | undefined): string =>
    JSON.stringify((list ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime: c.lastTransitionTime })));
  return strip(a) !== strip(b);
}
