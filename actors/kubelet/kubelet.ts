// The kubelet actor: one per node. It registers the Node and keeps its status and heartbeat Lease
// current, hands every pod bound to the node (and every static pod) to that pod's worker actor,
// relays container exits from the runtime, mirrors static pods into the API, and at start removes
// sandboxes whose pods are gone. It never drives containers itself: pod workers do.
//
// Slow API calls (registration, status, lease, mirror pods, orphan cleanup) run detached and
// report back as messages, so pod events never wait behind a master that is failing over.

import type { Node, Pod, ResourceClient } from '../../core/index.js';
import type { ActorContext, ActorDefinition, ShardedChildren } from '../runtime/index.js';
import { defineActor } from '../runtime/index.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { NULL_EVENT_RECORDER } from '../events/event-recorder.js';
import type { CrashLoopBackoffPolicy, PodWorkerHost, PodWorkerMsg } from './pod-worker-contract.js';
import { DEFAULT_CRASH_LOOP_BACKOFF } from './pod-worker-contract.js';
import type { ContainerRuntime, ContainerStatus } from './runtime/cri.js';
import type { NodeHostProbe } from './node/host-probe.js';
import type { NodeReadiness } from './node/node-conditions.js';
import type { NodeKubeletMetrics } from './node/kubelet-metrics.js';
import { reconcileMirrorPods } from './node/mirror-pods.js';
import type { NodePodInformer } from './node/node-pod-informer.js';
import { DEFAULT_MAX_PODS, nodeAllocatableOf } from './node/node-object.js';
import { DEFAULT_NODE_LEASE_DURATION_SECONDS, NodeLeaseRenewer, nodeLeaseRenewIntervalMs } from './node/node-lease.js';
import { DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_MS, NodeStatusReporter } from './node/node-status.js';
import type { StaticPodSource } from './node/static-pods.js';
import { isMirrorPod, STATIC_POD_CHECK_INTERVAL_MS } from './node/static-pods.js';
import { StaticPodSet } from './node/static-pod-set.js';
import { PodStartTracker } from './node/pod-start-tracker.js';

/** Shards of the pod workers (each parents about pods/shards workers). */
export const POD_WORKER_SHARDS = 16;
/** Every pod is sent to its worker again this often, so a lost or merged event does no harm. */
export const POD_RESYNC_INTERVAL_MS = 30_000;
/** Registration retries back off from this … */
export const NODE_REGISTRATION_RETRY_INITIAL_MS = 500;
/** … to at most this. */
export const NODE_REGISTRATION_RETRY_MAX_MS = 10_000;
/** A failed lease renewal is retried after this long (or the renew interval, if shorter). */
export const NODE_LEASE_RETRY_MS = 1_000;
/** The label the pod worker puts on every container: which pod it belongs to (CRI's key). */
export const POD_UID_CONTAINER_LABEL = 'io.kubernetes.pod.uid';

export interface KubeletOptions<PodWorkerState> {
  readonly nodeName: string;
  readonly nodeIP: string;
  readonly client: ResourceClient;
  readonly runtime: ContainerRuntime;
  /** The process's pod informer; the kubelet subscribes to its node's pods. Started by the owner. */
  readonly pods: NodePodInformer;
  readonly probe: NodeHostProbe;
  readonly rootDir: string;
  /** The per-pod worker (pod-worker/podWorkerActor in a worker process; fakes in tests). */
  readonly podWorker: (host: PodWorkerHost) => ActorDefinition<PodWorkerState, PodWorkerMsg>;
  readonly events?: EventRecorder;
  readonly crashLoopBackoff?: CrashLoopBackoffPolicy;
  readonly maxPods?: number;
  /** Extra Node labels (hollow nodes: `flotilla.io/hollow: "true"`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** The kubelet server's port for status.daemonEndpoints (0 until it exists). */
  readonly kubeletPort?: () => number;
  /** The node's pod CIDR (spec.podCIDR), where its runtime takes pod IPs from. */
  readonly podCidr?: string;
  readonly nodeLeaseDurationSeconds?: number;
  /** Default: a quarter of the lease duration. */
  readonly nodeLeaseRenewIntervalMs?: number;
  readonly nodeStatusUpdateFrequencyMs?: number;
  readonly nodeStatusReportFrequencyMs?: number;
  readonly staticPods?: StaticPodSource;
  readonly staticPodCheckIntervalMs?: number;
  readonly podResyncIntervalMs?: number;
  readonly podWorkerShards?: number;
  /**
   * Delay of the first periodic status sync and lease renewal after registration, so the
   * heartbeats of many nodes in one process spread over the interval instead of bunching.
   */
  readonly heartbeatPhaseMs?: number;
  readonly metrics?: NodeKubeletMetrics;
}

export type KubeletMsg =
  | { readonly type: 'register' }
  | { readonly type: 'registered'; readonly node: Node }
  | { readonly type: 'registrationFailed'; readonly error: string }
  | { readonly type: 'podChanged'; readonly pod: Pod }
  | { readonly type: 'podDeleted'; readonly pod: Pod }
  | { readonly type: 'podsSynced' }
  | { readonly type: 'containerExited'; readonly status: ContainerStatus }
  | { readonly type: 'containerExitedInPod'; readonly podUid: string; readonly containerId: string }
  | { readonly type: 'syncNodeStatus' }
  | { readonly type: 'renewLease' }
  | { readonly type: 'leaseRenewed'; readonly ok: boolean }
  | { readonly type: 'checkStaticPods' }
  | { readonly type: 'staticPodsRead'; readonly files: readonly { readonly path: string; readonly content: string }[] }
  | { readonly type: 'resync' };

interface KubeletState {
  readonly workers: ShardedChildren<PodWorkerMsg>;
  readonly reporter: NodeStatusReporter;
  readonly lease: NodeLeaseRenewer;
  readonly staticPods: StaticPodSet;
  readonly podStarts: PodStartTracker;
  readonly unsubscribe: (() => void)[];
  registrationFailures: number;
  registered: boolean;
  /** Set once the first static pod read is in (or there is no source): orphans may be judged. */
  staticPodsKnown: boolean;
  podsSynced: boolean;
  orphansChecked: boolean;
  statusSyncInFlight: boolean;
  leaseInFlight: boolean;
  mirrorsInFlight: boolean;
}

/** The kubelet of `options.nodeName`; spawn it as a top-level actor of the worker's system. */
export function kubeletActor<PodWorkerState>(options: KubeletOptions<PodWorkerState>): ActorDefinition<KubeletState, KubeletMsg> {
  const leaseDurationSeconds = options.nodeLeaseDurationSeconds ?? DEFAULT_NODE_LEASE_DURATION_SECONDS;
  const leaseRenewMs = options.nodeLeaseRenewIntervalMs ?? nodeLeaseRenewIntervalMs(leaseDurationSeconds);
  const statusMs = options.nodeStatusUpdateFrequencyMs ?? DEFAULT_NODE_STATUS_UPDATE_FREQUENCY_MS;
  const staticMs = options.staticPodCheckIntervalMs ?? STATIC_POD_CHECK_INTERVAL_MS;
  const resyncMs = options.podResyncIntervalMs ?? POD_RESYNC_INTERVAL_MS;
  const phaseMs = options.heartbeatPhaseMs ?? 0;
  const { nodeName, runtime } = options;

  const readiness = (): NodeReadiness => {
    const iso = runtime.isolation;
    if (iso.namespaces || runtime.name === 'hollow') return { ready: true };
    return { ready: true, message: `${runtime.name} runtime without namespaces${iso.reason === undefined ? '' : `: ${iso.reason}`}` };
  };

  /** Runs `task` off the mailbox; its outcome comes back as a message (or is logged). */
  const detach = (ctx: ActorContext<KubeletMsg>, what: string, task: () => Promise<KubeletMsg | undefined>, onError?: (error: unknown) => KubeletMsg): void => {
    void task().then(
      (msg) => msg !== undefined && ctx.self.tell(msg),
      (error: unknown) => {
        ctx.log.warn(`kubelet: ${what} failed`, { node: nodeName, error: String(error) });
        if (onError !== undefined) ctx.self.tell(onError(error));
      },
    );
  };

  const syncPod = (state: KubeletState, pod: Pod, isStatic: boolean): void => {
    const uid = pod.metadata?.uid;
    if (uid === undefined || uid === '') return;
    state.workers.tell(uid, isStatic ? { type: 'sync', pod, static: true } : { type: 'sync', pod });
  };

  const removePod = (state: KubeletState, pod: Pod): void => {
    const uid = pod.metadata?.uid;
    if (uid === undefined || uid === '') return;
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds;
    state.workers.tell(uid, grace === undefined || grace === null ? { type: 'remove' } : { type: 'remove', gracePeriodSeconds: grace });
    state.podStarts.forget(uid);
  };

  const apiPods = (): Pod[] => options.pods.podsOf(nodeName);

  const reconcileMirrors = (state: KubeletState, ctx: ActorContext<KubeletMsg>): void => {
    const node = state.reporter.current;
    if (node === undefined || state.mirrorsInFlight || !state.staticPodsKnown || !options.pods.hasSynced()) return;
    state.mirrorsInFlight = true;
    detach(ctx, 'mirror pod reconcile', async () => {
      try {
        const changes = await reconcileMirrorPods(options.client, node, state.staticPods.pods(), apiPods());
        if (changes.created.length + changes.deleted.length + changes.failed.length > 0) ctx.log.info('kubelet: mirror pods reconciled', { node: nodeName, ...changes });
      } finally {
        state.mirrorsInFlight = false;
      }
      return undefined;
    });
  };

  /** Sandboxes of pods neither in the API nor static: stopped and removed (once, after the first sync). */
  const cleanOrphans = (state: KubeletState, ctx: ActorContext<KubeletMsg>): void => {
    if (state.orphansChecked || !state.podsSynced || !state.staticPodsKnown) return;
    state.orphansChecked = true;
    const known = new Set<string>([...apiPods().map((p) => p.metadata?.uid ?? ''), ...state.staticPods.uids()]);
    detach(ctx, 'orphan sandbox cleanup', async () => {
      for (const sandbox of await runtime.listPodSandboxes()) {
        if (known.has(sandbox.podUid)) continue;
        ctx.log.info('kubelet: removing the sandbox of a pod that no longer exists', { node: nodeName, pod: `${sandbox.podNamespace}/${sandbox.podName}`, podUid: sandbox.podUid, sandbox: sandbox.id });
        await runtime.stopPodSandbox(sandbox.id);
        await runtime.removePodSandbox(sandbox.id);
      }
      return undefined;
    });
  };

  const countRuntime = async (metrics: NodeKubeletMetrics): Promise<void> => {
    const sandboxes = await runtime.listPodSandboxes();
    const containers = await runtime.listContainers();
    const byState: Record<string, number> = {};
    for (const c of containers) byState[c.state] = (byState[c.state] ?? 0) + 1;
    metrics.setCounts({ runningPods: sandboxes.filter((s) => s.state === 'ready').length, containersByState: byState });
  };

  return defineActor<KubeletState, KubeletMsg>({
    type: 'kubelet',
    async initialState(ctx) {
      const facts = await options.probe.facts();
      const host: PodWorkerHost = {
        nodeName,
        nodeIP: options.nodeIP,
        runtime,
        client: options.client,
        events: options.events ?? NULL_EVENT_RECORDER,
        clock: ctx.clock,
        rootDir: options.rootDir,
        crashLoopBackoff: options.crashLoopBackoff ?? DEFAULT_CRASH_LOOP_BACKOFF,
        nodeAllocatable: nodeAllocatableOf(facts),
      };
      const reporter = new NodeStatusReporter({
        client: options.client,
        clock: ctx.clock,
        probe: options.probe,
        readiness,
        config: {
          nodeName,
          nodeIP: options.nodeIP,
          maxPods: options.maxPods ?? DEFAULT_MAX_PODS,
          containerRuntimeVersion: `flotilla-${runtime.name}://${runtime.version}`,
          ...(options.labels === undefined ? {} : { labels: options.labels }),
          ...(options.kubeletPort === undefined ? {} : { kubeletPort: options.kubeletPort }),
          ...(options.podCidr === undefined ? {} : { podCidr: options.podCidr }),
        },
        ...(options.nodeStatusReportFrequencyMs === undefined ? {} : { reportFrequencyMs: options.nodeStatusReportFrequencyMs }),
      });
      const state: KubeletState = {
        workers: ctx.spawnSharded('pods', options.podWorker(host), { shards: options.podWorkerShards ?? POD_WORKER_SHARDS }),
        reporter,
        lease: new NodeLeaseRenewer(options.client, ctx.clock, leaseDurationSeconds, () => reporter.current),
        staticPods: new StaticPodSet(nodeName),
        podStarts: new PodStartTracker(),
        unsubscribe: [],
        registrationFailures: 0,
        registered: false,
        staticPodsKnown: options.staticPods === undefined,
        podsSynced: false,
        orphansChecked: false,
        statusSyncInFlight: false,
        leaseInFlight: false,
        mirrorsInFlight: false,
      };
      state.unsubscribe.push(
        options.pods.subscribe(nodeName, {
          onPodChanged: (pod) => ctx.self.tell({ type: 'podChanged', pod }),
          onPodDeleted: (pod) => ctx.self.tell({ type: 'podDeleted', pod }),
        }),
        runtime.onContainerExit((status) => ctx.self.tell({ type: 'containerExited', status })),
      );
      void options.pods.waitForSync().then(
        () => ctx.self.tell({ type: 'podsSynced' }),
        () => undefined, // Stopped before syncing: the worker is shutting down.
      );
      ctx.self.tell({ type: 'register' });
      if (options.staticPods !== undefined) ctx.self.tell({ type: 'checkStaticPods' });
      ctx.scheduleOnce(resyncMs, { type: 'resync' });
      return state;
    },
    handle(state, msg, ctx) {
      switch (msg.type) {
        case 'register':
          detach(ctx, 'node registration', async () => ({ type: 'registered', node: await state.reporter.register() }), (e) => ({ type: 'registrationFailed', error: String(e) }));
          break;
        case 'registrationFailed': {
          state.registrationFailures++;
          const delayMs = Math.min(NODE_REGISTRATION_RETRY_MAX_MS, NODE_REGISTRATION_RETRY_INITIAL_MS * 2 ** Math.min(16, state.registrationFailures - 1));
          ctx.scheduleOnce(delayMs, { type: 'register' });
          break;
        }
        case 'registered':
          if (!state.registered) ctx.log.info('kubelet: node registered', { node: nodeName, uid: msg.node.metadata?.uid });
          state.registered = true;
          state.registrationFailures = 0;
          ctx.self.tell({ type: 'renewLease' });
          ctx.scheduleOnce(phaseMs + statusMs, { type: 'syncNodeStatus' });
          reconcileMirrors(state, ctx);
          break;
        case 'podChanged':
          if (isMirrorPod(msg.pod)) {
            reconcileMirrors(state, ctx);
            break;
          }
          {
            const startedSeconds = state.podStarts.observe(msg.pod, ctx.clock.now());
            if (startedSeconds !== undefined) options.metrics?.observePodStartSeconds(startedSeconds);
          }
          syncPod(state, msg.pod, false);
          break;
        case 'podDeleted':
          if (isMirrorPod(msg.pod)) reconcileMirrors(state, ctx);
          else removePod(state, msg.pod);
          break;
        case 'podsSynced':
          state.podsSynced = true;
          cleanOrphans(state, ctx);
          reconcileMirrors(state, ctx);
          break;
        case 'containerExited': {
          const fromLabel = msg.status.labels[POD_UID_CONTAINER_LABEL];
          const containerId = msg.status.id;
          if (fromLabel !== undefined) state.workers.tell(fromLabel, { type: 'containerExited', containerId });
          else detach(ctx, 'container exit routing', async () => ({ type: 'containerExitedInPod', podUid: (await runtime.podSandboxStatus(msg.status.sandboxId)).podUid, containerId }));
          break;
        }
        case 'containerExitedInPod':
          state.workers.tell(msg.podUid, { type: 'containerExited', containerId: msg.containerId });
          break;
        case 'syncNodeStatus':
          ctx.scheduleOnce(statusMs, { type: 'syncNodeStatus' });
          if (state.statusSyncInFlight) break;
          state.statusSyncInFlight = true;
          detach(ctx, 'node status sync', async () => {
            try {
              await state.reporter.syncStatus();
              if (options.metrics !== undefined) await countRuntime(options.metrics);
            } finally {
              state.statusSyncInFlight = false;
            }
            return undefined;
          });
          break;
        case 'renewLease':
          if (state.leaseInFlight) break;
          state.leaseInFlight = true;
          detach(ctx, 'node lease renewal', async () => {
            await state.lease.renew();
            return { type: 'leaseRenewed', ok: true };
          }, () => ({ type: 'leaseRenewed', ok: false }));
          break;
        case 'leaseRenewed': {
          state.leaseInFlight = false;
          // The first renewal after registration waits out the phase, so many nodes spread out.
          const first = state.lease.renewals === 1 && msg.ok;
          ctx.scheduleOnce(msg.ok ? leaseRenewMs + (first ? phaseMs : 0) : Math.min(NODE_LEASE_RETRY_MS, leaseRenewMs), { type: 'renewLease' });
          break;
        }
        case 'checkStaticPods': {
          const source = options.staticPods;
          if (source === undefined) break;
          detach(ctx, 'static pod manifest read', async () => {
            const read = await source.read();
            for (const problem of read.problems) ctx.log.warn('kubelet: static pod manifest', { node: nodeName, problem });
            return { type: 'staticPodsRead', files: read.files };
          }, () => ({ type: 'staticPodsRead', files: [] }));
          break;
        }
        case 'staticPodsRead': {
          const change = state.staticPods.update(msg.files);
          for (const problem of change.problems) ctx.log.warn('kubelet: static pod manifest', { node: nodeName, problem });
          for (const pod of change.removed) removePod(state, pod);
          for (const pod of change.added) syncPod(state, pod, true);
          state.staticPodsKnown = true;
          cleanOrphans(state, ctx);
          reconcileMirrors(state, ctx);
          ctx.scheduleOnce(staticMs, { type: 'checkStaticPods' });
          break;
        }
        case 'resync':
          for (const pod of apiPods()) if (!isMirrorPod(pod)) syncPod(state, pod, false);
          for (const pod of state.staticPods.pods()) syncPod(state, pod, true);
          reconcileMirrors(state, ctx);
          ctx.scheduleOnce(resyncMs, { type: 'resync' });
          break;
      }
      return state;
    },
    onStop(state) {
      for (const unsubscribe of state.unsubscribe) unsubscribe();
    },
  });
}
