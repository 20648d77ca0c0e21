import { Inflights } from './inflights.js';
import type { Snapshot } from './types.js';

/**
 * How the leader replicates to one follower:
 * - probe: it does not know the follower's last index; sends one MsgApp per heartbeat interval.
 * - replicate: optimistic pipelining of MsgApps, bounded by the inflights window.
 * - snapshot: the follower needs entries the leader compacted; a snapshot is streamed in chunks.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/**
 * The leader's view of one follower. Invariant: match < next (the next index to send is past
 * everything known to be replicated).
 */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /**
   * Sending is paused: in probe state after one MsgApp, in replicate state when the inflights
   * window is full. A heartbeat response clears it, so that if every in-flight message was
   * lost, one (empty) MsgApp still goes out and its ack or rejection resets the window.
   */
  msgAppFlowPaused = false;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  /** Snapshot state: the snapshot being streamed, and the bytes the follower has acknowledged. */
  pendingSnapshot: Snapshot | undefined;
  snapshotAcked = 0;
  /** Snapshot state: a chunk was sent and not yet acknowledged. */
  snapshotChunkInFlight = false;
  readonly inflights: Inflights;

  constructor(next: number, public isLearner: boolean, maxInflightMsgs: number, maxInflightBytes: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflightMsgs, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.msgAppFlowPaused = false;
    this.pendingSnapshot = undefined;
    this.snapshotAcked = 0;
    this.snapshotChunkInFlight = false;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot, probe from just past it; the follower acknowledged everything in it.
    if (this.state === 'snapshot' && this.pendingSnapshot) {
      const snapIndex = this.pendingSnapshot.metadata.index;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, snapIndex + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshot: Snapshot): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshot;
  }

  /** An append of entries up to `last`, `bytes` in size, was just sent. */
  sentEntries(last: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (last >= this.next) {
        this.next = last + 1;
        this.inflights.add(last, bytes);
      }
      this.msgAppFlowPaused = this.inflights.full();
    } else if (this.state === 'probe') {
      this.msgAppFlowPaused = true;
    }
  }

  /** An acknowledgement of index n arrived; returns false when it was stale. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.msgAppFlowPaused = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * A rejection of the append at `rejected` arrived, with the follower's hint `matchHint` for
   * where their logs may agree; returns false when it was stale (a reply to an older probe).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      // Stale: we already know the follower holds `rejected`.
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    // In probe state the rejection must be for the index we last probed at.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /** Whether the leader must hold off sending more MsgApps to this follower. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.msgAppFlowPaused;
      case 'replicate':
        return this.msgAppFlowPaused;
      case 'snapshot':
        return true;
    }
  }

  describe(): string {
    let s = `${this.state} match=${this.match} next=${this.next}`;
    if (this.isLearner) s += ' learner';
    if (this.isPaused()) s += ' paused';
    if (this.state === 'snapshot' && this.pendingSnapshot) s += ` pendingSnap=${this.pendingSnapshot.metadata.index}`;
    if (this.inflights.size() > 0) s += ` inflight=${this.inflights.size()}`;
    return s;
  }
}
