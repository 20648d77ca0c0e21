import type {
  CompactionRequest,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVResponse,
  Member,
  MvccStore,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchHandle,
  WatchResponse,
} from '../mvcc/index.js';
import { encodeSnapshotPayload } from './snapshot-payload.js';
import type { KvStateMachine } from './state-machine.js';

type NoHeader<T> = Omit<T, 'header'>;

function strip<T extends { header: unknown }>(r: T): NoHeader<T> {
  const { header: _h, ...rest } = r;
  return rest;
}

/** The member's view of the MVCC store (raft/mvcc): headers are the member's to fill in. */
export class MvccStateMachine implements KvStateMachine {
  /** Watch ids inside the store; the ids clients see belong to their gRPC streams. */
  private nextWatchId = 1;
  private lastDbSize = 0;

  constructor(readonly mvcc: MvccStore) {}

  /** The payload of a founding member's bootstrap snapshot: an empty store and the members. */
  static async bootstrapPayload(sm: MvccStateMachine, members: Member[]): Promise<Uint8Array> {
    return encodeSnapshotPayload({ sm: await sm.snapshot(), members });
  }

  consistentIndex(): number {
    return this.mvcc.consistentIndex();
  }

  appliedIndex(): number {
    return this.mvcc.consistentIndex();
  }

  revision(): number {
    return this.mvcc.revision;
  }

  compactRevision(): number {
    return this.mvcc.compactRevision;
  }

  applyPut(req: PutRequest, index: number): NoHeader<PutResponse> {
    return strip(this.mvcc.applyPut(req, index));
  }

  applyDeleteRange(req: DeleteRangeRequest, index: number): NoHeader<DeleteRangeResponse> {
    return strip(this.mvcc.applyDeleteRange(req, index));
  }

  applyTxn(req: TxnRequest, index: number): NoHeader<TxnResponse> | Promise<NoHeader<TxnResponse>> {
    const r = this.mvcc.applyTxn(req, index);
    return r instanceof Promise ? r.then(strip) : strip(r);
  }

  applyCompact(req: CompactionRequest, index: number): void {
    this.mvcc.applyCompact(req, index);
  }

  applyLeaseGrant(id: number, ttlSeconds: number, index: number): { ID: number; TTL: number } {
    const r = this.mvcc.applyLeaseGrant({ ID: id, TTL: ttlSeconds }, index);
    return { ID: r.ID, TTL: r.TTL };
  }

  applyLeaseRevoke(id: number, index: number): void {
    this.mvcc.applyLeaseRevoke(id, index);
  }

  applyNoop(index: number): void {
    this.mvcc.markApplied(index);
  }

  flush(opts: { sync?: boolean } = {}): Promise<void> {
    return this.mvcc.flush({ sync: opts.sync === true });
  }

  async range(req: RangeRequest): Promise<NoHeader<RangeResponse>> {
    return strip(await this.mvcc.range(req));
  }

  watch(req: WatchCreateRequest, send: (resp: NoHeader<WatchResponse>) => void): WatchHandle {
    return this.mvcc.watch(req, this.nextWatchId++, (resp: WatchResponse) => send(strip(resp)));
  }

  leaseRenew(id: number, nowMs: number): number {
    return this.mvcc.leases.renew(id, nowMs);
  }

  leaseExpired(nowMs: number): number[] {
    return this.mvcc.leases.expired(nowMs);
  }

  leasePromote(nowMs: number): void {
    this.mvcc.leases.promote(nowMs);
  }

  leaseDemote(): void {
    this.mvcc.leases.demote();
  }

  leaseTimeToLive(id: number, nowMs: number): { TTL: number; grantedTTL: number; keys: Uint8Array[] } | undefined {
    const r = this.mvcc.leaseTimeToLive(id, nowMs, true);
    return r.TTL === -1 ? undefined : { TTL: r.TTL, grantedTTL: r.grantedTTL, keys: r.keys };
  }

  leaseList(): number[] {
    return this.mvcc.leases.ids();
  }

  snapshot(): Promise<Uint8Array> {
    return this.mvcc.snapshot();
  }

  beginSnapshot(): { readonly consistentIndex: number; readonly data: Promise<Uint8Array> } {
    return this.mvcc.beginSnapshot();
  }

  restore(data: Uint8Array, index: number): Promise<void> {
    return this.mvcc.restore(data, index);
  }

  async hashKV(revision: number): Promise<NoHeader<HashKVResponse>> {
    return strip(await this.mvcc.hashKV(revision));
  }

  /** The last measured size; each call refreshes it in the background (the backend's estimate is async). */
  dbSize(): number {
    this.mvcc.dbSize().then(
      (n) => (this.lastDbSize = n),
      () => undefined,
    );
    return Math.max(this.lastDbSize, this.mvcc.dbSizeInUse());
  }
}
