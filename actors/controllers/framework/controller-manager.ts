// The controller manager: starts the informers every controller needs, waits for their caches,
// then runs one actor per controller under a supervisor actor. `startWhenLeading` ties it to a
// leader elector so that only the lease holder's controllers act.

import { Registry } from 'prom-client';
import type { Random, ResourceClient } from '../../../core/index.js';
import { SharedInformerFactory } from '../../../core/index.js';
import type { Clock } from '../../../raft/index.js';
import { NULL_EVENT_RECORDER } from '../../events/event-recorder.js';
import type { EventRecorder } from '../../events/event-recorder.js';
import type { LeaderElector } from '../../leader/index.js';
import type { ActorLogger, ActorRef, ReplyTo } from '../../runtime/index.js';
import { ActorSystem, defineActor, jsonStderrActorLogger, withLogFields } from '../../runtime/index.js';
import type { ControllerActorOptions, ControllerMsg, ControllerStatus } from './controller-actor.js';
import { controllerActor, DEFAULT_RECONCILE_CONCURRENCY } from './controller-actor.js';
import type { ControllerContext, ControllerDefinition, Reconciler } from './controller-contract.js';
import type { ControllerMetrics } from './controller-metrics.js';
import { controllerMetricsFor } from './controller-metrics.js';
import type { ReconcileBackoffPolicy } from './rate-limiter.js';

/** How long `status` waits for a controller actor's answer. */
export const CONTROLLER_STATUS_TIMEOUT_MS = 10_000;

export interface ControllerManagerOptions {
  readonly client: ResourceClient;
  readonly controllers: readonly ControllerDefinition[];
  readonly clock: Clock;
  readonly random: Random;
  /** The process's actor system. Without one the manager makes its own for each run. */
  readonly system?: ActorSystem;
  /**
   * A shared informer factory to use (its owner starts nothing and stops it). Without one the
   * manager builds a factory over `client` for each run and stops it when the run ends.
   */
  readonly informers?: SharedInformerFactory;
  readonly events?: EventRecorder;
  readonly settings?: Readonly<Record<string, number>>;
  /** Default: the system's registry, else a private one. */
  readonly registry?: Registry;
  /** Default: the system's logger, else JSON lines on stderr. */
  readonly logger?: ActorLogger;
  readonly resyncPeriodMs?: number;
  readonly shards?: number;
  readonly reconcilerIdleMs?: number;
  readonly backoff?: ReconcileBackoffPolicy;
  /** The supervisor actor's name (and the own actor system's). Default `controller-manager`. */
  readonly name?: string;
}

type SupervisorMsg = { readonly type: 'status'; readonly controller: string; readonly replyTo: ReplyTo<ControllerStatus> };

/** Thrown by ControllerManager.status when no such controller is running. */
export class ControllerNotRunningError extends Error {
  override readonly name = 'ControllerNotRunningError';
  constructor(readonly controller: string) {
    super(`controller ${controller} is not running`);
  }
}

interface Run {
  readonly system: ActorSystem;
  readonly ownsSystem: boolean;
  readonly informers: SharedInformerFactory;
  readonly ownsInformers: boolean;
  supervisor: ActorRef<SupervisorMsg> | undefined;
  cancelled: boolean;
  readonly cancel: () => void;
  readonly cancelledSignal: Promise<void>;
}

export class ControllerManager {
  readonly name: string;
  private readonly options: ControllerManagerOptions;
  private readonly registry: Registry;
  private readonly logger: ActorLogger;
  private readonly metrics = new Map<string, ControllerMetrics>();
  private run: Run | undefined;
  /** Starts and stops in call order; each waits for the one before. */
  private transitions: Promise<void> = Promise.resolve();

  constructor(options: ControllerManagerOptions) {
    this.options = options;
    this.name = options.name ?? 'controller-manager';
    this.registry = options.registry ?? options.system?.registry ?? new Registry();
    this.logger = options.logger ?? options.system?.logger ?? jsonStderrActorLogger({ component: this.name });
    for (const definition of options.controllers) {
      if (this.metrics.has(definition.name)) throw new RangeError(`controller manager: two controllers named ${definition.name}`);
      this.metrics.set(definition.name, controllerMetricsFor(this.registry, definition.name, definition.concurrency ?? DEFAULT_RECONCILE_CONCURRENCY));
    }
  }

  /** True from a start until the next stop (the controllers may still be waiting for caches). */
  get isRunning(): boolean {
    return this.run !== undefined;
  }

  /** Starts informers, waits for their caches, then the controllers. A no-op while running. */
  start(): Promise<void> {
    return this.transition(() => this.startRun());
  }

  /** Stops the controllers (each finishes its reconciles in flight), then owned informers. Idempotent. */
  stop(): Promise<void> {
    // Cancelled at once, not in turn: a start still waiting for caches must not hold the stop up.
    this.run?.cancel();
    return this.transition(() => this.stopRun());
  }

  /**
   * Runs the controllers only while `elector` holds its lease: starts them when it starts leading
   * and stops them when it stops. Starts the elector. To shut down, `await manager.stop()` and
   * then `await elector.stop()`: the lease is released only once no controller acts any more.
   */
  startWhenLeading(elector: LeaderElector): void {
    elector.start({
      onStartedLeading: () => {
        this.start().catch((err: unknown) => this.logger.error('controller manager failed to start', { manager: this.name, ...errorFields(err) }));
      },
      onStoppedLeading: () => {
        this.stop().catch((err: unknown) => this.logger.error('controller manager failed to stop', { manager: this.name, ...errorFields(err) }));
      },
    });
  }

  /** The queue of one running controller. Rejects with ControllerNotRunningError when there is none. */
  async status(controller: string): Promise<ControllerStatus> {
    const supervisor = this.run?.supervisor;
    if (supervisor === undefined || !this.metrics.has(controller)) throw new ControllerNotRunningError(controller);
    return supervisor.ask({ type: 'status', controller }, CONTROLLER_STATUS_TIMEOUT_MS);
  }

  /** Whether the controllers' actors are up (caches synced). */
  get controllersStarted(): boolean {
    return this.run?.supervisor !== undefined;
  }

  private transition(step: () => Promise<void>): Promise<void> {
    const next = this.transitions.then(step);
    this.transitions = next.catch(() => undefined);
    return next;
  }

  private async startRun(): Promise<void> {
    if (this.run !== undefined) return;
    const o = this.options;
    const ownsSystem = o.system === undefined;
    const system = o.system ?? new ActorSystem({ name: this.name, clock: o.clock, random: o.random, logger: this.logger, registry: this.registry });
    const ownsInformers = o.informers === undefined;
    const informers = o.informers ?? new SharedInformerFactory({
      client: o.client,
      clock: o.clock,
      random: o.random,
      onError: (resource, err, source) => this.logger.warn('informer error', { manager: this.name, resource: resource.resource, source, ...errorFields(err) }),
    });
    let resolveCancelled!: () => void;
    const cancelledSignal = new Promise<void>((resolve) => {
      resolveCancelled = resolve;
    });
    const run: Run = {
      system,
      ownsSystem,
      informers,
      ownsInformers,
      supervisor: undefined,
      cancelled: false,
      cancelledSignal,
      cancel: () => {
        run.cancelled = true;
        resolveCancelled();
      },
    };
    this.run = run;

    // Reconcilers are built before the factory starts, so informers they ask for sync with the rest.
    const built: { definition: ControllerDefinition; options: ControllerActorOptions }[] = [];
    for (const definition of o.controllers) {
      const context: ControllerContext = {
        client: o.client,
        informers,
        events: o.events ?? NULL_EVENT_RECORDER,
        clock: o.clock,
        random: o.random,
        log: withLogFields(this.logger, { controller: definition.name }),
        settings: o.settings ?? {},
      };
      informers.informerFor(definition.primary);
      for (const watch of definition.watches) informers.informerFor(watch.resource);
      const reconciler: Reconciler = definition.makeReconciler(context);
      built.push({
        definition,
        options: {
          context,
          reconciler,
          metrics: this.metrics.get(definition.name)!,
          ...(o.resyncPeriodMs === undefined ? {} : { resyncPeriodMs: o.resyncPeriodMs }),
          ...(o.shards === undefined ? {} : { shards: o.shards }),
          ...(o.reconcilerIdleMs === undefined ? {} : { reconcilerIdleMs: o.reconcilerIdleMs }),
          ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
        },
      });
    }
    informers.start();
    try {
      await Promise.race([informers.waitForCacheSync(), cancelledSignal]);
    } catch (err) {
      if (!run.cancelled) throw err;
    }
    if (run.cancelled) return;

    const controllers = built.map((b) => ({ name: b.definition.name, actor: controllerActor(b.definition, b.options) }));
    run.supervisor = system.spawn(
      defineActor<Map<string, ActorRef<ControllerMsg>>, SupervisorMsg>({
        type: 'controller-manager',
        initialState: (ctx) => new Map(controllers.map((c) => [c.name, ctx.spawn(c.actor, c.name)])),
        handle: (children, msg) => {
          const child = children.get(msg.controller);
          if (child === undefined) msg.replyTo.fail(new ControllerNotRunningError(msg.controller));
          else child.ask({ type: 'status' }, CONTROLLER_STATUS_TIMEOUT_MS).then(msg.replyTo.reply, msg.replyTo.fail);
          return children;
        },
      }),
      this.name,
    );
    this.logger.info('controllers started', { manager: this.name, controllers: controllers.map((c) => c.name) });
  }

  private async stopRun(): Promise<void> {
    const run = this.run;
    if (run === undefined) return;
    this.run = undefined;
    if (run.supervisor !== undefined) await run.system.stop(run.supervisor);
    if (run.ownsInformers) run.informers.stop();
    if (run.ownsSystem) await run.system.shutdown();
    if (run.supervisor !== undefined) this.logger.info('controllers stopped', { manager: this.name });
  }
}

function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { error: error.message, errorName: error.name } : { error: String(error) };
}
