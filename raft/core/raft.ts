import type { Random } from '../../core/index.js';
import { assert } from '../../core/index.js';
import { applyChange, decodeConfChange, validateChange } from './confchange.js';
import { CompactedError, NotLeaderError, ProposalDroppedError } from './errors.js';
import { RaftLog } from './log.js';
import type { Progress } from './progress.js';
import { ReadOnly } from './readonly.js';
import type { Storage } from './storage.js';
import { ProgressTracker } from './tracker.js';
import type { ConfChange, ConfState, Entry, HardState, Message, MessageType, NodeId, ReadState, Snapshot, SoftState, StateType } from './types.js';
import { CAMPAIGN_TRANSFER, isEmptyHardState, message, NONE } from './types.js';

/** Receives the core's notable transitions (elections, step-downs, snapshots). Optional. */
export interface RaftLogger {
  info(msg: string): void;
}

export interface RaftConfig {
  readonly id: NodeId;
  /** Ticks a follower waits without hearing from a leader before it campaigns (randomized in [n, 2n)). */
  readonly electionTick: number;
  /** Ticks between leader heartbeats. Must be < electionTick. */
  readonly heartbeatTick: number;
  readonly storage: Storage;
  /** Source for randomized election timeouts; seeded in tests and the simulator. */
  readonly random: Random;
  /**
   * The last index the application has applied; entries up to it are not handed out again.
   * The configuration is taken from storage.initialState(), i.e. as of the snapshot: set
   * `applied` beyond the snapshot only if no conf change lies between the two, or those
   * changes are lost. Restarting from the snapshot index and skipping entries the state
   * machine already holds (as the store member does) is always safe.
   */
  readonly applied?: number;
  /** Byte budget of entries in one MsgApp (batching). Default 1 MiB. */
  readonly maxSizePerMsg?: number;
  /** Byte budget of committed entries in one Ready. Default 64 MiB. */
  readonly maxCommittedSizePerReady?: number;
  /** Cap on the leader's uncommitted entry bytes; proposals beyond it fail fast. Default 64 MiB. */
  readonly maxUncommittedEntriesSize?: number;
  /** Max in-flight MsgApps per follower in replicate state. Default 256. */
  readonly maxInflightMsgs?: number;
  /** Max in-flight MsgApp payload bytes per follower; 0 means no byte limit. Default 0. */
  readonly maxInflightBytes?: number;
  /** Leader steps down when it has not heard from a quorum for an election timeout; followers honour leases. */
  readonly checkQuorum?: boolean;
  /** Campaign in a pre-election first, so a partitioned member cannot disrupt the cluster on rejoin. */
  readonly preVote?: boolean;
  /** Refuse proposals on followers with NotLeaderError instead of forwarding them to the leader. */
  readonly disableProposalForwarding?: boolean;
  /** Size of one snapshot chunk. Default 1 MiB. */
  readonly snapshotChunkBytes?: number;
  /** Bound on queued ReadIndex requests at the leader. Default 4096. */
  readonly maxPendingReadIndex?: number;
  readonly logger?: RaftLogger;
}

/** A snapshot being received chunk by chunk. */
interface IncomingSnapshot {
  readonly metadata: Snapshot['metadata'];
  readonly totalBytes: number;
  readonly chunks: Uint8Array[];
  received: number;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly hardState: HardState;
  readonly softState: SoftState;
  readonly applied: number;
  readonly lastIndex: number;
  readonly leadTransferee: NodeId;
  readonly config: ConfState;
  /** Replication progress per member; only on the leader. */
  readonly progress?: ReadonlyMap<NodeId, { match: number; next: number; state: string; recentActive: boolean; isLearner: boolean }>;
}

const LOCAL_TYPES: ReadonlySet<MessageType> = new Set(['MsgHup', 'MsgBeat', 'MsgCheckQuorum']);
const RESPONSE_TYPES: ReadonlySet<MessageType> = new Set([
  'MsgAppResp',
  'MsgVoteResp',
  'MsgPreVoteResp',
  'MsgHeartbeatResp',
  'MsgSnapResp',
  'MsgReadIndexResp',
]);

export function isLocalMessage(t: MessageType): boolean {
  return LOCAL_TYPES.has(t);
}

export function isResponseMessage(t: MessageType): boolean {
  return RESPONSE_TYPES.has(t);
}

type CampaignType = 'pre-election' | 'election' | 'transfer';

function payloadSize(ents: readonly Entry[]): number {
  let s = 0;
  for (const e of ents) s += e.data.length;
  return s;
}

/**
 * The Raft consensus algorithm as a pure state machine (Ongaro's thesis; etcd/raft's design).
 * Driven by step() and tick(); outputs accumulate in `msgs`, `readStates` and the log, and are
 * drained by RawNode into a Ready.
 *
 * Invariants (asserted): at most one vote per term; commit never decreases; a leader never
 * overwrites its own log; committed entries are never truncated.
 */
export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  state: StateType = 'follower';
  readonly raftLog: RaftLog;
  readonly trk: ProgressTracker;
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** The member being made leader by a transfer in progress, or NONE. */
  leadTransferee: NodeId = NONE;
  /**
   * Index of the latest conf-change entry (or, right after election, of the leader's first
   * entry). A new change is refused until the log is applied up to it: one change at a time.
   */
  pendingConfIndex = 0;
  /** Payload bytes of entries appended by this leader and not yet committed-and-handed-out. */
  uncommittedSize = 0;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private readonly readOnly: ReadOnly;
  /** ReadIndex requests that arrived before this leader committed an entry of its term. */
  private pendingReadIndexMessages: Message[] = [];
  private incomingSnapshot: IncomingSnapshot | undefined;

  readonly electionTimeout: number;
  readonly heartbeatTimeout: number;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  private readonly maxMsgSize: number;
  private readonly maxUncommittedSize: number;
  private readonly disableProposalForwarding: boolean;
  private readonly snapshotChunkBytes: number;
  private readonly random: Random;
  private readonly logger: RaftLogger | undefined;

  constructor(c: RaftConfig) {
    assert(c.id !== NONE, 'cannot use 0 as a node id');
    assert(c.heartbeatTick > 0 && c.electionTick > c.heartbeatTick, 'electionTick must be greater than heartbeatTick > 0');
    this.id = c.id;
    this.electionTimeout = c.electionTick;
    this.heartbeatTimeout = c.heartbeatTick;
    this.checkQuorum = c.checkQuorum ?? false;
    this.preVote = c.preVote ?? false;
    this.maxMsgSize = c.maxSizePerMsg ?? 1024 * 1024;
    this.maxUncommittedSize = c.maxUncommittedEntriesSize ?? 64 * 1024 * 1024;
    this.disableProposalForwarding = c.disableProposalForwarding ?? false;
    this.snapshotChunkBytes = c.snapshotChunkBytes ?? 1024 * 1024;
    this.random = c.random;
    this.logger = c.logger;
    this.readOnly = new ReadOnly(c.maxPendingReadIndex ?? 4096);
    this.raftLog = new RaftLog(c.storage, c.maxCommittedSizePerReady ?? 64 * 1024 * 1024);
    this.trk = new ProgressTracker(c.maxInflightMsgs ?? 256, c.maxInflightBytes ?? 0);

    const { hardState, confState } = c.storage.initialState();
    this.trk.applyConfState(confState, this.raftLog.lastIndex() + 1);
    if (!isEmptyHardState(hardState)) this.loadState(hardState);
    if (c.applied !== undefined && c.applied > 0) this.raftLog.appliedTo(c.applied);
    this.becomeFollower(this.term, NONE);
  }

  private log(msg: string): void {
    this.logger?.info(`${this.id} ${msg}`);
  }

  softState(): SoftState {
    return { lead: this.lead, state: this.state };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  private loadState(hs: HardState): void {
    assert(
      hs.commit >= this.raftLog.committed && hs.commit <= this.raftLog.lastIndex(),
      () => `${this.id} state.commit ${hs.commit} is out of range [${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`,
    );
    this.raftLog.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  // ---- Sending ----

  /** Queues a message, stamping the current term except where the sender must set it itself. */
  private send(m: Message): void {
    const t = m.type;
    if (t === 'MsgVote' || t === 'MsgVoteResp' || t === 'MsgPreVote' || t === 'MsgPreVoteResp') {
      // Vote messages carry the term the vote is for, not necessarily ours.
      assert(m.term !== 0, () => `term should be set when sending ${t}`);
      this.msgs.push(m);
      return;
    }
    assert(m.term === 0, () => `term should not be set when sending ${t} (was ${m.term})`);
    // Proposals and reads forwarded to the leader are not part of a term.
    this.msgs.push(t === 'MsgProp' || t === 'MsgReadIndex' ? m : { ...m, term: this.term });
  }

  /**
   * Sends entries (or a snapshot, when the follower needs compacted entries) to `to`, unless
   * flow control pauses it. With sendIfEmpty=false, sends nothing when there are no new entries.
   * Returns whether a message was sent.
   */
  private maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.trk.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.raftLog.term(prevIndex);
    let ents: Entry[] | undefined;
    if (prevIndex >= this.raftLog.firstIndex() - 1) {
      try {
        // A throttled follower (full window) gets only an empty MsgApp: it makes progress
        // even if every in-flight message was lost, since its ack or rejection clears the window.
        ents = pr.state === 'replicate' && pr.inflights.full() ? [] : this.raftLog.entriesFrom(pr.next, this.maxMsgSize);
      } catch (err) {
        if (!(err instanceof CompactedError)) throw err;
      }
    }
    if (ents === undefined) return this.startSnapshot(to, pr);
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.send(message({ type: 'MsgApp', to, from: this.id, index: prevIndex, logTerm: prevTerm, entries: ents, commit: this.raftLog.committed }));
    if (ents.length > 0) pr.sentEntries(ents[ents.length - 1]!.index, payloadSize(ents));
    else pr.msgAppFlowPaused = pr.state === 'probe' || pr.inflights.full();
    return true;
  }

  private sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  private startSnapshot(to: NodeId, pr: Progress): boolean {
    // A follower that is not responding would not read it: wait until it is heard from.
    if (!pr.recentActive) return false;
    const snap = this.raftLog.snapshot();
    assert(snap.metadata.index > 0, 'need a non-empty snapshot to catch up a follower');
    this.log(`[firstindex: ${this.raftLog.firstIndex()}, commit: ${this.raftLog.committed}] sent snapshot[index: ${snap.metadata.index}, term: ${snap.metadata.term}] to ${to} [${pr.describe()}]`);
    pr.becomeSnapshot(snap);
    this.sendSnapshotChunk(to, pr);
    return true;
  }

  private sendSnapshotChunk(to: NodeId, pr: Progress): void {
    const snap = pr.pendingSnapshot;
    assert(snap !== undefined, 'snapshot state without a pending snapshot');
    const total = snap.data.length;
    const offset = pr.snapshotAcked;
    const data = snap.data.subarray(offset, Math.min(total, offset + this.snapshotChunkBytes));
    this.send(message({ type: 'MsgSnap', to, from: this.id, snapshot: { metadata: snap.metadata, offset, totalBytes: total, data } }));
    pr.snapshotChunkInFlight = true;
  }

  private sendHeartbeat(to: NodeId, ctx: string | undefined): void {
    const pr = this.trk.progress.get(to)!;
    // Never tell a follower to commit beyond what it is known to hold: it may not have it.
    const commit = Math.min(pr.match, this.raftLog.committed);
    this.send(message({ type: 'MsgHeartbeat', to, from: this.id, commit, ...(ctx !== undefined ? { context: ctx } : {}) }));
  }

  private bcastAppend(): void {
    for (const id of this.trk.memberIds()) if (id !== this.id) this.sendAppend(id);
  }

  private bcastHeartbeat(ctx = this.readOnly.lastPendingRequestCtx()): void {
    for (const id of this.trk.memberIds()) if (id !== this.id) this.sendHeartbeat(id, ctx);
  }

  // ---- Commit and append ----

  private maybeCommit(): boolean {
    return this.raftLog.maybeCommit(this.trk.committed(), this.term);
  }

  private committedEntryInCurrentTerm(): boolean {
    return this.raftLog.term(this.raftLog.committed) === this.term;
  }

  /** Appends entries as leader; false when the uncommitted-bytes cap refuses them. */
  private appendEntry(data: readonly Pick<Entry, 'type' | 'data'>[]): boolean {
    const li = this.raftLog.lastIndex();
    const ents: Entry[] = new Array<Entry>(data.length);
    for (let i = 0; i < data.length; i++) {
      const d = data[i]!;
      ents[i] = { term: this.term, index: li + 1 + i, type: d.type, data: d.data };
    }
    if (!this.increaseUncommittedSize(ents)) return false;
    const last = this.raftLog.append(ents);
    // The Ready contract (persist before send and apply) lets the leader count itself now.
    this.trk.progress.get(this.id)?.maybeUpdate(last);
    this.maybeCommit();
    return true;
  }

  private increaseUncommittedSize(ents: readonly Entry[]): boolean {
    const s = payloadSize(ents);
    // Always admit one proposal into an empty pipeline, however large, so nothing starves.
    if (this.uncommittedSize > 0 && s > 0 && this.uncommittedSize + s > this.maxUncommittedSize) return false;
    this.uncommittedSize += s;
    return true;
  }

  reduceUncommittedSize(ents: readonly Entry[]): void {
    if (this.uncommittedSize === 0) return; // Followers' committed entries count nothing.
    this.uncommittedSize = Math.max(0, this.uncommittedSize - payloadSize(ents));
  }

  // ---- Role transitions ----

  private reset(term: number): void {
    if (this.term !== term) {
      assert(term > this.term, () => `term must not go backwards: ${this.term} -> ${term}`);
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTimeout + this.random.int(this.electionTimeout);
    this.leadTransferee = NONE;
    this.trk.resetVotes();
    const last = this.raftLog.lastIndex();
    for (const [id, pr] of this.trk.progress) {
      const fresh = this.trk.newProgress(last + 1, pr.isLearner);
      if (id === this.id) fresh.match = last;
      this.trk.progress.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly.reset();
    this.pendingReadIndexMessages = [];
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    if (this.state !== 'follower' || term !== 0) this.log(`became follower at term ${this.term}`);
    this.state = 'follower';
  }

  private becomePreCandidate(): void {
    assert(this.state !== 'leader', 'invalid transition [leader -> pre-candidate]');
    // A pre-election changes neither term nor vote: a partitioned member cannot inflate terms.
    this.trk.resetVotes();
    this.lead = NONE;
    this.state = 'pre-candidate';
    this.log(`became pre-candidate at term ${this.term}`);
  }

  private becomeCandidate(): void {
    assert(this.state !== 'leader', 'invalid transition [leader -> candidate]');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.state = 'candidate';
    this.log(`became candidate at term ${this.term}`);
  }

  private becomeLeader(): void {
    assert(this.state !== 'follower', 'invalid transition [follower -> leader]');
    this.reset(this.term);
    this.lead = this.id;
    this.state = 'leader';
    const self = this.trk.progress.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // The no-op entry of §8: committing it commits everything before it (Figure 8 rule), and
    // no conf change is accepted until it is applied (the single-server change bug fix).
    this.pendingConfIndex = this.raftLog.lastIndex() + 1;
    const ok = this.appendEntry([{ type: 'normal', data: new Uint8Array(0) }]);
    assert(ok, 'empty entry was dropped');
    this.log(`became leader at term ${this.term}`);
  }

  /** Whether this member may campaign: a voter in its own configuration, not installing a snapshot. */
  promotable(): boolean {
    const pr = this.trk.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && this.raftLog.unstable.snapshot === undefined;
  }

  private hup(t: CampaignType): void {
    if (this.state === 'leader') return;
    if (!this.promotable()) {
      this.log('is unpromotable and can not campaign');
      return;
    }
    if (this.hasUnappliedConfChanges()) {
      this.log('cannot campaign: there are unapplied configuration changes');
      return;
    }
    this.log(`is starting a new election at term ${this.term}`);
    this.campaign(t);
  }

  private hasUnappliedConfChanges(): boolean {
    const { applied, committed } = this.raftLog;
    if (applied >= committed) return false;
    let lo = applied + 1;
    const hi = committed + 1;
    while (lo < hi) {
      const ents = this.raftLog.slice(lo, hi, this.maxMsgSize);
      if (ents.length === 0) break;
      for (const e of ents) if (e.type === 'conf-change') return true;
      lo = ents[ents.length - 1]!.index + 1;
    }
    return false;
  }

  private campaign(t: CampaignType): void {
    let voteType: MessageType;
    let term: number;
    if (t === 'pre-election') {
      this.becomePreCandidate();
      voteType = 'MsgPreVote';
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = 'MsgVote';
      term = this.term;
    }
    if (this.poll(this.id, true) === 'won') {
      // A single-voter cluster wins at once.
      if (t === 'pre-election') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    const lastIndex = this.raftLog.lastIndex();
    const lastTerm = this.raftLog.lastTerm();
    for (const id of [...this.trk.voters].sort((a, b) => a - b)) {
      if (id === this.id) continue;
      this.log(`[logterm: ${lastTerm}, index: ${lastIndex}] sent ${voteType} request to ${id} at term ${term}`);
      this.send(
        message({ type: voteType, to: id, from: this.id, term, logTerm: lastTerm, index: lastIndex, ...(t === 'transfer' ? { context: CAMPAIGN_TRANSFER } : {}) }),
      );
    }
  }

  private poll(id: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
    this.trk.recordVote(id, granted);
    return this.trk.tallyVotes().result;
  }

  // ---- Ticks ----

  tick(): void {
    if (this.state === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(message({ type: 'MsgHup', to: this.id, from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.step(message({ type: 'MsgCheckQuorum', to: this.id, from: this.id }));
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.state === 'leader' && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.state !== 'leader') return;
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.step(message({ type: 'MsgBeat', to: this.id, from: this.id }));
    }
  }

  private abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---- Step ----

  /**
   * Processes one message. Throws NotLeaderError or ProposalDroppedError for proposals and reads
   * that cannot be accepted; every other message is absorbed.
   */
  step(m: Message): void {
    if (m.term === 0) {
      // Local message, or a forwarded proposal or read.
    } else if (m.term > this.term) {
      if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
        const force = m.context === CAMPAIGN_TRANSFER;
        const inLease = this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTimeout;
        if (!force && inLease) {
          // §4.2.3: a member that heard from a leader within the minimum election timeout
          // ignores vote requests, so a removed or partitioned member cannot disrupt it.
          this.log(`[logterm: ${this.raftLog.lastTerm()}, index: ${this.raftLog.lastIndex()}, vote: ${this.vote}] ignored ${m.type} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}: lease is not expired`);
          return;
        }
      }
      if (m.type === 'MsgPreVote') {
        // Never change our term in response to a PreVote.
      } else if (m.type === 'MsgPreVoteResp' && !m.reject) {
        // A granted PreVote carries the future term we would campaign at; it is not a new term.
      } else {
        this.log(`received a ${m.type} message with higher term from ${m.from} [term: ${m.term}]`);
        const fromLeader = m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap';
        this.becomeFollower(m.term, fromLeader ? m.from : NONE);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'MsgHeartbeat' || m.type === 'MsgApp')) {
        // A stale leader (e.g. isolated, now rejoining) learns of the new term and steps down;
        // without this it could never hear a higher term, since we ignore its vote requests.
        this.send(message({ type: 'MsgAppResp', to: m.from, from: this.id }));
      } else if (m.type === 'MsgPreVote') {
        this.send(message({ type: 'MsgPreVoteResp', to: m.from, from: this.id, term: this.term, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case 'MsgHup':
        this.hup(this.preVote ? 'pre-election' : 'election');
        return;
      case 'MsgVote':
      case 'MsgPreVote':
        this.handleVoteRequest(m);
        return;
      default:
        break;
    }
    switch (this.state) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'pre-candidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  private handleVoteRequest(m: Message): void {
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === 'MsgPreVote' && m.term > this.term);
    const respType: MessageType = m.type === 'MsgVote' ? 'MsgVoteResp' : 'MsgPreVoteResp';
    if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
      this.log(`[logterm: ${this.raftLog.lastTerm()}, index: ${this.raftLog.lastIndex()}, vote: ${this.vote}] cast ${m.type} for ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`);
      // The reply carries the request's term: for a PreVote that is the future term.
      this.send(message({ type: respType, to: m.from, from: this.id, term: m.term }));
      if (m.type === 'MsgVote') {
        assert(this.vote === NONE || this.vote === m.from, () => `${this.id} voting twice in term ${this.term}`);
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.log(`[logterm: ${this.raftLog.lastTerm()}, index: ${this.raftLog.lastIndex()}, vote: ${this.vote}] rejected ${m.type} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`);
      this.send(message({ type: respType, to: m.from, from: this.id, term: this.term, reject: true }));
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'MsgBeat':
        this.bcastHeartbeat();
        return;
      case 'MsgCheckQuorum':
        if (!this.trk.quorumActive(this.id)) {
          this.log('stepped down to follower since quorum is not active');
          this.becomeFollower(this.term, NONE);
        }
        for (const [id, pr] of this.trk.progress) if (id !== this.id) pr.recentActive = false;
        return;
      case 'MsgProp':
        this.leaderPropose(m);
        return;
      case 'MsgReadIndex':
        this.leaderReadIndex(m);
        return;
      default:
        break;
    }

    const pr = this.trk.progress.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case 'MsgAppResp':
        this.handleAppendResponse(m, pr);
        break;
      case 'MsgHeartbeatResp':
        this.handleHeartbeatResponse(m, pr);
        break;
      case 'MsgSnapResp':
        this.handleSnapshotChunkResponse(m, pr);
        break;
      case 'MsgTransferLeader':
        this.handleTransferLeader(m, pr);
        break;
      default:
        break;
    }
  }

  private leaderPropose(m: Message): void {
    assert(m.entries.length > 0, 'stepped empty MsgProp');
    if (!this.trk.progress.has(this.id)) throw new ProposalDroppedError('removed');
    if (this.leadTransferee !== NONE) throw new ProposalDroppedError('transferring', `transfer to ${this.leadTransferee} in progress`);
    let cs = this.trk.confState();
    for (let i = 0; i < m.entries.length; i++) {
      const e = m.entries[i]!;
      if (e.type !== 'conf-change') continue;
      if (this.pendingConfIndex > this.raftLog.applied) {
        throw new ProposalDroppedError('conf-change-pending', `pending index ${this.pendingConfIndex} > applied ${this.raftLog.applied}`);
      }
      const cc = decodeConfChange(e.data);
      validateChange(cs, cc);
      cs = applyChange(cs, cc);
      this.pendingConfIndex = this.raftLog.lastIndex() + i + 1;
    }
    if (!this.appendEntry(m.entries)) throw new ProposalDroppedError('uncommitted-cap', `${this.uncommittedSize} bytes uncommitted`);
    this.bcastAppend();
  }

  private leaderReadIndex(m: Message): void {
    if (this.trk.isSingleton()) {
      this.respondToReadIndex(m, this.raftLog.committed);
      return;
    }
    // §6.4: the leader must know the latest commit index, which it does only once it has
    // committed an entry of its own term. Until then, requests wait.
    if (!this.committedEntryInCurrentTerm()) {
      if (this.pendingReadIndexMessages.length >= this.readOnly.maxPending) throw new ProposalDroppedError('uncommitted-cap', 'too many pending reads');
      this.pendingReadIndexMessages.push(m);
      return;
    }
    this.startReadIndex(m);
  }

  private startReadIndex(m: Message): void {
    if (this.readOnly.full()) throw new ProposalDroppedError('uncommitted-cap', 'too many pending reads');
    const ctx = m.context ?? '';
    this.readOnly.add(this.raftLog.committed, m);
    this.readOnly.recvAck(this.id, ctx);
    this.bcastHeartbeat(ctx);
  }

  private respondToReadIndex(req: Message, index: number): void {
    const ctx = req.context ?? '';
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index, requestCtx: ctx });
    } else {
      this.send(message({ type: 'MsgReadIndexResp', to: req.from, from: this.id, index, context: ctx }));
    }
  }

  private releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const msgs = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of msgs) {
      try {
        this.startReadIndex(m);
      } catch (err) {
        if (!(err instanceof ProposalDroppedError)) throw err;
      }
    }
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      this.log(`received MsgAppResp(rejected, hint: (index ${m.rejectHint}, term ${m.logTerm})) from ${m.from} for index ${m.index}`);
      let nextProbeIdx = m.rejectHint;
      if (m.logTerm > 0) {
        // Skip every entry of a term the follower does not have at once (§5.3's optimization).
        nextProbeIdx = this.raftLog.findConflictByTerm(m.rejectHint, m.logTerm).index;
      }
      if (pr.maybeDecrTo(m.index, nextProbeIdx)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const oldPaused = pr.isPaused();
    if (!(pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe'))) return;
    if (pr.state === 'probe') {
      pr.becomeReplicate();
    } else if (pr.state === 'snapshot') {
      pr.becomeProbe();
      if (pr.match + 1 >= this.raftLog.firstIndex()) pr.becomeReplicate();
    } else {
      pr.inflights.freeLE(m.index);
    }
    if (this.maybeCommit()) {
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    } else if (oldPaused) {
      this.sendAppend(m.from);
    }
    // Fill the pipeline: the window may have room for several messages now.
    while (this.maybeSendAppend(m.from, false)) {
      /* keep sending */
    }
    if (m.from === this.leadTransferee && pr.match === this.raftLog.lastIndex()) {
      this.log(`sent MsgTimeoutNow to ${m.from} after received MsgAppResp`);
      this.send(message({ type: 'MsgTimeoutNow', to: m.from, from: this.id }));
    }
  }

  private handleHeartbeatResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    pr.msgAppFlowPaused = false;
    if (pr.state === 'snapshot') {
      // The heartbeat interval is the retransmission timer of a lost snapshot chunk.
      if (pr.snapshotChunkInFlight) this.sendSnapshotChunk(m.from, pr);
    } else if (pr.match < this.raftLog.lastIndex() || pr.state === 'probe') {
      this.sendAppend(m.from);
    }
    if (m.context === undefined) return;
    const acks = this.readOnly.recvAck(m.from, m.context);
    if (!acks) return;
    const votes = new Map<NodeId, boolean>();
    for (const id of acks) votes.set(id, true);
    if (this.trk.tallyVotesFor(votes) !== 'won') return;
    for (const rs of this.readOnly.advance(m.context)) this.respondToReadIndex(rs.req, rs.index);
  }

  private handleSnapshotChunkResponse(m: Message, pr: Progress): void {
    const chunk = m.snapshot;
    pr.recentActive = true;
    if (pr.state !== 'snapshot' || !chunk || !pr.pendingSnapshot || chunk.metadata.index !== pr.pendingSnapshot.metadata.index) return;
    if (m.reject) {
      pr.becomeProbe();
      this.sendAppend(m.from);
      return;
    }
    // The follower's byte count is the truth. An advance sends the next chunk at once; a lower
    // count (the follower restarted, or lost its buffer) rewinds, and the heartbeat-driven
    // retransmission resends from there. Duplicate acks send nothing, so the network cannot
    // multiply chunks.
    if (chunk.offset > pr.snapshotAcked) {
      pr.snapshotAcked = chunk.offset;
      pr.snapshotChunkInFlight = false;
      if (pr.snapshotAcked < pr.pendingSnapshot.data.length) this.sendSnapshotChunk(m.from, pr);
    } else if (chunk.offset < pr.snapshotAcked) {
      pr.snapshotAcked = chunk.offset;
    }
  }

  private handleTransferLeader(m: Message, pr: Progress): void {
    const transferee = m.from;
    if (pr.isLearner) {
      this.log(`is a learner; ignored transferring leadership to ${transferee}`);
      return;
    }
    if (this.leadTransferee !== NONE) {
      if (this.leadTransferee === transferee) return;
      this.abortLeaderTransfer();
    }
    if (transferee === this.id) return;
    this.log(`[term ${this.term}] starts to transfer leadership to ${transferee}`);
    // The transfer must finish within an election timeout.
    this.electionElapsed = 0;
    this.leadTransferee = transferee;
    if (pr.match === this.raftLog.lastIndex()) {
      this.log(`sends MsgTimeoutNow to ${transferee} immediately as ${transferee} already has up-to-date log`);
      this.send(message({ type: 'MsgTimeoutNow', to: transferee, from: this.id }));
    } else {
      this.sendAppend(transferee);
    }
  }

  private stepCandidate(m: Message): void {
    const myVoteResp: MessageType = this.state === 'pre-candidate' ? 'MsgPreVoteResp' : 'MsgVoteResp';
    switch (m.type) {
      case 'MsgProp':
      case 'MsgReadIndex':
        throw new NotLeaderError(NONE, this.id);
      case 'MsgApp':
        this.becomeFollower(m.term, m.from);
        this.handleAppendEntries(m);
        return;
      case 'MsgHeartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case 'MsgSnap':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshotChunk(m);
        return;
      case 'MsgTimeoutNow':
        return;
      default:
        break;
    }
    if (m.type !== myVoteResp) return;
    const result = this.poll(m.from, !m.reject);
    const { granted, rejected } = this.trk.tallyVotes();
    this.log(`has received ${granted} ${m.type} votes and ${rejected} vote rejections`);
    if (result === 'won' && !this.promotable()) {
      // Removed or demoted while campaigning: never lead a configuration it is not a voter of.
      this.becomeFollower(this.term, NONE);
    } else if (result === 'won') {
      if (this.state === 'pre-candidate') {
        this.campaign('election');
      } else {
        this.becomeLeader();
        this.bcastAppend();
      }
    } else if (result === 'lost') {
      // A lost pre-election leaves the term alone; a lost election stays in the new term.
      this.becomeFollower(this.term, NONE);
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'MsgProp':
        if (this.lead === NONE || this.disableProposalForwarding) throw new NotLeaderError(this.lead, this.id);
        this.send({ ...m, to: this.lead });
        return;
      case 'MsgApp':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppendEntries(m);
        return;
      case 'MsgHeartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case 'MsgSnap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshotChunk(m);
        return;
      case 'MsgTransferLeader':
        if (this.lead === NONE) {
          this.log(`no leader at term ${this.term}; dropping leader transfer msg`);
          return;
        }
        this.send({ ...m, to: this.lead });
        return;
      case 'MsgTimeoutNow':
        this.log(`[term ${this.term}] received MsgTimeoutNow from ${m.from} and starts an election to get leadership`);
        // A transfer skips PreVote: the leader asked for it, there is no partition to guard against.
        if (this.state !== 'follower' || !this.promotable()) return;
        this.campaign('transfer');
        return;
      case 'MsgReadIndex':
        if (this.lead === NONE) throw new NotLeaderError(NONE, this.id);
        this.send({ ...m, to: this.lead });
        return;
      case 'MsgReadIndexResp':
        this.readStates.push({ index: m.index, requestCtx: m.context ?? '' });
        return;
      default:
        return;
    }
  }

  // ---- Follower handlers ----

  private handleAppendEntries(m: Message): void {
    if (m.index < this.raftLog.committed) {
      this.send(message({ type: 'MsgAppResp', to: m.from, from: this.id, index: this.raftLog.committed }));
      return;
    }
    const mlast = this.raftLog.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (mlast !== undefined) {
      this.send(message({ type: 'MsgAppResp', to: m.from, from: this.id, index: mlast }));
      return;
    }
    // Reject with a hint: the last index at which our log might agree with the leader's,
    // namely the largest index whose term is <= m.logTerm.
    const hintIndex = Math.min(m.index, this.raftLog.lastIndex());
    const hint = this.raftLog.findConflictByTerm(hintIndex, m.logTerm);
    this.log(`[logterm: ${this.raftLog.term(m.index)}, index: ${m.index}] rejected MsgApp [logterm: ${m.logTerm}, index: ${m.index}] from ${m.from}`);
    this.send(message({ type: 'MsgAppResp', to: m.from, from: this.id, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }));
  }

  private handleHeartbeat(m: Message): void {
    this.raftLog.commitTo(m.commit);
    this.send(message({ type: 'MsgHeartbeatResp', to: m.from, from: this.id, ...(m.context !== undefined ? { context: m.context } : {}) }));
  }

  private handleSnapshotChunk(m: Message): void {
    const chunk = m.snapshot;
    assert(chunk !== undefined, 'MsgSnap without a snapshot chunk');
    const meta = chunk.metadata;
    if (meta.index <= this.raftLog.committed) {
      // We already have everything it holds: tell the leader where we are instead.
      this.incomingSnapshot = undefined;
      this.send(message({ type: 'MsgAppResp', to: m.from, from: this.id, index: this.raftLog.committed }));
      return;
    }
    let inc = this.incomingSnapshot;
    if (chunk.offset === 0 && (!inc || inc.metadata.index !== meta.index || inc.metadata.term !== meta.term)) {
      inc = this.incomingSnapshot = { metadata: meta, totalBytes: chunk.totalBytes, chunks: [], received: 0 };
    }
    if (!inc || inc.metadata.index !== meta.index || inc.metadata.term !== meta.term) {
      // A chunk of a snapshot we have not seen the start of: ask for it from the beginning.
      this.send(message({ type: 'MsgSnapResp', to: m.from, from: this.id, snapshot: { ...chunk, offset: 0, data: new Uint8Array(0) } }));
      return;
    }
    if (chunk.offset === inc.received) {
      inc.chunks.push(chunk.data);
      inc.received += chunk.data.length;
    }
    if (inc.received < inc.totalBytes) {
      this.send(message({ type: 'MsgSnapResp', to: m.from, from: this.id, snapshot: { metadata: meta, offset: inc.received, totalBytes: inc.totalBytes, data: new Uint8Array(0) } }));
      return;
    }
    this.incomingSnapshot = undefined;
    const data = new Uint8Array(inc.totalBytes);
    let off = 0;
    for (const c of inc.chunks) {
      data.set(c, off);
      off += c.length;
    }
    const snap: Snapshot = { metadata: meta, data };
    if (this.restore(snap)) {
      this.log(`[commit: ${this.raftLog.committed}] restored snapshot [index: ${meta.index}, term: ${meta.term}]`);
      this.send(message({ type: 'MsgAppResp', to: m.from, from: this.id, index: this.raftLog.lastIndex() }));
    } else {
      this.log(`[commit: ${this.raftLog.committed}] ignored snapshot [index: ${meta.index}, term: ${meta.term}]`);
      this.send(message({ type: 'MsgAppResp', to: m.from, from: this.id, index: this.raftLog.committed }));
    }
  }

  /** Installs a snapshot as this follower's log; false when it brings nothing new. */
  private restore(s: Snapshot): boolean {
    if (s.metadata.index <= this.raftLog.committed) return false;
    if (this.state !== 'follower') {
      // Only a leader of our term could have sent it, so we must be a follower; be defensive.
      this.becomeFollower(this.term + 1, NONE);
      return false;
    }
    if (this.raftLog.matchTerm(s.metadata.index, s.metadata.term)) {
      // Our log already contains it: just fast-forward the commit index.
      this.raftLog.commitTo(s.metadata.index);
      return false;
    }
    this.raftLog.restore(s);
    this.trk.applyConfState(s.metadata.confState, this.raftLog.lastIndex() + 1);
    for (const [id, pr] of this.trk.progress) {
      if (id === this.id) pr.match = this.raftLog.lastIndex();
    }
    return true;
  }

  // ---- Membership ----

  /** Applies a committed conf-change entry's change; the application calls this when applying it. */
  applyConfChange(cc: ConfChange): ConfState {
    const cs = applyChange(this.trk.confState(), cc);
    this.trk.applyConfState(cs, this.raftLog.lastIndex() + 1);
    const self = this.trk.progress.get(this.id);
    if (this.state !== 'follower' && (!self || self.isLearner)) {
      // A removed or demoted leader steps down, and so does a candidate: it would otherwise win
      // with the new voters' votes and lead a cluster it is not in. The voters elect another.
      this.log('stepped down: removed from the voters');
      this.becomeFollower(this.term, NONE);
      return cs;
    }
    if (this.state === 'leader') {
      // The quorum changed: entries may now be committed, and new members need the log. A new
      // member's progress starts past the last entry, so only an empty probe reaches it now.
      if (this.maybeCommit()) this.bcastAppend();
      else for (const id of this.trk.memberIds()) if (id !== this.id) this.maybeSendAppend(id, id === cc.nodeId);
      if (this.leadTransferee !== NONE && !this.trk.voters.has(this.leadTransferee)) this.abortLeaderTransfer();
    }
    this.log(`switched to configuration voters=(${cs.voters.join(' ')}) learners=(${cs.learners.join(' ')})`);
    return cs;
  }

  // ---- Ready bookkeeping (called by RawNode) ----

  appliedTo(index: number): void {
    this.raftLog.appliedTo(index);
  }

  appliedSnapshot(index: number): void {
    if (index > this.raftLog.applied) this.raftLog.applied = index;
  }

  status(): RaftStatus {
    const base = {
      id: this.id,
      hardState: this.hardState(),
      softState: this.softState(),
      applied: this.raftLog.applied,
      lastIndex: this.raftLog.lastIndex(),
      leadTransferee: this.leadTransferee,
      config: this.trk.confState(),
    };
    if (this.state !== 'leader') return base;
    const progress = new Map<NodeId, { match: number; next: number; state: string; recentActive: boolean; isLearner: boolean }>();
    for (const id of this.trk.memberIds()) {
      const pr = this.trk.progress.get(id)!;
      progress.set(id, { match: pr.match, next: pr.next, state: pr.state, recentActive: pr.recentActive, isLearner: pr.isLearner });
    }
    return { ...base, progress };
  }
}
