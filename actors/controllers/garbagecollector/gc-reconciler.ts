// The garbage collector's reconcile of one object, as kube's attemptToDeleteItem and
// attemptToOrphan:
// - an object being deleted with the `orphan` finalizer: its dependents lose their reference to
//   it, then the finalizer goes;
// - an object being deleted with `foregroundDeletion`: its dependents are deleted; once none of
//   them blocks it (blockOwnerDeletion), the finalizer goes;
// - any other object with owner references: if none of its owners exists any more (same uid; a
//   recreated owner with the same name is not its owner) it is deleted (Background, or Foreground
//   when an owner waits for it and it has dependents of its own); if some owners exist, the
//   references to the missing ones (and to owners waiting in foreground deletion) are removed.
// Decisions that delete or patch are re-checked against a live read of the object and of absent
// owners, so a lagging cache never deletes something that still has an owner.

import type { ApiResourceType, KubeObject, OwnerReference, ResourceObject, ResourcePropagationPolicy } from '../../../core/index.js';
import { isBeingDeleted, isConflict, isNotFound, refOfObject } from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';
import { AbsentOwnerCache } from './absent-owner-cache.js';
import { GcGraph } from './gc-graph.js';
import type { GcNode } from './gc-graph.js';
import { gcTargetOf, gvrOf } from './gc-resources.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND_DELETION = 'foregroundDeletion';
/** Dependents orphaned or deleted in one pass of one owner; the rest on the next (requeued at once). */
export const GC_MAX_DEPENDENTS_PER_PASS = 500;
/** While an owner waits for blocking dependents, it is looked at again this often even without events. */
export const GC_FOREGROUND_RECHECK_MS = 5_000;

type GcObject = KubeObject & ResourceObject;
type OwnerState = 'solid' | 'dangling' | 'waiting';

function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return (object.metadata?.finalizers ?? []).includes(finalizer);
}

export function makeGarbageCollectorReconciler(context: ControllerContext): Reconciler {
  const { client, events } = context;
  const graph = new GcGraph(context.informers);
  const absent = new AbsentOwnerCache();

  function objectRef(type: ApiResourceType, object: GcObject): ReturnType<typeof refOfObject> {
    return refOfObject(gvrOf(type), object);
  }

  /** The owner's state; `live` confirms an owner missing from the cache with a GET. */
  async function ownerState(reference: OwnerReference, dependent: GcObject, live: boolean): Promise<OwnerState> {
    if (absent.has(reference.uid)) return 'dangling';
    const location = graph.locateOwner(reference, dependent.metadata?.namespace ?? '');
    // An owner that cannot be resolved is never taken as gone: deleting on a guess loses data.
    if (!location.ok) {
      if (location.reason === 'InvalidNamespace') events.record(dependent, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef [${reference.apiVersion}/${reference.kind}, namespace: , name: ${reference.name}, uid: ${reference.uid}] does not exist in namespace ""`);
      return 'solid';
    }
    let owner: KubeObject | undefined = graph.get(location.type, location.key);
    if (owner?.metadata?.uid !== reference.uid) {
      if (!live) return 'dangling';
      try {
        owner = await client.get<GcObject>({ ...gvrOf(location.type), name: reference.name, ...(location.namespace === '' ? {} : { namespace: location.namespace }) });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        owner = undefined;
      }
      if (owner?.metadata?.uid !== reference.uid) {
        absent.add(reference.uid);
        return 'dangling';
      }
    }
    return isBeingDeleted(owner) && hasFinalizer(owner, FINALIZER_FOREGROUND_DELETION) ? 'waiting' : 'solid';
  }

  async function classify(object: GcObject, live: boolean): Promise<Map<OwnerReference, OwnerState>> {
    const states = new Map<OwnerReference, OwnerState>();
    for (const reference of object.metadata?.ownerReferences ?? []) states.set(reference, await ownerState(reference, object, live));
    return states;
  }

  /** kube's attemptToDeleteItem for an object that is not itself deleting its dependents. */
  async function attemptToDelete(type: ApiResourceType, cached: GcObject): Promise<void> {
    if ((cached.metadata?.ownerReferences ?? []).length === 0 || isBeingDeleted(cached)) return;
    const fromCache = [...(await classify(cached, false)).values()];
    if (fromCache.every((state) => state === 'solid')) return;
    // Something would change: decide again on the live object and live reads of missing owners.
    let object: GcObject;
    try {
      object = await client.get<GcObject>(objectRef(type, cached));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (object.metadata?.uid !== cached.metadata?.uid || isBeingDeleted(object)) return;
    const states = await classify(object, true);
    const solid = [...states.values()].some((state) => state === 'solid');
    const gone = [...states].filter(([, state]) => state !== 'solid').map(([reference]) => reference.uid);
    if (gone.length === 0) return;
    if (solid) {
      const patch = { metadata: { ownerReferences: gone.map((uid) => ({ $patch: 'delete', uid })), uid: object.metadata?.uid } };
      await ignoreGone(client.patch(objectRef(type, object), 'strategic', patch));
      return;
    }
    const waiting = [...states.values()].includes('waiting');
    let policy: ResourcePropagationPolicy = 'Background';
    if (waiting && graph.dependentsOf(object.metadata?.uid ?? '', 1).length > 0) policy = 'Foreground';
    else if (hasFinalizer(object, FINALIZER_ORPHAN)) policy = 'Orphan';
    else if (hasFinalizer(object, FINALIZER_FOREGROUND_DELETION)) policy = 'Foreground';
    await ignoreGone(client.delete(objectRef(type, object), { propagationPolicy: policy, preconditions: { uid: object.metadata?.uid ?? '' } }));
  }

  async function removeFinalizer(type: ApiResourceType, object: GcObject, finalizer: string): Promise<void> {
    const finalizers = (object.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    // A conflict (the cache lagged) is retried with back-off; a vanished object needs nothing.
    try {
      await client.update<GcObject>(gvrOf(type), { ...object, metadata: { ...object.metadata, finalizers } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** kube's orphanDependents then removal of the `orphan` finalizer. */
  async function orphanDependents(type: ApiResourceType, owner: GcObject): Promise<ReconcileResult> {
    const uid = owner.metadata?.uid ?? '';
    const dependents = graph.dependentsOf(uid, GC_MAX_DEPENDENTS_PER_PASS + 1);
    const batch = dependents.slice(0, GC_MAX_DEPENDENTS_PER_PASS);
    const results = await Promise.allSettled(
      batch.map((d) => ignoreGone(client.patch(objectRef(d.type, d.object), 'strategic', { metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: d.object.metadata?.uid } }))),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    if (dependents.length > batch.length) return { requeueAfterMs: 1 };
    await removeFinalizer(type, owner, FINALIZER_ORPHAN);
    return {};
  }

  /** kube's processDeletingDependentsItem. */
  async function deleteDependentsFirst(type: ApiResourceType, owner: GcObject): Promise<ReconcileResult> {
    const uid = owner.metadata?.uid ?? '';
    const dependents = graph.dependentsOf(uid);
    const blocking = dependents.filter((d) => d.object.metadata?.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion === true) === true);
    if (blocking.length === 0) {
      await removeFinalizer(type, owner, FINALIZER_FOREGROUND_DELETION);
      return {};
    }
    const toDelete: GcNode[] = dependents.filter((d) => !isBeingDeleted(d.object)).slice(0, GC_MAX_DEPENDENTS_PER_PASS);
    for (const d of toDelete) await attemptToDelete(d.type, d.object);
    return { requeueAfterMs: GC_FOREGROUND_RECHECK_MS };
  }

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const target = gcTargetOf(request);
      if (target === undefined) return {};
      const object = graph.get(target.type, target.key);
      if (object === undefined) return {};
      if (isBeingDeleted(object)) {
        if (hasFinalizer(object, FINALIZER_ORPHAN)) return orphanDependents(target.type, object);
        if (hasFinalizer(object, FINALIZER_FOREGROUND_DELETION)) return deleteDependentsFirst(target.type, object);
        return {};
      }
      await attemptToDelete(target.type, object);
      return {};
    },
  };
}

/** A write to an object that is gone (404) or was replaced (409 on the uid precondition) has nothing left to do. */
async function ignoreGone(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (!isNotFound(err) && !isConflict(err)) throw err;
  }
}
