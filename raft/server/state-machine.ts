import type {
  CompactionRequest,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchResponse,
} from '../mvcc/index.js';
import type { WatchHandle } from '../mvcc/index.js';

type NoHeader<T> = Omit<T, 'header'>;

/**
 * What the store member needs from its replicated state machine (the MVCC store on LevelDB).
 * Apply methods are synchronous and deterministic: same entries in, same state and results out
 * on every member. They throw StoreError subclasses for requests that fail as a whole (a failed
 * request still consumes its log index). Lease expiry bookkeeping is leader-local and clocked by
 * the caller.
 */
export interface KvStateMachine {
  /** Raft index of the last applied entry whose effects are durable (survive a crash). */
  consistentIndex(): number;
  /** Raft index of the last applied entry (durable or not). */
  appliedIndex(): number;
  revision(): number;
  compactRevision(): number;

  applyPut(req: PutRequest, index: number): NoHeader<PutResponse>;
  applyDeleteRange(req: DeleteRangeRequest, index: number): NoHeader<DeleteRangeResponse>;
  /** The state change is complete on return; the response is a promise only when the txn reads past revisions. */
  applyTxn(req: TxnRequest, index: number): NoHeader<TxnResponse> | Promise<NoHeader<TxnResponse>>;
  applyCompact(req: CompactionRequest, index: number): void;
  applyLeaseGrant(id: number, ttlSeconds: number, index: number): { ID: number; TTL: number };
  applyLeaseRevoke(id: number, index: number): void;
  /** Records that `index` was applied with no effect on the key-value state. */
  applyNoop(index: number): void;
  /**
   * Makes everything applied so far durable (one backend write including consistentIndex);
   * `sync` also forces it to disk, as needed before Raft's log is compacted past it.
   */
  flush(opts?: { sync?: boolean }): Promise<void>;

  range(req: RangeRequest): Promise<NoHeader<RangeResponse>>;
  watch(req: WatchCreateRequest, send: (resp: NoHeader<WatchResponse>) => void): WatchHandle;

  /** Leader-only lease clock: refreshes a lease, returning its TTL (throws LeaseNotFoundError). */
  leaseRenew(id: number, nowMs: number): number;
  /** Leases whose TTL ran out by nowMs (the leader proposes their revocation). */
  leaseExpired(nowMs: number): number[];
  /** A new leader gives every lease a fresh TTL rather than expiring them at once. */
  leasePromote(nowMs: number): void;
  /** This member stopped leading: it no longer tracks expiry. */
  leaseDemote(): void;
  leaseTimeToLive(id: number, nowMs: number): { TTL: number; grantedTTL: number; keys: Uint8Array[] } | undefined;
  leaseList(): number[];

  snapshot(): Promise<Uint8Array>;
  /**
   * Captures the state synchronously, as of the last apply (`consistentIndex`), and encodes it
   * in the background while applies go on. Not while a restore runs.
   */
  beginSnapshot(): { readonly consistentIndex: number; readonly data: Promise<Uint8Array> };
  restore(data: Uint8Array, index: number): Promise<void>;
  hashKV(revision: number): Promise<NoHeader<HashKVResponse>>;
  dbSize(): number;
}
