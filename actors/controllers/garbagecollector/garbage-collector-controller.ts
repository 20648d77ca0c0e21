// The garbage collector as a controller: its keys are objects of every collected resource (see
// gc-resources.ts for the key encoding). A change to an object reconciles the object itself, its
// owners that wait in foreground deletion, and, when it is being deleted or gone, its dependents.

import type { ApiResourceType, KubeObject, ResourceObject } from '../../../core/index.js';
import { isBeingDeleted, jsonEqual, metaNamespaceKey } from '../../../core/index.js';
import type { ControllerContext, ControllerDefinition, ControllerWatch, ReconcileRequest } from '../framework/controller-contract.js';
import { GcGraph } from './gc-graph.js';
import { makeGarbageCollectorReconciler } from './gc-reconciler.js';
import { GC_NAMESPACE_RESOURCE, garbageCollectedResources, gcRequestFor, gvrOf } from './gc-resources.js';

/** Concurrent GC reconciles (kube's --concurrent-gc-syncs default). */
export const GC_CONCURRENCY = 20;

/** One GcGraph per context (per controller-manager run), shared by every watch's mapping. */
const graphs = new WeakMap<ControllerContext, GcGraph>();

function graphOf(context: ControllerContext): GcGraph {
  let graph = graphs.get(context);
  if (graph === undefined) {
    graph = new GcGraph(context.informers);
    graphs.set(context, graph);
  }
  return graph;
}

/** The GC keys a change to `object` (of `type`) concerns. */
export function gcRequestsForChange(type: ApiResourceType, object: ResourceObject, context: ControllerContext): ReconcileRequest[] {
  const graph = graphOf(context);
  const out: ReconcileRequest[] = [gcRequestFor(type, object)];
  const namespace = object.metadata?.namespace ?? '';
  for (const reference of object.metadata?.ownerReferences ?? []) {
    const location = graph.locateOwner(reference, namespace);
    if (!location.ok) continue;
    const owner = graph.get(location.type, location.key);
    if (owner !== undefined && owner.metadata?.uid === reference.uid && isBeingDeleted(owner)) out.push(gcRequestFor(location.type, owner));
  }
  // The informer updates its cache before notifying: absent (or another uid) means deleted.
  const cached = graph.get(type, metaNamespaceKey(object));
  const uid = object.metadata?.uid ?? '';
  if (cached === undefined || cached.metadata?.uid !== uid || isBeingDeleted(object as KubeObject)) {
    for (const dependent of graph.dependentsOf(uid)) out.push(gcRequestFor(dependent.type, dependent.object));
  }
  return out;
}

/**
 * An update matters to the collector when it changes the object's owners or its deletion
 * (deletionTimestamp, finalizers), as kube's graph builder acts on reference diffs and deletion
 * transitions only; the owners' own changes reconcile their dependents.
 */
export function updateConcernsGc(oldObject: ResourceObject, newObject: ResourceObject): boolean {
  const before = oldObject.metadata;
  const after = newObject.metadata;
  return (
    before?.uid !== after?.uid ||
    (before?.deletionTimestamp ?? undefined) !== (after?.deletionTimestamp ?? undefined) ||
    !jsonEqual(before?.ownerReferences ?? [], after?.ownerReferences ?? []) ||
    !jsonEqual(before?.finalizers ?? [], after?.finalizers ?? [])
  );
}

function watchOf(type: ApiResourceType): ControllerWatch {
  return { resource: gvrOf(type), mapToRequests: (object, context) => gcRequestsForChange(type, object, context), relevantUpdate: updateConcernsGc };
}

export const garbageCollectorController: ControllerDefinition = {
  name: 'garbagecollector',
  primary: GC_NAMESPACE_RESOURCE,
  watches: garbageCollectedResources().map(watchOf),
  makeReconciler: makeGarbageCollectorReconciler,
  concurrency: GC_CONCURRENCY,
};
