import type { Entry, HardState, MemoryStorage, NodeId, RawNode } from '../../raft/index.js';

/** A safety property the run broke. The message names the property and the evidence. */
export class SafetyViolation extends Error {
  override readonly name = 'SafetyViolation';
  constructor(readonly property: string, detail: string) {
    super(`${property}: ${detail}`);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Checks Raft's safety properties (Figure 3 of the paper) as the run goes:
 * - Election Safety: at most one leader per term.
 * - Log Matching: an (index, term) pair names one entry everywhere, and always the same
 *   predecessor term; by induction, two logs agreeing on an entry agree on all before it.
 * - Leader Completeness: a leader's log holds every entry committed before its term.
 * - State Machine Safety: no two members apply different entries at one index.
 * - Commit index never moves backwards (in memory per incarnation; durably across restarts).
 * Only durable commits count as committed: an in-memory commit lost in a crash was never
 * observable (the Ready contract sends and applies only after persisting).
 */
export class SafetyChecker {
  private readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly entryAt = new Map<string, { data: Uint8Array; prevTerm: number }>();
  private readonly appliedAt = new Map<number, { term: number; data: Uint8Array; by: NodeId }>();
  /** Highest durable commit index seen on any member. */
  maxCommit = 0;
  /**
   * Every raise of maxCommit: the entry's term and the term of the member that persisted it,
   * an upper bound on the term in which the entry was committed.
   */
  private readonly commits: { index: number; entryTerm: number; commitTerm: number }[] = [];
  private readonly durableCommit = new Map<NodeId, number>();
  private readonly memoryCommit = new Map<NodeId, number>();
  private readonly checkedLeader = new Set<string>();
  elections = 0;

  /** A member persisted entries to its storage (already appended). */
  onPersistEntries(id: NodeId, storage: MemoryStorage, ents: readonly Entry[]): void {
    for (const e of ents) {
      let prevTerm = -1;
      if (e.index - 1 >= storage.firstIndex() - 1) prevTerm = storage.term(e.index - 1);
      const key = `${e.index}/${e.term}`;
      const seen = this.entryAt.get(key);
      if (!seen) {
        this.entryAt.set(key, { data: e.data, prevTerm });
        continue;
      }
      if (!sameBytes(seen.data, e.data)) {
        throw new SafetyViolation('log matching', `node ${id} holds a different entry at ${key}`);
      }
      if (prevTerm !== -1 && seen.prevTerm !== -1 && prevTerm !== seen.prevTerm) {
        throw new SafetyViolation('log matching', `node ${id}: entry ${key} follows term ${prevTerm}, elsewhere term ${seen.prevTerm}`);
      }
      if (seen.prevTerm === -1) seen.prevTerm = prevTerm;
    }
  }

  onPersistHardState(id: NodeId, storage: MemoryStorage, hs: HardState): void {
    const prev = this.durableCommit.get(id) ?? 0;
    if (hs.commit < prev) throw new SafetyViolation('commit monotonic', `node ${id} persisted commit ${hs.commit} after ${prev}`);
    this.durableCommit.set(id, hs.commit);
    if (hs.commit > this.maxCommit && hs.commit >= storage.firstIndex() - 1) {
      this.maxCommit = hs.commit;
      this.commits.push({ index: hs.commit, entryTerm: storage.term(hs.commit), commitTerm: hs.term });
    }
  }

  onApply(id: NodeId, e: Entry): void {
    const seen = this.appliedAt.get(e.index);
    if (!seen) {
      this.appliedAt.set(e.index, { term: e.term, data: e.data, by: id });
      return;
    }
    if (seen.term !== e.term || !sameBytes(seen.data, e.data)) {
      throw new SafetyViolation('state machine safety', `at index ${e.index} node ${id} applied ${e.term}/${e.data.length}B, node ${seen.by} applied ${seen.term}/${seen.data.length}B`);
    }
  }

  /** A member restarted: its in-memory commit starts again from what it persisted. */
  onRestart(id: NodeId): void {
    this.memoryCommit.delete(id);
  }

  /** After every step: per-member checks that need the live core. */
  observe(id: NodeId, node: RawNode): void {
    const r = node.raft;
    const committed = r.raftLog.committed;
    const prev = this.memoryCommit.get(id) ?? 0;
    if (committed < prev) throw new SafetyViolation('commit monotonic', `node ${id} commit went from ${prev} to ${committed}`);
    this.memoryCommit.set(id, committed);
    if (r.state !== 'leader') return;
    const holder = this.leaderOfTerm.get(r.term);
    if (holder === undefined) {
      this.leaderOfTerm.set(r.term, id);
      this.elections++;
    } else if (holder !== id) {
      throw new SafetyViolation('election safety', `nodes ${holder} and ${id} are both leaders of term ${r.term}`);
    }
    const key = `${id}@${r.term}`;
    if (this.checkedLeader.has(key)) return;
    this.checkedLeader.add(key);
    // The leader of term T must hold every entry committed in a term before T. Log Matching
    // (checked above) makes it enough to check the latest such entry.
    let latest: { index: number; entryTerm: number } | undefined;
    for (const c of this.commits) if (c.commitTerm < r.term && (!latest || c.index > latest.index)) latest = c;
    if (!latest || latest.index < r.raftLog.firstIndex() - 1) return; // none, or covered by its snapshot
    const t = r.raftLog.term(latest.index);
    if (latest.index > r.raftLog.lastIndex() || t !== latest.entryTerm) {
      throw new SafetyViolation('leader completeness', `leader ${id} of term ${r.term} lacks committed entry ${latest.index}/${latest.entryTerm} (has term ${t}, last index ${r.raftLog.lastIndex()})`);
    }
  }
}
