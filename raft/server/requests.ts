import { Packr } from 'msgpackr';
import type { CompactionRequest, DeleteRangeRequest, Member, PutRequest, TxnRequest } from '../mvcc/index.js';

/**
 * A write replicated through the Raft log. Every member applies it to its state machine in log
 * order; the member that proposed it (`from`) answers the waiting client with request `id`.
 */
export type ReplicatedRequest =
  | { readonly op: 'put'; readonly req: PutRequest }
  | { readonly op: 'deleteRange'; readonly req: DeleteRangeRequest }
  | { readonly op: 'txn'; readonly req: TxnRequest }
  | { readonly op: 'compact'; readonly req: CompactionRequest }
  | { readonly op: 'leaseGrant'; readonly id: number; readonly ttl: number }
  | { readonly op: 'leaseRevoke'; readonly id: number }
  /** A follower's keep-alive, carried to the leader (which alone tracks expiry) through the log. */
  | { readonly op: 'leaseRenew'; readonly id: number }
  | { readonly op: 'alarm'; readonly action: 'activate' | 'deactivate'; readonly memberId: number; readonly alarm: 'NOSPACE' | 'CORRUPT' }
  | { readonly op: 'memberUpdate'; readonly memberId: number; readonly peerURLs: string[] }
  /** A member announcing its name and client URLs after it starts (etcd's publish). */
  | { readonly op: 'memberAttributes'; readonly memberId: number; readonly name: string; readonly clientURLs: string[] };

export interface Envelope {
  readonly id: string;
  readonly from: number;
  readonly r: ReplicatedRequest;
}

/** The context of a conf-change entry: the member being added or changed. */
export interface ConfChangeContext {
  readonly id: string;
  readonly from: number;
  readonly member?: Member;
}

const packr = new Packr({ useRecords: false, moreTypes: false });

/**
 * The entry's data stays in the Raft log's memory until the log is compacted (up to
 * --snapshot-count entries), so it gets memory of its own: msgpackr returns a view of its shared
 * buffer, which also holds the peer frames packed since, and each kept view would pin all of it.
 */
export function encodeEnvelope(e: Envelope): Uint8Array {
  return new Uint8Array(packr.pack(e));
}

export function decodeEnvelope(data: Uint8Array): Envelope {
  return packr.unpack(data) as Envelope;
}

export function encodeContext(c: ConfChangeContext): Uint8Array {
  return packr.pack(c);
}

export function decodeContext(data: Uint8Array): ConfChangeContext {
  return packr.unpack(data) as ConfChangeContext;
}
