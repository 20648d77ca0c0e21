import { ApiStatusError, resourceApiStatusOf, toResourceApiError } from '../../core/index.js';
import type {
  GroupVersionResource,
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
} from '../../core/index.js';
import type { ApiServer } from './api-server.js';
import type { UserInfo } from './auth.js';
import { metaString } from './object-meta.js';
import type { JsonMap } from './object-meta.js';
import { applyPatch } from './patch.js';
import { decodeObject } from './kinds.js';
import { selectionPredicate, ResourceNotFoundError } from './resource-handler.js';
import { bindPod } from './subresources.js';
import type { ResourceRest, WriteOptions } from './rest.js';
import { openWatchStream } from './watch-stream.js';

/** Events a watcher's batch carries at most (the gRPC layer batches again on the wire). */
const WATCH_BATCH_EVENTS = 100;

/**
 * The resource API in-process: the same registry, admission and semantics as the HTTP API,
 * for the gRPC resource service (workers, controllers) and for co-located components.
 */
export class ApiServerResourceClient implements ResourceClient {
  constructor(
    private readonly api: ApiServer,
    private readonly user: UserInfo,
  ) {}

  private rest(r: GroupVersionResource): ResourceRest {
    const rest = this.api.rest(r.group, r.version, r.resource);
    if (!rest) throw new ResourceNotFoundError();
    return rest;
  }

  /** The contract's errors: ResourceApiError with the Status, whatever the registry threw. */
  private async call<R>(f: () => Promise<R>): Promise<R> {
    try {
      return await f();
    } catch (err) {
      throw toResourceApiError(err);
    }
  }

  private opts(o?: ResourceCreateOptions | ResourceDeleteOptions): WriteOptions {
    return { dryRun: o?.dryRun === true, fieldValidation: 'Strict', user: this.user };
  }

  private ns(rest: ResourceRest, namespace: string | undefined): string {
    return rest.type.namespaced ? (namespace ?? '') : '';
  }

  /**
   * POST pods/NAME/binding: assigns the pod to `nodeName`, only if it is still the pod with `uid`
   * (409 otherwise, or when it is bound already or being deleted). Not part of ResourceClient: it
   * is the binder of the scheduler that runs beside the API server.
   */
  async bindPod(namespace: string, name: string, nodeName: string, uid?: string): Promise<void> {
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name, ...(uid ? { uid } : {}) }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } };
    await this.call(() => bindPod(this.rest({ group: '', version: 'v1', resource: 'pods' }), namespace, name, binding, this.opts()));
  }

  get<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef): Promise<T> {
    return this.call(async () => {
      const rest = this.rest(ref);
      return (await rest.get(this.ns(rest, ref.namespace), ref.name)) as T;
    });
  }

  list<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, o: ResourceListOptions = {}): Promise<ResourceListResult<T>> {
    return this.call(async () => {
      const rest = this.rest(resource);
      const q = new URLSearchParams();
      if (o.labelSelector) q.set('labelSelector', o.labelSelector);
      if (o.fieldSelector) q.set('fieldSelector', o.fieldSelector);
      const predicate = selectionPredicate({ rest }, q);
      const r = await rest.list(this.ns(rest, o.namespace), {
        ...(predicate ? { predicate } : {}),
        ...(o.limit !== undefined ? { limit: o.limit } : {}),
        ...(o.continue ? { continue: o.continue } : {}),
        ...(o.resourceVersion !== undefined ? { resourceVersion: o.resourceVersion } : {}),
        ...(o.resourceVersionMatch ? { resourceVersionMatch: o.resourceVersionMatch } : {}),
      });
      return { items: r.items as T[], resourceVersion: r.resourceVersion, ...(r.continue ? { continue: r.continue } : {}) };
    });
  }

  watch(resource: GroupVersionResource, o: ResourceWatchOptions, onEvents: ResourceWatchEventsHandler, onClose: ResourceWatchCloseHandler): ResourceWatch {
    let stopped = false;
    let stopStream: (() => void) | undefined;
    const run = async (): Promise<void> => {
      const rest = this.rest(resource);
      const q = new URLSearchParams();
      if (o.labelSelector) q.set('labelSelector', o.labelSelector);
      if (o.fieldSelector) q.set('fieldSelector', o.fieldSelector);
      const predicate = selectionPredicate({ rest }, q);
      const stream = await openWatchStream(rest.store, {
        key: rest.collectionKey(this.ns(rest, o.namespace)),
        recursive: true,
        resourceVersion: o.resourceVersion,
        ...(predicate ? { predicate } : {}),
        allowWatchBookmarks: o.allowWatchBookmarks === true,
        render: (type, object) => (type === 'BOOKMARK' ? { apiVersion: rest.apiVersion, kind: rest.type.kind, ...object } : rest.typedForWatch(object)),
      });
      stopStream = () => stream.close();
      if (stopped) stream.close();
      for (;;) {
        const first = await stream.next();
        if (first === undefined || stopped) break;
        // Whatever else is already queued goes in the same batch.
        const batch = [first, ...stream.takeQueued(WATCH_BATCH_EVENTS - 1)] as ResourceWatchEvent[];
        if (!stopped) onEvents(batch);
      }
    };
    // Called back only after watch() returns, as the contract says.
    queueMicrotask(() => {
      run().then(
        () => {
          if (!stopped) onClose();
        },
        (err: unknown) => {
          if (!stopped) onClose(toResourceApiError(err));
        },
      );
    });
    return {
      stop: () => {
        stopped = true;
        stopStream?.();
      },
    };
  }

  create<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, o?: ResourceCreateOptions): Promise<T> {
    return this.call(async () => {
      const rest = this.rest(resource);
      const ns = this.ns(rest, metaString(object as unknown as JsonMap, 'namespace'));
      return (await rest.create(ns, structuredClone(object), this.opts(o))).object as T;
    });
  }

  async update<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, o?: ResourceUpdateOptions): Promise<T> {
    return this.write(resource, object, '', o);
  }

  async updateStatus<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, o?: ResourceUpdateOptions): Promise<T> {
    return this.write(resource, object, 'status', o);
  }

  private write<T extends ResourceObject>(resource: GroupVersionResource, object: T, sub: '' | 'status', o?: ResourceUpdateOptions): Promise<T> {
    return this.call(async () => {
      const rest = this.rest(resource);
      const obj = object as unknown as JsonMap;
      const ns = this.ns(rest, metaString(obj, 'namespace'));
      return (await rest.update(ns, metaString(obj, 'name'), structuredClone(obj), sub, this.opts(o))).object as T;
    });
  }

  patch<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, patchType: ResourcePatchType, patch: unknown, o?: ResourceUpdateOptions): Promise<T> {
    return this.call(async () => {
      const rest = this.rest(ref);
      const opts = this.opts(o);
      const r = await rest.updateWith(
        this.ns(rest, ref.namespace),
        ref.name,
        (current) => {
          const next = applyPatch(rest.type, current, patchType, patch);
          decodeObject(rest.type, next, opts.fieldValidation, 'patch');
          return next;
        },
        '',
        opts,
      );
      return r.object as T;
    });
  }

  delete<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, o: ResourceDeleteOptions = {}): Promise<T> {
    return this.call(async () => {
      const rest = this.rest(ref);
      const r = await rest.delete(
        this.ns(rest, ref.namespace),
        ref.name,
        {
          ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}),
          ...(o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
          ...(o.preconditions ? { preconditions: o.preconditions } : {}),
        },
        this.opts(o),
      );
      return r.object as T;
    });
  }
}

/** The Status a thrown API error carries, for callers that report rather than throw. */
export function statusOfApiError(err: unknown): unknown {
  return err instanceof ApiStatusError ? err.toStatus() : resourceApiStatusOf(err);
}
