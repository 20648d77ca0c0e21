// The scheduler and the controller manager of one master. Every master runs both, but each acts
// only while its master holds the matching Lease in kube-system (`kube-scheduler`,
// `kube-controller-manager`), so that after a master dies another takes over within the lease
// duration and two never act at once.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { Random } from '../../core/index.js';
import {
  ApiEventRecorder,
  ApiServerResourceClient,
  ControllerManager,
  LeaderElector,
  startScheduler,
} from '../../actors/index.js';
import type { ActorLogger, ActorSystem, ApiServer, ControllerDefinition, PodBinder, SchedulerHandle } from '../../actors/index.js';
import type { Clock, TimerHandle } from '../../raft/index.js';
import type { StoreLeadership } from '../store/run.js';

/** Lease timings (client-go's defaults: 15 s, 10 s, 2 s). */
export interface LeaderElectionSettings {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionSettings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface ControlPlaneOptions {
  readonly api: ApiServer;
  readonly system: ActorSystem;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: ActorLogger;
  readonly controllers: readonly ControllerDefinition[];
  /** Controller tunables by name (see each controller's documentation). */
  readonly settings: Readonly<Record<string, number>>;
  readonly leaderElection: LeaderElectionSettings;
  /**
   * The Raft leadership of this master's store member (absent on an external etcd). While this
   * master runs the scheduler or the controller manager, it hands that leadership to another
   * member, so the busiest store member and the busiest control-plane process are not one
   * process on one core.
   */
  readonly storeLeadership?: StoreLeadership;
}

export interface ControlPlane {
  /** Stops acting and releases both leases, so another master takes over at once. */
  stop(): Promise<void>;
}

/** How often a master running the control plane checks whether its store member leads. */
export const STORE_LEADERSHIP_CHECK_MS = 2_000;
/** How long one hand-off of the store's leadership may take. */
export const STORE_LEADERSHIP_HANDOFF_DEADLINE_MS = 3_000;

/** kube's identity form: `<hostname>_<random>`, unique per process. */
function candidateIdentity(): string {
  return `${hostname()}_${randomBytes(8).toString('hex')}`;
}

export function startControlPlane(o: ControlPlaneOptions): ControlPlane {
  const identity = candidateIdentity();
  const user = (name: string): ApiServerResourceClient => new ApiServerResourceClient(o.api, { name: `system:${name}`, uid: '', groups: ['system:masters', 'system:authenticated'] });
  const elector = (client: ApiServerResourceClient, leaseName: string): LeaderElector =>
    new LeaderElector({ client, clock: o.clock, random: o.random, leaseName, identity, ...o.leaderElection, logger: o.log });

  const cmClient = user('kube-controller-manager');
  const cmEvents = new ApiEventRecorder({ client: cmClient, clock: o.clock, random: o.random, component: 'controller-manager', reportingInstance: identity, registry: o.registry, logger: o.log });
  const manager = new ControllerManager({
    client: cmClient,
    controllers: o.controllers,
    clock: o.clock,
    random: o.random,
    system: o.system,
    events: cmEvents,
    settings: o.settings,
    registry: o.registry,
    logger: o.log,
  });
  const cmElector = elector(cmClient, 'kube-controller-manager');
  manager.startWhenLeading(cmElector);

  const schedClient = user('kube-scheduler');
  const schedEvents = new ApiEventRecorder({ client: schedClient, clock: o.clock, random: o.random, component: 'default-scheduler', reportingInstance: identity, registry: o.registry, logger: o.log });
  const binder: PodBinder = { bind: (pod, nodeName) => schedClient.bindPod(pod.namespace, pod.name, nodeName, pod.uid) };
  const schedElector = elector(schedClient, 'kube-scheduler');
  let scheduler: SchedulerHandle | undefined;
  schedElector.start({
    onStartedLeading: () => {
      if (scheduler) return;
      scheduler = startScheduler(o.system, { client: schedClient, binder, events: schedEvents, registry: o.registry });
      o.log.info('scheduler started: this master holds the kube-scheduler lease', { identity });
    },
    onStoppedLeading: () => {
      const s = scheduler;
      scheduler = undefined;
      if (s) s.stop().catch((err: unknown) => o.log.error('scheduler failed to stop', { error: String(err) }));
      o.log.info('scheduler stopped: lease lost or released', { identity });
    },
  });

  // The store leader replicates every write and the control plane makes most of them: apart, each
  // has a core of its own (measured: a 1,000-replica scale-up took 5.4–6.8 s with both in one
  // master, 3.5–4.4 s apart). A single-member store has no one to hand to, and stays as it is.
  const leadership = o.storeLeadership;
  let leadershipTimer: TimerHandle | undefined;
  let handingOff = false;
  let stopped = false;
  const checkLeadership = (): void => {
    leadershipTimer = undefined;
    if (stopped || leadership === undefined) return;
    if (!handingOff && (cmElector.isLeader || schedElector.isLeader) && leadership.isLeader()) {
      handingOff = true;
      const why = cmElector.isLeader ? 'this master runs the controller manager' : 'this master runs the scheduler';
      leadership.handOff(STORE_LEADERSHIP_HANDOFF_DEADLINE_MS, why).then(
        () => (handingOff = false),
        (err: unknown) => {
          handingOff = false;
          o.log.warn('store leadership hand-off failed', { error: String(err) });
        },
      );
    }
    leadershipTimer = o.clock.setTimeout(checkLeadership, STORE_LEADERSHIP_CHECK_MS);
  };
  if (leadership !== undefined) leadershipTimer = o.clock.setTimeout(checkLeadership, 0);

  return {
    async stop(): Promise<void> {
      stopped = true;
      leadershipTimer?.cancel();
      await manager.stop();
      await scheduler?.stop();
      scheduler = undefined;
      await Promise.all([cmElector.stop(), schedElector.stop()]);
      await Promise.all([cmEvents.stop(), schedEvents.stop()]);
    },
  };
}
