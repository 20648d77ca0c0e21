// Public surface of actors/events/: the EventRecorder seam and its implementations.
export { NULL_EVENT_RECORDER } from './event-recorder.js';
export type { EventRecorder, EventType } from './event-recorder.js';
export {
  ApiEventRecorder,
  EVENT_AGGREGATION_CACHE_SIZE,
  EVENT_AGGREGATION_WINDOW_MS,
  EVENT_METRIC_NAMES,
  EVENT_RECORDER_MAX_QUEUED,
  EVENTS_RESOURCE,
} from './api-event-recorder.js';
export type { ApiEventRecorderOptions, EventDropReason } from './api-event-recorder.js';
export {
  DEFAULT_EVENT_RATE_LIMIT,
  EVENT_RATE_LIMIT_BURST,
  EVENT_RATE_LIMIT_MAX_TRACKED_OBJECTS,
  EVENT_RATE_LIMIT_REFILL_MS,
  EventRateLimiter,
} from './event-rate-limiter.js';
export type { EventRateLimitPolicy } from './event-rate-limiter.js';
export { RECORDING_EVENT_RECORDER_MAX_EVENTS, RecordingEventRecorder } from './recording-event-recorder.js';
export type { RecordedEvent } from './recording-event-recorder.js';
