// The EndpointSlices this controller wrote or deleted and has not yet seen in its cache (kube's
// endpointSliceTracker): until the cache shows them, a sync of that Service would work from a
// stale picture and could create duplicate slices (their names are generated), so it waits.
// Level-triggered like the ReplicaSet expectations: it compares resourceVersions with the cache.

import type { EndpointSlice, ObjectCacheReader } from '../../../core/index.js';
import { metaNamespaceKey } from '../../../core/index.js';

/** How long unobserved writes hold a Service back before the controller acts anyway. */
export const ENDPOINT_SLICE_TRACKER_TIMEOUT_MS = 60_000;
/** How soon a held-back Service is looked at again. */
export const ENDPOINT_SLICE_TRACKER_RECHECK_MS = 1_000;

interface Pending {
  /** Slice key → resourceVersion written (the cache must reach it). */
  readonly written: Map<string, bigint>;
  /** Slice key → uid deleted (the cache must lose it). */
  readonly deleted: Map<string, string>;
  setAtMs: number;
}

export type SliceTrackerCheck = { readonly satisfied: true } | { readonly satisfied: false; readonly recheckInMs: number };

/** Invariant: an entry exists only while it holds something unobserved; bounded by Services with writes in flight. */
export class EndpointSliceTracker {
  private readonly byService = new Map<string, Pending>();

  expectWritten(serviceKey: string, slice: EndpointSlice, nowMs: number): void {
    const rv = revisionOf(slice.metadata?.resourceVersion ?? '');
    if (rv !== undefined) this.entry(serviceKey, nowMs).written.set(metaNamespaceKey(slice), rv);
  }

  expectDeleted(serviceKey: string, slice: EndpointSlice, nowMs: number): void {
    const entry = this.entry(serviceKey, nowMs);
    const key = metaNamespaceKey(slice);
    entry.written.delete(key);
    entry.deleted.set(key, slice.metadata?.uid ?? '');
  }

  check(serviceKey: string, cache: ObjectCacheReader<EndpointSlice>, nowMs: number): SliceTrackerCheck {
    const entry = this.byService.get(serviceKey);
    if (entry === undefined) return { satisfied: true };
    for (const [key, rv] of entry.written) {
      const cached = revisionOf(cache.get(key)?.metadata?.resourceVersion ?? '');
      if (cached !== undefined && cached >= rv) entry.written.delete(key);
    }
    for (const [key, uid] of entry.deleted) if (cache.get(key)?.metadata?.uid !== uid) entry.deleted.delete(key);
    if ((entry.written.size === 0 && entry.deleted.size === 0) || nowMs - entry.setAtMs >= ENDPOINT_SLICE_TRACKER_TIMEOUT_MS) {
      this.byService.delete(serviceKey);
      return { satisfied: true };
    }
    return { satisfied: false, recheckInMs: ENDPOINT_SLICE_TRACKER_RECHECK_MS };
  }

  forget(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }

  private entry(serviceKey: string, nowMs: number): Pending {
    let entry = this.byService.get(serviceKey);
    if (entry === undefined) {
      entry = { written: new Map(), deleted: new Map(), setAtMs: nowMs };
      this.byService.set(serviceKey, entry);
    }
    entry.setAtMs = nowMs;
    return entry;
  }
}

function revisionOf(resourceVersion: string): bigint | undefined {
  return /^[0-9]{1,20}$/.test(resourceVersion) ? BigInt(resourceVersion) : undefined;
}
