import { assert } from '../../core/index.js';
import { Progress } from './progress.js';
import type { VoteResult } from './quorum.js';
import { majorityCommittedIndex, majorityVoteResult } from './quorum.js';
import type { ConfState, NodeId } from './types.js';

/**
 * The membership and the leader's per-member replication progress, plus the votes of the
 * current election. Invariant: voters and learners are disjoint, and progress has exactly
 * one entry per voter and learner.
 */
export class ProgressTracker {
  voters = new Set<NodeId>();
  learners = new Set<NodeId>();
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(readonly maxInflightMsgs: number, readonly maxInflightBytes: number) {}

  confState(): ConfState {
    return { voters: [...this.voters].sort((a, b) => a - b), learners: [...this.learners].sort((a, b) => a - b) };
  }

  isSingleton(): boolean {
    return this.voters.size === 1;
  }

  /** Replaces the configuration; progress of existing members is kept, new ones probe from nextIndex. */
  applyConfState(cs: ConfState, nextIndex: number): void {
    const voters = new Set(cs.voters);
    const learners = new Set(cs.learners);
    for (const id of learners) assert(!voters.has(id), () => `node ${id} is both voter and learner`);
    this.voters = voters;
    this.learners = learners;
    for (const id of [...this.progress.keys()]) {
      if (!voters.has(id) && !learners.has(id)) this.progress.delete(id);
    }
    for (const id of [...voters, ...learners]) {
      const pr = this.progress.get(id);
      if (pr) pr.isLearner = learners.has(id);
      else this.progress.set(id, this.newProgress(nextIndex, learners.has(id)));
    }
  }

  newProgress(next: number, isLearner: boolean): Progress {
    const pr = new Progress(next, isLearner, this.maxInflightMsgs, this.maxInflightBytes);
    // A new member counts as active so that CheckQuorum does not step down at once.
    pr.recentActive = true;
    return pr;
  }

  /** The largest index replicated on a majority of voters. */
  committed(): number {
    return majorityCommittedIndex(this.voters, (id) => this.progress.get(id)?.match);
  }

  /** Whether a majority of voters was heard from recently (the CheckQuorum test). */
  quorumActive(selfId: NodeId): boolean {
    const votes = new Map<NodeId, boolean>();
    for (const id of this.voters) {
      const pr = this.progress.get(id);
      votes.set(id, id === selfId || (pr?.recentActive ?? false));
    }
    return majorityVoteResult(this.voters, votes) === 'won';
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    return { granted, rejected, result: majorityVoteResult(this.voters, this.votes) };
  }

  /** The result of an arbitrary set of votes (e.g. ReadIndex acknowledgements) against the voters. */
  tallyVotesFor(votes: ReadonlyMap<NodeId, boolean>): VoteResult {
    return majorityVoteResult(this.voters, votes);
  }

  /** Every voter and learner, in id order (for deterministic message order). */
  memberIds(): NodeId[] {
    return [...this.progress.keys()].sort((a, b) => a - b);
  }
}
