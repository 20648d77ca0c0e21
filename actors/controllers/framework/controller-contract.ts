// The contract between the controller manager's machinery (kind-level actors, sharded per-object
// reconciler actors, informers, leader election) and each controller's reconcile logic.
// Level-triggered, as controller-runtime: a reconciler gets a key, never an event; it reads the
// world from informer caches, acts through the API, and says when to look again.

import type { GroupVersionResource, Random, ResourceClient, ResourceObject, SharedInformerFactory } from '../../../core/index.js';
import type { Clock } from '../../../raft/index.js';
import type { ActorLogger } from '../../runtime/index.js';
import type { EventRecorder } from '../../events/event-recorder.js';

/** Which object to reconcile: its namespace ('' for cluster-scoped) and name. */
export interface ReconcileRequest {
  readonly namespace: string;
  readonly name: string;
}

/**
 * What a reconcile pass decided. Absent / `{}`: done until something changes. `requeueAfterMs`:
 * look again after that long even if nothing changes (deadlines, minReadySeconds, cron schedules).
 * A reconcile that throws is retried with per-key exponential back-off (5 ms doubling to 1000 s,
 * as client-go's default rate limiter), and the error is logged and counted.
 */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

export interface Reconciler {
  /** Never called twice at once for the same key. May be called for an object that no longer exists. */
  reconcile(request: ReconcileRequest): Promise<ReconcileResult | void>;
}

/** What every reconciler gets. Caches come from the shared informer factory (started and synced before the first reconcile). */
export interface ControllerContext {
  readonly client: ResourceClient;
  readonly informers: SharedInformerFactory;
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: ActorLogger;
  /** Controller tunables (node-monitor grace, eviction timeout, pod GC threshold…), by name; each controller documents its own. */
  readonly settings: Readonly<Record<string, number>>;
}

/** A secondary resource whose changes should reconcile some primary objects (pods → their ReplicaSet). */
export interface ControllerWatch {
  readonly resource: GroupVersionResource;
  /** The primary objects an object of `resource` concerns (owner references, selectors, …). */
  readonly mapToRequests: (object: ResourceObject, context: ControllerContext) => readonly ReconcileRequest[];
  /**
   * Whether an update (old → new) can change what the primaries' reconciles decide, as kube's
   * update handlers skip what they do not read (the taint manager ignores a pod whose node and
   * tolerations stayed the same). Without it every update is mapped. Adds and deletes always are,
   * and the periodic resync still visits every primary.
   */
  readonly relevantUpdate?: (oldObject: ResourceObject, newObject: ResourceObject) => boolean;
}

/**
 * One controller: its name (`replicaset`, `deployment`, … — the actor type and metrics label),
 * the primary resource whose objects are its keys, the other resources it watches, and how to
 * build its reconciler. Every primary object also gets a periodic resync (default 5 min).
 */
export interface ControllerDefinition {
  readonly name: string;
  readonly primary: GroupVersionResource;
  readonly watches: readonly ControllerWatch[];
  readonly makeReconciler: (context: ControllerContext) => Reconciler;
  /** Concurrent reconciles across keys (kube's `--concurrent-*-syncs`); default 5. */
  readonly concurrency?: number;
}
