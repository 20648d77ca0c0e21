/**
 * Typed errors of the actor runtime. Callers compare them by class (or `code`), never by message.
 */

/** Rejects an `ask` when no reply arrived within `timeoutMs` of the injected clock. */
export class AskTimeoutError extends Error {
  readonly code = 'AskTimeout';

  constructor(
    readonly path: string,
    readonly messageType: string,
    readonly timeoutMs: number,
  ) {
    super(`ask ${messageType} to ${path} timed out after ${timeoutMs}ms`);
    this.name = 'AskTimeoutError';
  }
}

/**
 * Rejects an `ask` whose message was sent to, or was still queued at, an actor that has stopped
 * (or is stopping); thrown by `spawn` on a stopped parent or system.
 */
export class ActorStoppedError extends Error {
  readonly code = 'ActorStopped';

  constructor(
    readonly path: string,
    readonly messageType: string | undefined,
  ) {
    super(messageType === undefined ? `actor ${path} has stopped` : `actor ${path} stopped before handling ${messageType}`);
    this.name = 'ActorStoppedError';
  }
}

/** Rejects an `ask` whose message made the handler throw; the actor itself is restarted or escalated. */
export class ActorCrashedError extends Error {
  readonly code = 'ActorCrashed';

  constructor(
    readonly path: string,
    readonly messageType: string,
    cause: unknown,
  ) {
    super(`actor ${path} crashed handling ${messageType}`, { cause });
    this.name = 'ActorCrashedError';
  }
}

/** Rejects an `ask` whose message found the target's mailbox at its capacity (the message is a dead letter). */
export class MailboxFullError extends Error {
  readonly code = 'MailboxFull';

  constructor(
    readonly path: string,
    readonly capacity: number,
  ) {
    super(`mailbox of ${path} is full (${capacity} messages)`);
    this.name = 'MailboxFullError';
  }
}

/** Thrown by `spawn` when a name is empty, too long, or has characters outside the actor-name alphabet. */
export class InvalidActorNameError extends Error {
  readonly code = 'InvalidActorName';

  constructor(
    readonly actorName: string,
    readonly reason: string,
  ) {
    super(`invalid actor name ${JSON.stringify(actorName)}: ${reason}`);
    this.name = 'InvalidActorNameError';
  }
}

/** Thrown by `spawn` when the parent already has a live (or still stopping) child of that name. */
export class ActorNameConflictError extends Error {
  readonly code = 'ActorNameConflict';

  constructor(
    readonly parentPath: string,
    readonly actorName: string,
  ) {
    super(`${parentPath} already has a child named ${actorName}`);
    this.name = 'ActorNameConflictError';
  }
}

/**
 * The failure an actor hands its parent when its restart budget is exhausted. A parent that
 * restarts or escalates because of it records it as its own failure's cause; the system's fatal
 * handler receives one for the top-level actor, its `cause` chain leading down to the first crash.
 */
export class ActorEscalationError extends Error {
  readonly code = 'ActorEscalation';

  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`actor ${path} exceeded its restart budget and escalated`, { cause });
    this.name = 'ActorEscalationError';
  }
}

/** Thrown by `ctx.scheduleOnce` when the actor already has `limit` scheduled messages pending. */
export class ActorTimerLimitError extends Error {
  readonly code = 'ActorTimerLimit';

  constructor(
    readonly path: string,
    readonly limit: number,
  ) {
    super(`actor ${path} has ${limit} scheduled messages pending`);
    this.name = 'ActorTimerLimitError';
  }
}
