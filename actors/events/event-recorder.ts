// The seam through which components record Kubernetes Events (kubelet: Pulled, Created, Started,
// Killing, BackOff, Unhealthy; controllers: SuccessfulCreate, ScalingReplicaSet, FailedScheduling…).

import type { ResourceObject } from '../../core/index.js';

export type EventType = 'Normal' | 'Warning';

/**
 * Records an Event about `involved` (its kind, namespace, name, uid and resourceVersion become the
 * Event's involvedObject). Never throws and never blocks the caller: recording is best effort, as
 * in client-go, and a repeat of the same (object, type, reason, message) within the aggregation
 * window bumps the existing Event's `count` and `lastTimestamp` instead of creating another.
 */
export interface EventRecorder {
  record(involved: ResourceObject, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

/** Drops every event; for tests and tools that do not care. */
export const NULL_EVENT_RECORDER: EventRecorder = { record: () => undefined };
