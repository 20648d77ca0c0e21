import type { Random } from '../../core/index.js';
import type { Clock, TimerHandle } from '../../raft/index.js';
import type { ActorContext, ActorDefinition, ActorLifecycle, SpawnOptions } from './definition.js';
import { ActorStoppedError, ActorTimerLimitError } from './errors.js';
import type { ActorLogger } from './logger.js';
import type { ActorAddress, ActorRef } from './ref.js';
import type { ActorMessage, LateReplySink } from './reply.js';
import { spawnShardedChildren } from './sharded.js';
import type { ChildCell } from './tree.js';

/** Messages one actor may have scheduled with `ctx.scheduleOnce` and not yet delivered. */
export const MAX_SCHEDULED_MESSAGES_PER_ACTOR = 1024;

/** What the context needs from its actor cell. */
export interface ContextHost<Msg extends ActorMessage> {
  readonly ref: ActorRef<Msg>;
  readonly name: string;
  readonly path: string;
  readonly actorType: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: ActorLogger;
  readonly lateReplies: LateReplySink;
  lifecycle(): ActorLifecycle;
  /** The cell's live children by name. */
  readonly children: ReadonlyMap<string, ChildCell>;
  /** Pending `scheduleOnce` timers; the cell cancels them all when an incarnation ends. */
  readonly timers: Set<TimerHandle>;
  spawnChild<ChildState, ChildMsg extends ActorMessage>(
    definition: ActorDefinition<ChildState, ChildMsg>,
    name: string,
    options: SpawnOptions | undefined,
  ): ActorRef<ChildMsg>;
  deliver(msg: Msg): void;
  stopSelf(): void;
}

/** The context of one actor; built once per cell and shared by its incarnations. */
export function createActorContext<Msg extends ActorMessage>(host: ContextHost<Msg>): ActorContext<Msg> {
  /** The live child behind `address`: same name and the very ref it was spawned with. */
  const lookup = (address: ActorAddress): ChildCell | undefined => {
    const child = host.children.get(address.name);
    return child !== undefined && child.ref === address ? child : undefined;
  };
  const ctx: ActorContext<Msg> = {
    self: host.ref,
    name: host.name,
    path: host.path,
    actorType: host.actorType,
    clock: host.clock,
    random: host.random,
    log: host.log,
    spawn: (definition, name, options) => {
      if (host.lifecycle() !== 'running') throw new ActorStoppedError(host.path, undefined);
      return host.spawnChild(definition, name, options);
    },
    spawnSharded: (name, definition, options) =>
      spawnShardedChildren(
        { path: host.path, clock: host.clock, lateReplies: host.lateReplies, spawnShard: (d, n) => ctx.spawn(d, n) },
        name,
        definition,
        options,
      ),
    stop: (child, options) => lookup(child)?.stop(options) ?? Promise.resolve(),
    stopIfIdle: async (child, idleMs) => {
      const cell = lookup(child);
      if (cell === undefined || !cell.isIdleFor(idleMs)) return false;
      await cell.stop();
      return true;
    },
    lifecycleOf: (child) => lookup(child)?.lifecycle ?? 'stopped',
    stopSelf: () => host.stopSelf(),
    scheduleOnce: (delayMs, msg) => {
      if (host.lifecycle() !== 'running') return { cancel: () => {} };
      if (host.timers.size >= MAX_SCHEDULED_MESSAGES_PER_ACTOR) {
        throw new ActorTimerLimitError(host.path, MAX_SCHEDULED_MESSAGES_PER_ACTOR);
      }
      const handle: TimerHandle = {
        cancel: () => {
          timer.cancel();
          host.timers.delete(handle);
        },
      };
      const timer = host.clock.setTimeout(() => {
        host.timers.delete(handle);
        host.deliver(msg);
      }, delayMs);
      host.timers.add(handle);
      return handle;
    },
  };
  return ctx;
}
