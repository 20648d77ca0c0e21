import { assert, AssertionError } from '../../core/index.js';
import type { Backend, BackendEntry } from './backend.js';
import type { KeySpan } from './bytes.js';
import { adoptBytes, bytesToKey, crc32c, EMPTY_BYTES, keySpan, keyToBytes } from './bytes.js';
import { encodeFormat, encodeLease, encodeMeta, LEASE_VALUE_BYTES, leaseKey, META } from './codec.js';
import { compactBackend } from './compactor.js';
import type { MvccCorruptionError } from './corruption.js';
import { FutureRevisionError, KeyNotFoundError, LeaseNotFoundError, RevisionCompactedError } from './errors.js';
import type { KeyHistory } from './key-index.js';
import { KeyIndex } from './key-index.js';
import { Lessor } from './lessor.js';
import type { MvccLimits } from './limits.js';
import { DEFAULT_MVCC_LIMITS } from './limits.js';
import { loadState } from './load.js';
import { HistoryReader } from './reader.js';
import { compareHolds, isTxnReadOnly, validateDeleteRangeRequest, validatePutRequest, validateRangeRequest, validateTxnRequest } from './requests.js';
import { RevisionLog } from './revision-log.js';
import type { MvccSnapshot } from './snapshot.js';
import { decodeSnapshot, encodeSnapshotSliced, SNAPSHOT_FORMAT } from './snapshot.js';
import type {
  Compare,
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVResponse,
  KeyValue,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseTimeToLiveResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseHeader,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
} from './types.js';
import type { WatchSend, Watcher } from './watch.js';
import { ChangeEvent, WatchHub } from './watch.js';

export interface MvccStoreOptions {
  /** Builds response headers (the member adds clusterId, memberId, raftTerm). Default: zeros but the revision. */
  readonly header?: (revision: number) => ResponseHeader;
  /** The leader's clock in ms, read when a lease is granted on the leader. Required before promoting the lessor. */
  readonly now?: () => number;
  /** Smallest lease TTL (etcd: ⌈1.5 × election timeout⌉ s; 2 with etcd's default 1 s). Equal on every member. */
  readonly minLeaseTtlSeconds?: number;
  readonly limits?: Partial<MvccLimits>;
  /** Where the data lives (the member's data dir), named by MvccCorruptionError. Default: the backend's location. */
  readonly location?: string;
}

/** What the leader does with leases; replicated lease changes go through apply. */
export type LeaseKeeper = Pick<Lessor, 'isPrimary' | 'size' | 'lookup' | 'ids' | 'promote' | 'demote' | 'renew' | 'expired' | 'timeToLive'>;

/** etcd hashes the bucket name first. */
const KEY_BUCKET_NAME = new TextEncoder().encode('key');

/** One write txn in progress: every change gets (main, sub); nothing is visible to readers of the revision until it ends. */
interface WriteTxn {
  readonly beginRev: number;
  readonly main: number;
  /** Changes so far (the next sub revision). */
  sub: number;
  /** Events for the watch hub; undefined when nobody watches. */
  readonly events: ChangeEvent[] | undefined;
}

type MutableTxnResponse = { -readonly [K in keyof TxnResponse]: TxnResponse[K] };

/**
 * The MVCC key-value state machine (etcd's mvcc package): revisions, the key index, leases,
 * watches, compaction, snapshots, on a Backend.
 *
 * Apply is synchronous and deterministic: `apply*` compute the response from memory (the key
 * index and the live KeyValue of every key), change the state, and queue the backend writes,
 * which `flush()` writes as one batch together with the consistent index (the Raft index of the
 * last applied entry). After a crash, `open()` restores what the last flush wrote; the caller
 * replays Raft's log from `consistentIndex() + 1`.
 *
 * Every `apply*` takes the entry's Raft index, which must exceed the last one; it counts as
 * applied even when the request fails with a StoreError (then nothing else changed), exactly as
 * on every other member. Reads at the current revision are served from memory; reads of the past
 * go to the history (revision-log.ts).
 *
 * Bytes: apply keeps a request's key and value as they are when they own their whole ArrayBuffer
 * (decode entries with msgpackr's `copyBuffers`, or the like) — the caller hands them over and
 * must not change them — and copies views into larger buffers. Returned KeyValues are shared
 * with the store and every reader: treat them as immutable.
 */
export class MvccStore {
  private readonly limits: MvccLimits;
  private readonly header: (revision: number) => ResponseHeader;
  private readonly index = new KeyIndex();
  private readonly log: RevisionLog;
  private readonly lessor: Lessor;
  private readonly hub: WatchHub;
  private readonly reader: HistoryReader;
  private readonly location: string;

  private currentRev = 0;
  private compactRev = 0;
  /** Raft index of the last applied entry. Invariant: appliedIndex >= flushedIndex. */
  private appliedIndex = 0;
  /** The consistent index the backend holds. */
  private flushedIndex = 0;
  private flushedRevMeta = 0;

  // Writes queued for the next flush, besides the revision records in `log`.
  private pendingDeletes: Uint8Array[] = [];
  private pendingDeleteBytes = 0;
  private pendingLeases = new Map<number, number | null>();
  private pendingScheduledCompact: number | undefined;
  private pendingFinishedCompact: number | undefined;

  private flushChain: Promise<void> = Promise.resolve();
  private compactionChain: Promise<void> = Promise.resolve();
  /** Bumped by restore: a compaction of an earlier epoch stops. */
  private epoch = 0;
  private closing = false;
  private autoFlushing = false;
  /** While a restore runs: applies are refused (a caller bug), reads wait for it. */
  private restoring: Promise<void> | undefined;
  private failure: unknown;
  /** Bytes of keys and values the backend holds for this store (etcd's dbSizeInUse). */
  private logicalBytes = 0;

  private constructor(
    private readonly backend: Backend,
    options: MvccStoreOptions,
  ) {
    this.limits = { ...DEFAULT_MVCC_LIMITS, ...options.limits };
    this.header = options.header ?? ((revision) => ({ clusterId: 0, memberId: 0, revision, raftTerm: 0 }));
    this.location = options.location ?? backend.location ?? 'the MVCC backend';
    this.log = new RevisionLog(backend, this.limits.backendScanBatch, this.location, (err: MvccCorruptionError) => {
      this.failure ??= err;
    });
    this.reader = new HistoryReader(this.index, this.log, this.header, () => this.compactRev);
    const now =
      options.now ??
      ((): number => {
        throw new AssertionError('mvcc: a lease was granted on the leader, but the store has no clock (options.now)');
      });
    this.lessor = new Lessor({
      minTtlSeconds: options.minLeaseTtlSeconds ?? 2,
      now,
      maxExpiredPerCall: this.limits.maxExpiredLeasesPerCall,
      expiredRetryMs: this.limits.expiredLeaseRetryMs,
    });
    this.hub = new WatchHub(
      {
        currentRevision: () => this.currentRev,
        compactRevision: () => this.compactRev,
        readEvents: (from, max, withPrev) => this.reader.readEvents(from, this.currentRev, this.compactRev, max, withPrev),
        header: (rev) => this.header(rev),
      },
      this.limits,
    );
  }

  /**
   * Opens the store on a backend: restores what the last flush wrote, and finishes a compaction
   * cut short. Throws MvccCorruptionError when any of the backend fails its checks (load.ts).
   */
  static async open(backend: Backend, options: MvccStoreOptions = {}): Promise<MvccStore> {
    const store = new MvccStore(backend, options);
    await store.load();
    return store;
  }

  // ---- State ----

  /** The current revision: that of the last write. */
  get revision(): number {
    return this.currentRev;
  }

  /** Reads below this fail with RevisionCompactedError. */
  get compactRevision(): number {
    return this.compactRev;
  }

  /** The Raft index of the last applied entry. */
  consistentIndex(): number {
    return this.appliedIndex;
  }

  /** The consistent index the backend holds (as of the last flush). */
  flushedConsistentIndex(): number {
    return this.flushedIndex;
  }

  /** Live keys plus deleted keys still in the index until compaction. */
  get indexedKeys(): number {
    return this.index.size;
  }

  /** Lease bookkeeping of the leader (expiry, keep-alive, time to live). */
  get leases(): LeaseKeeper {
    return this.lessor;
  }

  /** Watchers open. */
  get watcherCount(): number {
    return this.hub.size;
  }

  // ---- Apply (synchronous, deterministic) ----

  /** Marks a Raft entry that carries no store request as applied. */
  markApplied(raftIndex: number): void {
    this.beginApply(raftIndex);
  }

  applyPut(req: PutRequest, raftIndex: number): PutResponse {
    this.beginApply(raftIndex);
    validatePutRequest(req);
    const key = bytesToKey(req.key);
    const h = this.index.get(key);
    this.checkPut(req, h?.latest);
    const tx = this.beginWrite();
    const prev = this.put(tx, req, key, h);
    const rev = this.endWrite(tx);
    return req.prevKv === true && prev !== undefined ? { header: this.header(rev), prevKv: prev } : { header: this.header(rev) };
  }

  applyDeleteRange(req: DeleteRangeRequest, raftIndex: number): DeleteRangeResponse {
    this.beginApply(raftIndex);
    validateDeleteRangeRequest(req);
    const tx = this.beginWrite();
    const prevKvs = this.deleteRange(tx, keySpan(req.key, req.rangeEnd));
    const rev = this.endWrite(tx);
    return { header: this.header(rev), deleted: prevKvs.length, prevKvs: req.prevKv === true ? prevKvs : [] };
  }

  /**
   * Applies a txn (etcd's applierV3backend.Txn): compares (at any depth) read the state before the
   * txn; ops run in order and ranges see the txn's earlier writes. One main revision if anything
   * changed, none otherwise. The state change is complete when this returns; the response is a
   * Promise only when the chosen branch reads at a past revision that is no longer in memory.
   */
  applyTxn(req: TxnRequest, raftIndex: number): TxnResponse | Promise<TxnResponse> {
    this.beginApply(raftIndex);
    return this.runTxn(req, true);
  }

  /** Serves a read-only txn (no Raft entry: after ReadIndex, or serializable). */
  async readTxn(req: TxnRequest): Promise<TxnResponse> {
    await this.restoring;
    this.checkFailure();
    assert(isTxnReadOnly(req), 'mvcc: readTxn with a txn that writes; apply it through Raft');
    return this.runTxn(req, false);
  }

  /**
   * Compacts the history at `revision` (etcd's Compact): reads below it fail from now on; the key
   * index and the backend drop what no read at or after it needs, in the background
   * (`compactionDone()`). RevisionCompactedError at or below the compacted revision,
   * FutureRevisionError above the current one.
   */
  applyCompact(req: CompactionRequest, raftIndex: number): CompactionResponse {
    this.beginApply(raftIndex);
    const rev = req.revision;
    if (rev <= this.compactRev) throw new RevisionCompactedError();
    if (rev > this.currentRev) throw new FutureRevisionError();
    this.compactRev = rev;
    this.pendingScheduledCompact = rev;
    this.scheduleCompaction(rev, this.log.runningReads());
    return { header: this.header(this.currentRev) };
  }

  /** Grants a lease whose id the proposer chose (non-zero); the TTL is raised to the minimum. */
  applyLeaseGrant(req: LeaseGrantRequest, raftIndex: number): LeaseGrantResponse {
    this.beginApply(raftIndex);
    const id = req.ID ?? 0;
    const lease = this.lessor.grant(id, req.TTL);
    this.pendingLeases.set(id, lease.ttlSeconds);
    return { header: this.header(this.currentRev), ID: id, TTL: lease.ttlSeconds };
  }

  /** Revokes a lease: its keys are deleted in one revision (in byte order, as etcd). */
  applyLeaseRevoke(id: number, raftIndex: number): { header: ResponseHeader } {
    this.beginApply(raftIndex);
    if (this.lessor.lookup(id) === undefined) throw new LeaseNotFoundError();
    const keys = this.lessor.revoke(id);
    const tx = this.beginWrite();
    for (const key of keys) {
      const h = this.index.get(key);
      assert(h?.latest !== undefined, () => `mvcc: lease ${id} holds ${JSON.stringify(key)}, which does not exist`);
      this.tombstone(tx, h);
    }
    this.pendingLeases.set(id, null);
    return { header: this.header(this.endWrite(tx)) };
  }

  // ---- Reads ----

  /**
   * etcd's Range: at the current revision from memory, at a past one from the history.
   * FutureRevisionError above the current revision, RevisionCompactedError below the compacted one.
   */
  async range(req: RangeRequest): Promise<RangeResponse> {
    await this.restoring;
    this.checkFailure();
    validateRangeRequest(req);
    const cur = this.currentRev;
    const rev = req.revision ?? 0;
    if (rev > cur) throw new FutureRevisionError();
    const at = rev <= 0 ? cur : rev;
    if (at < this.compactRev) throw new RevisionCompactedError();
    return this.reader.rangeAt(req, at, cur, at === cur);
  }

  /** Lease time-to-live as etcd answers it: TTL -1 for an unknown lease. */
  leaseTimeToLive(id: number, nowMs: number, withKeys: boolean): LeaseTimeToLiveResponse {
    const ttl = this.lessor.timeToLive(id, nowMs);
    if (ttl === undefined) return { header: this.header(this.currentRev), ID: id, TTL: -1, grantedTTL: 0, keys: [] };
    return {
      header: this.header(this.currentRev),
      ID: id,
      TTL: ttl.ttlSeconds,
      grantedTTL: ttl.grantedTtlSeconds,
      keys: withKeys ? ttl.keys.map((k) => this.index.get(k)?.latest?.key ?? keyToBytes(k)) : [],
    };
  }

  // ---- Watch ----

  /**
   * Opens a watcher (ids are the caller's, per stream). `send` gets the created response, then
   * events from startRevision (catching up from the history first if it is in the past), or the
   * canceled response with compactRevision if startRevision is compacted.
   */
  watch(req: WatchCreateRequest, watchId: number, send: WatchSend): Watcher {
    this.checkFailure();
    // etcd: an empty key is "\0", the smallest key.
    const effective = req.key.length === 0 ? { ...req, key: Uint8Array.of(0) } : req;
    return this.hub.watch(effective, watchId, send);
  }

  /** Periodic progress notifications for watchers created with progressNotify (the caller's timer). */
  notifyWatchProgress(): void {
    this.hub.notifyProgress();
  }

  /** Delivers pending watch events now instead of on the next microtask. */
  dispatchWatchEvents(): void {
    this.hub.dispatch();
  }

  /** Resolves when no watcher is catching up (tests, shutdown). */
  watchersIdle(): Promise<void> {
    return this.hub.idle();
  }

  // ---- Persistence ----

  /**
   * Writes everything applied so far, and the consistent index, as one backend batch. Flushes run
   * one at a time in call order. A failed flush fails the store: the member must restart.
   */
  flush(options?: { readonly sync?: boolean }): Promise<void> {
    const p = this.flushChain.then(() => this.writeBatch(options?.sync === true));
    this.flushChain = p.catch(() => undefined);
    return p;
  }

  /** Resolves when every compaction applied so far has finished in the backend. */
  compactionDone(): Promise<void> {
    return this.compactionChain;
  }

  /** Backend bytes: the larger of the backend's estimate and the bytes in use. */
  async dbSize(): Promise<number> {
    return Math.max(await this.backend.approximateSize(), this.logicalBytes);
  }

  /** Bytes of the records and leases the store keeps (what compaction can shrink). */
  dbSizeInUse(): number {
    return this.logicalBytes;
  }

  /**
   * etcd's HashKV: CRC-32C over the revision records up to `revision` (0: current), without the
   * garbage of compaction, equal on members that applied the same entries whatever their
   * background compaction progress. Errors as etcd: RevisionCompactedError for 0 < revision <=
   * compacted revision, FutureRevisionError past the current one.
   */
  async hashKV(revision = 0): Promise<HashKVResponse> {
    await this.restoring;
    this.checkFailure();
    const cur = this.currentRev;
    const compactRev = this.compactRev;
    if (revision > 0 && revision <= compactRev) throw new RevisionCompactedError();
    if (revision > cur) throw new FutureRevisionError();
    const at = revision <= 0 ? cur : revision;
    const hash = await this.log.pinned(async () => {
      let h = crc32c(0, KEY_BUCKET_NAME);
      for await (const chunk of this.reader.liveRecords(at, compactRev)) for (const [k, v] of chunk) h = crc32c(crc32c(h, k), v);
      return h;
    });
    return { header: this.header(cur), hash, compactRevision: compactRev };
  }

  /** A consistent copy of the whole state as of the call (revision, leases, consistentIndex()). */
  async snapshot(): Promise<Uint8Array> {
    await this.restoring;
    return this.beginSnapshot().data;
  }

  /**
   * Starts a consistent copy of the whole state as of this call, which it captures
   * synchronously: applies made while the copy is read are not in it (the read is pinned, so a
   * compaction applied meanwhile waits). `consistentIndex` is the Raft index the copy holds.
   * Not during a restore.
   */
  beginSnapshot(): { readonly consistentIndex: number; readonly data: Promise<Uint8Array> } {
    assert(this.restoring === undefined, 'mvcc: snapshot during restore');
    this.checkFailure();
    const revision = this.currentRev;
    const compactRevision = this.compactRev;
    const consistentIndex = this.appliedIndex;
    const leases: [number, number][] = this.lessor.ids().map((id) => [id, this.lessor.lookup(id)!.ttlSeconds]);
    const records = this.log.pinned(async () => {
      const out: Uint8Array[] = [];
      for await (const chunk of this.reader.liveRecords(revision, compactRevision)) for (const [k, v] of chunk) out.push(k, v);
      return out;
    });
    return { consistentIndex, data: records.then((r) => encodeSnapshotSliced({ format: SNAPSHOT_FORMAT, revision, compactRevision, consistentIndex, leases, records: r })) };
  }

  /**
   * Replaces the whole state with a snapshot taken at Raft index `raftIndex` (>= the snapshot's
   * consistent index), in one synced backend batch. No apply may run until it resolves. Watchers
   * stay open and catch up from the restored history (or are canceled if it was compacted past them).
   */
  async restore(data: Uint8Array, raftIndex: number): Promise<void> {
    this.checkFailure();
    assert(this.restoring === undefined, 'mvcc: restore while a restore runs');
    // Checked before anything is replaced: a damaged snapshot is refused and the store stays as it was.
    const snap = decodeSnapshot(data, `a snapshot being restored into ${this.location}`);
    assert(raftIndex >= snap.consistentIndex, `mvcc: restore at index ${raftIndex}, below the snapshot's consistent index ${snap.consistentIndex}`);
    const done = this.replaceWith(snap, raftIndex);
    this.restoring = done.then(
      () => undefined,
      () => undefined,
    );
    try {
      await done;
    } finally {
      this.restoring = undefined;
    }
  }

  private async replaceWith(snap: MvccSnapshot, raftIndex: number): Promise<void> {
    try {
      this.epoch++; // a running compaction stops at its next batch
      await this.compactionChain;
      await this.flushChain;
      await Promise.allSettled(this.log.runningReads());
      const dels: Uint8Array[] = [];
      for await (const chunk of this.backend.iterate({}, this.limits.backendScanBatch)) for (const [k] of chunk) dels.push(k);
      const puts: BackendEntry[] = [];
      for (let i = 0; i < snap.records.length; i += 2) puts.push([snap.records[i]!, snap.records[i + 1]!]);
      for (const [id, ttl] of snap.leases) puts.push(encodeLease(id, ttl));
      puts.push(
        [META.format, encodeFormat()],
        [META.consistentIndex, encodeMeta(META.consistentIndex, raftIndex)],
        [META.revision, encodeMeta(META.revision, snap.revision)],
        [META.scheduledCompact, encodeMeta(META.scheduledCompact, snap.compactRevision)],
        [META.finishedCompact, encodeMeta(META.finishedCompact, snap.compactRevision)],
      );
      await this.backend.batch(puts, dels, { sync: true });
      this.pendingDeletes = [];
      this.pendingDeleteBytes = 0;
      this.pendingLeases = new Map();
      this.pendingScheduledCompact = undefined;
      this.pendingFinishedCompact = undefined;
      await this.load();
    } catch (err) {
      this.failure ??= err;
      throw err;
    }
  }

  /** Stops background compaction (resumed at the next open) and writes what was applied. */
  async close(): Promise<void> {
    this.closing = true;
    await this.compactionChain;
    await this.flush();
  }

  // ---- Internals: apply ----

  /** A failed backend write leaves the store unusable: the member must restart and replay. */
  private checkFailure(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private beginApply(raftIndex: number): void {
    this.checkFailure();
    assert(this.restoring === undefined, 'mvcc: apply during restore');
    assert(raftIndex > this.appliedIndex, () => `mvcc: applying Raft index ${raftIndex}, not after the last applied ${this.appliedIndex}`);
    this.appliedIndex = raftIndex;
  }

  private beginWrite(): WriteTxn {
    return { beginRev: this.currentRev, main: this.currentRev + 1, sub: 0, events: this.hub.size > 0 ? [] : undefined };
  }

  /** Ends a write txn; returns the revision of the response header. */
  private endWrite(tx: WriteTxn): number {
    if (tx.sub > 0) {
      this.currentRev = tx.main;
      if (tx.events !== undefined) this.hub.notify(tx.events);
      if (this.log.unflushedCount >= this.limits.maxUnflushedRecords && !this.autoFlushing) this.autoFlush();
    }
    return this.currentRev;
  }

  /** Bounds the records held in memory when the caller flushes seldom: flushing early is always safe. */
  private autoFlush(): void {
    this.autoFlushing = true;
    const done = (): void => {
      this.autoFlushing = false;
    };
    // A failure is recorded in `failure` by writeBatch; the next apply reports it.
    void this.flush().then(done, done);
  }

  /** etcd's checkRequestPut: ignore_value/ignore_lease need the key; a lease must exist. */
  private checkPut(req: PutRequest, live: KeyValue | undefined): void {
    if ((req.ignoreValue === true || req.ignoreLease === true) && live === undefined) throw new KeyNotFoundError();
    const lease = req.lease ?? 0;
    if (lease !== 0 && this.lessor.lookup(lease) === undefined) throw new LeaseNotFoundError();
  }

  /** Puts; returns the previous live KeyValue. The caller has run checkPut. */
  private put(tx: WriteTxn, req: PutRequest, key: string, h: KeyHistory | undefined): KeyValue | undefined {
    const prev = h?.latest;
    const value = req.ignoreValue === true ? prev!.value : adoptBytes(req.value);
    const lease = req.ignoreLease === true ? prev!.lease : (req.lease ?? 0);
    const main = tx.main;
    const sub = tx.sub++;
    const kv: KeyValue =
      prev !== undefined
        ? { key: prev.key, createRevision: prev.createRevision, modRevision: main, version: prev.version + 1, value, lease }
        : { key: adoptBytes(req.key), createRevision: main, modRevision: main, version: 1, value, lease };
    let hist = h;
    if (hist === undefined) hist = this.index.create(key, main, sub);
    else hist.put(main, sub);
    hist.latest = kv;
    this.log.append(kv, sub, false);
    if (prev !== undefined && prev.lease !== 0 && prev.lease !== lease) this.lessor.detach(prev.lease, key);
    if (lease !== 0) this.lessor.attach(lease, key);
    tx.events?.push(new ChangeEvent('PUT', kv, key, prev));
    return prev;
  }

  /** Deletes the live keys of the span; returns their last KeyValues in key order. */
  private deleteRange(tx: WriteTxn, span: KeySpan): KeyValue[] {
    const victims: KeyHistory[] = [];
    this.index.forEachInSpan(span, (h) => {
      if (h.latest !== undefined) victims.push(h);
    });
    const prevKvs: KeyValue[] = [];
    for (const h of victims) prevKvs.push(this.tombstone(tx, h));
    return prevKvs;
  }

  private tombstone(tx: WriteTxn, h: KeyHistory): KeyValue {
    const prev = h.latest!;
    const main = tx.main;
    const sub = tx.sub++;
    const kv: KeyValue = { key: prev.key, createRevision: 0, modRevision: main, version: 0, value: EMPTY_BYTES, lease: 0 };
    h.tombstone(main, sub);
    h.latest = undefined;
    this.log.append(kv, sub, true);
    if (prev.lease !== 0) this.lessor.detach(prev.lease, h.key);
    tx.events?.push(new ChangeEvent('DELETE', kv, h.key, prev));
    return prev;
  }

  // ---- Internals: txn ----

  private runTxn(req: TxnRequest, write: boolean): TxnResponse | Promise<TxnResponse> {
    validateTxnRequest(req, this.limits.maxTxnOps);
    const path: boolean[] = [];
    this.compareToPath(req, path);
    if (write) this.checkTxnPuts(req, path, { i: 0 });
    this.checkTxnRanges(req, path, { i: 0 });
    const tx = write ? this.beginWrite() : { beginRev: this.currentRev, main: this.currentRev + 1, sub: 0, events: undefined };
    const deferred: Promise<void>[] = [];
    const nested: MutableTxnResponse[] = [];
    const top = this.executeTxn(req, path, { i: 0 }, tx, deferred, nested);
    const rev = write ? this.endWrite(tx) : this.currentRev;
    const header = this.header(rev);
    top.header = header;
    for (const t of nested) t.header = header;
    if (deferred.length === 0) return top;
    return Promise.all(deferred).then(() => top);
  }

  /** etcd's compareToPath: the outcome of each txn on the chosen path, depth first, against the pre-txn state. */
  private compareToPath(req: TxnRequest, path: boolean[]): void {
    const ok = req.compare.every((c) => this.compareHoldsNow(c));
    path.push(ok);
    for (const op of ok ? req.success : req.failure) if (op.requestTxn !== undefined) this.compareToPath(op.requestTxn, path);
  }

  private compareHoldsNow(c: Compare): boolean {
    const kvs: KeyValue[] = [];
    this.index.forEachInSpan(keySpan(c.key, c.rangeEnd), (h) => {
      if (h.latest !== undefined) kvs.push(h.latest);
    });
    return compareHolds(c, kvs);
  }

  private checkTxnPuts(req: TxnRequest, path: readonly boolean[], at: { i: number }): void {
    for (const op of path[at.i++] === true ? req.success : req.failure) {
      if (op.requestPut !== undefined) this.checkPut(op.requestPut, this.index.get(bytesToKey(op.requestPut.key))?.latest);
      else if (op.requestTxn !== undefined) this.checkTxnPuts(op.requestTxn, path, at);
    }
  }

  /** etcd's checkRequestRange, against the pre-txn revision. */
  private checkTxnRanges(req: TxnRequest, path: readonly boolean[], at: { i: number }): void {
    for (const op of path[at.i++] === true ? req.success : req.failure) {
      const r = op.requestRange;
      if (r !== undefined) {
        const rev = r.revision ?? 0;
        if (rev === 0) continue;
        if (rev > this.currentRev) throw new FutureRevisionError();
        if (rev < this.compactRev) throw new RevisionCompactedError();
      } else if (op.requestTxn !== undefined) {
        this.checkTxnRanges(op.requestTxn, path, at);
      }
    }
  }

  private executeTxn(req: TxnRequest, path: readonly boolean[], at: { i: number }, tx: WriteTxn, deferred: Promise<void>[], nested: MutableTxnResponse[]): MutableTxnResponse {
    const succeeded = path[at.i++] === true;
    const responses: ResponseOp[] = [];
    for (const op of succeeded ? req.success : req.failure) {
      if (op.requestRange !== undefined) {
        const r = op.requestRange;
        const curRev = tx.sub > 0 ? tx.main : tx.beginRev;
        const rev = r.revision ?? 0;
        const atRev = rev <= 0 ? curRev : rev;
        const out = this.reader.rangeAt(r, atRev, curRev, atRev === curRev);
        if (out instanceof Promise) {
          const slot = responses.length;
          responses.push({});
          deferred.push(
            out.then((resp) => {
              responses[slot] = { responseRange: resp };
            }),
          );
        } else {
          responses.push({ responseRange: out });
        }
      } else if (op.requestPut !== undefined) {
        const p = op.requestPut;
        const key = bytesToKey(p.key);
        const prev = this.put(tx, p, key, this.index.get(key));
        const header = this.header(tx.main);
        responses.push({ responsePut: p.prevKv === true && prev !== undefined ? { header, prevKv: prev } : { header } });
      } else if (op.requestDeleteRange !== undefined) {
        const d = op.requestDeleteRange;
        const prevKvs = this.deleteRange(tx, keySpan(d.key, d.rangeEnd));
        const header = this.header(prevKvs.length > 0 || tx.sub > 0 ? tx.main : tx.beginRev);
        responses.push({ responseDeleteRange: { header, deleted: prevKvs.length, prevKvs: d.prevKv === true ? prevKvs : [] } });
      } else if (op.requestTxn !== undefined) {
        const inner = this.executeTxn(op.requestTxn, path, at, tx, deferred, nested);
        nested.push(inner);
        responses.push({ responseTxn: inner });
      }
    }
    return { header: this.header(tx.beginRev), succeeded, responses };
  }

  // ---- Internals: persistence ----

  private async writeBatch(sync: boolean): Promise<void> {
    this.checkFailure();
    const count = this.log.unflushedCount;
    const throughRev = this.currentRev;
    const appliedIndex = this.appliedIndex;
    const idle =
      count === 0 &&
      this.pendingDeletes.length === 0 &&
      this.pendingLeases.size === 0 &&
      this.pendingScheduledCompact === undefined &&
      this.pendingFinishedCompact === undefined &&
      appliedIndex === this.flushedIndex &&
      throughRev === this.flushedRevMeta;
    if (idle) return;
    const puts = this.log.encodeForFlush(count);
    let putBytes = 0;
    for (const [k, v] of puts) putBytes += k.length + v.length;
    const dels = this.pendingDeletes;
    const delBytes = this.pendingDeleteBytes;
    this.pendingDeletes = [];
    this.pendingDeleteBytes = 0;
    let leaseBytes = 0;
    for (const [id, ttl] of this.pendingLeases) {
      if (ttl === null) {
        const key = leaseKey(id);
        dels.push(key);
        leaseBytes -= key.length + LEASE_VALUE_BYTES;
      } else {
        const entry = encodeLease(id, ttl);
        puts.push(entry);
        leaseBytes += entry[0].length + entry[1].length;
      }
    }
    this.pendingLeases = new Map();
    puts.push([META.consistentIndex, encodeMeta(META.consistentIndex, appliedIndex)], [META.revision, encodeMeta(META.revision, throughRev)]);
    if (this.pendingScheduledCompact !== undefined) puts.push([META.scheduledCompact, encodeMeta(META.scheduledCompact, this.pendingScheduledCompact)]);
    if (this.pendingFinishedCompact !== undefined) puts.push([META.finishedCompact, encodeMeta(META.finishedCompact, this.pendingFinishedCompact)]);
    this.pendingScheduledCompact = undefined;
    this.pendingFinishedCompact = undefined;
    try {
      await this.backend.batch(puts, dels, { sync });
    } catch (err) {
      this.failure ??= err;
      throw err;
    }
    this.log.markFlushed(count, throughRev);
    this.flushedIndex = appliedIndex;
    this.flushedRevMeta = throughRev;
    this.logicalBytes += putBytes + leaseBytes - delBytes;
  }

  private scheduleCompaction(rev: number, runningReads: Promise<unknown>[]): void {
    const epoch = this.epoch;
    this.compactionChain = this.compactionChain
      .then(() => this.compactJob(rev, runningReads, epoch))
      .catch((err: unknown) => {
        this.failure ??= err;
      });
  }

  /**
   * A compaction's background half: once the reads that were running when it was applied are
   * done (they may need the records it deletes), flush so every record <= rev is in the backend,
   * compact (compactor.ts), and mark it finished.
   */
  private async compactJob(rev: number, runningReads: Promise<unknown>[], epoch: number): Promise<void> {
    await Promise.allSettled(runningReads);
    const stopped = (): boolean => this.closing || epoch !== this.epoch;
    if (stopped()) return;
    await this.flush();
    const finished = await compactBackend(
      {
        backend: this.backend,
        location: this.location,
        index: this.index,
        batchRecords: this.limits.compactionBatchRecords,
        sleepMs: this.limits.compactionSleepMs,
        pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        stopped,
        deleteRecord: (key, bytes) => {
          this.pendingDeletes.push(key);
          this.pendingDeleteBytes += bytes;
        },
        flush: () => this.flush(),
      },
      rev,
    );
    if (!finished) return;
    this.pendingFinishedCompact = rev;
    await this.flush();
  }

  /** Rebuilds the in-memory state from the backend (load.ts), and resumes a compaction cut short. */
  private async load(): Promise<void> {
    this.lessor.clear();
    const state = await loadState(this.backend, this.index, this.limits.backendScanBatch, this.location);
    for (const [id, ttl] of state.leases) this.lessor.insert(id, ttl);
    this.index.forEach((h) => {
      const lease = h.latest?.lease ?? 0;
      if (lease !== 0 && this.lessor.lookup(lease) !== undefined) this.lessor.attach(lease, h.key);
    });
    this.appliedIndex = state.consistentIndex;
    this.flushedIndex = state.consistentIndex;
    this.compactRev = Math.max(state.scheduledCompact, state.finishedCompact);
    // A compaction can delete the newest records (a tombstone at the compaction point): the
    // revision the last flush recorded covers that.
    this.currentRev = Math.max(state.metaRevision, state.newestRecord, this.compactRev);
    this.flushedRevMeta = state.metaRevision;
    this.logicalBytes = state.bytes;
    this.log.reset(this.currentRev);
    this.hub.resync();
    if (state.scheduledCompact > state.finishedCompact) {
      this.pendingScheduledCompact = state.scheduledCompact;
      this.scheduleCompaction(state.scheduledCompact, []);
    }
  }
}
