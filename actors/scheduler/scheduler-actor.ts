// The scheduler actor (kube-scheduler with the single profile `default-scheduler`). It lives while
// its process holds the kube-scheduler Lease: spawning it starts scheduling, stopping it stops.
//
// Informer handlers (synchronous, on the event loop) keep the cache and the queue current and wake
// the actor; each `schedule` turn pops up to SCHEDULING_BATCH_PER_TURN pods and runs a synchronous
// attempt per pod, so an attempt never sees a half-applied event. A pod that fits is assumed onto
// its node before its bind starts; binds run concurrently (at most `maxInFlightBinds`). Their
// outcomes collect in a list that one `binds-done` message drains, so a burst of binds costs one
// actor turn, not one each.

import { deletedObjectOf, metaNamespaceKey, SharedInformerFactory } from '../../core/index.js';
import type { GroupVersionResource, Namespace, Node, Pod, ResourceClient, ResourceEventHandlerRegistration, SharedInformer } from '../../core/index.js';
import type { Registry } from 'prom-client';
import type { EventRecorder } from '../events/event-recorder.js';
import { defineActor } from '../runtime/index.js';
import type { ActorAddress, ActorContext, ActorDefinition, ActorRef, ReplyTo } from '../runtime/index.js';
import type { SchedulerPluginName } from './fit-error.js';
import type { PodBinder } from './pod-binder.js';
import { resourceClientPodBinder } from './pod-binder.js';
import { schedulerPodInfoOf } from './pod-info.js';
import { SchedulerCache } from './scheduler-cache.js';
import { SchedulerMetrics } from './scheduler-metrics.js';
import type { NodeCursor } from './schedule-pod.js';
import { schedulePod } from './schedule-pod.js';
import type { QueuedPodInfo } from './scheduling-queue.js';
import { SchedulingQueue } from './scheduling-queue.js';
import { podScheduledConditionUpdate, MAX_IN_FLIGHT_STATUS_UPDATES } from './pod-status.js';

/** The profile name pods ask for in spec.schedulerName (or leave empty). */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/** Binds in flight at once by default; at the bound, the scheduler stops popping pods until one completes. */
export const DEFAULT_MAX_IN_FLIGHT_BINDS = 512;
/** Pods attempted per actor turn, so bind completions and timers interleave with a long queue. */
export const SCHEDULING_BATCH_PER_TURN = 100;
/** How often pods whose back-off ended move to active (kube: 1 s). */
export const BACKOFF_FLUSH_INTERVAL_MS = 1_000;
/** How often long-unschedulable pods are looked for (kube: 30 s). */
export const UNSCHEDULABLE_FLUSH_INTERVAL_MS = 30_000;

const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
const NODES: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes' };
const NAMESPACES: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces' };

export interface SchedulerOptions {
  readonly client: ResourceClient;
  /** How binds reach the API. Default resourceClientPodBinder(client), which only suits clients that let an update set spec.nodeName. */
  readonly binder?: PodBinder;
  readonly events: EventRecorder;
  /** The process's metrics registry. */
  readonly registry: Registry;
  /** A shared factory (started or not); default: the scheduler's own, stopped with it. */
  readonly informers?: SharedInformerFactory;
  readonly schedulerName?: string;
  /** kube's percentageOfNodesToScore; 0 or absent: adaptive. */
  readonly percentageOfNodesToScore?: number;
  readonly maxInFlightBinds?: number;
}

/** Counts for tests, benchmarks and debugging. */
export interface SchedulerStats {
  readonly active: number;
  readonly backoff: number;
  readonly unschedulable: number;
  readonly inFlightBinds: number;
  readonly cachedPods: number;
  readonly assumedPods: number;
  readonly nodes: number;
  readonly scheduled: number;
  readonly attempts: number;
  /** Time spent in the scheduling algorithm (filter, score, select) over all attempts, by the actor's clock. */
  readonly algorithmSeconds: number;
}

/** How one bind ended, queued for the next `binds-done` turn. */
interface BindOutcome {
  readonly info: QueuedPodInfo;
  readonly nodeName: string;
  readonly startedMs: number;
  readonly error?: Error;
}

export type SchedulerMsg =
  | { readonly type: 'schedule' }
  | { readonly type: 'flush-backoff' }
  | { readonly type: 'flush-unschedulable' }
  /** Bind outcomes are waiting in the state's list (sent once when the list becomes non-empty). */
  | { readonly type: 'binds-done' }
  | { readonly type: 'stats'; readonly replyTo: ReplyTo<SchedulerStats> };

interface SchedulerState {
  readonly queue: SchedulingQueue;
  readonly cache: SchedulerCache;
  readonly cursor: NodeCursor;
  readonly metrics: SchedulerMetrics;
  readonly binder: PodBinder;
  readonly registrations: ResourceEventHandlerRegistration[];
  readonly ownFactory: SharedInformerFactory | undefined;
  readonly wake: () => void;
  wakePending: boolean;
  inFlightBinds: number;
  /** Binds that ended since the last `binds-done` turn. Bound: at most inFlightBinds entries. */
  bindOutcomes: BindOutcome[];
  inFlightStatusUpdates: number;
  scheduled: number;
  attempts: number;
  algorithmMs: number;
}

/** The scheduler actor's definition; spawn it to start scheduling, stop it to stop. */
export function schedulerActor(options: SchedulerOptions): ActorDefinition<SchedulerState, SchedulerMsg> {
  const schedulerName = options.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  const maxInFlightBinds = options.maxInFlightBinds ?? DEFAULT_MAX_IN_FLIGHT_BINDS;
  if (!Number.isInteger(maxInFlightBinds) || maxInFlightBinds < 1) throw new RangeError('scheduler: maxInFlightBinds must be an integer >= 1');
  const nowIso = (ctx: ActorContext<SchedulerMsg>): string => new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');

  return defineActor<SchedulerState, SchedulerMsg>({
    type: 'scheduler',
    initialState: async (ctx) => {
      const ownFactory = options.informers === undefined ? new SharedInformerFactory({ client: options.client, clock: ctx.clock, random: ctx.random }) : undefined;
      const factory = options.informers ?? ownFactory!;
      const queue = new SchedulingQueue(() => ctx.clock.now());
      const cache = new SchedulerCache();
      const metrics = new SchedulerMetrics(options.registry, schedulerName);
      metrics.setPendingSource(() => ({ active: queue.activeCount, backoff: queue.backoffCount, unschedulable: queue.unschedulableCount }));
      const state: SchedulerState = {
        queue,
        cache,
        cursor: { next: 0 },
        metrics,
        binder: options.binder ?? resourceClientPodBinder(options.client, () => nowIso(ctx)),
        registrations: [],
        ownFactory,
        wake: () => {
          if (state.wakePending) return;
          state.wakePending = true;
          ctx.self.tell({ type: 'schedule' });
        },
        wakePending: false,
        inFlightBinds: 0,
        bindOutcomes: [],
        inFlightStatusUpdates: 0,
        scheduled: 0,
        attempts: 0,
        algorithmMs: 0,
      };
      const podInformer = factory.informerFor<Pod>(PODS);
      const nodeInformer = factory.informerFor<Node>(NODES);
      const namespaceInformer = factory.informerFor<Namespace>(NAMESPACES);
      registerHandlers(state, schedulerName, podInformer, nodeInformer, namespaceInformer);
      factory.start();
      await Promise.all([podInformer.waitForSync(), nodeInformer.waitForSync(), namespaceInformer.waitForSync()]);
      ctx.scheduleOnce(BACKOFF_FLUSH_INTERVAL_MS, { type: 'flush-backoff' });
      ctx.scheduleOnce(UNSCHEDULABLE_FLUSH_INTERVAL_MS, { type: 'flush-unschedulable' });
      state.wake();
      return state;
    },
    handle: (state, msg, ctx) => {
      switch (msg.type) {
        case 'schedule':
          state.wakePending = false;
          scheduleBatch(state, ctx, options, maxInFlightBinds, nowIso);
          break;
        case 'flush-backoff':
          if (state.queue.flushBackoffCompleted() > 0) state.wake();
          ctx.scheduleOnce(BACKOFF_FLUSH_INTERVAL_MS, { type: 'flush-backoff' });
          break;
        case 'flush-unschedulable':
          if (state.queue.flushUnschedulableLeftover() > 0) state.wake();
          ctx.scheduleOnce(UNSCHEDULABLE_FLUSH_INTERVAL_MS, { type: 'flush-unschedulable' });
          break;
        case 'binds-done': {
          const outcomes = state.bindOutcomes;
          state.bindOutcomes = [];
          for (const outcome of outcomes) bindDone(state, outcome, ctx, options);
          if (outcomes.length > 0) state.wake();
          break;
        }
        case 'stats':
          msg.replyTo.reply({
            active: state.queue.activeCount,
            backoff: state.queue.backoffCount,
            unschedulable: state.queue.unschedulableCount,
            inFlightBinds: state.inFlightBinds,
            cachedPods: state.cache.podCount,
            assumedPods: state.cache.assumedPodCount,
            nodes: state.cache.nodeCount,
            scheduled: state.scheduled,
            attempts: state.attempts,
            algorithmSeconds: state.algorithmMs / 1000,
          });
          break;
      }
      return state;
    },
    onStop: (state) => {
      for (const r of state.registrations) r.remove();
      state.ownFactory?.stop();
    },
  });
}

function isResponsibleFor(pod: Pod, schedulerName: string): boolean {
  const name = pod.spec?.schedulerName ?? '';
  return name === schedulerName || (name === '' && schedulerName === DEFAULT_SCHEDULER_NAME);
}

const AFFINITY_PLUGINS: ReadonlySet<SchedulerPluginName> = new Set(['InterPodAffinity', 'PodTopologySpread']);

function registerHandlers(
  state: SchedulerState,
  schedulerName: string,
  pods: SharedInformer<Pod>,
  nodes: SharedInformer<Node>,
  namespaces: SharedInformer<Namespace>,
): void {
  const { queue, cache } = state;
  const onPod = (pod: Pod): void => {
    const key = metaNamespaceKey(pod);
    if ((pod.spec?.nodeName ?? '') !== '') {
      if (queue.locationOf(key) !== 'in-flight') queue.delete(key);
      const wasCached = cache.hasPod(key) && !cache.isAssumed(key);
      cache.setPod(pod);
      const isCached = cache.hasPod(key);
      // A pod placed frees nothing but may satisfy affinity or spreading; one that ended frees its node.
      if (!wasCached && isCached) queue.moveAllToActiveOrBackoff({ label: 'AssignedPodAdd', plugins: AFFINITY_PLUGINS });
      else if (wasCached && !isCached) queue.moveAllToActiveOrBackoff({ label: 'AssignedPodDelete' });
      state.wake();
      return;
    }
    if (cache.isAssumed(key)) return;
    const phase = pod.status?.phase;
    if (!isResponsibleFor(pod, schedulerName) || pod.metadata?.deletionTimestamp != null || phase === 'Succeeded' || phase === 'Failed') {
      if (queue.locationOf(key) !== 'in-flight') queue.delete(key);
      return;
    }
    queue.update(key, pod);
    state.wake();
  };
  state.registrations.push(
    pods.addEventHandler({
      onAdd: (pod) => onPod(pod),
      onUpdate: (_old, pod) => onPod(pod),
      onDelete: (deleted) => {
        const key = metaNamespaceKey(deletedObjectOf(deleted));
        queue.delete(key);
        if (cache.hasPod(key)) {
          cache.removePod(key);
          queue.moveAllToActiveOrBackoff({ label: 'AssignedPodDelete' });
          state.wake();
        }
      },
    }),
    nodes.addEventHandler({
      onAdd: (node) => {
        cache.setNode(node);
        queue.moveAllToActiveOrBackoff({ label: 'NodeAdd' });
        state.wake();
      },
      onUpdate: (old, node) => {
        cache.setNode(node);
        if (nodeChangeMayHelp(old, node)) {
          queue.moveAllToActiveOrBackoff({ label: 'NodeUpdate' });
          state.wake();
        }
      },
      onDelete: (deleted) => cache.removeNode(deletedObjectOf(deleted).metadata?.name ?? ''),
    }),
    namespaces.addEventHandler({
      onAdd: (ns) => cache.setNamespace(ns),
      onUpdate: (old, ns) => {
        cache.setNamespace(ns);
        if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(ns.metadata?.labels ?? {})) {
          queue.moveAllToActiveOrBackoff({ label: 'NamespaceUpdate', plugins: AFFINITY_PLUGINS });
          state.wake();
        }
      },
      onDelete: (deleted) => cache.removeNamespace(deletedObjectOf(deleted).metadata?.name ?? ''),
    }),
  );
}

/** Whether a node update could let a pod fit that did not (heartbeats alone cannot). */
function nodeChangeMayHelp(old: Node, node: Node): boolean {
  const relevant = (n: Node): string =>
    JSON.stringify([
      n.metadata?.labels ?? {},
      n.spec?.taints ?? [],
      n.spec?.unschedulable ?? false,
      n.status?.allocatable ?? n.status?.capacity ?? {},
      n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '',
    ]);
  return relevant(old) !== relevant(node);
}

function scheduleBatch(
  state: SchedulerState,
  ctx: ActorContext<SchedulerMsg>,
  options: SchedulerOptions,
  maxInFlightBinds: number,
  nowIso: (ctx: ActorContext<SchedulerMsg>) => string,
): void {
  const { queue, cache } = state;
  for (let n = 0; n < SCHEDULING_BATCH_PER_TURN && state.inFlightBinds < maxInFlightBinds; n++) {
    const info = queue.pop();
    if (info === undefined) break;
    state.attempts++;
    const startedMs = ctx.clock.now();
    const podInfo = schedulerPodInfoOf(info.pod);
    const cycle = queue.cycle;
    const algorithmStartMs = ctx.clock.now();
    const result = schedulePod(podInfo, cache, ctx.random, state.cursor, options.percentageOfNodesToScore ?? 0);
    const algorithmMs = ctx.clock.now() - algorithmStartMs;
    state.algorithmMs += algorithmMs;
    state.metrics.observeAlgorithm(algorithmMs / 1000);
    if (result.kind === 'scheduled') {
      cache.assumePod(podInfo, result.nodeName);
      state.inFlightBinds++;
      const target = { namespace: podInfo.namespace, name: podInfo.name, uid: podInfo.uid, pod: info.pod };
      const nodeName = result.nodeName;
      state.binder.bind(target, nodeName).then(
        () => bindEnded(state, ctx, { info, nodeName, startedMs }),
        (err: unknown) => bindEnded(state, ctx, { info, nodeName, startedMs, error: err instanceof Error ? err : new Error(String(err)) }),
      );
      continue;
    }
    const durationSeconds = (ctx.clock.now() - startedMs) / 1000;
    if (result.kind === 'unschedulable') {
      state.metrics.observeAttempt('unschedulable', durationSeconds);
      queue.addUnschedulable(info, cycle, result.diagnosis.unschedulablePlugins);
      recordFailure(state, ctx, options, info.pod, 'Unschedulable', result.message, nowIso(ctx));
    } else {
      state.metrics.observeAttempt('error', durationSeconds);
      queue.addBackoff(info);
      recordFailure(state, ctx, options, info.pod, 'SchedulerError', result.message, nowIso(ctx));
    }
  }
  if (queue.activeCount > 0 && state.inFlightBinds < maxInFlightBinds) state.wake();
}

/** Queues a bind's outcome for the actor; the first one queued since the last drain sends the one message. */
function bindEnded(state: SchedulerState, ctx: ActorContext<SchedulerMsg>, outcome: BindOutcome): void {
  state.bindOutcomes.push(outcome);
  if (state.bindOutcomes.length === 1) ctx.self.tell({ type: 'binds-done' });
}

function bindDone(state: SchedulerState, msg: BindOutcome, ctx: ActorContext<SchedulerMsg>, options: SchedulerOptions): void {
  state.inFlightBinds--;
  const { info, nodeName } = msg;
  const seconds = (ctx.clock.now() - msg.startedMs) / 1000;
  if (msg.error === undefined) {
    state.queue.done(info.key);
    state.scheduled++;
    state.metrics.observeAttempt('scheduled', seconds);
    state.metrics.observeScheduled(info.attempts, (ctx.clock.now() - info.initialAttemptTimestampMs) / 1000);
    const meta = info.pod.metadata ?? {};
    options.events.record(info.pod, 'Normal', 'Scheduled', `Successfully assigned ${meta.namespace ?? ''}/${meta.name ?? ''} to ${nodeName}`);
  } else {
    state.cache.forgetPod(info.key);
    state.metrics.observeAttempt('error', seconds);
    state.queue.addBackoff(info);
    options.events.record(info.pod, 'Warning', 'FailedScheduling', `Binding rejected: ${msg.error.message}`);
    ctx.log.warn('bind failed', { pod: info.key, node: nodeName, error: msg.error.message });
  }
}

/** FailedScheduling event and the PodScheduled=False condition (written only when it changes; best effort). */
function recordFailure(state: SchedulerState, ctx: ActorContext<SchedulerMsg>, options: SchedulerOptions, pod: Pod, reason: string, message: string, now: string): void {
  options.events.record(pod, 'Warning', 'FailedScheduling', message);
  if (state.inFlightStatusUpdates >= MAX_IN_FLIGHT_STATUS_UPDATES) return;
  state.inFlightStatusUpdates++;
  podScheduledConditionUpdate(options.client, pod, reason, message, now).then(
    () => state.inFlightStatusUpdates--,
    (err: unknown) => {
      state.inFlightStatusUpdates--;
      ctx.log.info('PodScheduled condition not written', { pod: metaNamespaceKey(pod), error: String(err) });
    },
  );
}

/** Where a scheduler can be spawned: an ActorSystem or an actor's context. */
export interface SchedulerParent {
  spawn<S, M extends { readonly type: string }>(definition: ActorDefinition<S, M>, name: string): ActorRef<M>;
  stop(actor: ActorAddress): Promise<void>;
}

/** A running scheduler: its ref (ask it for `stats`), and how to stop it (on losing the lease). */
export interface SchedulerHandle {
  readonly ref: ActorRef<SchedulerMsg>;
  stop(): Promise<void>;
}

/** Spawns the scheduler under `parent` (call on acquiring the kube-scheduler Lease). */
export function startScheduler(parent: SchedulerParent, options: SchedulerOptions, name = 'scheduler'): SchedulerHandle {
  const ref = parent.spawn(schedulerActor(options), name);
  return { ref, stop: () => parent.stop(ref) };
}
