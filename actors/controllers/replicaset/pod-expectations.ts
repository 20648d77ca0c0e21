// Expectations, as kube-controller-manager's UIDTrackingControllerExpectations: after a sync
// creates or deletes pods, the ReplicaSet is not managed again until its informer cache shows
// every one of those changes (or the expectations expire). Without them a sync that runs on a
// cache lagging its own writes would create or delete the same pods twice.
//
// Level-triggered rather than counted: we remember *which* pods we created (by key and
// resourceVersion) and deleted (by uid) and look for them in the cache, so lost or merged informer
// events do no harm. A creation also counts as observed once the cache has synced past the
// resourceVersion the create returned (the pod may have come and gone in between); this reads
// resourceVersions as the store's integer revisions, which they are here (and in etcd).

import type { ObjectCacheReader, Pod } from '../../../core/index.js';
import { isBeingDeleted, metaNamespaceKey } from '../../../core/index.js';

/** How long unobserved expectations hold a ReplicaSet back (kube's ExpectationsTimeout). */
export const POD_EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface PendingChanges {
  /** Keys (`namespace/name`) of pods created and not yet seen in the cache → the create's resourceVersion. */
  readonly creations: Map<string, string>;
  /** uid → key of pods deleted and still in the cache without a deletionTimestamp. */
  readonly deletions: Map<string, string>;
  /** When the newest expectation was added; they all expire POD_EXPECTATIONS_TIMEOUT_MS after. */
  setAtMs: number;
}

/** The outcome of a check: satisfied, or not yet with the time left before they expire. */
export type ExpectationsCheck = { readonly satisfied: true } | { readonly satisfied: false; readonly expiresInMs: number };

/**
 * Pending changes per controller key. Invariant: an entry exists only while it holds at least
 * one unobserved change; entries are dropped when observed, expired, or forgotten (the owner is
 * gone), so the map is bounded by the number of owners with writes in flight.
 */
export class PodExpectations {
  private readonly byKey = new Map<string, PendingChanges>();

  expectCreation(controllerKey: string, pod: Pod, nowMs: number): void {
    this.entry(controllerKey, nowMs).creations.set(metaNamespaceKey(pod), pod.metadata?.resourceVersion ?? '');
  }

  expectDeletion(controllerKey: string, pod: Pod, nowMs: number): void {
    const uid = pod.metadata?.uid ?? '';
    if (uid !== '') this.entry(controllerKey, nowMs).deletions.set(uid, metaNamespaceKey(pod));
  }

  /** Stops waiting for one deletion (the delete failed, or the pod was already gone). */
  deletionObserved(controllerKey: string, uid: string): void {
    const entry = this.byKey.get(controllerKey);
    if (entry === undefined) return;
    entry.deletions.delete(uid);
    this.dropIfEmpty(controllerKey, entry);
  }

  /**
   * Prunes what the cache (`pods`, synced to `cacheResourceVersion`) shows as done; satisfied
   * when nothing is pending or it expired.
   */
  check(controllerKey: string, pods: ObjectCacheReader<Pod>, cacheResourceVersion: string, nowMs: number): ExpectationsCheck {
    const entry = this.byKey.get(controllerKey);
    if (entry === undefined) return { satisfied: true };
    const cacheRevision = revisionOf(cacheResourceVersion);
    for (const [key, resourceVersion] of entry.creations) {
      const createdRevision = revisionOf(resourceVersion);
      const passed = cacheRevision !== undefined && createdRevision !== undefined && cacheRevision >= createdRevision;
      if (passed || pods.get(key) !== undefined) entry.creations.delete(key);
    }
    for (const [uid, key] of entry.deletions) {
      const pod = pods.get(key);
      if (pod === undefined || pod.metadata?.uid !== uid || isBeingDeleted(pod)) entry.deletions.delete(uid);
    }
    if (this.dropIfEmpty(controllerKey, entry)) return { satisfied: true };
    const expiresInMs = entry.setAtMs + POD_EXPECTATIONS_TIMEOUT_MS - nowMs;
    if (expiresInMs <= 0) {
      this.byKey.delete(controllerKey);
      return { satisfied: true };
    }
    return { satisfied: false, expiresInMs };
  }

  /** Drops everything pending for the key (its owner was deleted). */
  forget(controllerKey: string): void {
    this.byKey.delete(controllerKey);
  }

  /** Owners with unobserved changes (for tests and metrics). */
  get size(): number {
    return this.byKey.size;
  }

  private entry(controllerKey: string, nowMs: number): PendingChanges {
    let entry = this.byKey.get(controllerKey);
    if (entry === undefined) {
      entry = { creations: new Map(), deletions: new Map(), setAtMs: nowMs };
      this.byKey.set(controllerKey, entry);
    }
    entry.setAtMs = nowMs;
    return entry;
  }

  private dropIfEmpty(controllerKey: string, entry: PendingChanges): boolean {
    if (entry.creations.size > 0 || entry.deletions.size > 0) return false;
    this.byKey.delete(controllerKey);
    return true;
  }
}

function revisionOf(resourceVersion: string): bigint | undefined {
  return /^[0-9]{1,20}$/.test(resourceVersion) ? BigInt(resourceVersion) : undefined;
}
