// The actor runtime over nact: typed definitions, supervision with backoff and escalation,
// dead letters, ask with timeout, graceful stop, sharded keyed children with passivation, metrics.
export { ActorSystem } from './system.js';
export type { ActorSystemOptions } from './system.js';
export { defineActor, DEFAULT_MAILBOX_CAPACITY, MAX_SHARDS } from './definition.js';
export type {
  ActorContext,
  ActorDefinition,
  ActorLifecycle,
  ShardedChildren,
  ShardedChildrenOptions,
  SpawnOptions,
  StopOptions,
} from './definition.js';
export { ActorRef } from './ref.js';
export type { ActorAddress } from './ref.js';
export type { ActorMessage, AskableType, AskRequest, ReplyOf, ReplyTo } from './reply.js';
export { DEFAULT_SUPERVISION, restartBackoffMs } from './supervision.js';
export type { ChildEscalation, EscalationDecision, SupervisionPolicy } from './supervision.js';
export { shardIndexForKey } from './sharded.js';
export { escapeActorName, unescapeActorName, validateActorName, MAX_ACTOR_NAME_LENGTH } from './names.js';
export { MAX_SCHEDULED_MESSAGES_PER_ACTOR } from './context.js';
export { DEAD_LETTERS_LOGGED_PER_WINDOW, DEAD_LETTER_LOG_WINDOW_MS } from './dead-letters.js';
export type { DeadLetterReason } from './dead-letters.js';
export { ACTOR_METRIC_NAMES, MAX_ACTOR_TYPE_LABELS } from './metrics.js';
export { ManualClock, realClock, realRandom } from './clock.js';
export { jsonStderrActorLogger, withLogFields } from './logger.js';
export type { ActorLogger } from './logger.js';
export {
  ActorCrashedError,
  ActorEscalationError,
  ActorNameConflictError,
  ActorStoppedError,
  ActorTimerLimitError,
  AskTimeoutError,
  InvalidActorNameError,
  MailboxFullError,
} from './errors.js';
