import type { SeededRandom } from '../../core/index.js';
import type { ConfState, Message, NodeId, RaftConfig, ReadState } from '../../raft/index.js';
import { bootstrapStorage, decodeConfChange, MemoryStorage, RawNode } from '../../raft/index.js';
import type { SafetyChecker } from './checkers.js';
import type { KvCommand, KvResult } from './kv.js';
import { KvStateMachine } from './kv.js';

/** Options of the core that a run varies per seed. */
export type CoreOptions = Pick<RaftConfig, 'electionTick' | 'heartbeatTick' | 'checkQuorum' | 'preVote' | 'maxSizePerMsg' | 'maxInflightMsgs' | 'maxUncommittedEntriesSize' | 'snapshotChunkBytes'>;

export interface NodeHooks {
  send(m: Message): void;
  /** An entry applied on this member produced a result for a command submitted here. */
  applied(id: NodeId, cmd: KvCommand, result: KvResult): void;
  /** A read state arrived on this member. */
  readState(id: NodeId, rs: ReadState): void;
  /** This member applied its own removal. */
  removed(id: NodeId): void;
  trace?(line: string): void;
}

/**
 * One simulated member: a RawNode, its "disk" (a MemoryStorage that survives crashes), and its
 * state machine (rebuilt from the disk on restart). Ready handling follows the contract:
 * persist, then send, then apply, then advance.
 */
export class SimNode {
  readonly storage = new MemoryStorage();
  raw!: RawNode;
  kv = new KvStateMachine();
  up = false;
  confState: ConfState;
  /** Snapshot and compact once this many entries were applied past the last snapshot. */
  private readonly snapshotEvery: number;

  constructor(
    readonly id: NodeId,
    private readonly options: CoreOptions,
    private readonly rnd: SeededRandom,
    private readonly checker: SafetyChecker,
    private readonly hooks: NodeHooks,
    founding: ConfState | undefined,
  ) {
    if (founding) bootstrapStorage(this.storage, founding);
    this.confState = founding ?? { voters: [], learners: [] };
    this.snapshotEvery = 10 + rnd.int(40);
    this.start();
  }

  /** (Re)starts from what the disk holds: the snapshot, then the committed log is re-applied. */
  start(): void {
    const snap = this.storage.snapshot();
    this.kv = new KvStateMachine();
    this.kv.restore(snap.metadata.index, snap.data);
    this.confState = snap.metadata.confState;
    this.raw = new RawNode({ ...this.options, id: this.id, storage: this.storage, random: this.rnd.fork(), applied: snap.metadata.index });
    this.up = true;
  }

  /** A crash: everything not on disk (unstable entries, unsent messages, the state machine) is gone. */
  crash(): void {
    this.up = false;
  }

  handleReady(): boolean {
    if (!this.raw.hasReady()) return false;
    const rd = this.raw.ready();
    // 1. Persist: snapshot, entries and hard state, as one atomic write.
    if (rd.snapshot) this.storage.applySnapshot(rd.snapshot);
    if (rd.entries.length > 0) {
      this.storage.append(rd.entries);
      this.checker.onPersistEntries(this.id, this.storage, rd.entries);
    }
    if (rd.hardState) {
      this.storage.setHardState(rd.hardState);
      this.checker.onPersistHardState(this.id, this.storage, rd.hardState);
    }
    // 2. Send.
    for (const m of rd.messages) this.hooks.send(m);
    // 3. Apply.
    if (rd.snapshot) {
      this.kv.restore(rd.snapshot.metadata.index, rd.snapshot.data);
      this.confState = rd.snapshot.metadata.confState;
      this.hooks.trace?.(`${this.id} applied snapshot ${rd.snapshot.metadata.index}`);
    }
    for (const e of rd.committedEntries) {
      this.checker.onApply(this.id, e);
      if (e.type === 'conf-change') {
        const cc = decodeConfChange(e.data);
        this.kv.skip(e.index);
        this.confState = this.raw.applyConfChange(cc);
        this.hooks.trace?.(`${this.id} applied ${cc.type} ${cc.nodeId} at ${e.index}`);
        if (cc.type === 'remove' && cc.nodeId === this.id) this.hooks.removed(this.id);
        continue;
      }
      const out = this.kv.apply(e.index, e.data);
      if (out) this.hooks.applied(this.id, out.cmd, out.result);
    }
    for (const rs of rd.readStates) this.hooks.readState(this.id, rs);
    this.raw.advance(rd);
    this.maybeCompact();
    return true;
  }

  private maybeCompact(): void {
    const applied = this.kv.applied;
    const snapIndex = this.storage.snapshot().metadata.index;
    if (applied - snapIndex < this.snapshotEvery || applied > this.storage.lastIndex()) return;
    this.storage.createSnapshot(applied, this.confState, this.kv.snapshot());
    // Keep a few entries so that slightly lagging followers need no snapshot.
    const keep = this.rnd.int(5);
    if (applied - keep > snapIndex) this.storage.compact(applied - keep);
  }
}
