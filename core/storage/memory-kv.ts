/**
 * An in-memory StorageKv with etcd's MVCC rules, for tests of the layers above the storage: one
 * revision counter (starting at 1, as etcd), every key's versions and tombstones, reads at past
 * revisions, compaction, leases that expire on an injected clock, and watches that replay history
 * from a start revision before they go live (etcd's unsynced/synced watchers).
 *
 * Leases expire lazily: before every operation, and when expireLeases() is called. Watch
 * responses are delivered synchronously within the write that causes them (the storage's
 * dispatcher defers them to the consumer), and catch-up from a microtask after creation.
 */
import type { StorageClock } from './clock.js';
import { StorageInternalError, StorageKvCompactedError, StorageKvFutureRevisionError } from './errors.js';
import type {
  StorageKv,
  StorageKvEntry,
  StorageKvEvent,
  StorageKvRangeRequest,
  StorageKvRangeResult,
  StorageKvWatch,
  StorageKvWatchRequest,
  StorageKvWatchResponse,
  StorageKvWriteResult,
} from './kv.js';
import { compareStorageKeys, storageKeyLowerBound } from './kv.js';

interface Version {
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly lease: number;
  /** A tombstone: the key was deleted at modRevision. */
  readonly deleted: boolean;
}

interface MemoryWatcher {
  readonly request: StorageKvWatchRequest;
  readonly onResponse: (r: StorageKvWatchResponse) => void;
  /** The first revision not yet reported. */
  readonly startRevision: number;
  /** Caught up with history: live events go straight to it. */
  synced: boolean;
  canceled: boolean;
}

interface Lease {
  readonly expiresAtMs: number;
  readonly keys: Set<string>;
}

/** A change to make in one revision: a put (value) or a delete (undefined). */
interface Change {
  readonly key: string;
  readonly value: string | undefined;
  readonly lease: number;
}

export class InMemoryKv implements StorageKv {
  private revision = 1;
  private compactRevision = 0;
  /** Every key with a version kept, sorted by compareStorageKeys. */
  private keys: string[] = [];
  /** Versions of each key, oldest first. */
  private readonly history = new Map<string, Version[]>();
  /** Every change since the compacted revision, in revision order (what watches replay). */
  private log: StorageKvEvent[] = [];
  private readonly leases = new Map<number, Lease>();
  private nextLeaseId = 1;
  private readonly watchers = new Set<MemoryWatcher>();

  constructor(private readonly clock: StorageClock) {}

  range(request: StorageKvRangeRequest): Promise<StorageKvRangeResult> {
    return this.run(() => {
      const revision = request.revision !== undefined && request.revision > 0 ? request.revision : this.revision;
      this.checkReadable(revision);
      const kvs: StorageKvEntry[] = [];
      let count = 0;
      const limit = request.limit !== undefined && request.limit > 0 ? request.limit : Infinity;
      for (const key of this.keysOf(request)) {
        const v = this.versionAt(key, revision);
        if (v === undefined) continue;
        count++;
        if (request.countOnly !== true && kvs.length < limit) kvs.push(entry(key, v));
      }
      return { revision: this.revision, kvs: request.countOnly === true ? [] : kvs, more: count > kvs.length && request.countOnly !== true, count };
    });
  }

  putIfModRevision(key: string, value: string, expectedModRevision: number, lease: number): Promise<StorageKvWriteResult> {
    return this.run(() => {
      const current = this.latest(key);
      if ((current?.modRevision ?? 0) !== expectedModRevision) return { succeeded: false, current: current && entry(key, current) };
      if (lease !== 0 && !this.leases.has(lease)) throw new StorageInternalError('requested lease not found');
      return { succeeded: true, revision: this.commit([{ key, value, lease }]) };
    });
  }

  deleteIfModRevision(key: string, expectedModRevision: number): Promise<StorageKvWriteResult> {
    return this.run(() => {
      const current = this.latest(key);
      if ((current?.modRevision ?? 0) !== expectedModRevision) return { succeeded: false, current: current && entry(key, current) };
      // etcd deletes nothing (and keeps its revision) when the key is absent.
      if (current === undefined) return { succeeded: true, revision: this.revision };
      return { succeeded: true, revision: this.commit([{ key, value: undefined, lease: 0 }]) };
    });
  }

  grantLease(ttlSeconds: number): Promise<number> {
    return this.run(() => {
      const id = this.nextLeaseId++;
      this.leases.set(id, { expiresAtMs: this.clock.nowMs() + ttlSeconds * 1000, keys: new Set() });
      return id;
    });
  }

  compact(revision: number): Promise<void> {
    return this.run(() => {
      if (revision <= this.compactRevision) throw new StorageKvCompactedError(this.compactRevision);
      if (revision > this.revision) throw new StorageKvFutureRevisionError(this.revision);
      this.compactRevision = revision;
      // Keep, per key, the version readable at `revision` (unless it is a tombstone) and newer ones.
      for (const [key, versions] of this.history) {
        let keepFrom = 0;
        for (let i = 0; i < versions.length && versions[i]!.modRevision <= revision; i++) keepFrom = i;
        if (versions[keepFrom]!.modRevision <= revision && versions[keepFrom]!.deleted) keepFrom++;
        const kept = versions.slice(keepFrom);
        if (kept.length === 0) this.history.delete(key);
        else this.history.set(key, kept);
      }
      this.keys = this.keys.filter((k) => this.history.has(k));
      this.log = this.log.filter((e) => e.modRevision >= revision);
    });
  }

  watch(request: StorageKvWatchRequest, onResponse: (r: StorageKvWatchResponse) => void, onError: (error: Error) => void): StorageKvWatch {
    void onError; // an in-memory store does not fail
    const watcher: MemoryWatcher = { request, onResponse, startRevision: request.startRevision > 0 ? request.startRevision : this.revision + 1, synced: false, canceled: false };
    this.watchers.add(watcher);
    queueMicrotask(() => this.catchUp(watcher));
    return {
      created: Promise.resolve(this.revision),
      requestProgress: () =>
        queueMicrotask(() => {
          if (!watcher.canceled && watcher.synced) watcher.onResponse({ kind: 'progress', revision: this.revision });
        }),
      cancel: () => {
        watcher.canceled = true;
        this.watchers.delete(watcher);
      },
    };
  }

  close(): Promise<void> {
    for (const w of this.watchers) w.canceled = true;
    this.watchers.clear();
    return Promise.resolve();
  }

  /** Deletes the keys of every lease whose time has come, one revision per lease (as etcd revokes). */
  expireLeases(): void {
    const nowMs = this.clock.nowMs();
    for (const [id, lease] of [...this.leases]) {
      if (lease.expiresAtMs > nowMs) continue;
      this.leases.delete(id);
      const changes = [...lease.keys].sort(compareStorageKeys).map((key) => ({ key, value: undefined, lease: 0 }));
      if (changes.length > 0) this.commit(changes);
    }
  }

  /** Runs one operation after expiring leases, as a promise. */
  private run<T>(op: () => T): Promise<T> {
    try {
      this.expireLeases();
      return Promise.resolve(op());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private checkReadable(revision: number): void {
    if (revision < this.compactRevision) throw new StorageKvCompactedError(this.compactRevision);
    if (revision > this.revision) throw new StorageKvFutureRevisionError(this.revision);
  }

  /** The keys a range covers, in order. */
  private *keysOf(request: StorageKvRangeRequest): Generator<string> {
    if (request.prefix === undefined) {
      if (this.history.has(request.key)) yield request.key;
      return;
    }
    for (let i = storageKeyLowerBound(this.keys, request.key); i < this.keys.length; i++) {
      const key = this.keys[i]!;
      if (!key.startsWith(request.prefix)) return;
      yield key;
    }
  }

  private latest(key: string): Version | undefined {
    const v = this.history.get(key)?.at(-1);
    return v === undefined || v.deleted ? undefined : v;
  }

  private versionAt(key: string, revision: number): Version | undefined {
    const versions = this.history.get(key) ?? [];
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i]!;
      if (v.modRevision <= revision) return v.deleted ? undefined : v;
    }
    return undefined;
  }

  /** Applies changes as one new revision and tells the synced watchers. */
  private commit(changes: readonly Change[]): number {
    const revision = ++this.revision;
    const events: StorageKvEvent[] = [];
    for (const c of changes) {
      let versions = this.history.get(c.key);
      if (versions === undefined) {
        versions = [];
        this.history.set(c.key, versions);
        this.keys.splice(storageKeyLowerBound(this.keys, c.key), 0, c.key);
      }
      const previous = this.latest(c.key);
      if (previous !== undefined && previous.lease !== 0) this.leases.get(previous.lease)?.keys.delete(c.key);
      if (c.value === undefined) {
        versions.push({ value: '', createRevision: 0, modRevision: revision, lease: 0, deleted: true });
        events.push({ type: 'DELETE', key: c.key, value: '', createRevision: 0, modRevision: revision, prevValue: previous?.value });
      } else {
        const createRevision = previous?.createRevision ?? revision;
        versions.push({ value: c.value, createRevision, modRevision: revision, lease: c.lease, deleted: false });
        if (c.lease !== 0) this.leases.get(c.lease)?.keys.add(c.key);
        events.push({ type: 'PUT', key: c.key, value: c.value, createRevision, modRevision: revision, prevValue: previous?.value });
      }
    }
    this.log.push(...events);
    for (const w of [...this.watchers]) {
      if (!w.synced || w.canceled) continue;
      const matching = events.filter((e) => watches(w.request, e.key));
      if (matching.length > 0) w.onResponse({ kind: 'events', events: matching });
    }
    return revision;
  }

  private catchUp(w: MemoryWatcher): void {
    if (w.canceled) return;
    if (w.startRevision < this.compactRevision) {
      w.canceled = true;
      this.watchers.delete(w);
      w.onResponse({ kind: 'compacted', compactRevision: this.compactRevision });
      return;
    }
    const events = this.log.filter((e) => e.modRevision >= w.startRevision && watches(w.request, e.key));
    w.synced = true;
    if (events.length > 0) w.onResponse({ kind: 'events', events });
  }
}

function entry(key: string, v: Version): StorageKvEntry {
  return { key, value: v.value, createRevision: v.createRevision, modRevision: v.modRevision, lease: v.lease };
}

function watches(request: StorageKvWatchRequest, key: string): boolean {
  return request.prefix ? key.startsWith(request.key) : key === request.key;
}

