// The kind-level controller actor (controller-runtime's Controller, as an actor): it turns informer
// notifications into keys in its work queue, hands each key to that key's reconciler actor (sharded,
// passivated when idle), and applies the outcome: error → per-key back-off, requeueAfterMs →
// delayed add, success → forget the key's failures. Every primary key is also re-queued every
// resync period, so a change whose notification was lost is still reconciled eventually.

import type { ResourceEventHandler, ResourceEventHandlerRegistration, ResourceObject } from '../../../core/index.js';
import { deletedObjectOf, metaNamespaceKey, metaNamespaceKeyOf } from '../../../core/index.js';
import type { TimerHandle } from '../../../raft/index.js';
import type { ActorContext, ActorDefinition, ReplyTo, ShardedChildren } from '../../runtime/index.js';
import { defineActor } from '../../runtime/index.js';
import type { ControllerContext, ControllerDefinition, ReconcileRequest, Reconciler } from './controller-contract.js';
import type { ControllerMetrics } from './controller-metrics.js';
import type { ReconcileBackoffPolicy } from './rate-limiter.js';
import type { ReconcileOutcome, ReconcilerMsg } from './reconciler-actor.js';
import { reconcilerActor } from './reconciler-actor.js';
import type { WorkQueueStatus } from './work-queue.js';
import { ControllerWorkQueue } from './work-queue.js';

/** Reconciles in flight across keys when the definition does not say (kube's `--concurrent-*-syncs`). */
export const DEFAULT_RECONCILE_CONCURRENCY = 5;
/** Every primary key is queued again this often (kube-controller-manager's default min resync). */
export const DEFAULT_CONTROLLER_RESYNC_PERIOD_MS = 5 * 60_000;
/** Shard actors per controller over which the per-object reconcilers are spread. */
export const DEFAULT_RECONCILER_SHARDS = 16;
/** A reconciler actor with no request for this long is stopped (it comes back on the next one). */
export const DEFAULT_RECONCILER_IDLE_MS = 60_000;
/**
 * How long the controller waits for one reconcile before counting it failed and freeing its
 * worker slot. The reconcile itself is not interrupted: the key's actor still runs its requests
 * one at a time, so a retry queues behind the slow one.
 */
export const RECONCILE_TIMEOUT_MS = 10 * 60_000;

export interface ControllerActorOptions {
  readonly context: ControllerContext;
  readonly metrics: ControllerMetrics;
  /** Default: `definition.makeReconciler(context)`, built at each (re)start of the actor. */
  readonly reconciler?: Reconciler;
  readonly resyncPeriodMs?: number;
  readonly shards?: number;
  readonly reconcilerIdleMs?: number;
  readonly backoff?: ReconcileBackoffPolicy;
}

/** A controller's queue and workers as `status` reports them. */
export interface ControllerStatus extends WorkQueueStatus {
  readonly controller: string;
  /** Reconciles completed since the actor (re)started. */
  readonly reconciles: number;
}

export type ControllerMsg =
  | { readonly type: 'dispatch' }
  | { readonly type: 'reconciled'; readonly incarnation: number; readonly key: string; readonly outcome: ReconcileOutcome }
  | { readonly type: 'status'; readonly replyTo: ReplyTo<ControllerStatus> };

interface ControllerState {
  readonly incarnation: number;
  readonly queue: ControllerWorkQueue;
  readonly reconcilers: ShardedChildren<ReconcilerMsg>;
  readonly registrations: ResourceEventHandlerRegistration[];
  resyncTimer: TimerHandle | undefined;
  /** A `dispatch` is in the mailbox: further pokes need not send another. */
  dispatchQueued: boolean;
  reconciles: number;
}

/** The request a key names: `namespace/name`, or `name` for cluster-scoped objects. */
export function reconcileRequestOfKey(key: string): ReconcileRequest {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function reconcileKeyOf(request: ReconcileRequest): string {
  return metaNamespaceKeyOf(request.namespace, request.name);
}

/** The actor of one controller; its type is the controller's name. */
export function controllerActor(definition: ControllerDefinition, options: ControllerActorOptions): ActorDefinition<ControllerState, ControllerMsg> {
  const { context, metrics } = options;
  const concurrency = definition.concurrency ?? DEFAULT_RECONCILE_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`controller ${definition.name}: concurrency must be an integer >= 1`);
  const resyncPeriodMs = options.resyncPeriodMs ?? DEFAULT_CONTROLLER_RESYNC_PERIOD_MS;
  let incarnations = 0;

  const poke = (state: ControllerState, ctx: ActorContext<ControllerMsg>): void => {
    if (state.dispatchQueued) return;
    state.dispatchQueued = true;
    ctx.self.tell({ type: 'dispatch' });
  };

  const dispatch = (state: ControllerState, ctx: ActorContext<ControllerMsg>): void => {
    while (state.queue.processingCount < concurrency) {
      const key = state.queue.get();
      if (key === undefined) break;
      const incarnation = state.incarnation;
      const done = (outcome: ReconcileOutcome): void => ctx.self.tell({ type: 'reconciled', incarnation, key, outcome });
      state.reconcilers
        .ask(key, { type: 'reconcile', request: reconcileRequestOfKey(key) }, RECONCILE_TIMEOUT_MS)
        .then(done, (error: unknown) => done({ ok: false, error }));
    }
    metrics.setActiveWorkers(state.queue.processingCount);
  };

  const settle = (state: ControllerState, key: string, outcome: ReconcileOutcome, ctx: ActorContext<ControllerMsg>): void => {
    state.reconciles++;
    if (!outcome.ok) {
      metrics.reconciled('error');
      ctx.log.error('reconcile failed', { controller: definition.name, key, requeues: state.queue.numRequeues(key), ...errorFields(outcome.error) });
      state.queue.addRateLimited(key);
    } else if (outcome.requeueAfterMs !== undefined) {
      metrics.reconciled('requeue_after');
      state.queue.forget(key);
      state.queue.addAfter(key, outcome.requeueAfterMs);
    } else {
      metrics.reconciled('success');
      state.queue.forget(key);
    }
    state.queue.done(key);
  };

  return defineActor<ControllerState, ControllerMsg>({
    type: definition.name,
    initialState: (ctx) => {
      const reconciler = options.reconciler ?? definition.makeReconciler(context);
      const reconcilers = ctx.spawnSharded('reconcilers', reconcilerActor(definition.name, reconciler, metrics), {
        shards: options.shards ?? DEFAULT_RECONCILER_SHARDS,
        idleMs: options.reconcilerIdleMs ?? DEFAULT_RECONCILER_IDLE_MS,
      });
      const registrations: ResourceEventHandlerRegistration[] = [];
      // The queue's onReady and the informer handlers run outside the actor's turns; they only
      // touch the queue (a plain object) and poke the actor, which does the rest in its turn.
      const state: ControllerState = {
        incarnation: ++incarnations,
        queue: new ControllerWorkQueue({
          clock: ctx.clock,
          metrics: metrics.workqueue,
          onReady: () => poke(state, ctx),
          ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
        }),
        reconcilers,
        registrations,
        resyncTimer: undefined,
        dispatchQueued: false,
        reconciles: 0,
      };
      const enqueue = (object: ResourceObject): void => state.queue.add(metaNamespaceKey(object));
      const primary = context.informers.informerFor(definition.primary);
      registrations.push(primary.addEventHandler(objectHandler((object) => enqueue(object))));
      for (const watch of definition.watches) {
        const enqueueMapped = (object: ResourceObject): void => {
          for (const request of watch.mapToRequests(object, context)) state.queue.add(reconcileKeyOf(request));
        };
        registrations.push(context.informers.informerFor(watch.resource).addEventHandler(objectHandler(enqueueMapped, watch.relevantUpdate)));
      }
      if (resyncPeriodMs > 0) {
        state.resyncTimer = ctx.clock.setInterval(() => {
          for (const key of primary.cache.listKeys()) state.queue.add(key);
        }, resyncPeriodMs);
      }
      return state;
    },
    handle: (state, msg, ctx) => {
      switch (msg.type) {
        case 'dispatch':
          state.dispatchQueued = false;
          dispatch(state, ctx);
          return state;
        case 'reconciled':
          // A reply to an earlier incarnation's request: that queue is gone, and this incarnation
          // queued every key afresh when it registered its handlers.
          if (msg.incarnation !== state.incarnation || !state.queue.isProcessing(msg.key)) return state;
          settle(state, msg.key, msg.outcome, ctx);
          dispatch(state, ctx);
          return state;
        case 'status':
          msg.replyTo.reply({ controller: definition.name, reconciles: state.reconciles, ...state.queue.status() });
          return state;
      }
    },
    onStop: (state) => {
      for (const registration of state.registrations) registration.remove();
      state.resyncTimer?.cancel();
      state.queue.shutdown();
      metrics.setActiveWorkers(0);
    },
  });
}

/** A handler that sends every notified object (old and new on updates, tombstones unwrapped) to `enqueue`. */
function objectHandler(enqueue: (object: ResourceObject) => void, relevantUpdate?: (oldObject: ResourceObject, newObject: ResourceObject) => boolean): ResourceEventHandler {
  return {
    onAdd: (object) => enqueue(object),
    onUpdate: (oldObject, newObject) => {
      if (relevantUpdate !== undefined && oldObject !== newObject && !relevantUpdate(oldObject, newObject)) return;
      enqueue(newObject);
      if (oldObject !== newObject) enqueue(oldObject);
    },
    onDelete: (object) => enqueue(deletedObjectOf(object)),
  };
}

function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { error: error.message, errorName: error.name } : { error: String(error) };
}
