// An EventRecorder that keeps every call in memory, for tests of components that record Events.

import type { ResourceObject } from '../../core/index.js';
import type { EventRecorder, EventType } from './event-recorder.js';

export interface RecordedEvent {
  readonly involved: ResourceObject;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly fieldPath: string | undefined;
}

/** Keeps at most `maxEvents` (default RECORDING_EVENT_RECORDER_MAX_EVENTS); older ones are dropped. */
export const RECORDING_EVENT_RECORDER_MAX_EVENTS = 10_000;

export class RecordingEventRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];

  constructor(private readonly maxEvents = RECORDING_EVENT_RECORDER_MAX_EVENTS) {}

  record(involved: ResourceObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    this.events.push({ involved, type, reason, message, fieldPath });
    if (this.events.length > this.maxEvents) this.events.shift();
  }

  /** Reasons recorded, in order (e.g. `['SuccessfulCreate', 'SuccessfulCreate']`). */
  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}
