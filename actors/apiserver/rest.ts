import { ApiBadRequestError, ApiConflictError, ApiGenerateNameConflictError, ApiInvalidError, ApiNotFoundError, resourceApiVersion, fieldRequired, StorageKeyExistsError } from '../../core/index.js';
import { BoundedIdentityCache, formatRfc3339, generateObjectName } from '../../core/index.js';
import type { ApiResourceType, FieldValidationDirective, KubeObject, Pod, PodAdmissionSettings, Random, Storage, StorageObject, StoragePredicate } from '../../core/index.js';
import { applyPodAdmissionDefaults, prepareObjectForCreate, prepareObjectForUpdate, prepareStatusUpdate } from '../../core/index.js';
import { registryCollectionKey, registryObjectKey } from '../../core/index.js';
import type { Clock } from '../../raft/index.js';
import type { Admission, AdmissionAttributes } from './admission.js';
import { checkTypeMeta, decodeObject, defaultObject, validateCreate, validateUpdate } from './kinds.js';
import { finalizersOf, isJsonMap, metaOf, metaString, newUid } from './object-meta.js';
import type { JsonMap } from './object-meta.js';
import { apiErrorFromStorage } from './storage-errors.js';
import type { UserInfo } from './auth.js';

/** Options every write takes from its query. */
export interface WriteOptions {
  readonly dryRun: boolean;
  readonly fieldValidation: FieldValidationDirective;
  readonly user: UserInfo;
}

export interface WriteResult {
  readonly object: JsonMap;
  /** Warning headers (unknown fields under fieldValidation=Warn). */
  readonly warnings: string[];
  /** For DELETE: whether the object is gone (200) or only marked for deletion (202). */
  readonly deleted?: boolean;
}

export interface DeleteOptions {
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/** Retries of a generated name that collided, as kube (which then answers 409 with retryAfterSeconds). */
const GENERATE_NAME_ATTEMPTS = 8;

/** Changes whose JSON watch lines (and typed objects) are kept for the other watchers of the same change. */
export const WATCH_LINE_CACHE_OBJECTS = 1024;

/**
 * JSON watch event lines and typed objects of recent changes, by the (frozen, shared) object the
 * watch cache hands every watcher: a change watched by 100 clients is serialized once, not 100
 * times (kube's cachingObject). Bounded to the last WATCH_LINE_CACHE_OBJECTS objects: watchers
 * read a change within moments of each other, and a slow one makes its own.
 */
const sharedByChange = new BoundedIdentityCache<object, Map<string, string | JsonMap>>(WATCH_LINE_CACHE_OBJECTS);

function sharedVariant<V extends string | JsonMap>(object: StorageObject, variant: string, make: () => V): V {
  const variants = sharedByChange.getOrMake(object, () => new Map());
  let value = variants.get(variant) as V | undefined;
  if (value === undefined) {
    value = make();
    variants.set(variant, value);
  }
  return value;
}

/**
 * The generic registry of one resource (k8s.io/apiserver's registry/generic Store): the
 * Kubernetes semantics of create, get, list, watch, update, patch and delete over a Storage.
 * Status and other subresources go through updateWith with their own transform.
 */
export class ResourceRest {
  readonly apiVersion: string;
  private readonly gr: { group: string; resource: string };
  /**
   * The typed JSON of each frozen object (the watch cache's, unchanged until replaced), as bytes,
   * kept as long as the cache keeps the object: a list of 10,000 unchanged pods copies 10,000
   * buffers instead of serializing and encoding 14 MB, and a change's watch line is made from them.
   */
  private readonly jsonByObject = new WeakMap<StorageObject, Buffer>();

  constructor(
    readonly type: ApiResourceType,
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly admission: Admission,
    private readonly podAdmission: PodAdmissionSettings = {},
  ) {
    this.apiVersion = resourceApiVersion(type);
    this.gr = { group: type.group, resource: type.resource };
  }

  /** The injected clock's time (ms since the epoch), for subresources that stamp times. */
  nowMs(): number {
    return this.clock.now();
  }

  /** Throws the 400 kube answers for a name or namespace that cannot be a key segment ('', '..', '/', '%'). */
  key(namespace: string, name: string): string {
    try {
      return registryObjectKey(this.gr, this.type.namespaced ? namespace : undefined, name);
    } catch (err) {
      throw apiErrorFromStorage(err, this.gr, name);
    }
  }

  collectionKey(namespace: string): string {
    try {
      return registryCollectionKey(this.gr, this.type.namespaced && namespace !== '' ? namespace : undefined);
    } catch (err) {
      throw apiErrorFromStorage(err, this.gr, '');
    }
  }

  /** Sets kind and apiVersion on an object coming out of storage. */
  typed(obj: StorageObject): JsonMap {
    return { apiVersion: this.apiVersion, kind: this.type.kind, ...obj };
  }

  /**
   * `{"type":…,"object":…}` for a JSON watch stream, shared by every watcher of the same change;
   * undefined for what is not a shared, unchanging object (the caller renders it itself).
   */
  watchEventLine(type: string, obj: StorageObject): string | undefined {
    if (type === 'BOOKMARK' || type === 'ERROR' || !Object.isFrozen(obj)) return undefined;
    return sharedVariant(obj, `${type}\u0000${this.apiVersion}\u0000${this.type.kind}`, () => `{"type":${JSON.stringify(type)},"object":${this.typedJson(obj).toString()}}`);
  }

  /** JSON.stringify(typed(obj)) as UTF-8, made once per frozen object. */
  typedJson(obj: StorageObject): Buffer {
    if (!Object.isFrozen(obj)) return Buffer.from(JSON.stringify(this.typed(obj)));
    let bytes = this.jsonByObject.get(obj);
    if (bytes === undefined) {
      const text = JSON.stringify(this.typed(obj));
      // Memory of its own: a slice of Buffer's shared pool would keep the whole 8 KB slab alive for as long as the object lives.
      bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
      bytes.write(text);
      this.jsonByObject.set(obj, bytes);
    }
    return bytes;
  }

  /**
   * typed(obj) for a watch event: for a frozen object (the watch cache's, shared by every watcher)
   * one frozen typed object shared by every watcher of the change, so what is derived from it
   * downstream (a gRPC watch frame's bytes) can be shared too; otherwise a copy of its own.
   */
  typedForWatch(obj: StorageObject): JsonMap {
    if (!Object.isFrozen(obj)) return this.typed(obj);
    return sharedVariant(obj, `typed\u0000${this.apiVersion}\u0000${this.type.kind}`, () => Object.freeze(this.typed(obj)));
  }

  private fail(err: unknown, name: string): never {
    throw apiErrorFromStorage(err, this.gr, name);
  }

  async get(namespace: string, name: string, resourceVersion?: string): Promise<JsonMap> {
    try {
      return this.typed(await this.storage.get(this.key(namespace, name), resourceVersion === undefined ? {} : { resourceVersion }));
    } catch (err) {
      this.fail(err, name);
    }
  }

  async list(
    namespace: string,
    o: { predicate?: StoragePredicate; limit?: number; continue?: string; resourceVersion?: string; resourceVersionMatch?: 'NotOlderThan' | 'Exact' },
  ): Promise<{ items: JsonMap[]; resourceVersion: string; continue?: string; remainingItemCount?: number }> {
    const r = await this.listStored(namespace, o);
    return { ...r, items: r.items.map((i) => this.typed(i)) };
  }

  /** list() with the objects as storage holds them (no kind/apiVersion): for typedJson. */
  async listStored(
    namespace: string,
    o: { predicate?: StoragePredicate; limit?: number; continue?: string; resourceVersion?: string; resourceVersionMatch?: 'NotOlderThan' | 'Exact' },
  ): Promise<{ items: readonly StorageObject[]; resourceVersion: string; continue?: string; remainingItemCount?: number }> {
    try {
      const r = await this.storage.getList(this.collectionKey(namespace), {
        ...(o.predicate ? { predicate: o.predicate } : {}),
        ...(o.limit !== undefined && o.limit > 0 ? { limit: o.limit } : {}),
        ...(o.continue ? { continue: o.continue } : {}),
        ...(o.resourceVersion !== undefined ? { resourceVersion: o.resourceVersion } : {}),
        ...(o.resourceVersionMatch ? { resourceVersionMatch: o.resourceVersionMatch } : {}),
      });
      return {
        items: r.items,
        resourceVersion: r.resourceVersion,
        ...(r.continue ? { continue: r.continue } : {}),
        ...(r.remainingItemCount !== undefined ? { remainingItemCount: r.remainingItemCount } : {}),
      };
    } catch (err) {
      this.fail(err, '');
    }
  }

  /** The storage behind this resource, for watches (the handler turns events into a stream). */
  get store(): Storage {
    return this.storage;
  }

  async create(namespace: string, body: unknown, o: WriteOptions): Promise<WriteResult> {
    const obj = checkTypeMeta(this.type, body, { apiVersion: this.apiVersion, kind: this.type.kind });
    const warnings = decodeObject(this.type, obj, o.fieldValidation, 'body');
    const meta = metaOf(obj);
    this.checkNamespace(meta, namespace);
    if (metaString(obj, 'resourceVersion') !== '') throw new ApiBadRequestError('resourceVersion should not be set on objects to be created');
    const generateName = metaString(obj, 'generateName');
    if (metaString(obj, 'name') === '' && generateName === '') {
      throw new ApiInvalidError({ group: this.type.group, kind: this.type.kind }, '', [fieldRequired('metadata.name', 'name or generateName is required')]);
    }
    defaultObject(this.type, obj);
    prepareObjectForCreate(this.type, obj as KubeObject, { nowMs: this.clock.now(), newUid: () => newUid(this.random), random: this.random });
    if (this.type.group === '' && this.type.kind === 'Pod') applyPodAdmissionDefaults(obj as Pod, this.podAdmission);
    for (let attempt = 1; ; attempt++) {
      if (generateName !== '' && metaString(obj, 'name') === '') meta.name = generateObjectName(generateName, this.random);
      const name = metaString(obj, 'name');
      validateCreate(this.type, obj);
      const attrs: AdmissionAttributes = { operation: 'CREATE', type: this.type, namespace: this.type.namespaced ? namespace : '', name, subresource: '', object: obj, user: o.user };
      await this.admission.admit(attrs);
      if (o.dryRun) return { object: obj, warnings };
      try {
        return { object: this.typed(await this.storage.create(this.key(namespace, name), obj, this.ttlOf())), warnings };
      } catch (err) {
        if (err instanceof StorageKeyExistsError && generateName !== '' && attempt < GENERATE_NAME_ATTEMPTS) {
          delete meta.name;
          continue;
        }
        if (err instanceof StorageKeyExistsError && generateName !== '') throw new ApiGenerateNameConflictError(this.gr, name, 1);
        this.fail(err, name);
      }
    }
  }

  /** Events live an hour in the store, as kube-apiserver's --event-ttl. */
  private ttlOf(): { ttlSeconds?: number } {
    return this.type.kind === 'Event' && this.type.group === '' ? { ttlSeconds: 3600 } : {};
  }

  private checkNamespace(meta: JsonMap, namespace: string): void {
    if (!this.type.namespaced) {
      delete meta.namespace;
      return;
    }
    const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
    if (ns !== '' && ns !== namespace) throw new ApiBadRequestError('the namespace of the provided object does not match the namespace sent on the request');
    meta.namespace = namespace;
  }

  hasStatusSubresource(): boolean {
    return this.type.subresources.some((s) => s.name === 'status');
  }

  /**
   * PUT: replaces the object. A resourceVersion in the body must be the stored one (409
   * otherwise); none updates unconditionally. On the main resource the status is kept; on the
   * status subresource only the status changes.
   */
  async update(namespace: string, name: string, body: unknown, subresource: '' | 'status', o: WriteOptions): Promise<WriteResult> {
    const obj = checkTypeMeta(this.type, body, { apiVersion: this.apiVersion, kind: this.type.kind });
    const warnings = decodeObject(this.type, obj, o.fieldValidation, 'body');
    const meta = metaOf(obj);
    this.checkNamespace(meta, namespace);
    const bodyName = metaString(obj, 'name');
    if (bodyName !== name) throw new ApiBadRequestError(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    const rv = metaString(obj, 'resourceVersion');
    const result = await this.updateWith(namespace, name, () => structuredClone(obj), subresource, o, rv === '' ? {} : { resourceVersion: rv });
    return { ...result, warnings: [...warnings, ...result.warnings] };
  }

  /**
   * The read-modify-write every update, patch and subresource write goes through:
   * `transform(current)` gives the new object; then kube's PrepareForUpdate (system metadata kept,
   * status or spec kept by subresource, generation bumped on spec changes), defaults,
   * validation, admission; a write that removes the last finalizer of an object being deleted
   * deletes it.
   */
  async updateWith(
    namespace: string,
    name: string,
    transform: (current: JsonMap) => JsonMap,
    subresource: string,
    o: WriteOptions,
    preconditions: { resourceVersion?: string; uid?: string } = {},
  ): Promise<WriteResult> {
    const key = this.key(namespace, name);
    let dryRunResult: JsonMap | undefined;
    try {
      const stored = await this.storage.guaranteedUpdate(
        key,
        async (current) => {
          if (current === undefined) throw new ApiNotFoundError(this.gr, name);
          const old = this.typed(current);
          if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== metaString(old, 'resourceVersion')) {
            throw new ApiConflictError(this.gr, name);
          }
          const next = transform(structuredClone(old));
          this.prepareForUpdate(next, old, subresource);
          defaultObject(this.type, next);
          validateUpdate(this.type, next, old, subresource);
          await this.admission.admit({ operation: 'UPDATE', type: this.type, namespace: this.type.namespaced ? namespace : '', name, subresource, object: next, oldObject: old, user: o.user });
          if (o.dryRun) {
            dryRunResult = next;
            return current;
          }
          const { apiVersion: _a, kind: _k, ...rest } = next;
          const restMeta = metaOf(rest);
          delete restMeta.resourceVersion;
          return rest;
        },
        preconditions.uid ? { preconditions: { uid: preconditions.uid } } : {},
      );
      if (dryRunResult) return { object: dryRunResult, warnings: [] };
      const obj = this.typed(stored);
      // The last finalizer of an object being deleted is gone: now it goes.
      if (isJsonMap(obj.metadata) && obj.metadata.deletionTimestamp && finalizersOf(obj).length === 0 && !this.gracefulPending(obj)) {
        const gone = await this.storage.delete(key, { preconditions: { resourceVersion: metaString(obj, 'resourceVersion') } }).catch(() => undefined);
        if (gone) return { object: this.typed(gone), warnings: [] };
      }
      return { object: obj, warnings: [] };
    } catch (err) {
      this.fail(err, name);
    }
  }

  private prepareForUpdate(next: JsonMap, old: JsonMap, subresource: string): void {
    const meta = metaOf(next);
    const oldMeta = metaOf(old);
    // The object's identity comes from the URL and the store, never from the body.
    for (const f of ['namespace', 'name']) {
      if (oldMeta[f] === undefined) delete meta[f];
      else meta[f] = oldMeta[f];
    }
    meta.resourceVersion = oldMeta.resourceVersion;
    next.apiVersion = this.apiVersion;
    next.kind = this.type.kind;
    if (subresource === 'status') {
      prepareStatusUpdate(this.type, next as KubeObject, old as KubeObject);
      return;
    }
    // A binding sets the pod's PodScheduled condition along with its node.
    const status = next.status;
    prepareObjectForUpdate(this.type, next as KubeObject, old as KubeObject);
    if (subresource === 'binding') next.status = status;
  }

  /** A pod bound to a node that is still inside its grace period: its kubelet deletes it. */
  private gracefulPending(obj: JsonMap): boolean {
    const grace = isJsonMap(obj.metadata) ? obj.metadata.deletionGracePeriodSeconds : undefined;
    return typeof grace === 'number' && grace > 0;
  }

  /**
   * DELETE. Objects with finalizers (or a Foreground/Orphan policy, which adds
   * `foregroundDeletion`/`orphan`) and pods on a node with a grace period are only marked:
   * deletionTimestamp set, 202. Everything else is removed, 200. A Namespace is marked too:
   * its `kubernetes` finalizer is released by the namespace controller once it is empty.
   */
  async delete(namespace: string, name: string, opts: DeleteOptions, o: WriteOptions): Promise<WriteResult> {
    const key = this.key(namespace, name);
    let current: JsonMap;
    try {
      current = this.typed(await this.storage.get(key));
    } catch (err) {
      this.fail(err, name);
    }
    const pre = opts.preconditions ?? {};
    if (pre.uid !== undefined && pre.uid !== metaString(current, 'uid')) {
      throw new ApiConflictError(this.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${metaString(current, 'uid')}`);
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== metaString(current, 'resourceVersion')) {
      throw new ApiConflictError(this.gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${metaString(current, 'resourceVersion')}`);
    }
    await this.admission.admit({ operation: 'DELETE', type: this.type, namespace: this.type.namespaced ? namespace : '', name, subresource: '', object: current, oldObject: current, user: o.user });
    const policyFinalizer = opts.propagationPolicy === 'Foreground' ? 'foregroundDeletion' : opts.propagationPolicy === 'Orphan' ? 'orphan' : undefined;
    const isNamespace = this.type.group === '' && this.type.kind === 'Namespace';
    const grace = this.gracePeriod(current, opts);
    const mark = finalizersOf(current).length > 0 || policyFinalizer !== undefined || isNamespace || grace > 0;
    if (!mark) {
      if (o.dryRun) return { object: current, warnings: [], deleted: true };
      try {
        const gone = await this.storage.delete(key, { preconditions: { uid: metaString(current, 'uid') } });
        return { object: this.typed(gone), warnings: [], deleted: true };
      } catch (err) {
        this.fail(err, name);
      }
    }
    if (o.dryRun) return { object: current, warnings: [], deleted: false };
    try {
      // Marking for deletion is the system's write: no validation or admission of its own.
      const marked = await this.storage.guaranteedUpdate(key, (cur) => {
        if (!cur) throw new ApiNotFoundError(this.gr, name);
        const obj = structuredClone(cur);
        const meta = metaOf(obj);
        const finalizers = finalizersOf(obj);
        if (policyFinalizer && !finalizers.includes(policyFinalizer)) meta.finalizers = [...finalizers, policyFinalizer];
        if (isNamespace) obj.status = { ...(isJsonMap(obj.status) ? obj.status : {}), phase: 'Terminating' };
        if (!meta.deletionTimestamp) {
          meta.deletionTimestamp = formatRfc3339(this.clock.now() + grace * 1000);
          meta.deletionGracePeriodSeconds = grace;
        } else if (typeof meta.deletionGracePeriodSeconds === 'number' && grace < meta.deletionGracePeriodSeconds) {
          // A shorter grace period shortens the deletion, as kube's BeforeDelete allows.
          meta.deletionGracePeriodSeconds = grace;
          meta.deletionTimestamp = formatRfc3339(this.clock.now() + grace * 1000);
        }
        delete meta.resourceVersion;
        return obj;
      });
      const obj = this.typed(marked);
      if (finalizersOf(obj).length === 0 && grace === 0 && !isNamespace) {
        const gone = await this.storage.delete(key);
        return { object: this.typed(gone), warnings: [], deleted: true };
      }
      return { object: obj, warnings: [], deleted: false };
    } catch (err) {
      this.fail(err, name);
    }
  }

  /** Only a pod bound to a node waits out a grace period (its kubelet stops it); others go at once. */
  private gracePeriod(obj: JsonMap, opts: DeleteOptions): number {
    if (!(this.type.group === '' && this.type.kind === 'Pod')) return 0;
    const spec = isJsonMap(obj.spec) ? obj.spec : {};
    const status = isJsonMap(obj.status) ? obj.status : {};
    if (typeof spec.nodeName !== 'string' || spec.nodeName === '') return 0;
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return 0;
    if (opts.gracePeriodSeconds !== undefined) return Math.max(0, opts.gracePeriodSeconds);
    return typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
  }
}
