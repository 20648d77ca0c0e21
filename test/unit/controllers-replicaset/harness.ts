// A small test bed for the ReplicaSet and Deployment reconcilers until the controller framework's
// harness is wired: an InMemoryResourceClient, a ManualClock, informers whose watch delivery can
// be held back (a lagging cache), recorded Events, and a stand-in kubelet/scheduler that binds
// pods and marks them ready.
import type {
  GroupVersionResource,
  Pod,
  ResourceClient,
  ResourceCreateOptions,
  ResourceDeleteOptions,
  ResourceListOptions,
  ResourceListResult,
  ResourceObject,
  ResourceObjectRef,
  ResourcePatchType,
  ResourceUpdateOptions,
  ResourceWatch,
  ResourceWatchCloseHandler,
  ResourceWatchEvent,
  ResourceWatchEventsHandler,
  ResourceWatchOptions,
} from '../../../core/index.js';
import { formatRfc3339, InMemoryResourceClient, SeededRandom, SharedInformerFactory } from '../../../core/index.js';
import type { ActorLogger, ControllerContext, ControllerDefinition, EventRecorder, EventType, Reconciler, ReconcileResult } from '../../../actors/index.js';
import { ManualClock } from '../../../actors/index.js';

export const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
export const REPLICASETS: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'replicasets' };
export const DEPLOYMENTS: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'deployments' };

/**
 * The in-memory client, except that (as kube's status strategy) a status write also keeps the
 * metadata.annotations it carries: the Deployment controller records its revision that way.
 */
export class KubeLikeClient extends InMemoryResourceClient {
  override async updateStatus<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options?: ResourceUpdateOptions): Promise<T> {
    const written = await super.updateStatus(resource, object, options);
    const wanted = object.metadata?.annotations;
    if (JSON.stringify(wanted ?? {}) === JSON.stringify(written.metadata?.annotations ?? {})) return written;
    const next = { ...written, metadata: { ...written.metadata } };
    if (wanted === undefined) delete next.metadata.annotations;
    else next.metadata.annotations = wanted;
    return super.update(resource, next, options);
  }
}

/** Delegates to `inner`, but while held, watch events queue up instead of reaching informers. */
export class HoldableWatchClient implements ResourceClient {
  private held = false;
  private readonly queued: { handler: ResourceWatchEventsHandler; events: readonly ResourceWatchEvent[] }[] = [];

  constructor(private readonly inner: ResourceClient) {}

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    for (const { handler, events } of this.queued.splice(0)) handler(events);
  }

  get<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef): Promise<T> {
    return this.inner.get<T>(ref);
  }
  list<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, options?: ResourceListOptions): Promise<ResourceListResult<T>> {
    return this.inner.list<T>(resource, options);
  }
  watch(resource: GroupVersionResource, options: ResourceWatchOptions, onEvents: ResourceWatchEventsHandler, onClose: ResourceWatchCloseHandler): ResourceWatch {
    return this.inner.watch(resource, options, (events) => (this.held ? this.queued.push({ handler: onEvents, events }) : onEvents(events)), onClose);
  }
  create<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options?: ResourceCreateOptions): Promise<T> {
    return this.inner.create(resource, object, options);
  }
  update<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options?: ResourceUpdateOptions): Promise<T> {
    return this.inner.update(resource, object, options);
  }
  updateStatus<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options?: ResourceUpdateOptions): Promise<T> {
    return this.inner.updateStatus(resource, object, options);
  }
  patch<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, patchType: ResourcePatchType, patch: unknown, options?: ResourceUpdateOptions): Promise<T> {
    return this.inner.patch<T>(ref, patchType, patch, options);
  }
  delete<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, options?: ResourceDeleteOptions): Promise<T> {
    return this.inner.delete<T>(ref, options);
  }
}

export interface RecordedEvent {
  readonly object: string;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

const SILENT_LOG: ActorLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Lets queued microtasks run (the in-memory client delivers watch events on microtasks). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}

export class Bed {
  readonly clock = new ManualClock(Date.parse('2024-05-01T10:00:00Z'));
  readonly store = new KubeLikeClient({ now: () => formatRfc3339(this.clock.now()) });
  /** What the controllers talk to: the store, with watch delivery that tests can hold back. */
  readonly client = new HoldableWatchClient(this.store);
  readonly events: RecordedEvent[] = [];
  readonly informers: SharedInformerFactory;
  readonly context: ControllerContext;
  readonly reconcilers = new Map<string, Reconciler>();

  constructor(definitions: readonly ControllerDefinition[], settings: Record<string, number> = {}) {
    const random = new SeededRandom(7);
    this.informers = new SharedInformerFactory({ client: this.client, clock: this.clock, random });
    const recorder: EventRecorder = {
      record: (involved, type, reason, message) => {
        this.events.push({ object: `${involved.kind ?? ''}/${involved.metadata?.name ?? ''}`, type, reason, message });
      },
    };
    this.context = { client: this.client, informers: this.informers, events: recorder, clock: this.clock, random, log: SILENT_LOG, settings };
    for (const definition of definitions) {
      this.informers.informerFor(definition.primary);
      for (const watch of definition.watches) this.informers.informerFor(watch.resource);
      this.reconcilers.set(definition.name, definition.makeReconciler(this.context));
    }
  }

  async start(): Promise<void> {
    this.informers.start();
    await this.informers.waitForCacheSync();
  }

  stop(): void {
    this.informers.stop();
  }

  async reconcile(controller: string, namespace: string, name: string): Promise<ReconcileResult | void> {
    const reconciler = this.reconcilers.get(controller);
    if (reconciler === undefined) throw new Error(`no controller ${controller}`);
    const result = await reconciler.reconcile({ namespace, name });
    await settle();
    return result;
  }

  eventsFor(reason: string): string[] {
    return this.events.filter((event) => event.reason === reason).map((event) => event.message);
  }

  async pods(namespace: string, labelSelector?: string): Promise<Pod[]> {
    const list = await this.store.list<Pod>(PODS, labelSelector === undefined ? { namespace } : { namespace, labelSelector });
    return list.items;
  }

  /** The scheduler and kubelet: binds the pod and reports it Running and Ready as of now. */
  async makePodReady(pod: Pod, nodeName = 'node-1'): Promise<void> {
    const ref = { ...PODS, namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' };
    const current = await this.store.get<Pod>(ref);
    let bound = current;
    if ((current.spec?.nodeName ?? '') === '') bound = await this.store.update<Pod>(PODS, { ...current, spec: { ...current.spec!, nodeName } });
    const now = formatRfc3339(this.clock.now());
    await this.store.updateStatus<Pod>(PODS, {
      ...bound,
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }], containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'busybox', imageID: '' }] },
    });
  }

  /** Marks every pod of the namespace that is not ready yet as ready. */
  async makeAllPodsReady(namespace: string): Promise<number> {
    let count = 0;
    for (const pod of await this.pods(namespace)) {
      if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true) continue;
      await this.makePodReady(pod);
      count++;
    }
    await settle();
    return count;
  }
}
