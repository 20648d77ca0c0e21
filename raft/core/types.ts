/**
 * The vocabulary of the consensus core: entries, messages, hard state, snapshots and Ready.
 * Field names follow etcd's raftpb so that anyone who knows etcd/raft can read this code.
 */

/** A node id. 0 means "none" (no leader, no vote). */
export type NodeId = number;
export const NONE: NodeId = 0;

export type EntryType = 'normal' | 'conf-change';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** Opaque command bytes; for conf-change entries, an encoded ConfChange. Empty for the leader's no-op. */
  readonly data: Uint8Array;
}

/** Persistent state that must be on stable storage before any message that depends on it is sent. */
export interface HardState {
  readonly term: number;
  /** Who this node voted for in `term`; NONE if nobody. */
  readonly vote: NodeId;
  readonly commit: number;
}

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: NONE, commit: 0 });

export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export function isEmptyHardState(hs: HardState): boolean {
  return hardStateEqual(hs, EMPTY_HARD_STATE);
}

/** The membership: voters decide elections and commits; learners only receive the log. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMetadata {
  /** The last log index the snapshot covers. */
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** The state machine's image at `metadata.index`. */
  readonly data: Uint8Array;
}

export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  metadata: Object.freeze({ index: 0, term: 0, confState: Object.freeze({ voters: [], learners: [] }) }),
  data: new Uint8Array(0),
});

export function isEmptySnapshot(s: Snapshot | undefined): boolean {
  return s === undefined || s.metadata.index === 0;
}

/**
 * One piece of a snapshot in flight. The leader sends chunks one at a time; the follower acks
 * the number of bytes it holds contiguously (in `offset` of a MsgSnapResp), so lost, duplicated
 * or reordered chunks are simply resent from the acknowledged offset.
 */
export interface SnapshotChunk {
  readonly metadata: SnapshotMetadata;
  /** Byte offset of `data` within the whole snapshot (or, in MsgSnapResp, bytes received). */
  readonly offset: number;
  readonly totalBytes: number;
  readonly data: Uint8Array;
}

export type MessageType =
  // Local messages: never sent over the network.
  | 'MsgHup' // start an election
  | 'MsgBeat' // leader: send heartbeats
  | 'MsgCheckQuorum' // leader: check that a quorum is still active
  // Proposals, local or forwarded from a follower.
  | 'MsgProp'
  // Replication.
  | 'MsgApp'
  | 'MsgAppResp'
  | 'MsgSnap'
  | 'MsgSnapResp'
  | 'MsgHeartbeat'
  | 'MsgHeartbeatResp'
  // Elections.
  | 'MsgVote'
  | 'MsgVoteResp'
  | 'MsgPreVote'
  | 'MsgPreVoteResp'
  // Leadership transfer.
  | 'MsgTransferLeader'
  | 'MsgTimeoutNow'
  // Linearizable reads.
  | 'MsgReadIndex'
  | 'MsgReadIndexResp';

export interface Message {
  readonly type: MessageType;
  readonly to: NodeId;
  readonly from: NodeId;
  /** The sender's term; 0 for local messages and forwarded proposals and reads. */
  readonly term: number;
  /** MsgApp: term of the entry at `index` (the entry preceding `entries`). Vote: last log term. */
  readonly logTerm: number;
  /** MsgApp: index preceding `entries`. MsgAppResp: the index acknowledged or rejected. Vote: last log index. */
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  /** MsgSnap: a chunk of the snapshot. MsgSnapResp: metadata and the bytes received so far in `offset`. */
  readonly snapshot?: SnapshotChunk;
  readonly reject: boolean;
  /** MsgAppResp rejection: the follower's hint for the leader's next probe index. */
  readonly rejectHint: number;
  /** MsgReadIndex/Heartbeat: the read request's context; MsgVote: 'transfer' when forced by a leadership transfer. */
  readonly context?: string;
}

/** Every message field with its zero value, so builders only name what differs. */
export const MESSAGE_DEFAULTS = Object.freeze({
  term: 0,
  logTerm: 0,
  index: 0,
  entries: Object.freeze([]) as readonly Entry[],
  commit: 0,
  reject: false,
  rejectHint: 0,
});

export function message(fields: Pick<Message, 'type' | 'to' | 'from'> & Partial<Message>): Message {
  return { ...MESSAGE_DEFAULTS, ...fields };
}

/** Context marking a vote request as forced by a leadership transfer (bypasses leases and PreVote). */
export const CAMPAIGN_TRANSFER = 'transfer';

export type StateType = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Volatile state that the application may want to observe (not persisted). */
export interface SoftState {
  readonly lead: NodeId;
  readonly state: StateType;
}

/**
 * The answer to a ReadIndex request: once the application has applied up to `index`, a read
 * served from its state machine is linearizable with respect to the request.
 */
export interface ReadState {
  readonly index: number;
  readonly requestCtx: string;
}

/**
 * What the caller must do, in this order: persist `hardState`, `entries` and `snapshot` (one
 * synced write when `mustSync`); then send `messages`; then apply `snapshot` and
 * `committedEntries` to the state machine; then call `advance(ready)`.
 */
export interface Ready {
  readonly softState?: SoftState;
  readonly hardState?: HardState;
  readonly readStates: readonly ReadState[];
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly mustSync: boolean;
}

export type ConfChangeType = 'add-voter' | 'add-learner' | 'remove';

/**
 * A single-member change. Changes are applied one at a time: the leader refuses a new one
 * while an earlier one is not yet applied (Raft thesis §4.1), and a new leader accepts none
 * until its own first entry is applied (the fix for the single-server change bug, raft-dev 2015).
 */
export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
  /** Opaque to the core: the application's description of the change (e.g. the member's URLs). */
  readonly context?: Uint8Array;
}
