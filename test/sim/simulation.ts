import { HistoryRecorder, SeededRandom, checkLinearizable } from '../../core/index.js';
import type { LinResult } from '../../core/index.js';
import type { ConfChange, ConfState, NodeId, ReadState } from '../../raft/index.js';
import { NotLeaderError, ProposalDroppedError } from '../../raft/index.js';
import { SafetyChecker, SafetyViolation } from './checkers.js';
import type { KvCommand, KvResult } from './kv.js';
import { encodeCommand } from './kv.js';
import type { NetworkFaults } from './network.js';
import { HEALTHY_NETWORK, SimNetwork } from './network.js';
import type { CoreOptions } from './node.js';
import { SimNode } from './node.js';

export interface SimOptions {
  readonly seed: number;
  /** Founding voters: 3 or 5. */
  readonly members: number;
  /** Ticks of the safety phase, with every fault on. */
  readonly safetyTicks?: number;
  /** Ticks the liveness phase may take to elect a leader and commit on every member. */
  readonly livenessTicks?: number;
  readonly clients?: number;
  /** Called with a line per notable event (crashes, partitions, elections) when set. */
  readonly trace?: (line: string) => void;
  /** With trace: also a line with every member's role, term and commit this often. */
  readonly statusEveryTicks?: number;
}

export interface SimResult {
  readonly members: number;
  readonly seed: number;
  readonly ok: boolean;
  /** The broken property, when !ok. */
  readonly violation?: string;
  readonly elections: number;
  /** Entries committed (highest durable commit index). */
  readonly committed: number;
  readonly ops: number;
  readonly lin: LinResult;
  readonly livenessTicks: number;
  readonly ticks: number;
}

/** The one-line command that replays a seed. */
export function replayCommand(seed: number, members: number): string {
  return `npx flotilla sim --seeds 1 --seed ${seed} --members ${members} --verbose`;
}

interface ClientOp {
  readonly process: number;
  readonly f: 'read' | 'write' | 'cas';
  readonly key: string;
  readonly value: unknown;
  readonly node: NodeId;
  readonly deadline: number;
  /** For writes and cas: the command's session sequence number. For reads: the read context. */
  readonly seq: number;
  readonly ctx?: string;
  /** For reads: the read index, once the ReadState arrived. */
  readIndex?: number;
}

const KEYS = ['x', 'y', 'z'];
const CLIENT_TIMEOUT_TICKS = 60;

/**
 * One seeded run of a cluster of real Raft cores under a simulated network, disk and clock:
 * a safety phase with every fault on (loss, duplication, delay and reordering, symmetric and
 * one-way partitions, crashes that lose what was not persisted, membership changes, leadership
 * transfers, tiny snapshots sent in chunks), then a liveness phase with the faults healed that
 * must elect a leader and commit on every member within a bound. The safety checker runs
 * after every step; the clients' history is checked for linearizability at the end.
 */
export class Simulation {
  private readonly rnd: SeededRandom;
  private readonly net: SimNetwork;
  private readonly checker = new SafetyChecker();
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly history = new HistoryRecorder();
  private readonly ops = new Map<number, ClientOp>(); // by client index
  private readonly clientProcess: number[] = [];
  private readonly clientSeq: number[] = [];
  private readonly downUntil = new Map<NodeId, number>();
  private readonly removed = new Set<NodeId>();
  private readonly core: CoreOptions;
  private readonly crashRate: number;
  private readonly partitionRate: number;
  private readonly confChangeRate: number;
  private nextProcess = 0;
  private nextNodeId: number;
  private nextCtx = 0;
  private now = 0;
  private opCount = 0;
  private partitionUntil = -1;

  constructor(private readonly o: SimOptions) {
    this.rnd = new SeededRandom(o.seed);
    this.net = new SimNetwork(this.rnd.fork());
    const r = this.rnd;
    this.core = {
      electionTick: 10,
      heartbeatTick: 1 + r.int(2),
      checkQuorum: r.chance(0.8),
      preVote: r.chance(0.8),
      maxSizePerMsg: r.chance(0.5) ? 64 : 1024 * 1024,
      maxInflightMsgs: 1 + r.int(8),
      maxUncommittedEntriesSize: r.chance(0.2) ? 256 : 1 << 20,
      snapshotChunkBytes: 16 + r.int(128),
    };
    // A third of the seeds are storms: members crash every few dozen ticks, which is what it
    // takes to interleave three terms over one index as in the paper's Figure 8.
    this.crashRate = r.chance(0.33) ? 0.005 + r.next() * 0.02 : r.next() * 0.004;
    this.partitionRate = r.next() * 0.01;
    this.confChangeRate = r.chance(0.5) ? r.next() * 0.01 : 0;
    const voters = Array.from({ length: o.members }, (_, i) => i + 1);
    const founding: ConfState = { voters, learners: [] };
    for (const id of voters) this.addNode(id, founding);
    this.nextNodeId = o.members + 1;
    const clients = o.clients ?? 3;
    for (let c = 0; c < clients; c++) {
      this.clientProcess.push(this.nextProcess++);
      this.clientSeq.push(0);
    }
  }

  private trace(line: string): void {
    this.o.trace?.(`[${this.now}] ${line}`);
  }

  private addNode(id: NodeId, founding: ConfState | undefined): SimNode {
    const node = new SimNode(id, this.core, this.rnd.fork(), this.checker, {
      send: (m) => this.net.send(this.now, m),
      applied: (at, cmd, result) => this.onApplied(at, cmd, result),
      readState: (at, rs) => this.onReadState(at, rs),
      removed: (rid) => {
        this.removed.add(rid);
        this.trace(`${rid} removed from the cluster`);
      },
      ...(this.o.trace ? { trace: (l: string) => this.trace(l) } : {}),
    }, founding);
    this.nodes.set(id, node);
    return node;
  }

  run(): SimResult {
    const safetyTicks = this.o.safetyTicks ?? 600;
    const livenessBound = this.o.livenessTicks ?? 400;
    let violation: string | undefined;
    let livenessTicks = 0;
    try {
      this.net.faults = this.randomFaults();
      this.trace(`safety phase: ${JSON.stringify(this.core)} faults=${JSON.stringify(this.net.faults)}`);
      for (let i = 0; i < safetyTicks; i++) this.step(true);
      livenessTicks = this.liveness(livenessBound);
    } catch (err) {
      if (!(err instanceof SafetyViolation)) throw err;
      violation = err.message;
    }
    // Every op still outstanding has an unknown outcome.
    for (const [c, op] of this.ops) this.complete(c, op, 'info', op.f === 'read' ? null : op.value);
    const lin = checkLinearizable(this.history.events());
    if (!violation && !lin.linearizable) violation = `linearizability: key ${lin.key ?? '?'} cannot be ordered`;
    return {
      seed: this.o.seed,
      members: this.o.members,
      ok: violation === undefined,
      ...(violation !== undefined ? { violation } : {}),
      elections: this.checker.elections,
      committed: this.checker.maxCommit,
      ops: this.opCount,
      lin,
      livenessTicks,
      ticks: this.now,
    };
  }

  private randomFaults(): NetworkFaults {
    const r = this.rnd;
    return { dropRate: r.next() * 0.2, duplicateRate: r.next() * 0.1, maxDelayTicks: 1 + r.int(r.chance(0.2) ? 20 : 5) };
  }

  /** Heals everything, then waits for a leader that commits a fresh entry on every member. */
  private liveness(bound: number): number {
    this.net.heal();
    this.net.faults = HEALTHY_NETWORK;
    for (const [id, node] of this.nodes) if (!node.up) this.restart(id);
    this.trace('liveness phase: faults healed, all members up');
    const start = this.now;
    let marker: { index: number } | undefined;
    while (this.now - start < bound) {
      this.step(false);
      const leader = this.leader();
      if (!leader) continue;
      if (!marker) {
        try {
          leader.raw.propose(encodeCommand({ client: -1, seq: this.now, op: 'write', key: '_liveness', value: this.now }));
          marker = { index: leader.raw.raft.raftLog.lastIndex() };
        } catch (err) {
          if (!(err instanceof NotLeaderError || err instanceof ProposalDroppedError)) throw err;
        }
        continue;
      }
      if (this.members().every((n) => n.kv.applied >= marker!.index)) return this.now - start;
    }
    throw new SafetyViolation('liveness', `no leader committed on every member within ${bound} ticks after healing (leader: ${this.leader()?.id ?? 'none'}, ${this.describeNodes()})`);
  }

  describeNodes(): string {
    return [...this.nodes.values()]
      .map((n) => `${n.id}:${n.up ? n.raw.raft.state : 'down'}@${n.up ? n.raw.raft.term : '-'} commit=${n.up ? n.raw.raft.raftLog.committed : '-'} applied=${n.kv.applied}`)
      .join(', ') + this.describeProgress();
  }

  private describeProgress(): string {
    const p = this.leader()?.raw.raft.trk.progress;
    return p ? `; progress ${[...p].map(([id, pr]) => `${id}:${pr.describe()}`).join(', ')}` : '';
  }

  /** Live members in the current configuration (as the leader sees it). */
  private members(): SimNode[] {
    const leader = this.leader();
    const cs = leader ? leader.confState : undefined;
    const ids = cs ? [...cs.voters, ...cs.learners] : [...this.nodes.keys()].filter((id) => !this.removed.has(id));
    return ids.map((id) => this.nodes.get(id)).filter((n): n is SimNode => n !== undefined && n.up);
  }

  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodes.values()) {
      if (n.up && n.raw.raft.state === 'leader' && (!best || n.raw.raft.term > best.raw.raft.term)) best = n;
    }
    return best;
  }

  private step(faulty: boolean): void {
    this.now++;
    const r = this.rnd;
    for (const m of this.net.due(this.now)) {
      const node = this.nodes.get(m.to);
      if (node?.up) node.raw.step(m);
    }
    for (const node of this.nodes.values()) {
      if (!node.up) continue;
      // Clock skew: a member's tick is sometimes late.
      if (!faulty || r.chance(0.95)) node.raw.tick();
      // Disk latency: a member sometimes handles its Ready a step later.
      if (!faulty || r.chance(0.8)) while (node.up && node.handleReady()) { /* drain */ }
      this.checker.observe(node.id, node.raw);
    }
    this.serveReads();
    this.clientsAct();
    if (faulty) this.injectFaults();
    if (this.o.trace) this.traceProgress();
  }

  private lastLeader = '';

  private traceProgress(): void {
    const l = this.leader();
    const key = l ? `${l.id}@${l.raw.raft.term}` : '';
    if (key !== this.lastLeader && l) this.trace(`leader elected: ${l.id} (term ${l.raw.raft.term})`);
    this.lastLeader = key;
    const every = this.o.statusEveryTicks;
    if (every && this.now % every === 0) this.trace(`status: ${this.describeNodes()}`);
  }

  private injectFaults(): void {
    const r = this.rnd;
    for (const [id, node] of this.nodes) {
      if (node.up && r.chance(this.crashRate)) {
        node.crash();
        this.downUntil.set(id, this.now + 1 + r.int(100));
        this.trace(`crash ${id}`);
      } else if (!node.up && (this.downUntil.get(id) ?? 0) <= this.now) {
        this.restart(id);
      }
    }
    if (this.partitionUntil >= 0 && this.now >= this.partitionUntil) {
      this.net.heal();
      this.partitionUntil = -1;
      this.trace('heal');
    } else if (this.partitionUntil < 0 && r.chance(this.partitionRate)) {
      this.randomPartition();
    }
    if (r.chance(this.confChangeRate)) this.randomConfChange();
    if (r.chance(0.002)) this.randomTransfer();
  }

  private restart(id: NodeId): void {
    const node = this.nodes.get(id)!;
    this.checker.onRestart(id);
    node.start();
    this.trace(`restart ${id}`);
  }

  private randomPartition(): void {
    const r = this.rnd;
    const ids = [...this.nodes.keys()];
    for (let i = ids.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    if (r.chance(0.5)) {
      const cut = 1 + r.int(ids.length - 1);
      this.net.partition(ids.slice(0, cut), ids.slice(cut));
      this.trace(`partition ${ids.slice(0, cut).join(',')} | ${ids.slice(cut).join(',')}`);
    } else {
      const links = 1 + r.int(ids.length);
      for (let i = 0; i < links; i++) {
        const from = ids[r.int(ids.length)]!;
        const to = ids[r.int(ids.length)]!;
        if (from !== to) this.net.blockOneWay(from, to);
      }
      this.trace(`one-way blocks ${this.net.describeBlocks()}`);
    }
    this.partitionUntil = this.now + 10 + r.int(150);
  }

  /** Adds a learner, promotes a caught-up learner, or removes a voter, through the leader. */
  private randomConfChange(): void {
    const leader = this.leader();
    if (!leader) return;
    const cs = leader.confState;
    let cc: ConfChange;
    const learner = cs.learners[0];
    if (learner !== undefined) {
      cc = { type: 'add-voter', nodeId: learner };
    } else if (cs.voters.length > this.o.members - 1 && this.rnd.chance(0.5)) {
      cc = { type: 'remove', nodeId: cs.voters[this.rnd.int(cs.voters.length)]! };
    } else if (cs.voters.length <= this.o.members) {
      cc = { type: 'add-learner', nodeId: this.nextNodeId };
    } else {
      return;
    }
    try {
      leader.raw.proposeConfChange(cc);
    } catch (err) {
      if (err instanceof ProposalDroppedError) return;
      throw err;
    }
    this.trace(`propose ${cc.type} ${cc.nodeId} at leader ${leader.id}`);
    if (cc.type === 'add-learner') {
      this.addNode(this.nextNodeId, undefined);
      this.nextNodeId++;
    }
  }

  private randomTransfer(): void {
    const leader = this.leader();
    if (!leader) return;
    const voters = leader.confState.voters.filter((v) => v !== leader.id);
    const to = voters[this.rnd.int(voters.length)];
    if (to === undefined) return;
    this.trace(`transfer leadership ${leader.id} -> ${to}`);
    leader.raw.transferLeader(to);
  }

  // ---- Clients ----

  private clientsAct(): void {
    const r = this.rnd;
    for (let c = 0; c < this.clientProcess.length; c++) {
      const op = this.ops.get(c);
      if (op) {
        if (this.now >= op.deadline) this.complete(c, op, 'info', op.f === 'read' ? null : op.value);
        continue;
      }
      if (!r.chance(0.3)) continue;
      this.invoke(c);
    }
  }

  private invoke(c: number): void {
    const r = this.rnd;
    const live = [...this.nodes.values()].filter((n) => n.up && !this.removed.has(n.id));
    const node = (r.chance(0.7) ? this.leader() : undefined) ?? live[r.int(live.length)];
    if (!node) return;
    const key = KEYS[r.int(KEYS.length)]!;
    const process = this.clientProcess[c]!;
    const kind = r.int(10);
    this.opCount++;
    if (kind < 4) {
      const ctx = `r${this.nextCtx++}`;
      const op: ClientOp = { process, f: 'read', key, value: null, node: node.id, deadline: this.now + CLIENT_TIMEOUT_TICKS, seq: 0, ctx };
      if (!this.submit(() => node.raw.readIndex(ctx))) return;
      this.history.invoke(process, 'read', key, null);
      this.ops.set(c, op);
      return;
    }
    const seq = ++this.clientSeq[c]!;
    const value = this.opCount;
    let cmd: KvCommand;
    let f: 'write' | 'cas';
    let histValue: unknown;
    if (kind < 8) {
      f = 'write';
      cmd = { client: c, seq, op: 'write', key, value };
      histValue = value;
    } else {
      f = 'cas';
      // Expect what this member last saw, so that some compares succeed.
      const expected = node.kv.get(key);
      cmd = { client: c, seq, op: 'cas', key, value, expected };
      histValue = [expected, value];
    }
    const op: ClientOp = { process, f, key, value: histValue, node: node.id, deadline: this.now + CLIENT_TIMEOUT_TICKS, seq };
    if (!this.submit(() => node.raw.propose(encodeCommand(cmd)))) return;
    this.history.invoke(process, f, key, histValue);
    this.ops.set(c, op);
  }

  /**
   * Hands a request to a member. A request refused synchronously (not leader, dropped) never
   * reached the log, so it is left out of the history altogether: recording it as a failed cas
   * would wrongly claim the compare was evaluated. Both happen at one instant of simulated time.
   */
  private submit(request: () => void): boolean {
    try {
      request();
      return true;
    } catch (err) {
      if (err instanceof NotLeaderError || err instanceof ProposalDroppedError) return false;
      throw err;
    }
  }

  private complete(c: number, op: ClientOp, type: 'ok' | 'fail' | 'info', value: unknown): void {
    if (type === 'ok') this.history.ok(op.process, op.f, op.key, value);
    else if (type === 'fail') this.history.fail(op.process, op.f, op.key, value);
    else this.history.info(op.process, op.f, op.key, value);
    this.ops.delete(c);
    // A process whose op has an unknown outcome may still be "in" it: continue as a new process.
    if (type === 'info') this.clientProcess[c] = this.nextProcess++;
  }

  private onApplied(at: NodeId, cmd: KvCommand, result: KvResult): void {
    if (cmd.client < 0) return;
    const op = this.ops.get(cmd.client);
    if (!op || op.node !== at || op.f === 'read' || op.seq !== cmd.seq) return;
    if (op.f === 'write') this.complete(cmd.client, op, 'ok', op.value);
    else this.complete(cmd.client, op, result.ok ? 'ok' : 'fail', op.value);
  }

  private onReadState(at: NodeId, rs: ReadState): void {
    for (const op of this.ops.values()) {
      if (op.f === 'read' && op.node === at && op.ctx === rs.requestCtx) op.readIndex = rs.index;
    }
  }

  /** Answers reads whose read index the member has applied (§6.4 step 4). */
  private serveReads(): void {
    for (const [c, op] of this.ops) {
      if (op.f !== 'read' || op.readIndex === undefined) continue;
      const node = this.nodes.get(op.node);
      if (!node?.up) continue;
      if (node.kv.applied >= op.readIndex) this.complete(c, op, 'ok', node.kv.get(op.key));
    }
  }
}

export function runSimulation(o: SimOptions): SimResult {
  return new Simulation(o).run();
}
