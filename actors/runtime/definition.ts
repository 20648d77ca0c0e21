import type { Random } from '../../core/index.js';
import type { Clock, TimerHandle } from '../../raft/index.js';
import type { ActorLogger } from './logger.js';
import type { ActorAddress, ActorRef } from './ref.js';
import type { ActorMessage, AskableType, AskRequest, ReplyOf } from './reply.js';
import type { EscalationDecision, ChildEscalation, SupervisionPolicy } from './supervision.js';
import { resolveSupervision } from './supervision.js';

/** Messages an actor's mailbox holds before further ones become dead letters, unless its definition says otherwise. */
export const DEFAULT_MAILBOX_CAPACITY = 100_000;

/** Where an actor is in its life: `stopping` ones accept no messages and finish what they were doing. */
export type ActorLifecycle = 'running' | 'stopping' | 'stopped';

/**
 * What an actor is: a type name (its metrics label), how to build its state, and how a message
 * turns one state into the next. Messages are handled one at a time, in arrival order; a handler
 * may be async, and the next message waits for it.
 */
export interface ActorDefinition<State, Msg extends ActorMessage> {
  /** The `actor_type` label of its metrics, e.g. `apiserver`, `pod-reconciler`. */
  readonly type: string;
  /**
   * Builds a fresh state: at start and after every restart. Runs as the actor's first turn,
   * so it may spawn children; if it throws, the actor is supervised as for a crashing handler.
   */
  readonly initialState: (ctx: ActorContext<Msg>) => State | Promise<State>;
  /** Returns the next state. Throwing (or rejecting) is a crash: the actor restarts with fresh state. */
  readonly handle: (state: State, msg: Msg, ctx: ActorContext<Msg>) => State | Promise<State>;
  /**
   * Runs when an incarnation ends: on stop, and before a restart (with the last good state),
   * always after every child has stopped. Errors are logged and ignored.
   */
  readonly onStop?: (state: State, ctx: ActorContext<Msg>) => void | Promise<void>;
  readonly supervision?: Partial<SupervisionPolicy>;
  /** Messages queued before further ones become dead letters. Default DEFAULT_MAILBOX_CAPACITY. */
  readonly mailboxCapacity?: number;
}

/** Options of one `spawn`. */
export interface SpawnOptions {
  /**
   * Passivation: once the child has had no message for `idleMs` (and has none queued), `onIdle`
   * runs, or, without one, the child is stopped. Anything later sent to a stopped child's ref is
   * a dead letter: keyed children that come back on demand are what `spawnSharded` is for.
   */
  readonly idleMs?: number;
  readonly onIdle?: () => void;
  /**
   * Runs once the child has stopped, whatever stopped it (its own stopSelf, its parent, an
   * escalation), so a parent that keeps its own index of children can forget it.
   */
  readonly onStopped?: () => void;
}

/** Options of a stop. */
export interface StopOptions {
  /**
   * Handle every message already queued before stopping (new ones are refused at once).
   * Default false: finish the current message; the queued ones become dead letters.
   */
  readonly drain?: boolean;
}

/** Options of `spawnSharded`. */
export interface ShardedChildrenOptions {
  /** Shard actors to spread the keys over (each parents about keys/shards children). */
  readonly shards: number;
  /** Stop a key's child after this long without messages; it is recreated by the next message for its key. */
  readonly idleMs?: number;
  /**
   * The shards' decision when a key's child escalates. Default `stop-child`: the child is gone and
   * the next message for its key starts a fresh one, leaving the other keys of the shard alone.
   */
  readonly onChildEscalation?: (escalation: ChildEscalation) => EscalationDecision;
}

/** Most shards one `spawnSharded` may create. */
export const MAX_SHARDS = 4096;

/**
 * A set of per-key children spread over shard actors, so no single actor parents thousands of
 * children (nact copies a parent's child map on every message it handles). A key always routes to
 * the same shard (`shardIndexForKey`), whose child for the key is created on first use, named
 * `escapeActorName(key)`, and lives at `<owner>/<name>-<shard>/<escaped key>`.
 */
export interface ShardedChildren<Msg extends ActorMessage> {
  readonly name: string;
  readonly shardCount: number;
  tell(key: string, msg: Msg): void;
  ask<K extends AskableType<Msg>>(key: string, request: AskRequest<Msg, K>, timeoutMs: number): Promise<ReplyOf<Msg, K>>;
}

/** What a handler sees besides its state and message. Stable for the actor's lifetime. */
export interface ActorContext<Msg extends ActorMessage> {
  readonly self: ActorRef<Msg>;
  readonly name: string;
  readonly path: string;
  readonly actorType: string;
  readonly clock: Clock;
  readonly random: Random;
  /** Logs with `actor` (path) and `actorType` fields added. */
  readonly log: ActorLogger;
  /** Starts a child. Throws InvalidActorNameError, ActorNameConflictError, or ActorStoppedError. */
  spawn<ChildState, ChildMsg extends ActorMessage>(
    definition: ActorDefinition<ChildState, ChildMsg>,
    name: string,
    options?: SpawnOptions,
  ): ActorRef<ChildMsg>;
  /** Starts `options.shards` shard children named `<name>-<i>` that parent one child per key. */
  spawnSharded<ChildState, ChildMsg extends ActorMessage>(
    name: string,
    definition: ActorDefinition<ChildState, ChildMsg>,
    options: ShardedChildrenOptions,
  ): ShardedChildren<ChildMsg>;
  /**
   * Gracefully stops one of this actor's children (its children first, then its `onStop`);
   * resolves once it has stopped. A no-op for a ref that is not a live child.
   */
  stop(child: ActorAddress, options?: StopOptions): Promise<void>;
  /**
   * Stops the child if it has had no message for `idleMs` and has nothing queued or in progress;
   * resolves to whether it did. The primitive behind passivation.
   */
  stopIfIdle(child: ActorAddress, idleMs: number): Promise<boolean>;
  /** `stopped` for anything that is not (any more) a child of this actor. */
  lifecycleOf(child: ActorAddress): ActorLifecycle;
  /**
   * Stops this actor once the current message is handled. Not awaitable on purpose: an actor
   * waiting for its own stop would wait forever.
   */
  stopSelf(): void;
  /**
   * Sends `msg` to this actor after `delayMs` of the injected clock (e.g. a controller's
   * requeueAfter). Cancelled by stop and restart. Throws ActorTimerLimitError past
   * MAX_SCHEDULED_MESSAGES_PER_ACTOR pending.
   */
  scheduleOnce(delayMs: number, msg: Msg): TimerHandle;
}

/**
 * Declares an actor type, checking it once (type name, mailbox capacity, supervision values);
 * throws RangeError on nonsense. Pass the result to `spawn`.
 */
export function defineActor<State, Msg extends ActorMessage>(
  definition: ActorDefinition<State, Msg>,
): ActorDefinition<State, Msg> {
  if (definition.type.length === 0) throw new RangeError('actor definition: type must be non-empty');
  const capacity = definition.mailboxCapacity ?? DEFAULT_MAILBOX_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('actor definition: mailboxCapacity must be an integer >= 1');
  resolveSupervision(definition.supervision);
  return Object.freeze({ ...definition });
}
