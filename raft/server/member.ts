import { AssertionError } from '../../core/index.js';
import type { Random } from '../../core/index.js';
import { decodeConfChange } from '../core/index.js';
import { NotLeaderError, ProposalDroppedError } from '../core/index.js';
import { RawNode } from '../core/index.js';
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, Ready, StateType } from '../core/index.js';
import { message, NONE } from '../core/index.js';
import type { Member, ResponseHeader } from '../mvcc/index.js';
import { LeaseNotFoundError, MemberNotFoundError, NoLeaderError, NoSpaceError, RequestTimeoutError, StoppedError, StoreError, TooManyRequestsError } from '../mvcc/index.js';
import type { DurableStorage } from '../storage/contract.js';
import type { Clock, TimerHandle } from './clock.js';
import type { MemberTable } from './members.js';
import type { ConfChangeContext, Envelope, ReplicatedRequest } from './requests.js';
import { decodeContext, decodeEnvelope, encodeContext, encodeEnvelope } from './requests.js';
import type { SnapshotPayload } from './snapshot-payload.js';
import { decodeSnapshotPayload, encodeSnapshotPayloadSliced } from './snapshot-payload.js';
import type { KvStateMachine } from './state-machine.js';
import type { RaftTransport } from './transport.js';
import { WaitRegistry } from './wait.js';

/** A proposal held during a leadership transfer: this member's own (with its waiter's id) or a follower's. */
type HeldProposal = { readonly kind: 'local'; readonly id: string; readonly data: Uint8Array } | { readonly kind: 'peer'; readonly message: Message };
/** Proposals held at most during one transfer; beyond, they are dropped as raft would. */
const MAX_HELD_PROPOSALS = 10_000;

export interface MemberLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Observers of the member's work, for metrics (all optional). */
export interface MemberObserver {
  leaderChanged?(leader: NodeId): void;
  proposalsCommitted?(n: number): void;
  proposalsApplied?(n: number): void;
  proposalFailed?(): void;
  walFsyncSeconds?(s: number): void;
  backendCommitSeconds?(s: number): void;
}

export interface StoreMemberConfig {
  readonly id: NodeId;
  readonly name: string;
  readonly clusterId: number;
  readonly storage: DurableStorage;
  readonly sm: KvStateMachine;
  readonly transport: RaftTransport;
  readonly clock: Clock;
  readonly random: Random;
  readonly members: MemberTable;
  /** This member's client URLs, published to the member table once it has joined. */
  readonly clientURLs: readonly string[];
  /** Milliseconds per Raft tick. etcd: 100. */
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Applied entries between Raft snapshots (etcd's --snapshot-count). */
  readonly snapshotCount: number;
  /** Entries kept behind a snapshot so slightly lagging followers need no snapshot. */
  readonly snapshotCatchUpEntries: number;
  /** Bound on requests waiting for their entry or read (beyond it: TooManyRequestsError). */
  readonly maxPendingRequests: number;
  readonly logger: MemberLogger;
  readonly observer?: MemberObserver;
}

/** Interval between re-sent ReadIndex requests while the first is unanswered. */
const READ_INDEX_RETRY_MS = 500;
/** Longest an applied entry waits before the state machine's backend write (batching). */
const FLUSH_INTERVAL_MS = 20;
/** Applied entries that force a backend write at once. */
const FLUSH_MAX_ENTRIES = 2_000;
/** How often, and how many times, a failed member resends its alarm to the leader. */
const ALARM_FORWARD_INTERVAL_MS = 1_000;
const ALARM_FORWARD_TRIES = 10;
/** Log entries discarded per turn of the Ready loop after a snapshot. */
const COMPACT_SLICE_ENTRIES = 5_000;
/** Interval between lease expiry checks on the leader. */
const LEASE_CHECK_MS = 500;

/** An applied request's result and the store revision right after it (the response header's). */
export interface ApplyResult {
  readonly value: unknown;
  readonly revision: number;
}

/**
 * One member of the replicated store: owns a RawNode and drives it (etcd's raftNode +
 * EtcdServer apply loop). Ticks, peer messages and proposals feed the core; its Readys are
 * handled strictly in order: persist (one synced write; committed entries already on disk are
 * applied while it runs), then send, then apply the rest to the state machine, then advance.
 * Clients wait, with a deadline, for their entry to be applied here (writes, forwarded to the
 * leader by Raft when this member follows) or for a ReadIndex confirmation (linearizable reads).
 */
export class StoreMember {
  readonly id: NodeId;
  private raw!: RawNode;
  private readonly waits: WaitRegistry<ApplyResult>;
  private nextRequest = 0;
  private readonly requestPrefix: string;
  private timers: TimerHandle[] = [];
  private readyLoopRunning = false;
  private stopped = true;
  /** stop() was called: everything is released. */
  private closed = false;
  private flushChain: Promise<void> = Promise.resolve();
  private flushTimer: TimerHandle | undefined;
  private unflushedEntries = 0;
  private lastSnapshotIndex = 0;
  /**
   * Entries this member waits beyond snapshotCount before each snapshot, drawn once (up to a tenth
   * of it): members that apply the same log would otherwise all write their snapshot in the
   * same second, on a shared disk, and stall together.
   */
  private readonly snapshotJitter: number;
  /** The log is to be discarded through this index (compactSome), a slice per Ready loop turn. */
  private compactTarget = 0;
  /** A snapshot being read and encoded off the Ready loop, then its result for the loop to write. */
  private snapshotTaking: Promise<void> | undefined;
  private snapshotTaken: { index: number; confState: ConfState; payload: Uint8Array } | undefined;
  private confState: ConfState = { voters: [], learners: [] };
  private lead: NodeId = NONE;
  private state: StateType = 'follower';
  private term = 0;
  private commitIndex = 0;
  /** The hard state of the last resolved save: what survives a crash. */
  private persistedHardState: HardState | undefined;
  /** A newer hard state differing from the persisted one only in its commit index, not yet written. */
  private deferredHardState: HardState | undefined;
  /** Leases whose revocation this leader proposed and has not yet seen applied. */
  private readonly revoking = new Set<number>();
  /** Linearizable reads waiting for the next ReadIndex round, and the round in flight. */
  private readWaiters: { resolve(): void; reject(e: Error): void }[] = [];
  private readInFlight: { ctx: string; waiters: { resolve(): void; reject(e: Error): void }[]; timer: TimerHandle } | undefined;
  /** Reads confirmed at a read index, waiting for the state machine to apply it. */
  private readsAwaitingApply: { index: number; waiters: { resolve(): void; reject(e: Error): void }[] }[] = [];
  private leaderWaiters: (() => void)[] = [];
  /**
   * Proposals raft refused while leadership moves (see holdIfTransferring): this member's own, and
   * those followers forwarded. They are stepped again once a leader is known (on the next tick or
   * leader change): a follower then forwards them to the new leader, a leader whose transfer was
   * abandoned appends them. None was appended, so none is applied twice; without this a
   * forwarded one waited out its client's deadline.
   */
  private heldProposals: HeldProposal[] = [];
  /** This turn's proposals, stepped together by proposeQueued. */
  private queuedProposals: { readonly id: string; readonly data: Uint8Array }[] = [];
  private proposalsFlushScheduled = false;
  /** Alarms raised in this cluster (NOSPACE refuses writes everywhere). */
  readonly alarms = new Map<string, { memberID: number; alarm: 'NOSPACE' | 'CORRUPT' }>();
  /** Set when this member could not persist (disk full): it refuses every write. */
  private localFailure: StoreError | undefined;
  private removedHandler: (() => void) | undefined;
  private fatalHandler: (() => void) | undefined;
  /** An alarm this failed member still has to get replicated through a leader. */
  private pendingAlarm: { alarm: 'NOSPACE' | 'CORRUPT'; sent: number; lastSentMs: number } | undefined;

  constructor(private readonly c: StoreMemberConfig) {
    this.id = c.id;
    this.waits = new WaitRegistry(c.clock, c.maxPendingRequests, () => new RequestTimeoutError(), () => new TooManyRequestsError());
    // Request ids are unique across restarts of this member: a start-time prefix.
    this.requestPrefix = `${c.id.toString(36)}.${c.clock.now().toString(36)}.${c.random.int(1 << 30).toString(36)}`;
    this.snapshotJitter = c.random.int(Math.floor(c.snapshotCount / 10) + 1);
  }

  get members(): MemberTable {
    return this.c.members;
  }

  get leader(): NodeId {
    return this.lead;
  }

  get raftState(): StateType {
    return this.state;
  }

  get raftTerm(): number {
    return this.term;
  }

  get raftCommitIndex(): number {
    return this.commitIndex;
  }

  get raftAppliedIndex(): number {
    return this.c.sm.appliedIndex();
  }

  get isLearner(): boolean {
    return this.confState.learners.includes(this.id);
  }

  get config(): ConfState {
    return this.confState;
  }

  /** Called when this member applied its own removal: the process should stop serving. */
  onRemoved(handler: () => void): void {
    this.removedHandler = handler;
  }

  /** Called once when the member failed (see `failure`) and stopped its Raft loop. */
  onFatal(handler: () => void): void {
    this.fatalHandler = handler;
  }

  header(): ResponseHeader {
    return { clusterId: this.c.clusterId, memberId: this.id, revision: this.c.sm.revision(), raftTerm: this.term };
  }

  // ---- Lifecycle ----

  async start(): Promise<void> {
    const { storage, sm } = this.c;
    const snap = storage.snapshot();
    this.lastSnapshotIndex = snap.metadata.index;
    this.confState = snap.metadata.confState;
    // A state machine behind the Raft snapshot (e.g. wiped) restarts from the snapshot. One
    // ahead of it keeps its data, but the member table lives only in memory and the snapshot is
    // where it was last written whole: start from there, and the replay below (conf changes,
    // member attributes and updates) brings it up to date.
    if (snap.metadata.index > 0 && snap.data.length > 0) {
      if (sm.consistentIndex() < snap.metadata.index) await this.restoreSnapshot(snap.data, snap.metadata.index);
      else this.restoreClusterState(decodeSnapshotPayload(snap.data));
    }
    // Raft replays from the snapshot; entries the state machine already holds are skipped
    // (consistentIndex), while conf changes are re-applied so Raft's membership is rebuilt.
    this.raw = new RawNode({
      id: this.id,
      electionTick: this.c.electionTicks,
      heartbeatTick: this.c.heartbeatTicks,
      storage,
      random: this.c.random,
      applied: snap.metadata.index,
      checkQuorum: true,
      preVote: true,
      maxSizePerMsg: 1024 * 1024,
      maxInflightMsgs: 512,
      maxUncommittedEntriesSize: 1 << 30,
      snapshotChunkBytes: 1024 * 1024,
      logger: { info: (msg) => this.c.logger.info(msg, { component: 'raft' }) },
    });
    const hs = storage.initialState().hardState;
    this.term = hs.term;
    this.commitIndex = hs.commit;
    this.persistedHardState = hs;
    for (const m of this.c.members.list()) if (m.ID !== this.id && m.peerURLs[0]) this.c.transport.addPeer(m.ID, m.peerURLs[0]);
    this.c.transport.onReceive((msgs) => this.receive(msgs));
    this.c.transport.onUnreachable(() => undefined);
    this.stopped = false;
    await this.c.transport.start();
    this.timers.push(this.c.clock.setInterval(() => this.tick(), this.c.tickMs));
    this.timers.push(this.c.clock.setInterval(() => this.checkLeases(), LEASE_CHECK_MS));
    // A single-voter cluster elects itself at once instead of waiting an election timeout.
    if (this.confState.voters.length === 1 && this.confState.voters[0] === this.id) this.raw.campaign();
    this.kick();
    void this.publish();
  }

  /** Announces this member's name and client URLs through the log, retrying until it lands. */
  private async publish(): Promise<void> {
    const attrs = { op: 'memberAttributes' as const, memberId: this.id, name: this.c.name, clientURLs: [...this.c.clientURLs] };
    for (let attempt = 0; !this.stopped; attempt++) {
      const m = this.c.members.get(this.id);
      if (m && m.name === attrs.name && m.clientURLs.join(',') === attrs.clientURLs.join(',')) return;
      try {
        await this.propose(attrs, 5_000, { allowWhenAlarmed: true });
      } catch {
        await new Promise<void>((r) => this.c.clock.setTimeout(r, Math.min(5_000, 200 * 2 ** attempt)));
      }
    }
  }

  async stop(): Promise<void> {
    // Not `stopped`, which fail() sets too: a member that failed still has a transport to stop
    // (its open peer streams would otherwise keep the process's peer server from shutting down).
    if (this.closed) return;
    this.closed = true;
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    const err = new StoppedError();
    this.waits.failAll(err);
    this.failReads(err);
    for (const w of this.leaderWaiters.splice(0)) w();
    await this.c.transport.stop();
    // Let the Ready in progress finish its write before closing storage.
    while (this.readyLoopRunning) await new Promise((r) => setImmediate(r));
    await this.snapshotTaking;
    if (this.localFailure === undefined) await this.persistDeferredHardState().catch(() => undefined);
    await this.flushNow().catch(() => undefined);
  }

  // ---- Inputs ----

  private tick(): void {
    if (this.stopped) return;
    this.raw.tick();
    this.retryHeldProposals();
    this.kick();
  }

  /**
   * Holds a proposal raft refused while leadership moves: dropped by a leader handing over, or
   * refused by a member that knows no leader at the moment (the transferee campaigning); false
   * for any other refusal.
   */
  private holdIfTransferring(err: unknown, held: HeldProposal): boolean {
    const moving = (err instanceof ProposalDroppedError && err.reason === 'transferring') || (err instanceof NotLeaderError && err.leaderHint === NONE);
    if (!moving) return false;
    if (this.heldProposals.length >= MAX_HELD_PROPOSALS) return false;
    this.heldProposals.push(held);
    return true;
  }

  private retryHeldProposals(): void {
    if (this.heldProposals.length === 0 || this.stopped || this.lead === NONE) return;
    const held = this.heldProposals;
    this.heldProposals = [];
    for (const h of held) {
      try {
        if (h.kind === 'local') this.raw.propose(h.data);
        else this.raw.stepReportingRefusals(h.message);
      } catch (err) {
        if (this.holdIfTransferring(err, h)) continue;
        if (h.kind === 'local') this.waits.fail(h.id, this.mapProposeError(err));
        else this.c.logger.warn('dropped a peer message', { type: h.message.type, from: h.message.from, error: (err as Error).message });
      }
    }
  }

  private receive(msgs: Message[]): void {
    if (this.stopped) {
      if (this.pendingAlarm) this.forwardPendingAlarm(msgs);
      return;
    }
    for (const m of msgs) {
      try {
        // A refused forwarded proposal must reach the catch below to be held; step() would drop it.
        if (m.type === 'MsgProp') this.raw.stepReportingRefusals(m);
        else this.raw.step(m);
      } catch (err) {
        // A broken invariant stops the member, as etcd's raft panics: e.g. a leader committing
        // beyond this member's log, which lost entries it had acknowledged. Other errors (a
        // proposal the leader drops) only lose the message, but for a forwarded proposal held
        // while leadership moves.
        if (err instanceof AssertionError) {
          this.fail(err);
          return;
        }
        if (m.type === 'MsgProp' && this.holdIfTransferring(err, { kind: 'peer', message: m })) continue;
        this.c.logger.warn('dropped a peer message', { type: m.type, from: m.from, error: (err as Error).message });
      }
    }
    this.kick();
  }

  private newRequestId(): string {
    return `${this.requestPrefix}.${(this.nextRequest++).toString(36)}`;
  }

  /** Waits (up to the deadline) until some member is known to lead. */
  private async waitForLeader(deadlineMs: number): Promise<void> {
    if (this.lead !== NONE) return;
    await new Promise<void>((resolve, reject) => {
      const timer = this.c.clock.setTimeout(() => {
        this.leaderWaiters = this.leaderWaiters.filter((w) => w !== done);
        reject(new NoLeaderError());
      }, deadlineMs);
      const done = (): void => {
        timer.cancel();
        if (this.stopped) reject(new StoppedError());
        else resolve();
      };
      this.leaderWaiters.push(done);
    });
  }

  private checkWritable(): void {
    // The failure first: fail() stops the member too, and a full disk must be reported as NOSPACE.
    if (this.localFailure) throw this.localFailure;
    if (this.stopped) throw new StoppedError();
    for (const a of this.alarms.values()) if (a.alarm === 'NOSPACE') throw new NoSpaceError();
  }

  /**
   * Replicates a request and resolves with its result once this member applied it. Rejects with
   * the request's StoreError, NoLeaderError when no leader appears in time, or
   * RequestTimeoutError when the deadline passes first (the request may still be applied).
   */
  async propose(r: ReplicatedRequest, deadlineMs: number, opts: { allowWhenAlarmed?: boolean } = {}): Promise<ApplyResult> {
    if (!opts.allowWhenAlarmed) this.checkWritable();
    else if (this.stopped) throw new StoppedError();
    const started = this.c.clock.now();
    await this.waitForLeader(deadlineMs);
    const id = this.newRequestId();
    const result = this.waits.register(id, Math.max(1, deadlineMs - (this.c.clock.now() - started)));
    this.queuedProposals.push({ id, data: encodeEnvelope({ id, from: this.id, r }) });
    if (!this.proposalsFlushScheduled) {
      this.proposalsFlushScheduled = true;
      setImmediate(() => this.proposeQueued());
    }
    return result;
  }

  /**
   * Steps the proposals that arrived in one turn of the event loop as one MsgProp: one append,
   * one MsgApp per follower and one acknowledgement back for all of them, where proposing each
   * alone cost four Raft messages per request and split a burst over two disk writes (the first
   * request's, then the rest's). A batch the leader refuses for its size is proposed again one by
   * one, so that each request gets its own verdict, as etcd gives it.
   */
  private proposeQueued(): void {
    this.proposalsFlushScheduled = false;
    const batch = this.queuedProposals;
    this.queuedProposals = [];
    if (batch.length === 0 || this.stopped) return; // stop() failed their waiters
    try {
      this.raw.propose(batch.map((p) => p.data));
    } catch (err) {
      const tooBig = batch.length > 1 && err instanceof ProposalDroppedError && err.reason === 'uncommitted-cap';
      for (const p of batch) {
        let refusal = err;
        if (tooBig) {
          try {
            this.raw.propose(p.data);
            continue;
          } catch (e) {
            refusal = e;
          }
        }
        if (!this.holdIfTransferring(refusal, { kind: 'local', id: p.id, data: p.data })) this.waits.fail(p.id, this.mapProposeError(refusal));
      }
    }
    this.kick();
  }

  /** Proposes a membership change; resolves once applied here. */
  async proposeConfChange(cc: Omit<ConfChange, 'context'>, member: Member | undefined, deadlineMs: number): Promise<ApplyResult> {
    if (this.stopped) throw new StoppedError();
    const started = this.c.clock.now();
    await this.waitForLeader(deadlineMs);
    const id = this.newRequestId();
    const ctx: ConfChangeContext = member ? { id, from: this.id, member } : { id, from: this.id };
    const result = this.waits.register(id, Math.max(1, deadlineMs - (this.c.clock.now() - started)));
    this.proposeQueued(); // requests that came first go first
    try {
      this.raw.proposeConfChange({ ...cc, context: encodeContext(ctx) });
    } catch (err) {
      this.waits.fail(id, this.mapProposeError(err));
    }
    this.kick();
    return result;
  }

  private mapProposeError(err: unknown): Error {
    if (err instanceof NotLeaderError) return new NoLeaderError();
    if (err instanceof ProposalDroppedError) {
      // A conf change while another is pending, or a full pipeline: etcd answers "too many requests".
      return err.reason === 'conf-change-pending' ? new UnhealthyConfChangeError() : new TooManyRequestsError();
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  /**
   * Resolves once this member's state machine has applied everything committed before the
   * call, as confirmed by the leader with a quorum (ReadIndex, §6.4). Concurrent callers share
   * one ReadIndex round, as etcd's linearizable read loop does.
   */
  async readBarrier(deadlineMs: number): Promise<void> {
    if (this.stopped) throw new StoppedError();
    const p = new Promise<void>((resolve, reject) => {
      const timer = this.c.clock.setTimeout(() => {
        w.done = true;
        reject(new RequestTimeoutError());
      }, deadlineMs);
      const w = {
        done: false,
        resolve: () => {
          if (w.done) return;
          w.done = true;
          timer.cancel();
          resolve();
        },
        reject: (e: Error) => {
          if (w.done) return;
          w.done = true;
          timer.cancel();
          reject(e);
        },
      };
      this.readWaiters.push(w);
    });
    this.issueReadIndex();
    return p;
  }

  private issueReadIndex(): void {
    if (this.readInFlight || this.readWaiters.length === 0 || this.stopped) return;
    if (this.lead === NONE) {
      // Wait for a leader; the waiters' own deadlines bound the wait.
      this.leaderWaiters.push(() => this.issueReadIndex());
      return;
    }
    const ctx = this.newRequestId();
    const waiters = this.readWaiters;
    this.readWaiters = [];
    const timer = this.c.clock.setTimeout(() => {
      // Lost (e.g. the leader changed): retry with the same waiters in a new round.
      if (this.readInFlight?.ctx !== ctx) return;
      this.readInFlight = undefined;
      this.readWaiters = waiters.concat(this.readWaiters);
      this.issueReadIndex();
    }, READ_INDEX_RETRY_MS);
    this.readInFlight = { ctx, waiters, timer };
    try {
      this.raw.readIndex(ctx);
    } catch (err) {
      timer.cancel();
      this.readInFlight = undefined;
      this.readWaiters = waiters.concat(this.readWaiters);
      if (!(err instanceof NotLeaderError || err instanceof ProposalDroppedError)) throw err;
      this.leaderWaiters.push(() => this.issueReadIndex());
      return;
    }
    this.kick();
  }

  private failReads(err: Error): void {
    for (const w of this.readWaiters.splice(0)) w.reject(err);
    if (this.readInFlight) {
      this.readInFlight.timer.cancel();
      for (const w of this.readInFlight.waiters) w.reject(err);
      this.readInFlight = undefined;
    }
    for (const r of this.readsAwaitingApply.splice(0)) for (const w of r.waiters) w.reject(err);
  }

  /** Asks the leader to hand leadership to `target` (etcd MoveLeader); resolves when it did. */
  async transferLeadership(target: NodeId, deadlineMs: number): Promise<void> {
    if (this.state !== 'leader') throw new NotLeaderStoreError();
    if (!this.c.members.get(target)) throw new MemberNotFoundError();
    this.raw.transferLeader(target);
    this.kick();
    const deadline = this.c.clock.now() + deadlineMs;
    while (this.lead !== target) {
      if (this.c.clock.now() > deadline) throw new RequestTimeoutError();
      await new Promise<void>((r) => this.c.clock.setTimeout(r, 20));
    }
  }

  /** The leader's view of a member's replication (match index), for learner promotion checks. */
  progressOf(id: NodeId): { match: number; leaderCommit: number } | undefined {
    const st = this.raw.status();
    const pr = st.progress?.get(id);
    return pr ? { match: pr.match, leaderCommit: st.hardState.commit } : undefined;
  }

  // ---- The Ready loop ----

  /** Schedules Ready handling; at most one loop runs, so Readys are handled strictly in order. */
  private kick(): void {
    if (this.readyLoopRunning || this.stopped) return;
    if (!this.raw.hasReady() && !this.snapshotTaken && !this.compactionDue()) return;
    this.readyLoopRunning = true;
    void this.readyLoop();
  }

  private async readyLoop(): Promise<void> {
    try {
      while (!this.stopped && (this.raw.hasReady() || this.snapshotTaken || this.compactionDue())) {
        if (this.snapshotTaken) await this.writeSnapshot();
        if (this.compactionDue()) await this.compactSome();
        if (!this.raw.hasReady()) continue;
        const rd = this.raw.ready();
        await this.handleReady(rd);
        this.raw.advance(rd);
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.readyLoopRunning = false;
    }
    if (!this.stopped && (this.raw.hasReady() || this.snapshotTaken || this.compactionDue())) this.kick();
  }

  private async handleReady(rd: Ready): Promise<void> {
    if (rd.softState) this.onSoftState(rd.softState.lead, rd.softState.state);
    if (rd.hardState) {
      this.term = rd.hardState.term;
      this.commitIndex = rd.hardState.commit;
    }
    // A leader whose term and vote are already durable sends before it persists, so that its
    // own write overlaps the followers' (Raft thesis §10.2.1). This is safe because nothing in
    // this Ready acknowledges the leader's new entries: a commit that counts them is computed
    // from followers' replies, which the core hands out only in a later Ready, and the loop
    // takes that Ready only after this save resolves. A follower's or candidate's messages
    // (appends acknowledged, votes granted) always wait for the save, and so does a leader that
    // is a quorum alone (its commit index counts its own unsaved entries).
    const sendFirst = this.state === 'leader' && this.confState.voters.length > 1 && !rd.snapshot && !this.changesTermOrVote(rd);
    if (sendFirst && rd.messages.length > 0) this.c.transport.send(rd.messages);
    // 1. Persist, as one write, synced. A Ready that only moves the commit index writes nothing:
    //    the commit index need not be durable (a restarted member learns it again from the
    //    leader, and its state machine skips what it already applied), so it rides along with
    //    the next write that has to happen anyway. That takes a LevelDB round trip off the path
    //    from a quorum's acknowledgement to the client's answer, on the leader and followers.
    const hardState = rd.hardState ?? this.deferredHardState;
    let saving: Promise<void> | undefined;
    if (rd.entries.length > 0 || rd.snapshot || (rd.hardState && rd.mustSync)) {
      saving = this.persist(rd, hardState);
      // Awaited below; a failed apply meanwhile fails the member and must not leave it unhandled.
      saving.catch(() => undefined);
    } else if (rd.hardState) {
      this.deferredHardState = rd.hardState;
    }
    // 2. Apply, while the write is on disk, the committed entries this member already holds on
    //    disk (as etcd hands them to its applier before saving). They are committed, so a quorum
    //    holds them, and they are below every entry this Ready writes, so the state machine never
    //    gets ahead of the local log. The leader answers its clients without waiting for the
    //    write of the next batch: before, a write under load waited for one more fsync than it
    //    needed. Entries this Ready itself (re)writes are applied after the write, as before.
    const durableBelow = rd.snapshot ? 0 : (rd.entries[0]?.index ?? Number.POSITIVE_INFINITY);
    let early = 0;
    while (early < rd.committedEntries.length && rd.committedEntries[early]!.index < durableBelow) early++;
    if (early > 0) this.applyCommitted(rd.committedEntries.slice(0, early));
    if (saving) await saving;
    // 3. Send.
    if (!sendFirst && rd.messages.length > 0) this.c.transport.send(rd.messages);
    // 4. Apply the rest.
    if (rd.snapshot) {
      await this.restoreSnapshot(rd.snapshot.data, rd.snapshot.metadata.index);
      this.confState = rd.snapshot.metadata.confState;
      this.lastSnapshotIndex = rd.snapshot.metadata.index;
    }
    if (early < rd.committedEntries.length) this.applyCommitted(rd.committedEntries.slice(early));
    for (const rs of rd.readStates) this.onReadState(rs.requestCtx, rs.index);
    this.maybeSnapshot();
  }

  /** Writes a Ready's entries, hard state and snapshot as one synced batch. */
  private async persist(rd: Ready, hardState: HardState | undefined): Promise<void> {
    const t0 = this.c.clock.now();
    await this.c.storage.save({ ...(hardState ? { hardState } : {}), entries: rd.entries, ...(rd.snapshot ? { snapshot: rd.snapshot } : {}), sync: true });
    this.c.observer?.walFsyncSeconds?.((this.c.clock.now() - t0) / 1000);
    if (hardState) this.persistedHardState = hardState;
    this.deferredHardState = undefined;
  }

  private applyCommitted(entries: readonly Entry[]): void {
    this.c.observer?.proposalsCommitted?.(entries.length);
    for (const e of entries) this.applyEntry(e);
    this.c.observer?.proposalsApplied?.(entries.length);
    this.scheduleFlush(entries.length);
    this.releaseAppliedReads();
  }

  private changesTermOrVote(rd: Ready): boolean {
    const hs = rd.hardState;
    if (!hs) return false;
    const prev = this.persistedHardState;
    return prev === undefined || hs.term !== prev.term || hs.vote !== prev.vote;
  }

  private onSoftState(lead: NodeId, state: StateType): void {
    const wasLeader = this.state === 'leader';
    if (lead !== this.lead) {
      this.c.logger.info('leader changed', { leader: lead, term: this.raw.raft.term });
      this.c.observer?.leaderChanged?.(lead);
    }
    this.lead = lead;
    this.state = state;
    if (state === 'leader' && !wasLeader) {
      this.revoking.clear();
      this.c.sm.leasePromote(this.c.clock.now());
    } else if (state !== 'leader' && wasLeader) {
      this.c.sm.leaseDemote();
    }
    if (lead !== NONE) for (const w of this.leaderWaiters.splice(0)) w();
    // After this Ready is handled: held proposals go to the leader that just became known.
    if (this.heldProposals.length > 0 && lead !== NONE) {
      this.c.clock.setTimeout(() => {
        this.retryHeldProposals();
        this.kick();
      }, 0);
    }
  }

  private applyEntry(e: Entry): void {
    const sm = this.c.sm;
    if (e.type === 'conf-change') {
      this.applyConfChange(e);
      if (e.index > sm.consistentIndex()) sm.applyNoop(e.index);
      return;
    }
    if (e.data.length === 0 || e.index <= sm.consistentIndex()) {
      // A leader's no-op, or an entry whose effects the state machine already holds; the member
      // table is not in the state machine, so its changes are applied again.
      if (e.index > sm.consistentIndex()) sm.applyNoop(e.index);
      else if (e.data.length > 0) this.replayMemberChange(e);
      return;
    }
    let env: Envelope;
    try {
      env = decodeEnvelope(e.data);
    } catch (err) {
      // A corrupt entry in a committed log cannot be skipped silently: every member must agree.
      throw new Error(`undecodable committed entry ${e.index}: ${(err as Error).message}`);
    }
    let result: ApplyResult | undefined;
    let error: Error | undefined;
    try {
      result = { value: this.execute(env.r, e.index), revision: sm.revision() };
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      error = err;
      if (e.index > sm.consistentIndex()) sm.applyNoop(e.index); // the store may have marked it applied before refusing it
      this.c.observer?.proposalFailed?.();
    }
    if (env.from !== this.id) return;
    if (error) {
      this.waits.fail(env.id, error);
    } else if (result && result.value instanceof Promise) {
      // The state change is done; only the response (a read of past revisions) is still coming.
      const { revision } = result;
      const id = env.id;
      (result.value as Promise<unknown>).then(
        (value) => this.waits.trigger(id, { value, revision }),
        (err: unknown) => this.waits.fail(id, err instanceof Error ? err : new Error(String(err))),
      );
    } else if (result) {
      this.waits.trigger(env.id, result);
    }
  }

  private execute(r: ReplicatedRequest, index: number): unknown {
    const sm = this.c.sm;
    switch (r.op) {
      case 'put':
        return sm.applyPut(r.req, index);
      case 'deleteRange':
        return sm.applyDeleteRange(r.req, index);
      case 'txn':
        return sm.applyTxn(r.req, index);
      case 'compact':
        sm.applyCompact(r.req, index);
        return undefined;
      case 'leaseGrant':
        return sm.applyLeaseGrant(r.id, r.ttl, index);
      case 'leaseRevoke':
        this.revoking.delete(r.id);
        sm.applyLeaseRevoke(r.id, index);
        return undefined;
      case 'leaseRenew':
        sm.applyNoop(index);
        return this.state === 'leader' ? sm.leaseRenew(r.id, this.c.clock.now()) : undefined;
      case 'alarm':
        this.applyAlarm(r);
        sm.applyNoop(index);
        return undefined;
      case 'memberAttributes':
      case 'memberUpdate':
        if (r.op === 'memberUpdate' && !this.c.members.get(r.memberId)) throw new MemberNotFoundError();
        this.applyMemberChange(r);
        sm.applyNoop(index);
        return r.op === 'memberUpdate' ? this.c.members.list() : undefined;
    }
  }

  /** A member's new attributes or peer URLs, into the member table (and the transport). */
  private applyMemberChange(r: Extract<ReplicatedRequest, { op: 'memberAttributes' | 'memberUpdate' }>): void {
    const m = this.c.members.get(r.memberId);
    if (!m) return;
    if (r.op === 'memberAttributes') {
      this.c.members.set({ ...m, name: r.name, clientURLs: r.clientURLs });
      return;
    }
    this.c.members.set({ ...m, peerURLs: r.peerURLs });
    if (r.memberId !== this.id && r.peerURLs[0]) this.c.transport.addPeer(r.memberId, r.peerURLs[0]);
  }

  /** Alarms are cluster state: raised and cleared through the log, kept in snapshots. */
  private applyAlarm(r: Extract<ReplicatedRequest, { op: 'alarm' }>): void {
    const key = `${r.memberId}/${r.alarm}`;
    if (r.action === 'activate') this.alarms.set(key, { memberID: r.memberId, alarm: r.alarm });
    else this.alarms.delete(key);
  }

  /** Replaying an entry the state machine already holds (after a restart): only its member change or alarm. */
  private replayMemberChange(e: Entry): void {
    let env: Envelope;
    try {
      env = decodeEnvelope(e.data);
    } catch (err) {
      throw new Error(`undecodable committed entry ${e.index}: ${(err as Error).message}`);
    }
    if (env.r.op === 'memberAttributes' || env.r.op === 'memberUpdate') this.applyMemberChange(env.r);
    else if (env.r.op === 'alarm') this.applyAlarm(env.r);
  }

  private applyConfChange(e: Entry): void {
    const cc = decodeConfChange(e.data);
    const ctx = cc.context && cc.context.length > 0 ? decodeContext(cc.context) : undefined;
    this.confState = this.raw.applyConfChange(cc);
    const members = this.c.members;
    if (cc.type === 'remove') {
      members.remove(cc.nodeId);
      if (cc.nodeId !== this.id) this.c.transport.removePeer(cc.nodeId);
    } else {
      const known = members.get(cc.nodeId);
      const m = ctx?.member ?? known;
      if (m) {
        members.set({ ...m, isLearner: cc.type === 'add-learner' });
        if (cc.nodeId !== this.id && m.peerURLs[0]) this.c.transport.addPeer(cc.nodeId, m.peerURLs[0]);
      }
    }
    this.c.logger.info('applied membership change', { type: cc.type, member: cc.nodeId, index: e.index });
    if (ctx && ctx.from === this.id) this.waits.trigger(ctx.id, { value: members.list(), revision: this.c.sm.revision() });
    if (cc.type === 'remove' && cc.nodeId === this.id) {
      this.c.logger.warn('this member was removed from the cluster; stopping');
      this.removedHandler?.();
    }
  }

  private onReadState(ctx: string, index: number): void {
    const inflight = this.readInFlight;
    if (!inflight || inflight.ctx !== ctx) return;
    inflight.timer.cancel();
    this.readInFlight = undefined;
    this.readsAwaitingApply.push({ index, waiters: inflight.waiters });
    this.releaseAppliedReads();
    this.issueReadIndex();
  }

  private releaseAppliedReads(): void {
    if (this.readsAwaitingApply.length === 0) return;
    const applied = this.c.sm.appliedIndex();
    const ready = this.readsAwaitingApply.filter((r) => r.index <= applied);
    if (ready.length === 0) return;
    this.readsAwaitingApply = this.readsAwaitingApply.filter((r) => r.index > applied);
    for (const r of ready) for (const w of r.waiters) w.resolve();
  }

  /**
   * Backend writes are batched: one flush per FLUSH_INTERVAL_MS (or sooner past
   * FLUSH_MAX_ENTRIES applied entries), off the Ready loop's critical path. Deferring is safe:
   * the Raft log holds every applied entry until the state machine is durable (snapshots flush
   * synchronously before compacting), and reads of unflushed data are served from memory.
   */
  private scheduleFlush(appliedEntries: number): void {
    this.unflushedEntries += appliedEntries;
    // flushNow() never rejects: a failed flush fails the member (see flushNow).
    if (this.unflushedEntries >= FLUSH_MAX_ENTRIES) {
      void this.flushNow();
      return;
    }
    this.flushTimer ??= this.c.clock.setTimeout(() => void this.flushNow(), FLUSH_INTERVAL_MS);
  }

  private flushNow(): Promise<void> {
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    this.unflushedEntries = 0;
    const t0 = this.c.clock.now();
    this.flushChain = this.flushChain
      .then(() => this.c.sm.flush())
      .then(() => this.c.observer?.backendCommitSeconds?.((this.c.clock.now() - t0) / 1000))
      .catch((err: unknown) => this.fail(err));
    return this.flushChain;
  }

  /** Resolves once every entry applied so far is durable in the state machine's backend. */
  flushed(): Promise<void> {
    return this.flushNow();
  }

  /**
   * Every snapshotCount applied entries, a snapshot of the state machine, taken in two halves so
   * the Ready loop never waits for it (a loop stalled for a second stops heartbeats and costs an
   * election): here the state, members and alarms are captured at once, and the copy is read,
   * encoded and the backend synced in the background; the Ready loop then writes the result and
   * compacts the log (writeSnapshot), since Raft storage takes one writer.
   */
  private maybeSnapshot(): void {
    const sm = this.c.sm;
    if (this.snapshotTaking || this.snapshotTaken || sm.appliedIndex() - this.lastSnapshotIndex < this.c.snapshotCount + this.snapshotJitter) return;
    const cut = sm.beginSnapshot();
    const index = cut.consistentIndex;
    const confState = this.confState;
    const members = this.c.members.list();
    const alarms = [...this.alarms.values()];
    this.snapshotTaking = (async () => {
      const smData = await cut.data;
      // The log below the snapshot is about to go: the state machine must be on disk first, or a
      // power loss could leave neither the entries nor their effects.
      await this.flushNow();
      await sm.flush({ sync: true });
      const payload = await encodeSnapshotPayloadSliced({ sm: smData, members, alarms });
      // The data goes to disk here, beside the Ready loop's saves; the loop then only records it.
      await this.c.storage.stageSnapshot?.(index, payload);
      this.snapshotTaken = { index, confState, payload };
    })().then(
      () => {
        this.snapshotTaking = undefined;
        this.kick();
      },
      (err: unknown) => {
        this.snapshotTaking = undefined;
        this.fail(err);
      },
    );
  }

  /** The Ready loop's half of a snapshot: record it in Raft storage and compact the log. */
  private async writeSnapshot(): Promise<void> {
    const taken = this.snapshotTaken;
    if (!taken) return;
    this.snapshotTaken = undefined;
    // A snapshot received from the leader meanwhile may already cover it.
    if (taken.index <= this.c.storage.snapshot().metadata.index) return;
    // The snapshot's index is applied, so committed, but maybe only in a deferred hard state.
    await this.persistDeferredHardState();
    await this.c.storage.createSnapshot(taken.index, taken.confState, taken.payload);
    this.compactTarget = Math.max(this.compactTarget, taken.index - this.c.snapshotCatchUpEntries);
    this.lastSnapshotIndex = taken.index;
    this.c.logger.info('saved snapshot', { index: taken.index });
  }

  private compactionDue(): boolean {
    return this.compactTarget >= this.c.storage.firstIndex();
  }

  /**
   * Discards the log below the last snapshot's catch-up window, COMPACT_SLICE_ENTRIES at a time,
   * one slice per turn of the Ready loop: deleting a snapshot's worth of entries (100,000 by
   * default) in one batch held the loop, and every write, for 0.1-0.2 s, on every member at once.
   * Each slice is atomic (its entries and the compaction point move together), so a crash
   * between slices leaves a valid, partly compacted log.
   */
  private async compactSome(): Promise<void> {
    const first = this.c.storage.firstIndex();
    const to = Math.min(this.compactTarget, first - 1 + COMPACT_SLICE_ENTRIES, this.c.storage.snapshot().metadata.index);
    if (to < first) {
      this.compactTarget = 0; // nothing left to discard (a snapshot installed meanwhile did it)
      return;
    }
    await this.c.storage.compact(to);
  }

  /** Writes a deferred commit-only hard state (unsynced: like any commit-only write, it may be lost). */
  private async persistDeferredHardState(): Promise<void> {
    const hardState = this.deferredHardState;
    if (!hardState) return;
    this.deferredHardState = undefined;
    await this.c.storage.save({ hardState, entries: [], sync: false });
    this.persistedHardState = hardState;
  }

  private restoreClusterState(p: SnapshotPayload): void {
    this.c.members.replaceAll(p.members);
    this.alarms.clear();
    for (const a of p.alarms ?? []) if (a.alarm !== 'NONE') this.alarms.set(`${a.memberID}/${a.alarm}`, { memberID: a.memberID, alarm: a.alarm });
  }

  private async restoreSnapshot(data: Uint8Array, index: number): Promise<void> {
    const payload = decodeSnapshotPayload(data);
    // A snapshot of our own being read would race the restore; it is superseded by this one.
    await this.snapshotTaking;
    this.snapshotTaken = undefined;
    await this.flushChain;
    await this.c.sm.restore(payload.sm, index);
    this.restoreClusterState(payload);
    for (const m of payload.members) if (m.ID !== this.id && m.peerURLs[0]) this.c.transport.addPeer(m.ID, m.peerURLs[0]);
    this.c.logger.info('restored state machine from snapshot', { index });
  }

  // ---- Leases (leader-local clock) ----

  private checkLeases(): void {
    if (this.stopped || this.state !== 'leader') return;
    for (const id of this.c.sm.leaseExpired(this.c.clock.now())) {
      if (this.revoking.has(id)) continue;
      this.revoking.add(id);
      this.propose({ op: 'leaseRevoke', id }, 5_000, { allowWhenAlarmed: true }).catch(() => this.revoking.delete(id));
    }
  }

  /** Keep-alive: the leader renews locally; a follower carries it to the leader through the log. */
  async leaseKeepAlive(id: number, deadlineMs: number): Promise<number> {
    if (this.state === 'leader') return this.c.sm.leaseRenew(id, this.c.clock.now());
    await this.propose({ op: 'leaseRenew', id }, deadlineMs, { allowWhenAlarmed: true });
    const ttl = this.c.sm.leaseTimeToLive(id, this.c.clock.now());
    if (!ttl) throw new LeaseNotFoundError();
    return ttl.grantedTTL;
  }

  // ---- Failure ----

  /**
   * A failure to persist or apply: the member must not continue (its state could diverge), so
   * it refuses all writes, fails pending requests, and reports; a full disk raises NOSPACE.
   */
  private fail(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    const diskFull = /ENOSPC|No space left|disk full/i.test(`${e.name} ${e.message}`);
    this.localFailure = diskFull ? new NoSpaceError() : new StoppedError();
    if (diskFull) {
      this.alarms.set(`${this.id}/NOSPACE`, { memberID: this.id, alarm: 'NOSPACE' });
      this.raiseAlarmThroughLeader('NOSPACE');
    }
    this.c.logger.error(diskFull ? 'disk full: raised NOSPACE alarm and stopped accepting writes' : 'fatal error in the Raft loop; member stopped', { error: e.stack ?? e.message });
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.waits.failAll(this.localFailure);
    this.failReads(this.localFailure);
    this.fatalHandler?.();
  }

  /**
   * Proposes an alarm straight to the leader. This member cannot write its own log any more, so
   * the proposal skips the Ready loop: a forwarded proposal depends on nothing this member
   * persisted. The leader replicates it, and every member then refuses writes (etcd's NOSPACE).
   * A leader whose disk fills cannot do this; its followers elect a new leader instead.
   */
  private raiseAlarmThroughLeader(alarm: 'NOSPACE' | 'CORRUPT'): void {
    this.pendingAlarm = { alarm, sent: 0, lastSentMs: -Infinity };
    if (this.lead !== NONE && this.lead !== this.id) this.sendAlarm(this.lead);
  }

  /**
   * A failed member still hears the leader (a new one, if it led itself). Each heartbeat or
   * append lets it resend the alarm proposal, throttled and bounded: the activation is
   * idempotent, and a lost proposal is simply sent again.
   */
  private forwardPendingAlarm(msgs: readonly Message[]): void {
    const fromLeader = msgs.find((m) => (m.type === 'MsgHeartbeat' || m.type === 'MsgApp') && m.from !== this.id);
    if (fromLeader) this.sendAlarm(fromLeader.from);
  }

  private sendAlarm(to: NodeId): void {
    const p = this.pendingAlarm;
    if (!p || p.sent >= ALARM_FORWARD_TRIES || this.c.clock.now() - p.lastSentMs < ALARM_FORWARD_INTERVAL_MS) return;
    p.sent++;
    p.lastSentMs = this.c.clock.now();
    const env = encodeEnvelope({ id: this.newRequestId(), from: this.id, r: { op: 'alarm', action: 'activate', memberId: this.id, alarm: p.alarm } });
    this.c.transport.send([message({ type: 'MsgProp', to, from: this.id, entries: [{ term: 0, index: 0, type: 'normal', data: env }] })]);
  }

  /**
   * Hands leadership to the most caught-up active voter: on a graceful stop (as etcd does, so the
   * cluster does not sit an election timeout without a leader), or when the process beside this
   * member has other work to do (`reason` says which). Best effort, within deadlineMs.
   */
  async handOffLeadership(deadlineMs: number, reason = 'stopping'): Promise<void> {
    if (this.state !== 'leader' || this.stopped) return;
    const progress = this.raw.status().progress;
    let target: NodeId = NONE;
    let best = -1;
    for (const [id, pr] of progress ?? []) {
      if (id === this.id || pr.isLearner || !pr.recentActive || pr.match <= best) continue;
      best = pr.match;
      target = id;
    }
    if (target === NONE) return;
    try {
      await this.transferLeadership(target, deadlineMs);
      this.c.logger.info('handed leadership over', { to: target, reason });
    } catch (err) {
      this.c.logger.warn('could not hand leadership over', { to: target, reason, error: (err as Error).message });
    }
  }

  get failure(): StoreError | undefined {
    return this.localFailure;
  }

  /** Whether this member can serve: it has a leader and no local failure. */
  healthy(): boolean {
    return !this.stopped && this.lead !== NONE && this.localFailure === undefined;
  }
}

/** A conf change while another is still being applied (etcd: "unhealthy cluster"). */
class UnhealthyConfChangeError extends StoreError {
  constructor() {
    super('Unavailable', 'etcdserver: unhealthy cluster');
  }
}

/** MoveLeader on a member that is not the leader. */
class NotLeaderStoreError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: not leader');
  }
}

