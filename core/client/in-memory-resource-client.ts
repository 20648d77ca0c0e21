// A ResourceClient in memory, for tests of everything built on the client (informers,
// controllers, the gRPC transport). Faithful to the contract where clients can tell: one global
// revision, resourceVersion = the revision that wrote the object, watches from any retained
// revision, 410 Expired below the retained history, consistent paging, selectors, conflicts,
// finalizers. Not modelled: admission, validation beyond names, defaulting, garbage collection,
// graceful deletion periods, server-side apply.

import { ResourceApiError, resourceAlreadyExistsError, resourceBadRequestError, resourceConflictError, resourceExpiredError, resourceInvalidError, resourceNotFoundError, resourceTimeoutError } from './errors.js';
import type { InMemoryChange } from './in-memory-watcher.js';
import { InMemoryWatcher } from './in-memory-watcher.js';
import type { GroupVersionResource, ResourceObject, ResourceObjectRef } from './object.js';
import { apiVersionOf, groupVersionResourceKey, metaNamespaceKey, metaNamespaceKeyOf } from './object.js';
import { ResourceObjectFilter } from './object-filter.js';
import { applyResourcePatch } from './apply-patch.js';
import { cloneJsonValue, sameJsonValue } from './json-value.js';
import type { ResourceClient, ResourceCreateOptions, ResourceDeleteOptions, ResourceListOptions, ResourceListResult, ResourcePatchType, ResourceUpdateOptions, ResourceWatch, ResourceWatchCloseHandler, ResourceWatchEventsHandler, ResourceWatchOptions } from './resource-client.js';

/** Changes kept for watches and paging; older resourceVersions answer 410 Expired. */
export const IN_MEMORY_CLIENT_HISTORY_LIMIT = 1_000;
/** Undelivered events per watch beyond which the watch is ended (as kube-apiserver drops slow watchers). */
export const IN_MEMORY_CLIENT_WATCH_MAX_PENDING = 10_000;

export type ResourceVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'updateStatus' | 'patch' | 'delete';

export interface InMemoryResourceClientOptions {
  readonly historyLimit?: number;
  readonly watchMaxPendingEvents?: number;
  /** The RFC 3339 time stamped into creationTimestamp and deletionTimestamp (core reads no clock). */
  readonly now?: () => string;
}

interface ContinueToken {
  readonly revision: number;
  readonly startAfter: string;
}

export class InMemoryResourceClient implements ResourceClient {
  private revision = 0;
  /** Invariant: `history` holds every change with revision > compactedRevision, in order. */
  private compactedRevision = 0;
  private readonly history: InMemoryChange[] = [];
  private readonly stores = new Map<string, Map<string, ResourceObject>>();
  private readonly kinds = new Map<string, string>();
  private readonly watchers = new Set<InMemoryWatcher>();
  private readonly failures = new Map<ResourceVerb, ResourceApiError[]>();
  private readonly requestCounts = new Map<ResourceVerb, number>();
  private uidSequence = 0;
  private readonly historyLimit: number;
  private readonly watchMaxPendingEvents: number;
  private readonly now: () => string;

  constructor(options: InMemoryResourceClientOptions = {}) {
    this.historyLimit = options.historyLimit ?? IN_MEMORY_CLIENT_HISTORY_LIMIT;
    this.watchMaxPendingEvents = options.watchMaxPendingEvents ?? IN_MEMORY_CLIENT_WATCH_MAX_PENDING;
    this.now = options.now ?? (() => '1970-01-01T00:00:00Z');
  }

  // ---- Test controls ----

  /** The revision of the last write ('0' before any). */
  get resourceVersion(): string {
    return String(this.revision);
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  /** Requests received for `verb`, failed ones included. */
  requestCount(verb: ResourceVerb): number {
    return this.requestCounts.get(verb) ?? 0;
  }

  /** The next `times` requests for `verb` fail with `err` (for watch: through onClose). */
  failNext(verb: ResourceVerb, err: ResourceApiError, times = 1): void {
    const queue = this.failures.get(verb) ?? [];
    for (let i = 0; i < times; i++) queue.push(err);
    this.failures.set(verb, queue);
  }

  /** Forgets history up to `revision` (default: all of it), as an etcd compaction does. */
  compact(revision = this.revision): void {
    while (this.history.length > 0 && this.history[0]!.revision <= revision) this.history.shift();
    this.compactedRevision = Math.max(this.compactedRevision, Math.min(revision, this.revision));
  }

  /** Ends every open watch, cleanly or with `err` (a server restart, a dropped connection). */
  closeWatches(err?: Error): void {
    for (const watcher of [...this.watchers]) watcher.close(err);
  }

  /** Sends a BOOKMARK at the current revision to every watch that asked for them. */
  sendBookmarks(): void {
    for (const watcher of this.watchers) {
      if (!watcher.allowBookmarks) continue;
      const kind = this.kinds.get(watcher.resourceKey);
      const object: ResourceObject = { metadata: { resourceVersion: String(this.revision) } };
      if (kind !== undefined) object.kind = kind;
      watcher.push({ type: 'BOOKMARK', object });
    }
  }

  // ---- ResourceClient ----

  get<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef): Promise<T> {
    return this.run('get', () => cloneJsonValue(this.current(ref)) as T);
  }

  list<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, options: ResourceListOptions = {}): Promise<ResourceListResult<T>> {
    return this.run('list', () => this.listNow(resource, options) as ResourceListResult<T>);
  }

  watch(resource: GroupVersionResource, options: ResourceWatchOptions, onEvents: ResourceWatchEventsHandler, onClose: ResourceWatchCloseHandler): ResourceWatch {
    this.count('watch');
    const resourceKey = groupVersionResourceKey(resource);
    let filter: ResourceObjectFilter | undefined;
    let refusal: ResourceApiError | undefined = this.failures.get('watch')?.shift();
    try {
      filter = ResourceObjectFilter.of(resource, options);
    } catch (err) {
      refusal ??= err as ResourceApiError;
    }
    const watcher = new InMemoryWatcher(resourceKey, filter, options.allowWatchBookmarks === true, this.watchMaxPendingEvents, onEvents, onClose, (w) => this.watchers.delete(w));
    const handle: ResourceWatch = { stop: () => watcher.stop() };
    if (refusal !== undefined) {
      watcher.close(refusal);
      return handle;
    }
    const rv = options.resourceVersion;
    if (rv === '' || rv === '0') {
      for (const object of this.sortedObjects(this.storeOf(resourceKey))) {
        if (filter === undefined || filter.matches(object)) watcher.push({ type: 'ADDED', object: cloneJsonValue(object) });
      }
    } else {
      const from = parseRevision(rv);
      if (from === undefined) {
        watcher.close(resourceBadRequestError(`invalid resourceVersion ${JSON.stringify(rv)}`));
        return handle;
      }
      if (from < this.compactedRevision) {
        watcher.push({ type: 'ERROR', object: resourceExpiredError(`too old resource version: ${from} (${this.compactedRevision})`).status });
        watcher.close();
        return handle;
      }
      for (const change of this.history) if (change.revision > from) watcher.offer(change);
    }
    this.watchers.add(watcher);
    return handle;
  }

  create<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options: ResourceCreateOptions = {}): Promise<T> {
    return this.run('create', () => {
      const next = cloneJsonValue(object) as ResourceObject;
      const meta = (next.metadata ??= {});
      if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') throw resourceBadRequestError('resourceVersion should not be set on objects to be created');
      if (next.apiVersion === undefined) next.apiVersion = apiVersionOf(resource);
      else if (next.apiVersion !== apiVersionOf(resource)) throw resourceBadRequestError(`the API version in the data (${next.apiVersion}) does not match the expected API version (${apiVersionOf(resource)})`);
      if ((meta.name ?? '') === '') {
        if ((meta.generateName ?? '') === '') throw resourceInvalidError(next.kind ?? resource.resource, '', 'metadata.name', 'Required value: name or generateName is required');
        meta.name = `${meta.generateName}${generatedSuffix(this.uidSequence + 1)}`;
      }
      const resourceKey = groupVersionResourceKey(resource);
      const store = this.storeOf(resourceKey);
      if (store.has(metaNamespaceKey(next))) throw resourceAlreadyExistsError(resource, meta.name ?? '');
      meta.uid = uidOf(++this.uidSequence);
      meta.creationTimestamp = this.now();
      meta.generation = 1;
      if (next.kind !== undefined) this.kinds.set(resourceKey, next.kind);
      if (options.dryRun === true) return next as T;
      return cloneJsonValue(this.commit(resourceKey, 'ADDED', next, undefined)) as T;
    });
  }

  update<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options: ResourceUpdateOptions = {}): Promise<T> {
    return this.run('update', () => this.replace(resource, object, 'main', options) as T);
  }

  updateStatus<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, object: T, options: ResourceUpdateOptions = {}): Promise<T> {
    return this.run('updateStatus', () => this.replace(resource, object, 'status', options) as T);
  }

  patch<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, patchType: ResourcePatchType, patch: unknown, options: ResourceUpdateOptions = {}): Promise<T> {
    return this.run('patch', () => {
      const current = this.current(ref);
      const patched = applyResourcePatch(current, patchType, patch);
      if (patched.metadata?.name !== current.metadata?.name || (patched.metadata?.namespace ?? '') !== (current.metadata?.namespace ?? '')) {
        throw resourceBadRequestError('the name or namespace of the object may not be changed by a patch');
      }
      return this.replace(ref, patched, 'main', options) as T;
    });
  }

  delete<T extends ResourceObject = ResourceObject>(ref: ResourceObjectRef, options: ResourceDeleteOptions = {}): Promise<T> {
    return this.run('delete', () => {
      const current = this.current(ref);
      const meta = current.metadata ?? {};
      const pre = options.preconditions;
      if (pre?.uid !== undefined && pre.uid !== meta.uid) {
        throw resourceConflictError(ref, ref.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`);
      }
      if (pre?.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
        throw resourceConflictError(ref, ref.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${meta.resourceVersion ?? ''}`);
      }
      if (options.dryRun === true) return cloneJsonValue(current) as T;
      const resourceKey = groupVersionResourceKey(ref);
      if ((meta.finalizers ?? []).length > 0) {
        if (meta.deletionTimestamp != null) return cloneJsonValue(current) as T;
        const marked = cloneJsonValue(current);
        marked.metadata = { ...marked.metadata, deletionTimestamp: this.now(), deletionGracePeriodSeconds: 0 };
        return cloneJsonValue(this.commit(resourceKey, 'MODIFIED', marked, current)) as T;
      }
      return cloneJsonValue(this.commit(resourceKey, 'DELETED', cloneJsonValue(current), current)) as T;
    });
  }

  // ---- Internals ----

  private count(verb: ResourceVerb): void {
    this.requestCounts.set(verb, this.requestCount(verb) + 1);
  }

  /** Runs a request: injected failure first, then `body`; errors become rejections. */
  private run<R>(verb: ResourceVerb, body: () => R): Promise<R> {
    this.count(verb);
    const injected = this.failures.get(verb)?.shift();
    if (injected !== undefined) return Promise.reject(injected);
    try {
      return Promise.resolve(body());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private storeOf(resourceKey: string): Map<string, ResourceObject> {
    let store = this.stores.get(resourceKey);
    if (store === undefined) {
      store = new Map();
      this.stores.set(resourceKey, store);
    }
    return store;
  }

  private current(ref: ResourceObjectRef): ResourceObject {
    const object = this.stores.get(groupVersionResourceKey(ref))?.get(metaNamespaceKeyOf(ref.namespace, ref.name));
    if (object === undefined) throw resourceNotFoundError(ref, ref.name);
    return object;
  }

  private sortedObjects(store: ReadonlyMap<string, ResourceObject>): ResourceObject[] {
    return [...store.keys()].sort().map((key) => store.get(key)!);
  }

  /** Update (main resource or status) of an existing object, with kube-apiserver's rules. */
  private replace(resource: GroupVersionResource, object: ResourceObject, subresource: 'main' | 'status', options: ResourceUpdateOptions): ResourceObject {
    const name = object.metadata?.name ?? '';
    const current = this.current({ ...resource, namespace: object.metadata?.namespace ?? '', name });
    const currentMeta = current.metadata ?? {};
    const rv = object.metadata?.resourceVersion ?? '';
    if (rv !== '' && rv !== currentMeta.resourceVersion) throw resourceConflictError(resource, name);
    const uid = object.metadata?.uid ?? '';
    if (uid !== '' && uid !== currentMeta.uid) throw resourceConflictError(resource, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${currentMeta.uid ?? ''}`);
    let next: ResourceObject;
    if (subresource === 'status') {
      next = cloneJsonValue(current);
      if (object['status'] === undefined) delete next['status'];
      else next['status'] = cloneJsonValue(object['status']);
    } else {
      next = cloneJsonValue(object);
      if (current['status'] === undefined) delete next['status'];
      else next['status'] = cloneJsonValue(current['status']);
      next.apiVersion ??= current.apiVersion;
      next.kind ??= current.kind;
      const meta = (next.metadata ??= {});
      meta.uid = currentMeta.uid;
      meta.creationTimestamp = currentMeta.creationTimestamp;
      meta.deletionTimestamp = currentMeta.deletionTimestamp;
      meta.deletionGracePeriodSeconds = currentMeta.deletionGracePeriodSeconds;
      if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
      if (meta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
      const generation = currentMeta.generation ?? 1;
      meta.generation = sameJsonValue(next['spec'], current['spec']) ? generation : generation + 1;
    }
    // `next` is this call's own copy, so its metadata is set in place (an existing key keeps its place, as with a spread).
    (next.metadata ??= {}).resourceVersion = currentMeta.resourceVersion;
    if (sameJsonValue(next, current)) return cloneJsonValue(current);
    if (options.dryRun === true) return next;
    const resourceKey = groupVersionResourceKey(resource);
    const finalized = next.metadata.deletionTimestamp != null && (next.metadata.finalizers ?? []).length === 0;
    return cloneJsonValue(this.commit(resourceKey, finalized ? 'DELETED' : 'MODIFIED', next, current));
  }

  /** Writes one change at the next revision and hands it to the watches. Returns the stored object. */
  private commit(resourceKey: string, type: InMemoryChange['type'], object: ResourceObject, previous: ResourceObject | undefined): ResourceObject {
    const revision = ++this.revision;
    // Every caller hands over its own copy, so the resourceVersion is set in place.
    (object.metadata ??= {}).resourceVersion = String(revision);
    const store = this.storeOf(resourceKey);
    const key = metaNamespaceKey(object);
    if (type === 'DELETED') store.delete(key);
    else store.set(key, object);
    const change: InMemoryChange = { revision, resourceKey, type, object, previous };
    this.history.push(change);
    while (this.history.length > this.historyLimit) this.compactedRevision = this.history.shift()!.revision;
    for (const watcher of this.watchers) watcher.offer(change);
    return object;
  }

  private listNow(resource: GroupVersionResource, options: ResourceListOptions): ResourceListResult {
    const filter = ResourceObjectFilter.of(resource, options);
    let revision = this.revision;
    let startAfter = '';
    if (options.continue !== undefined && options.continue !== '') {
      const token = decodeContinue(options.continue);
      if (token.revision < this.compactedRevision) {
        throw resourceExpiredError('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      revision = token.revision;
      startAfter = token.startAfter;
    } else {
      const rv = options.resourceVersion ?? '';
      if (rv !== '' && rv !== '0') {
        const wanted = parseRevision(rv);
        if (wanted === undefined) throw resourceBadRequestError(`invalid resourceVersion ${JSON.stringify(rv)}`);
        if (wanted > this.revision) throw resourceTimeoutError(`Too large resource version: ${wanted}, current: ${this.revision}`);
        if (options.resourceVersionMatch === 'Exact') {
          if (wanted < this.compactedRevision) throw resourceExpiredError(`too old resource version: ${wanted} (${this.compactedRevision})`);
          revision = wanted;
        }
      } else if (options.resourceVersionMatch !== undefined) {
        throw resourceBadRequestError('resourceVersionMatch is forbidden unless resourceVersion is provided');
      }
    }
    const resourceKey = groupVersionResourceKey(resource);
    const store = revision === this.revision ? this.storeOf(resourceKey) : this.stateAt(resourceKey, revision);
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
    const items: ResourceObject[] = [];
    let more = false;
    for (const object of this.sortedObjects(store)) {
      if (metaNamespaceKey(object) <= startAfter || !filter.matches(object)) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(cloneJsonValue(object));
    }
    const result = { items, resourceVersion: String(revision) };
    if (!more) return result;
    const last = items[items.length - 1]!;
    return { ...result, continue: encodeContinue({ revision, startAfter: metaNamespaceKey(last) }) };
  }

  /** The objects of a resource as they stood at `revision` (>= compactedRevision), by undoing history. */
  private stateAt(resourceKey: string, revision: number): Map<string, ResourceObject> {
    const state = new Map(this.storeOf(resourceKey));
    for (let i = this.history.length - 1; i >= 0; i--) {
      const change = this.history[i]!;
      if (change.revision <= revision) break;
      if (change.resourceKey !== resourceKey) continue;
      const key = metaNamespaceKey(change.object);
      if (change.previous === undefined) state.delete(key);
      else state.set(key, change.previous);
    }
    return state;
  }
}

function parseRevision(text: string): number | undefined {
  if (!/^[0-9]{1,15}$/.test(text)) return undefined;
  return Number(text);
}

function uidOf(sequence: number): string {
  return `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`;
}

/** Five characters from [a-z0-9], as names.SimpleNameGenerator yields (here deterministic). */
function generatedSuffix(sequence: number): string {
  return (sequence * 7919).toString(36).padStart(5, '0').slice(-5);
}

function encodeContinue(token: ContinueToken): string {
  // Object keys are DNS names and so ASCII, which btoa takes as is.
  return btoa(JSON.stringify(token));
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(atob(text)) as Partial<ContinueToken>;
    if (typeof token.revision === 'number' && typeof token.startAfter === 'string') return { revision: token.revision, startAfter: token.startAfter };
  } catch {
    // Falls through to the BadRequest below.
  }
  throw resourceBadRequestError('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}
