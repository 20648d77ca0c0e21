// The garbage collector's view of the ownership graph: one informer per collected resource,
// each indexed by owner uid, so "who depends on uid X" is an index lookup per resource and
// "where is the owner a reference names" is a cache get. Kube's GC builds its own graph from the
// same watches; here the informer caches are the graph.

import type { ApiResourceType, KubeObject, ObjectCacheReader, ResourceObject, ResourceOwnerReference, SharedInformerFactory } from '../../../core/index.js';
import { indexByOwnerUid, metaNamespaceKeyOf, OWNER_UID_INDEX } from '../../../core/index.js';
import { garbageCollectedResources, gvrOf, resourceForOwnerReference } from './gc-resources.js';

/** A dependent found in the graph, with its resource. */
export interface GcNode {
  readonly type: ApiResourceType;
  readonly object: KubeObject & ResourceObject;
}

/** Where an owner reference points: its resource and cache key, or why it cannot be resolved. */
export type OwnerLocation =
  | { readonly ok: true; readonly type: ApiResourceType; readonly namespace: string; readonly key: string }
  | { readonly ok: false; readonly reason: 'UnknownKind' | 'InvalidNamespace' };

export class GcGraph {
  private readonly caches = new Map<ApiResourceType, ObjectCacheReader<KubeObject & ResourceObject>>();

  constructor(informers: SharedInformerFactory, readonly types: readonly ApiResourceType[] = garbageCollectedResources()) {
    for (const type of types) {
      this.caches.set(type, informers.informerFor<KubeObject & ResourceObject>(gvrOf(type), { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid } }).cache);
    }
  }

  get(type: ApiResourceType, key: string): (KubeObject & ResourceObject) | undefined {
    return this.caches.get(type)?.get(key);
  }

  /** Every cached object that names `ownerUid` among its owner references, across all resources. */
  dependentsOf(ownerUid: string, limit = Number.POSITIVE_INFINITY): GcNode[] {
    const out: GcNode[] = [];
    if (ownerUid === '') return out;
    for (const [type, cache] of this.caches) {
      for (const object of cache.byIndex(OWNER_UID_INDEX, ownerUid)) {
        out.push({ type, object });
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  /**
   * Resolves an owner reference of a dependent in `dependentNamespace` ('' when cluster-scoped).
   * A namespaced owner lives in the dependent's namespace; a cluster-scoped dependent cannot have
   * a namespaced owner (kube: OwnerRefInvalidNamespace).
   */
  locateOwner(reference: ResourceOwnerReference, dependentNamespace: string): OwnerLocation {
    const type = resourceForOwnerReference(reference);
    if (type === undefined || !this.caches.has(type)) return { ok: false, reason: 'UnknownKind' };
    if (type.namespaced && dependentNamespace === '') return { ok: false, reason: 'InvalidNamespace' };
    const namespace = type.namespaced ? dependentNamespace : '';
    return { ok: true, type, namespace, key: metaNamespaceKeyOf(namespace, reference.name ?? '') };
  }
}
