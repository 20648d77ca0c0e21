import { start as nactStart, stop as nactStop } from 'nact';
import type { Ref as NactRef } from 'nact';
import { Registry } from 'prom-client';
import type { Random } from '../../core/index.js';
import type { Clock } from '../../raft/index.js';
import type { ActorSystemServices, ActorParent, ChildCell } from './tree.js';
import { spawnCell } from './cell.js';
import { realClock, realRandom } from './clock.js';
import { DeadLetterOffice } from './dead-letters.js';
import type { ActorDefinition, ActorLifecycle, ShardedChildren, ShardedChildrenOptions, SpawnOptions, StopOptions } from './definition.js';
import { ActorEscalationError, ActorStoppedError } from './errors.js';
import type { ActorLogger } from './logger.js';
import { describeError, jsonStderrActorLogger } from './logger.js';
import { ActorMetrics } from './metrics.js';
import { validateActorName } from './names.js';
import type { ActorAddress, ActorRef } from './ref.js';
import type { ActorMessage } from './reply.js';
import { spawnShardedChildren } from './sharded.js';

export interface ActorSystemOptions {
  /** Root of every actor path (`<name>/<actor>/…`), e.g. `master-1`. */
  readonly name: string;
  /** Default: the real clock. A simulation passes its own. */
  readonly clock?: Clock;
  /** Backoff jitter. Default: unseeded; tests and simulations pass a SeededRandom. */
  readonly random?: Random;
  /** Default: JSON lines on stderr. */
  readonly logger?: ActorLogger;
  /** The process's metrics registry. Default: a private one (never prom-client's global registry). */
  readonly registry?: Registry;
  /**
   * Called when a top-level actor escalates (the failure reached the top of the tree); the actor
   * is stopped afterwards. Default: log the error and shut the whole system down.
   * A process main typically logs and exits non-zero.
   */
  readonly onFatal?: (error: ActorEscalationError) => void;
}

/** Tells nact systems apart: nact keeps them in a process-wide map keyed by name. */
let nactSystemSeq = 0;

/**
 * The root of one process's actors and the services they share (clock, randomness, logs,
 * metrics, dead letters). Top-level actors are its children: components such as the API server,
 * the scheduler, each kind's controller, the kubelet.
 */
export class ActorSystem implements ActorParent {
  readonly name: string;
  readonly path: string;
  private readonly nactRef: NactRef<unknown>;
  readonly registry: Registry;
  private readonly services: ActorSystemServices;
  private readonly onFatal: (error: ActorEscalationError) => void;
  /** Top-level actors in spawn order (shutdown stops them in reverse). */
  private readonly children = new Map<string, ChildCell>();
  private shuttingDown: Promise<void> | undefined;

  constructor(options: ActorSystemOptions) {
    validateActorName(options.name);
    this.name = options.name;
    this.path = options.name;
    this.registry = options.registry ?? new Registry();
    const clock = options.clock ?? realClock;
    const logger = options.logger ?? jsonStderrActorLogger({ actorSystem: options.name });
    const metrics = new ActorMetrics(this.registry);
    // nact reads the name from an object argument, not the string its typings declare.
    const nactOptions = { name: `${options.name}#${++nactSystemSeq}` } as unknown as string;
    this.nactRef = nactStart(nactOptions);
    let nactNames = 0;
    this.services = {
      nactRoot: this.nactRef,
      nextNactName: () => `a${++nactNames}`,
      clock,
      random: options.random ?? realRandom,
      logger,
      metrics,
      deadLetters: new DeadLetterOffice(metrics, logger, clock),
    };
    this.onFatal = options.onFatal ?? ((error) => {
      logger.error('top-level actor escalated; shutting the actor system down', { actor: error.path, ...describeError(error) });
      void this.shutdown();
    });
  }

  get clock(): Clock {
    return this.services.clock;
  }

  get logger(): ActorLogger {
    return this.services.logger;
  }

  /** Dead letters since the system started (also in `flotilla_actor_dead_letters_total`). */
  get deadLetterCount(): number {
    return this.services.deadLetters.total;
  }

  /** Starts a top-level actor. Throws InvalidActorNameError, ActorNameConflictError, or ActorStoppedError after shutdown. */
  spawn<State, Msg extends ActorMessage>(
    definition: ActorDefinition<State, Msg>,
    name: string,
    options?: SpawnOptions,
  ): ActorRef<Msg> {
    if (this.shuttingDown !== undefined) throw new ActorStoppedError(this.path, undefined);
    return spawnCell(this.services, this, this.children, definition, name, options);
  }

  /** Top-level sharded children (see ActorContext.spawnSharded). */
  spawnSharded<State, Msg extends ActorMessage>(
    name: string,
    definition: ActorDefinition<State, Msg>,
    options: ShardedChildrenOptions,
  ): ShardedChildren<Msg> {
    return spawnShardedChildren(
      { path: this.path, clock: this.services.clock, lateReplies: this.services.deadLetters, spawnShard: (d, n) => this.spawn(d, n) },
      name,
      definition,
      options,
    );
  }

  /** Gracefully stops a top-level actor; a no-op for anything else. */
  stop(actor: ActorAddress, options?: StopOptions): Promise<void> {
    return this.lookup(actor)?.stop(options) ?? Promise.resolve();
  }

  lifecycleOf(actor: ActorAddress): ActorLifecycle {
    return this.lookup(actor)?.lifecycle ?? 'stopped';
  }

  /** Stops every top-level actor, newest first, each after its children; then nact. Idempotent. */
  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      for (const child of [...this.children.values()].reverse()) await child.stop();
      nactStop(this.nactRef);
    })();
    return this.shuttingDown;
  }

  childStopped(child: ChildCell): void {
    if (this.children.get(child.name) === child) this.children.delete(child.name);
  }

  childEscalated(child: ChildCell, cause: unknown): void {
    const error = new ActorEscalationError(child.path, cause);
    try {
      this.onFatal(error);
    } catch (thrown) {
      this.services.logger.error('fatal handler threw', describeError(thrown));
    }
    void child.stop();
  }

  private lookup(actor: ActorAddress): ChildCell | undefined {
    const child = this.children.get(actor.name);
    return child !== undefined && child.ref === actor ? child : undefined;
  }
}
