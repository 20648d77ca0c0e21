/**
 * Text renderings of the core's values for scripted tests, after etcd/raft's util.go
 * (DescribeMessage, DescribeEntry, DescribeReady, Progress.String), so that a reader who knows
 * etcd's testdata can read ours. Continuation lines are indented by two spaces relative to the
 * first; the caller indents the whole block.
 */
import type { ConfState, Entry, HardState, Message, Ready, Snapshot, SnapshotMetadata, SoftState, StateType } from '../../../raft/index.js';
import { decodeConfChange } from '../../../raft/index.js';

const STATE_NAMES: Readonly<Record<StateType, string>> = {
  follower: 'StateFollower',
  'pre-candidate': 'StatePreCandidate',
  candidate: 'StateCandidate',
  leader: 'StateLeader',
};

export function describeStateType(s: StateType): string {
  return STATE_NAMES[s];
}

/** `v4` (add voter), `l4` (add learner), `r4` (remove), as etcd writes conf changes. */
export function describeConfChangeData(data: Uint8Array): string {
  const cc = decodeConfChange(data);
  const prefix = cc.type === 'add-voter' ? 'v' : cc.type === 'add-learner' ? 'l' : 'r';
  return `${prefix}${cc.nodeId}`;
}

/** `2/12 EntryNormal "foo"` or `2/13 EntryConfChange v4`: term/index, type, payload. */
export function describeEntry(e: Entry): string {
  if (e.type === 'conf-change') return `${e.term}/${e.index} EntryConfChange ${describeConfChangeData(e.data)}`;
  return `${e.term}/${e.index} EntryNormal ${JSON.stringify(new TextDecoder().decode(e.data))}`;
}

/** One entry per line, each ending with a newline. */
export function describeEntries(ents: readonly Entry[]): string {
  return ents.map((e) => `${describeEntry(e)}\n`).join('');
}

export function describeConfState(cs: ConfState): string {
  return `Voters:[${cs.voters.join(' ')}] Learners:[${cs.learners.join(' ')}]`;
}

export function describeSnapshotMetadata(md: SnapshotMetadata): string {
  return `Index:${md.index} Term:${md.term} ConfState:${describeConfState(md.confState)}`;
}

export function describeSnapshot(s: Snapshot): string {
  return `${describeSnapshotMetadata(s.metadata)} Bytes:${s.data.length}`;
}

export function describeHardState(hs: HardState): string {
  return `Term:${hs.term} Vote:${hs.vote} Commit:${hs.commit}`;
}

export function describeSoftState(ss: SoftState): string {
  return `Lead:${ss.lead} State:${describeStateType(ss.state)}`;
}

/**
 * `1->2 MsgApp Term:2 Log:2/11 Commit:11 Entries:[2/12 EntryNormal "foo"]`. `Log:` is
 * logTerm/index; on a rejected MsgAppResp it is the follower's hint (term/index). Several
 * entries, and a snapshot chunk, go on continuation lines.
 */
export function describeMessage(m: Message): string {
  let s = `${m.from}->${m.to} ${m.type} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.commit !== 0) s += ` Commit:${m.commit}`;
  if (m.entries.length === 1) {
    s += ` Entries:[${describeEntry(m.entries[0]!)}]`;
  } else if (m.entries.length > 1) {
    s += ' Entries:[';
    for (const e of m.entries) s += `\n  ${describeEntry(e)}`;
    s += '\n]';
  }
  if (m.context !== undefined) s += ` Context:${JSON.stringify(m.context)}`;
  const c = m.snapshot;
  if (c !== undefined) {
    if (m.type === 'MsgSnap') {
      s += `\n  Snapshot: ${describeSnapshotMetadata(c.metadata)} Chunk:[${c.offset},${c.offset + c.data.length})/${c.totalBytes}`;
    } else {
      // MsgSnapResp: `offset` is the number of bytes the follower holds contiguously.
      s += `\n  Snapshot: Index:${c.metadata.index} Term:${c.metadata.term} Received:${c.offset}/${c.totalBytes}`;
    }
  }
  return s;
}

/** etcd's DescribeReady: only the parts that are present, under `Ready MustSync=…:`. */
export function describeReady(rd: Ready): string {
  let s = '';
  if (rd.softState) s += `${describeSoftState(rd.softState)}\n`;
  if (rd.hardState) s += `HardState ${describeHardState(rd.hardState)}\n`;
  if (rd.readStates.length > 0) {
    s += `ReadStates [${rd.readStates.map((r) => `{Index:${r.index} RequestCtx:${JSON.stringify(r.requestCtx)}}`).join(' ')}]\n`;
  }
  if (rd.entries.length > 0) s += `Entries:\n${describeEntries(rd.entries)}`;
  if (rd.snapshot) s += `Snapshot ${describeSnapshot(rd.snapshot)}\n`;
  if (rd.committedEntries.length > 0) s += `CommittedEntries:\n${describeEntries(rd.committedEntries)}`;
  if (rd.messages.length > 0) s += `Messages:\n${rd.messages.map((m) => `${describeMessage(m)}\n`).join('')}`;
  return s === '' ? '<empty Ready>\n' : `Ready MustSync=${rd.mustSync}:\n${s}`;
}

/** The leader's view of one follower, structurally (the core's Progress class is internal). */
export interface ProgressView {
  readonly state: 'probe' | 'replicate' | 'snapshot';
  readonly match: number;
  readonly next: number;
  readonly isLearner: boolean;
  readonly recentActive: boolean;
  readonly pendingSnapshot: Snapshot | undefined;
  readonly snapshotAcked: number;
  readonly inflights: { size(): number; full(): boolean };
  isPaused(): boolean;
}

const PROGRESS_STATE_NAMES = { probe: 'StateProbe', replicate: 'StateReplicate', snapshot: 'StateSnapshot' } as const;

/** etcd's Progress.String: `StateReplicate match=11 next=12 [learner] [paused] [pendingSnap=N] [inactive] [inflight=N[full]]`. */
export function describeProgress(pr: ProgressView): string {
  let s = `${PROGRESS_STATE_NAMES[pr.state]} match=${pr.match} next=${pr.next}`;
  if (pr.isLearner) s += ' learner';
  if (pr.isPaused()) s += ' paused';
  if (pr.pendingSnapshot) s += ` pendingSnap=${pr.pendingSnapshot.metadata.index} acked=${pr.snapshotAcked}/${pr.pendingSnapshot.data.length}`;
  if (!pr.recentActive) s += ' inactive';
  const n = pr.inflights.size();
  if (n > 0) s += ` inflight=${n}${pr.inflights.full() ? '[full]' : ''}`;
  return s;
}
