import type { NodeId } from './types.js';

/**
 * Thrown by a proposal or read made on a node that is not the leader, when it cannot or may not
 * forward it. `leaderHint` is the leader this node knows of (0 when it knows none), so that a
 * client can retry there.
 */
export class NotLeaderError extends Error {
  override readonly name = 'NotLeaderError';
  constructor(readonly leaderHint: NodeId, readonly nodeId: NodeId) {
    super(leaderHint === 0 ? `node ${nodeId} is not the leader and knows no leader` : `node ${nodeId} is not the leader; leader is ${leaderHint}`);
  }
}

/**
 * Thrown when the leader refuses a proposal: a leadership transfer is in progress, the cap on
 * uncommitted entries is reached, or a membership change is already pending. Fail fast, retry later.
 */
export class ProposalDroppedError extends Error {
  override readonly name = 'ProposalDroppedError';
  constructor(readonly reason: 'transferring' | 'uncommitted-cap' | 'conf-change-pending' | 'removed' | 'invalid-conf-change', detail?: string) {
    super(`proposal dropped: ${reason}${detail ? `: ${detail}` : ''}`);
  }
}

/** Storage: the requested index is older than the first index still in the log (it was compacted). */
export class CompactedError extends Error {
  override readonly name = 'CompactedError';
  constructor(readonly index: number, readonly firstIndex: number) {
    super(`requested index ${index} is unavailable due to compaction (first index ${firstIndex})`);
  }
}

/** Storage: the requested index is beyond the last index in the log. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  constructor(readonly index: number, readonly lastIndex: number) {
    super(`requested index ${index} is unavailable (last index ${lastIndex})`);
  }
}

/** Storage: a snapshot older than the one already held was offered. */
export class SnapshotOutOfDateError extends Error {
  override readonly name = 'SnapshotOutOfDateError';
  constructor(readonly index: number, readonly currentIndex: number) {
    super(`snapshot at ${index} is older than the current snapshot at ${currentIndex}`);
  }
}
