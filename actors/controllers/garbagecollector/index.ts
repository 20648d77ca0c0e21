// Public surface of the garbage collector (ownerReferences: Background, Foreground, Orphan).
export { GC_CONCURRENCY, garbageCollectorController, gcRequestsForChange } from './garbage-collector-controller.js';
export { FINALIZER_FOREGROUND_DELETION, FINALIZER_ORPHAN, GC_FOREGROUND_RECHECK_MS, GC_MAX_DEPENDENTS_PER_PASS, makeGarbageCollectorReconciler } from './gc-reconciler.js';
export { GC_NAMESPACE_RESOURCE, garbageCollectedResources, gcRequestFor, gcTargetOf, resourceForOwnerReference } from './gc-resources.js';
export { GcGraph } from './gc-graph.js';
export type { GcNode, OwnerLocation } from './gc-graph.js';
export { ABSENT_OWNER_CACHE_SIZE, AbsentOwnerCache } from './absent-owner-cache.js';
