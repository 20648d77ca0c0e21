import { assert } from '../../core/index.js';
import { encodeConfChange } from './confchange.js';
import { NotLeaderError, ProposalDroppedError } from './errors.js';
import type { RaftConfig, RaftStatus } from './raft.js';
import { isLocalMessage, isResponseMessage, Raft } from './raft.js';
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, Ready, SoftState } from './types.js';
import { hardStateEqual, isEmptyHardState, message, NONE } from './types.js';

const EMPTY = new Uint8Array(0);

/**
 * The driver's handle on the consensus core (etcd's RawNode). Single-threaded: the owner calls
 * tick/step/propose, then, while hasReady(), takes ready(), does its I/O in order (persist,
 * send, apply) and calls advance(). Never touches a clock, disk, socket or unseeded randomness.
 */
export class RawNode {
  readonly raft: Raft;
  private prevSoftState: SoftState;
  private prevHardState: HardState;
  /** The Ready handed out and not yet advanced; ready() may not be called again until then. */
  private outstanding: Ready | undefined;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoftState = this.raft.softState();
    this.prevHardState = this.raft.hardState();
  }

  get id(): NodeId {
    return this.raft.id;
  }

  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (as if the election timeout elapsed). */
  campaign(): void {
    this.raft.step(message({ type: 'MsgHup', to: this.raft.id, from: this.raft.id }));
  }

  /**
   * Proposes commands to be appended to the log, in order, as one batch. Throws NotLeaderError
   * when this node cannot forward (no known leader, or forwarding disabled) and
   * ProposalDroppedError when the leader refuses them. Acceptance is not commitment: the
   * application learns of commitment when the entries come back in Ready.committedEntries.
   */
  propose(data: Uint8Array | readonly Uint8Array[]): void {
    const list = data instanceof Uint8Array ? [data] : data;
    assert(list.length > 0, 'propose needs at least one command');
    const entries: Entry[] = list.map((d) => ({ term: 0, index: 0, type: 'normal', data: d }));
    this.raft.step(message({ type: 'MsgProp', to: NONE, from: this.raft.id, entries }));
  }

  /** Proposes a single-member change; the application calls applyConfChange when it commits. */
  proposeConfChange(cc: ConfChange): void {
    const entries: Entry[] = [{ term: 0, index: 0, type: 'conf-change', data: encodeConfChange(cc) }];
    this.raft.step(message({ type: 'MsgProp', to: NONE, from: this.raft.id, entries }));
  }

  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  /**
   * Requests a linearizable read. When the leader has confirmed its leadership with a quorum,
   * a ReadState with `ctx` and the read index appears in a Ready (on this node). `ctx` must be
   * unique among outstanding requests.
   */
  readIndex(ctx: string): void {
    this.raft.step(message({ type: 'MsgReadIndex', to: NONE, from: this.raft.id, entries: [{ term: 0, index: 0, type: 'normal', data: EMPTY }], context: ctx }));
  }

  /** Asks the leader to hand leadership to `transferee`. */
  transferLeader(transferee: NodeId): void {
    this.raft.step(message({ type: 'MsgTransferLeader', to: NONE, from: transferee }));
  }

  /**
   * Steps a message received from a peer. Local message types are refused; responses from
   * unknown members are ignored; a forwarded proposal or read the leader refuses is dropped
   * (its originator times out), since the network is not the place to report it.
   */
  step(m: Message): void {
    try {
      this.stepReportingRefusals(m);
    } catch (err) {
      if ((m.type === 'MsgProp' || m.type === 'MsgReadIndex') && (err instanceof ProposalDroppedError || err instanceof NotLeaderError)) return;
      throw err;
    }
  }

  /**
   * step(), except that a forwarded proposal or read the core refuses throws its
   * ProposalDroppedError or NotLeaderError: for a caller that can do better than let its
   * originator time out, such as holding it while leadership moves and replaying it to the new leader.
   */
  stepReportingRefusals(m: Message): void {
    assert(!isLocalMessage(m.type), () => `cannot step local message ${m.type} from the network`);
    if (isResponseMessage(m.type) && !this.raft.trk.progress.has(m.from) && m.type !== 'MsgReadIndexResp') return;
    this.raft.step(m);
  }

  hasReady(): boolean {
    const r = this.raft;
    if (this.outstanding) return false;
    const ss = r.softState();
    if (ss.lead !== this.prevSoftState.lead || ss.state !== this.prevSoftState.state) return true;
    const hs = r.hardState();
    if (!isEmptyHardState(hs) && !hardStateEqual(hs, this.prevHardState)) return true;
    if (r.raftLog.unstable.snapshot !== undefined) return true;
    return r.msgs.length > 0 || r.raftLog.unstableEntries().length > 0 || r.raftLog.hasNextCommittedEnts() || r.readStates.length > 0;
  }

  /** Everything to persist, send and apply since the last advance(). Call advance(rd) when done. */
  ready(): Ready {
    assert(this.outstanding === undefined, 'ready() called again before advance()');
    const r = this.raft;
    const ss = r.softState();
    const hs = r.hardState();
    const entries = r.raftLog.unstableEntries().slice();
    const snapshot = r.raftLog.unstable.snapshot;
    const softChanged = ss.lead !== this.prevSoftState.lead || ss.state !== this.prevSoftState.state;
    const hardChanged = !hardStateEqual(hs, this.prevHardState);
    const rd: Ready = {
      ...(softChanged ? { softState: ss } : {}),
      ...(hardChanged ? { hardState: hs } : {}),
      readStates: r.readStates,
      entries,
      ...(snapshot ? { snapshot } : {}),
      committedEntries: r.raftLog.nextCommittedEnts(),
      messages: r.msgs,
      mustSync: entries.length > 0 || snapshot !== undefined || hs.term !== this.prevHardState.term || hs.vote !== this.prevHardState.vote,
    };
    r.msgs = [];
    r.readStates = [];
    if (softChanged) this.prevSoftState = ss;
    if (hardChanged) this.prevHardState = hs;
    this.outstanding = rd;
    return rd;
  }

  /** The caller has persisted, sent and applied `rd`. */
  advance(rd: Ready): void {
    assert(rd === this.outstanding, 'advance() with a Ready that was not the last one handed out');
    this.outstanding = undefined;
    const r = this.raft;
    if (rd.snapshot) {
      r.raftLog.stableSnapTo(rd.snapshot.metadata.index);
      r.appliedSnapshot(rd.snapshot.metadata.index);
    }
    const last = rd.entries[rd.entries.length - 1];
    if (last) r.raftLog.stableTo(last.index, last.term);
    const applied = rd.committedEntries[rd.committedEntries.length - 1];
    if (applied) {
      r.appliedTo(applied.index);
      r.reduceUncommittedSize(rd.committedEntries);
    }
  }

  status(): RaftStatus {
    return this.raft.status();
  }
}
