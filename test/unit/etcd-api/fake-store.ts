/**
 * An in-memory KvStoreApi, enough to test the etcd wire layer against etcdctl: one member, a
 * map-based MVCC with revisions and compaction, watches with history replay, leases that expire
 * on the wall clock, a member table, alarms, and a snapshot of its own (JSON) format.
 * Not the real store (raft/mvcc) and not a model of it: it follows etcd's rules where a test
 * can see them and takes shortcuts elsewhere.
 */
import type {
  AlarmMember,
  AlarmType,
  Compare,
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  Event,
  HashKVResponse,
  KeyValue,
  KvStoreApi,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseTimeToLiveResponse,
  Member,
  MemberChangeResponse,
  MemberListResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseHeader,
  ResponseOp,
  StatusResponse,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchHandle,
  WatchResponse,
} from '../../../raft/index.js';
import {
  DuplicateKeyError,
  EmptyKeyError,
  FutureRevisionError,
  KeyNotFoundError,
  LeaseExistsError,
  LeaseNotFoundError,
  LeaseTTLTooLargeError,
  MemberNotFoundError,
  MemberNotLearnerError,
  PeerURLExistsError,
  RevisionCompactedError,
  TooManyOpsError,
} from '../../../raft/index.js';

/** Below 2^53, as Flotilla keeps every id; above 2^32, so a 32-bit slip would show. */
export const FAKE_CLUSTER_ID = 0x1dbf4e9d3a2b5c;
export const FAKE_MEMBER_ID = 0x1e05c52164694d;
const FIRST_LEASE_ID = 0x1d4d77aa3c1b01;
const FIRST_NEW_MEMBER_ID = 0x12a3b4c5d6e7f0;
/** Store-side watch ids start here, far from the stream ids (0, 1, …) a client sees. */
const FIRST_STORE_WATCH_ID = 1000;
const MAX_TXN_OPS = 128;
const MAX_LEASE_TTL = 9_000_000_000;
const EMPTY = new Uint8Array(0);

export interface FakeStoreOptions {
  /** Answer a watcher's cancel() with a canceled response (default true). */
  readonly confirmCancel?: boolean;
  /** Interval of progress notifications to watchers that asked for them. Default 10 minutes, as etcd. */
  readonly progressNotifyIntervalMs?: number;
  readonly leaseCheckIntervalMs?: number;
  readonly snapshotChunkBytes?: number;
}

/** One version of a key; `kv` undefined is a deletion (tombstone). */
interface KeyRecord {
  readonly modRevision: number;
  readonly kv: KeyValue | undefined;
}

interface FakeWatcher {
  readonly id: number;
  readonly key: Uint8Array;
  readonly rangeEnd: Uint8Array;
  readonly filters: readonly string[];
  readonly prevKv: boolean;
  readonly send: (resp: WatchResponse) => void;
  timer: NodeJS.Timeout | undefined;
  sentSinceTick: boolean;
}

interface FakeLease {
  readonly id: number;
  readonly grantedTTL: number;
  expiresAtMs: number;
  readonly keys: Set<string>;
}

/** Writes of one request (or txn): they share a revision, assigned at the first write. */
interface WriteBatch {
  readonly rev: number;
  readonly events: Event[];
}

export class FakeKvStore implements KvStoreApi {
  revision = 1;
  compactRevision = 0;
  readonly raftTerm = 2;
  /** The deadline of the last call that took one, to check the wire passes the client's through. */
  lastDeadlineMs: number | undefined;
  members: Member[] = [{ ID: FAKE_MEMBER_ID, name: 'fake', peerURLs: ['http://127.0.0.1:2380'], clientURLs: [], isLearner: false }];
  alarms: AlarmMember[] = [];

  private readonly history = new Map<string, KeyRecord[]>();
  private readonly eventLog: { readonly revision: number; readonly events: readonly Event[] }[] = [];
  private readonly watchers = new Map<number, FakeWatcher>();
  private readonly leases = new Map<number, FakeLease>();
  private nextWatchId = FIRST_STORE_WATCH_ID;
  private nextLeaseId = FIRST_LEASE_ID;
  private nextMemberId = FIRST_NEW_MEMBER_ID;
  private readonly leaseTimer: NodeJS.Timeout;

  constructor(private readonly opts: FakeStoreOptions = {}) {
    this.leaseTimer = setInterval(() => this.expireLeases(), opts.leaseCheckIntervalMs ?? 250);
    this.leaseTimer.unref();
  }

  /** Stops the timers (lease expiry, progress notifications). */
  close(): void {
    clearInterval(this.leaseTimer);
    for (const w of this.watchers.values()) clearInterval(w.timer);
    this.watchers.clear();
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  header(): ResponseHeader {
    return { clusterId: FAKE_CLUSTER_ID, memberId: FAKE_MEMBER_ID, revision: this.revision, raftTerm: this.raftTerm };
  }

  // ---- KV ----

  range(req: RangeRequest, deadlineMs: number): Promise<RangeResponse> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => this.rangeAt(req, this.revision));
  }

  put(req: PutRequest, deadlineMs: number): Promise<PutResponse> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => this.write((batch) => this.putIn(batch, req)));
  }

  deleteRange(req: DeleteRangeRequest, deadlineMs: number): Promise<DeleteRangeResponse> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => this.write((batch) => this.deleteIn(batch, req)));
  }

  txn(req: TxnRequest, deadlineMs: number): Promise<TxnResponse> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => {
      checkTxn(req);
      return this.write((batch) => this.txnIn(batch, req));
    });
  }

  compact(req: CompactionRequest, deadlineMs: number): Promise<CompactionResponse> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => {
      if (req.revision <= this.compactRevision) throw new RevisionCompactedError();
      if (req.revision > this.revision) throw new FutureRevisionError();
      this.compactRevision = req.revision;
      for (const [key, records] of this.history) {
        const lastOld = records.findLastIndex((r) => r.modRevision <= req.revision);
        const kept = records.slice(Math.max(0, lastOld));
        if (kept[0] && kept[0].modRevision <= req.revision && !kept[0].kv) kept.shift();
        if (kept.length === 0) this.history.delete(key);
        else this.history.set(key, kept);
      }
      while (this.eventLog[0] && this.eventLog[0].revision < req.revision) this.eventLog.shift();
      return { header: this.header() };
    });
  }

  // ---- Watch ----

  watch(req: WatchCreateRequest, send: (resp: WatchResponse) => void): WatchHandle {
    const id = this.nextWatchId++;
    const start = req.startRevision ?? 0;
    send({ header: this.header(), watchId: id, created: true, events: [] });
    const handle: WatchHandle = {
      watchId: id,
      cancel: () => {
        const w = this.watchers.get(id);
        if (!w) return;
        clearInterval(w.timer);
        this.watchers.delete(id);
        if (this.opts.confirmCancel ?? true) send({ header: this.header(), watchId: id, canceled: true, events: [] });
      },
      requestProgress: () => {
        if (this.watchers.has(id)) send({ header: this.header(), watchId: id, events: [] });
      },
    };
    if (start > 0 && start < this.compactRevision) {
      send({ header: this.header(), watchId: id, canceled: true, compactRevision: this.compactRevision, cancelReason: 'mvcc: required revision has been compacted', events: [] });
      return handle;
    }
    const watcher: FakeWatcher = {
      id,
      key: req.key,
      rangeEnd: req.rangeEnd ?? EMPTY,
      filters: req.filters ?? [],
      prevKv: req.prevKv === true,
      send,
      timer: undefined,
      sentSinceTick: false,
    };
    this.watchers.set(id, watcher);
    if (start > 0) {
      for (const entry of this.eventLog) if (entry.revision >= start) this.notify(watcher, entry.events, entry.revision);
    }
    if (req.progressNotify) {
      watcher.timer = setInterval(() => {
        if (!watcher.sentSinceTick) send({ header: this.header(), watchId: id, events: [] });
        watcher.sentSinceTick = false;
      }, this.opts.progressNotifyIntervalMs ?? 600_000);
      watcher.timer.unref();
    }
    return handle;
  }

  // ---- Lease ----

  leaseGrant(req: LeaseGrantRequest, deadlineMs: number): Promise<LeaseGrantResponse> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => {
      if (req.TTL > MAX_LEASE_TTL) throw new LeaseTTLTooLargeError();
      let id = req.ID ?? 0;
      if (id === 0) {
        while (this.leases.has(this.nextLeaseId)) this.nextLeaseId++;
        id = this.nextLeaseId++;
      } else if (this.leases.has(id)) {
        throw new LeaseExistsError();
      }
      const ttl = Math.max(1, req.TTL);
      this.leases.set(id, { id, grantedTTL: ttl, expiresAtMs: Date.now() + ttl * 1000, keys: new Set() });
      return { header: this.header(), ID: id, TTL: ttl, error: '' };
    });
  }

  leaseRevoke(id: number, deadlineMs: number): Promise<{ header: ResponseHeader }> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => {
      if (!this.leases.has(id)) throw new LeaseNotFoundError();
      this.revoke(id);
      return { header: this.header() };
    });
  }

  leaseKeepAlive(id: number, deadlineMs: number): Promise<LeaseKeepAliveResponse> {
    this.lastDeadlineMs = deadlineMs;
    const lease = this.leases.get(id);
    if (!lease) return Promise.resolve({ header: this.header(), ID: id, TTL: 0 });
    lease.expiresAtMs = Date.now() + lease.grantedTTL * 1000;
    return Promise.resolve({ header: this.header(), ID: id, TTL: lease.grantedTTL });
  }

  leaseTimeToLive(id: number, keys: boolean, deadlineMs: number): Promise<LeaseTimeToLiveResponse> {
    this.lastDeadlineMs = deadlineMs;
    const lease = this.leases.get(id);
    if (!lease) return Promise.resolve({ header: this.header(), ID: id, TTL: -1, grantedTTL: 0, keys: [] });
    const remaining = Math.max(0, Math.ceil((lease.expiresAtMs - Date.now()) / 1000));
    const attached = keys ? [...lease.keys].sort().map((k) => Buffer.from(k, 'latin1')) : [];
    return Promise.resolve({ header: this.header(), ID: id, TTL: remaining, grantedTTL: lease.grantedTTL, keys: attached });
  }

  leaseLeases(deadlineMs: number): Promise<{ header: ResponseHeader; leases: { ID: number }[] }> {
    this.lastDeadlineMs = deadlineMs;
    return Promise.resolve({ header: this.header(), leases: [...this.leases.keys()].map((ID) => ({ ID })) });
  }

  // ---- Cluster ----

  memberList(_linearizable: boolean, deadlineMs: number): Promise<MemberListResponse> {
    this.lastDeadlineMs = deadlineMs;
    return Promise.resolve({ header: this.header(), members: this.members });
  }

  memberAdd(peerURLs: string[], isLearner: boolean, deadlineMs: number): Promise<MemberChangeResponse> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => {
      if (this.members.some((m) => m.peerURLs.some((u) => peerURLs.includes(u)))) throw new PeerURLExistsError();
      const member: Member = { ID: this.nextMemberId++, name: '', peerURLs, clientURLs: [], isLearner };
      this.members = [...this.members, member];
      return { header: this.header(), member, members: this.members };
    });
  }

  memberRemove(id: number, deadlineMs: number): Promise<MemberChangeResponse> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => {
      this.memberById(id);
      this.members = this.members.filter((m) => m.ID !== id);
      return { header: this.header(), members: this.members };
    });
  }

  memberUpdate(id: number, peerURLs: string[], deadlineMs: number): Promise<MemberChangeResponse> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => {
      this.memberById(id);
      this.members = this.members.map((m) => (m.ID === id ? { ...m, peerURLs } : m));
      return { header: this.header(), members: this.members };
    });
  }

  memberPromote(id: number, deadlineMs: number): Promise<MemberChangeResponse> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => {
      if (!this.memberById(id).isLearner) throw new MemberNotLearnerError();
      this.members = this.members.map((m) => (m.ID === id ? { ...m, isLearner: false } : m));
      return { header: this.header(), members: this.members };
    });
  }

  // ---- Maintenance ----

  status(): Promise<StatusResponse> {
    const dbSize = this.dbSize();
    return Promise.resolve({
      header: this.header(),
      version: '3.4.0',
      dbSize,
      leader: FAKE_MEMBER_ID,
      raftIndex: this.revision + 10,
      raftTerm: this.raftTerm,
      raftAppliedIndex: this.revision + 10,
      errors: this.alarms.map((a) => `memberID:${a.memberID} alarm:${a.alarm} `),
      dbSizeInUse: dbSize,
      isLearner: false,
    });
  }

  raiseAlarm(alarm: AlarmType): void {
    this.alarms = [...this.alarms, { memberID: FAKE_MEMBER_ID, alarm }];
  }

  alarmList(): Promise<{ header: ResponseHeader; alarms: AlarmMember[] }> {
    return Promise.resolve({ header: this.header(), alarms: this.alarms });
  }

  alarmDisarm(member: AlarmMember, deadlineMs: number): Promise<{ header: ResponseHeader; alarms: AlarmMember[] }> {
    this.lastDeadlineMs = deadlineMs;
    const matches = (a: AlarmMember): boolean => (member.memberID === 0 || a.memberID === member.memberID) && (member.alarm === 'NONE' || a.alarm === member.alarm);
    const disarmed = this.alarms.filter(matches);
    this.alarms = this.alarms.filter((a) => !matches(a));
    return Promise.resolve({ header: this.header(), alarms: disarmed });
  }

  defragment(): Promise<{ header: ResponseHeader }> {
    return Promise.resolve({ header: this.header() });
  }

  hashKV(revision: number): Promise<HashKVResponse> {
    return attempt(() => {
      const at = revision > 0 ? revision : this.revision;
      if (at > this.revision) throw new FutureRevisionError();
      if (at < this.compactRevision) throw new RevisionCompactedError();
      let hash = 0x811c9dc5;
      for (const kv of this.liveAt(at, new Uint8Array([0]), new Uint8Array([0]))) {
        for (const b of [...kv.key, ...kv.value, kv.modRevision & 0xff]) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
      }
      return { header: this.header(), hash, compactRevision: this.compactRevision };
    });
  }

  moveLeader(targetId: number, deadlineMs: number): Promise<{ header: ResponseHeader }> {
    this.lastDeadlineMs = deadlineMs;
    return attempt(() => {
      this.memberById(targetId);
      return { header: this.header() };
    });
  }

  /** The snapshot: every live key at the current revision, as JSON, in chunks. */
  snapshotBytes(): Uint8Array {
    const kvs = this.liveAt(this.revision, new Uint8Array([0]), new Uint8Array([0]));
    return Buffer.from(JSON.stringify({ revision: this.revision, kvs: kvs.map((kv) => ({ ...kv, key: Buffer.from(kv.key).toString('base64'), value: Buffer.from(kv.value).toString('base64') })) }));
  }

  async *snapshot(): AsyncIterable<{ header: ResponseHeader; remainingBytes: number; blob: Uint8Array }> {
    const bytes = this.snapshotBytes();
    const header = this.header();
    const chunk = this.opts.snapshotChunkBytes ?? 32 * 1024;
    for (let off = 0; off < bytes.length; off += chunk) {
      await Promise.resolve();
      const blob = bytes.subarray(off, off + chunk);
      yield { header, remainingBytes: bytes.length - off - blob.length, blob };
    }
  }

  // ---- internals ----

  private write<T>(apply: (batch: WriteBatch) => T): T {
    const batch: WriteBatch = { rev: this.revision + 1, events: [] };
    const result = apply(batch);
    if (batch.events.length > 0) {
      this.revision = batch.rev;
      this.eventLog.push({ revision: batch.rev, events: batch.events });
      for (const w of [...this.watchers.values()]) this.notify(w, batch.events, batch.rev);
    }
    return result;
  }

  /** The revision reads in a batch see: its own writes once it has made any. */
  private readRev(batch: WriteBatch): number {
    return batch.events.length > 0 ? batch.rev : this.revision;
  }

  private rangeAt(req: RangeRequest, currentRev: number): RangeResponse {
    if (req.key.length === 0) throw new EmptyKeyError();
    const rev = req.revision && req.revision > 0 ? req.revision : currentRev;
    if (rev > currentRev) throw new FutureRevisionError();
    if (rev < this.compactRevision) throw new RevisionCompactedError();
    const all = this.liveAt(rev, req.key, req.rangeEnd ?? EMPTY);
    let kvs = all.filter(
      (kv) =>
        (!req.minModRevision || kv.modRevision >= req.minModRevision) &&
        (!req.maxModRevision || kv.modRevision <= req.maxModRevision) &&
        (!req.minCreateRevision || kv.createRevision >= req.minCreateRevision) &&
        (!req.maxCreateRevision || kv.createRevision <= req.maxCreateRevision),
    );
    const target = req.sortTarget ?? 'KEY';
    const order = req.sortOrder === 'NONE' || req.sortOrder === undefined ? (target === 'KEY' ? 'NONE' : 'ASCEND') : req.sortOrder;
    if (order !== 'NONE') {
      const field = (kv: KeyValue): number | string =>
        target === 'KEY' ? latin1(kv.key) : target === 'VALUE' ? latin1(kv.value) : target === 'VERSION' ? kv.version : target === 'CREATE' ? kv.createRevision : kv.modRevision;
      kvs = [...kvs].sort((a, b) => {
        const x = field(a);
        const y = field(b);
        return (x < y ? -1 : x > y ? 1 : 0) * (order === 'DESCEND' ? -1 : 1);
      });
    }
    const limit = req.limit ?? 0;
    const more = limit > 0 && kvs.length > limit;
    if (more) kvs = kvs.slice(0, limit);
    if (req.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: EMPTY }));
    return { header: { ...this.header(), revision: currentRev }, kvs: req.countOnly ? [] : kvs, more: req.countOnly ? false : more, count: all.length };
  }

  private putIn(batch: WriteBatch, req: PutRequest): PutResponse {
    if (req.key.length === 0) throw new EmptyKeyError();
    const prev = this.current(req.key);
    if ((req.ignoreValue || req.ignoreLease) && !prev) throw new KeyNotFoundError();
    const lease = req.ignoreLease ? (prev?.lease ?? 0) : (req.lease ?? 0);
    if (lease !== 0 && !this.leases.has(lease)) throw new LeaseNotFoundError();
    const kv: KeyValue = {
      key: req.key,
      createRevision: prev ? prev.createRevision : batch.rev,
      modRevision: batch.rev,
      version: prev ? prev.version + 1 : 1,
      value: req.ignoreValue ? (prev?.value ?? EMPTY) : req.value,
      lease,
    };
    this.record(kv.key, { modRevision: batch.rev, kv });
    if (prev?.lease) this.leases.get(prev.lease)?.keys.delete(latin1(kv.key));
    if (lease) this.leases.get(lease)?.keys.add(latin1(kv.key));
    batch.events.push({ type: 'PUT', kv, ...(prev ? { prevKv: prev } : {}) });
    return { header: this.header(), ...(req.prevKv && prev ? { prevKv: prev } : {}) };
  }

  private deleteIn(batch: WriteBatch, req: DeleteRangeRequest): DeleteRangeResponse {
    if (req.key.length === 0) throw new EmptyKeyError();
    const doomed = this.liveAt(this.readRev(batch), req.key, req.rangeEnd ?? EMPTY);
    for (const prev of doomed) {
      this.record(prev.key, { modRevision: batch.rev, kv: undefined });
      if (prev.lease) this.leases.get(prev.lease)?.keys.delete(latin1(prev.key));
      const kv: KeyValue = { key: prev.key, createRevision: 0, modRevision: batch.rev, version: 0, value: EMPTY, lease: 0 };
      batch.events.push({ type: 'DELETE', kv, prevKv: prev });
    }
    return { header: this.header(), deleted: doomed.length, prevKvs: req.prevKv ? doomed : [] };
  }

  private txnIn(batch: WriteBatch, req: TxnRequest): TxnResponse {
    const succeeded = req.compare.every((c) => this.compare(c, this.readRev(batch)));
    const responses = (succeeded ? req.success : req.failure).map((op) => this.opIn(batch, op));
    return { header: { ...this.header(), revision: this.readRev(batch) }, succeeded, responses };
  }

  private opIn(batch: WriteBatch, op: RequestOp): ResponseOp {
    if (op.requestRange) return { responseRange: this.rangeAt(op.requestRange, this.readRev(batch)) };
    if (op.requestPut) return { responsePut: this.putIn(batch, op.requestPut) };
    if (op.requestDeleteRange) return { responseDeleteRange: this.deleteIn(batch, op.requestDeleteRange) };
    if (op.requestTxn) return { responseTxn: this.txnIn(batch, op.requestTxn) };
    throw new Error('empty RequestOp');
  }

  /** etcd's rule: a VALUE compare on a missing key fails; other targets compare against zero. */
  private compare(c: Compare, rev: number): boolean {
    const kvs = c.rangeEnd && c.rangeEnd.length > 0 ? this.liveAt(rev, c.key, c.rangeEnd) : [this.currentAt(c.key, rev)].filter((kv): kv is KeyValue => kv !== undefined);
    if (kvs.length === 0) {
      if (c.target === 'VALUE') return false;
      return compareTarget(c, { key: c.key, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0 });
    }
    return kvs.every((kv) => compareTarget(c, kv));
  }

  private notify(w: FakeWatcher, events: readonly Event[], rev: number): void {
    const matching = events
      .filter((e) => inRange(e.kv.key, w.key, w.rangeEnd))
      .filter((e) => !(e.type === 'PUT' && w.filters.includes('NOPUT')) && !(e.type === 'DELETE' && w.filters.includes('NODELETE')))
      .map((e): Event => (w.prevKv || !e.prevKv ? e : { type: e.type, kv: e.kv }));
    if (matching.length === 0) return;
    w.sentSinceTick = true;
    w.send({ header: { ...this.header(), revision: rev }, watchId: w.id, events: matching });
  }

  private revoke(id: number): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    this.leases.delete(id);
    const keys = [...lease.keys].sort();
    if (keys.length === 0) return;
    this.write((batch) => {
      for (const k of keys) this.deleteIn(batch, { key: Buffer.from(k, 'latin1') });
    });
  }

  private expireLeases(): void {
    const now = Date.now();
    for (const lease of [...this.leases.values()]) if (lease.expiresAtMs <= now) this.revoke(lease.id);
  }

  private memberById(id: number): Member {
    const member = this.members.find((m) => m.ID === id);
    if (!member) throw new MemberNotFoundError();
    return member;
  }

  private record(key: Uint8Array, rec: KeyRecord): void {
    const k = latin1(key);
    const records = this.history.get(k) ?? [];
    const last = records.at(-1);
    // Two writes of one key in one txn: the later replaces the earlier.
    if (last && last.modRevision === rec.modRevision) records[records.length - 1] = rec;
    else records.push(rec);
    this.history.set(k, records);
  }

  private current(key: Uint8Array): KeyValue | undefined {
    return this.currentAt(key, Number.MAX_SAFE_INTEGER);
  }

  private currentAt(key: Uint8Array, rev: number): KeyValue | undefined {
    return this.history.get(latin1(key))?.findLast((r) => r.modRevision <= rev)?.kv;
  }

  /** Live keys in the range at `rev`, in key order. */
  private liveAt(rev: number, key: Uint8Array, rangeEnd: Uint8Array): KeyValue[] {
    const out: KeyValue[] = [];
    for (const [k, records] of this.history) {
      const kv = records.findLast((r) => r.modRevision <= rev)?.kv;
      if (kv && inRange(Buffer.from(k, 'latin1'), key, rangeEnd)) out.push(kv);
    }
    return out.sort((a, b) => Buffer.compare(a.key, b.key));
  }

  private dbSize(): number {
    let bytes = 0;
    for (const [k, records] of this.history) for (const r of records) bytes += k.length + (r.kv?.value.length ?? 0) + 32;
    return bytes + 4096;
  }
}

/** Runs a synchronous store step as a promise: its value, or its thrown StoreError as a rejection. */
function attempt<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

function checkTxn(req: TxnRequest): void {
  if (req.compare.length > MAX_TXN_OPS || req.success.length > MAX_TXN_OPS || req.failure.length > MAX_TXN_OPS) throw new TooManyOpsError();
  for (const ops of [req.success, req.failure]) {
    const puts = new Set<string>();
    for (const op of ops) {
      if (!op.requestPut) continue;
      const k = latin1(op.requestPut.key);
      if (puts.has(k)) throw new DuplicateKeyError();
      puts.add(k);
    }
  }
}

function compareTarget(c: Compare, kv: KeyValue): boolean {
  let cmp: number;
  switch (c.target) {
    case 'VALUE':
      cmp = Buffer.compare(kv.value, c.value ?? EMPTY);
      break;
    case 'CREATE':
      cmp = Math.sign(kv.createRevision - (c.createRevision ?? 0));
      break;
    case 'MOD':
      cmp = Math.sign(kv.modRevision - (c.modRevision ?? 0));
      break;
    case 'LEASE':
      cmp = Math.sign(kv.lease - (c.lease ?? 0));
      break;
    default:
      cmp = Math.sign(kv.version - (c.version ?? 0));
  }
  switch (c.result) {
    case 'GREATER':
      return cmp > 0;
    case 'LESS':
      return cmp < 0;
    case 'NOT_EQUAL':
      return cmp !== 0;
    default:
      return cmp === 0;
  }
}

/** etcd's key ranges: empty end is the key alone, "\0" is every key from `key` on. */
function inRange(k: Uint8Array, key: Uint8Array, rangeEnd: Uint8Array): boolean {
  if (rangeEnd.length === 0) return Buffer.compare(k, key) === 0;
  if (Buffer.compare(k, key) < 0) return false;
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return true;
  return Buffer.compare(k, rangeEnd) < 0;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
