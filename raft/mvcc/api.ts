import type {
  AlarmMember,
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVResponse,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseTimeToLiveResponse,
  MemberChangeResponse,
  MemberListResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseHeader,
  StatusResponse,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchResponse,
} from './types.js';

/** One watcher's stream of responses. */
export interface WatchHandle {
  readonly watchId: number;
  cancel(): void;
  /** Asks for a progress notification (WatchProgressRequest). */
  requestProgress(): void;
}

/**
 * What a store member serves: etcd's v3 API, one method per RPC. The gRPC layer (transport/etcd)
 * calls this and nothing else; the member implements it by proposing through Raft (writes),
 * ReadIndex then a local read (linearizable reads), or a local read (serializable).
 * Every method rejects with a StoreError subclass on failure; `deadlineMs` bounds the wait.
 */
export interface KvStoreApi {
  range(req: RangeRequest, deadlineMs: number): Promise<RangeResponse>;
  put(req: PutRequest, deadlineMs: number): Promise<PutResponse>;
  deleteRange(req: DeleteRangeRequest, deadlineMs: number): Promise<DeleteRangeResponse>;
  txn(req: TxnRequest, deadlineMs: number): Promise<TxnResponse>;
  compact(req: CompactionRequest, deadlineMs: number): Promise<CompactionResponse>;

  /**
   * Creates a watcher; `send` receives its created response, events (batched per response) and
   * its cancellation. Rejects (or sends canceled with compactRevision) per etcd's rules.
   */
  watch(req: WatchCreateRequest, send: (resp: WatchResponse) => void): WatchHandle;

  leaseGrant(req: LeaseGrantRequest, deadlineMs: number): Promise<LeaseGrantResponse>;
  leaseRevoke(id: number, deadlineMs: number): Promise<{ header: ResponseHeader }>;
  leaseKeepAlive(id: number, deadlineMs: number): Promise<LeaseKeepAliveResponse>;
  leaseTimeToLive(id: number, keys: boolean, deadlineMs: number): Promise<LeaseTimeToLiveResponse>;
  leaseLeases(deadlineMs: number): Promise<{ header: ResponseHeader; leases: { ID: number }[] }>;

  memberList(linearizable: boolean, deadlineMs: number): Promise<MemberListResponse>;
  memberAdd(peerURLs: string[], isLearner: boolean, deadlineMs: number): Promise<MemberChangeResponse>;
  memberRemove(id: number, deadlineMs: number): Promise<MemberChangeResponse>;
  memberUpdate(id: number, peerURLs: string[], deadlineMs: number): Promise<MemberChangeResponse>;
  memberPromote(id: number, deadlineMs: number): Promise<MemberChangeResponse>;

  status(): Promise<StatusResponse>;
  alarmList(): Promise<{ header: ResponseHeader; alarms: AlarmMember[] }>;
  alarmDisarm(member: AlarmMember, deadlineMs: number): Promise<{ header: ResponseHeader; alarms: AlarmMember[] }>;
  defragment(): Promise<{ header: ResponseHeader }>;
  hashKV(revision: number): Promise<HashKVResponse>;
  moveLeader(targetId: number, deadlineMs: number): Promise<{ header: ResponseHeader }>;
  /** A consistent copy of the state machine, streamed in chunks (etcdctl snapshot save). */
  snapshot(): AsyncIterable<{ header: ResponseHeader; remainingBytes: number; blob: Uint8Array }>;
}
