import type { Clock } from '../../raft/index.js';
import type { ActorContext, ActorDefinition, ShardedChildren, ShardedChildrenOptions } from './definition.js';
import { MAX_SHARDS, defineActor } from './definition.js';
import { escapeActorName, validateActorName } from './names.js';
import type { ActorRef } from './ref.js';
import type { ActorMessage, AskableType, AskRequest, LateReplySink, ReplyOf, ReplyTo } from './reply.js';
import { askThrough, pendingReplyOf } from './reply.js';

/**
 * What a shard actor handles. `route` carries the ask's reply slot, if any, at its own level too,
 * so that a route that dies on the way (dead letter, shard crash) still fails the ask promptly.
 */
export type ShardMessage<Msg extends ActorMessage> =
  | { readonly type: 'route'; readonly key: string; readonly msg: Msg; readonly replyTo?: ReplyTo<unknown> }
  | { readonly type: 'passivate'; readonly key: string };

/** The live child of each key; rebuilt empty when the shard restarts (its children are stopped then). */
type ShardState<Msg extends ActorMessage> = Map<string, ActorRef<Msg>>;

/** Who creates the shards: an actor's context or the actor system itself. */
export interface ShardOwner {
  readonly path: string;
  readonly clock: Clock;
  readonly lateReplies: LateReplySink;
  spawnShard<Msg extends ActorMessage>(definition: ActorDefinition<ShardState<Msg>, ShardMessage<Msg>>, name: string): ActorRef<ShardMessage<Msg>>;
}

/**
 * The shard of `key` among `shards`: FNV-1a (32-bit) of the key's UTF-16 code units, modulo
 * `shards`. Stable across processes and restarts.
 */
export function shardIndexForKey(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

function shardDefinition<ChildState, Msg extends ActorMessage>(
  child: ActorDefinition<ChildState, Msg>,
  options: ShardedChildrenOptions,
): ActorDefinition<ShardState<Msg>, ShardMessage<Msg>> {
  const { idleMs } = options;
  // A child that stops on its own (stopSelf: a pod worker whose pod is gone) is forgotten, or the
  // shard's index would keep every key it ever saw, and each stopped child's cell with it. The
  // entry goes at once rather than by a message to the shard, which may itself be stopping (its
  // children stop first) and would count that message a dead letter; dropping the entry of a
  // stopped child is what every turn below does anyway when it meets one.
  const spawnChild = (ctx: ActorContext<ShardMessage<Msg>>, children: ShardState<Msg>, key: string): ActorRef<Msg> => {
    const spawned: ActorRef<Msg> = ctx.spawn(child, escapeActorName(key), {
      ...(idleMs === undefined ? {} : { idleMs, onIdle: () => ctx.self.tell({ type: 'passivate', key }) }),
      onStopped: () => {
        if (children.get(key) === spawned) children.delete(key);
      },
    });
    return spawned;
  };

  return defineActor<ShardState<Msg>, ShardMessage<Msg>>({
    type: `${child.type}-shard`,
    initialState: () => new Map(),
    async handle(children, msg, ctx) {
      switch (msg.type) {
        case 'route': {
          let target = children.get(msg.key);
          if (target !== undefined && ctx.lifecycleOf(target) !== 'running') {
            // Wait out a stopping child (stopSelf, passivation race) so its name is free again.
            await ctx.stop(target);
            children.delete(msg.key);
            target = undefined;
          }
          if (target === undefined) {
            target = spawnChild(ctx, children, msg.key);
            children.set(msg.key, target);
          }
          target.tell(msg.msg);
          return children;
        }
        case 'passivate': {
          const target = children.get(msg.key);
          // The child may have had messages since it reported idle; stopIfIdle re-checks.
          if (target !== undefined && idleMs !== undefined && (await ctx.stopIfIdle(target, idleMs))) {
            children.delete(msg.key);
          }
          return children;
        }
      }
    },
    supervision: { onChildEscalation: options.onChildEscalation ?? (() => 'stop-child') },
  });
}

/** Spawns the shards under `owner` and returns the router to them. */
export function spawnShardedChildren<ChildState, Msg extends ActorMessage>(
  owner: ShardOwner,
  name: string,
  child: ActorDefinition<ChildState, Msg>,
  options: ShardedChildrenOptions,
): ShardedChildren<Msg> {
  const { shards: shardCount } = options;
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARDS) {
    throw new RangeError(`spawnSharded: shards must be an integer in [1, ${MAX_SHARDS}], got ${shardCount}`);
  }
  if (options.idleMs !== undefined && !(options.idleMs > 0)) throw new RangeError('spawnSharded: idleMs must be > 0');
  validateActorName(`${name}-${shardCount - 1}`);
  const definition = shardDefinition(child, options);
  const shards: ActorRef<ShardMessage<Msg>>[] = [];
  for (let i = 0; i < shardCount; i++) shards.push(owner.spawnShard(definition, `${name}-${i}`));

  const shardOf = (key: string): ActorRef<ShardMessage<Msg>> => {
    // Checked here, not in the shard, so a bad key is the caller's error rather than a shard crash.
    validateActorName(escapeActorName(key));
    return shards[shardIndexForKey(key, shardCount)]!;
  };

  return {
    name,
    shardCount,
    tell(key: string, msg: Msg): void {
      shardOf(key).tell({ type: 'route', key, msg });
    },
    ask<K extends AskableType<Msg>>(key: string, request: AskRequest<Msg, K>, timeoutMs: number): Promise<ReplyOf<Msg, K>> {
      const shard = shardOf(key);
      return askThrough(
        owner.clock,
        owner.lateReplies,
        `${shard.path}/${escapeActorName(key)}`,
        child.type,
        request,
        timeoutMs,
        (msg) => shard.tell({ type: 'route', key, msg: msg as Msg, replyTo: pendingReplyOf(msg) }),
      );
    },
  };
}
