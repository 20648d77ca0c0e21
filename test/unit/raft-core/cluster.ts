/**
 * A tiny in-memory cluster of RawNodes for unit tests: each node has a MemoryStorage and a
 * list as its state machine; the network is a queue delivered in rounds, optionally shuffled
 * and lossy under a seed. The driver does the Ready contract in order: persist (snapshot,
 * entries, hard state), send, apply, advance.
 */
import { SeededRandom } from '../../../core/index.js';
import type { ConfState, Entry, Message, NodeId, RaftConfig, Ready } from '../../../raft/index.js';
import { MemoryStorage, RawNode, bootstrapStorage, decodeConfChange } from '../../../raft/index.js';

export interface ClusterNode {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  node: RawNode;
  /** The state machine: the data of every applied normal entry, in order. */
  applied: string[];
  appliedIndex: number;
  /** index → data of every entry this node applied itself (not through a snapshot). */
  readonly appliedAt: Map<number, string>;
  confState: ConfState;
}

export interface ClusterOptions {
  readonly seed?: number;
  readonly config?: Partial<Omit<RaftConfig, 'id' | 'storage' | 'random'>>;
  /** Probability that a message is lost. */
  readonly dropRate?: number;
  /** Deliver each round's messages in a random order. */
  readonly reorder?: boolean;
  /** Snapshot and compact a node's log once this many applied entries are in it; 0 never. */
  readonly compactEvery?: number;
}

const decoder = new TextDecoder();

export class TestCluster {
  readonly nodes = new Map<NodeId, ClusterNode>();
  readonly rnd: SeededRandom;
  /** Links that lose everything, as "from->to". */
  readonly cut = new Set<string>();
  dropRate: number;
  /** Every message ever handed to the network, for assertions. */
  readonly sent: Message[] = [];
  private queue: Message[] = [];
  private readonly reorder: boolean;
  private readonly compactEvery: number;

  constructor(ids: readonly NodeId[], readonly opts: ClusterOptions = {}) {
    this.rnd = new SeededRandom(opts.seed ?? 1);
    this.dropRate = opts.dropRate ?? 0;
    this.reorder = opts.reorder ?? false;
    this.compactEvery = opts.compactEvery ?? 0;
    const confState: ConfState = { voters: [...ids], learners: [] };
    for (const id of ids) {
      const storage = new MemoryStorage();
      bootstrapStorage(storage, confState);
      const node = this.newRawNode(id, storage);
      this.nodes.set(id, { id, storage, node, applied: [], appliedIndex: 1, appliedAt: new Map(), confState });
    }
  }

  private newRawNode(id: NodeId, storage: MemoryStorage): RawNode {
    return new RawNode({
      electionTick: 10,
      heartbeatTick: 1,
      ...this.opts.config,
      id,
      storage,
      random: this.rnd.fork(),
    });
  }

  /**
   * Starts a node with empty storage, to be added by a conf change: it learns the configuration
   * (and the state machine) from the leader's snapshot.
   */
  addNode(id: NodeId): ClusterNode {
    const storage = new MemoryStorage();
    const n: ClusterNode = { id, storage, node: this.newRawNode(id, storage), applied: [], appliedIndex: 0, appliedAt: new Map(), confState: { voters: [], learners: [] } };
    this.nodes.set(id, n);
    return n;
  }

  get(id: NodeId): ClusterNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  leaders(): NodeId[] {
    return [...this.nodes.values()].filter((n) => n.node.raft.state === 'leader').map((n) => n.id);
  }

  tick(): void {
    for (const n of this.nodes.values()) n.node.tick();
  }

  /** Handles every Ready and delivers messages until the cluster is quiet. */
  stabilize(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      let busy = false;
      for (const n of this.nodes.values()) {
        while (n.node.hasReady()) {
          this.handleReady(n, n.node.ready());
          busy = true;
        }
      }
      if (!busy && this.queue.length === 0) return;
      this.deliver();
    }
    throw new Error(`cluster did not stabilize in ${maxRounds} rounds`);
  }

  /**
   * Restarts a node from its storage, as after a crash. The state machine is rebuilt from the
   * storage's snapshot and the committed entries after it are applied again: the storage's
   * ConfState is the snapshot's, so resuming from a later applied index would lose the
   * configuration changes applied since.
   */
  restart(id: NodeId): void {
    const n = this.get(id);
    const snap = n.storage.snapshot();
    n.applied = decodeImage(snap.data);
    n.appliedIndex = snap.metadata.index;
    n.confState = snap.metadata.confState;
    n.node = this.newRawNode(id, n.storage);
  }

  private deliver(): void {
    const msgs = this.queue;
    this.queue = [];
    if (this.reorder) {
      for (let k = msgs.length - 1; k > 0; k--) {
        const j = this.rnd.int(k + 1);
        [msgs[k], msgs[j]] = [msgs[j]!, msgs[k]!];
      }
    }
    for (const m of msgs) {
      const to = this.nodes.get(m.to);
      if (!to || this.cut.has(`${m.from}->${m.to}`) || (this.dropRate > 0 && this.rnd.chance(this.dropRate))) continue;
      to.node.step(m);
    }
  }

  private handleReady(n: ClusterNode, rd: Ready): void {
    if (rd.snapshot) {
      n.storage.applySnapshot(rd.snapshot);
    }
    if (rd.entries.length > 0) n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    for (const m of rd.messages) {
      this.sent.push(m);
      this.queue.push(m);
    }
    if (rd.snapshot) {
      n.applied = decodeImage(rd.snapshot.data);
      n.appliedIndex = rd.snapshot.metadata.index;
      n.confState = rd.snapshot.metadata.confState;
    }
    for (const e of rd.committedEntries) this.apply(n, e);
    n.node.advance(rd);
    this.maybeCompact(n);
  }

  private apply(n: ClusterNode, e: Entry): void {
    if (e.type === 'conf-change') {
      n.confState = n.node.applyConfChange(decodeConfChange(e.data));
      n.appliedAt.set(e.index, `conf:${decodeConfChange(e.data).type}:${decodeConfChange(e.data).nodeId}`);
    } else {
      const data = decoder.decode(e.data);
      if (data.length > 0) n.applied.push(data);
      n.appliedAt.set(e.index, data);
    }
    n.appliedIndex = e.index;
  }

  private maybeCompact(n: ClusterNode): void {
    if (this.compactEvery <= 0 || n.appliedIndex - n.storage.firstIndex() < this.compactEvery) return;
    const data = new TextEncoder().encode(JSON.stringify({ applied: n.applied }));
    n.storage.createSnapshot(n.appliedIndex, n.confState, data);
    n.storage.compact(n.appliedIndex);
  }
}

/** The state machine image in a snapshot; the bootstrap snapshot (index 1) holds no bytes. */
function decodeImage(data: Uint8Array): string[] {
  const text = decoder.decode(data);
  return text.length === 0 ? [] : (JSON.parse(text) as { applied: string[] }).applied;
}

export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
