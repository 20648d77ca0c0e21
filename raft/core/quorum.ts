import type { NodeId } from './types.js';

export type VoteResult = 'pending' | 'won' | 'lost';

/**
 * The largest index that a majority of `voters` has acknowledged, given each voter's match
 * index. Voters without a known match count as 0. With no voters, Infinity (no constraint).
 */
export function majorityCommittedIndex(voters: ReadonlySet<NodeId>, matchOf: (id: NodeId) => number | undefined): number {
  const n = voters.size;
  if (n === 0) return Infinity;
  const srt: number[] = [];
  for (const id of voters) srt.push(matchOf(id) ?? 0);
  srt.sort((a, b) => b - a);
  return srt[Math.floor(n / 2)]!;
}

/** Whether the recorded votes have won, lost, or cannot tell yet. */
export function majorityVoteResult(voters: ReadonlySet<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.size === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const q = Math.floor(voters.size / 2) + 1;
  if (granted >= q) return 'won';
  if (granted + missing >= q) return 'pending';
  return 'lost';
}
