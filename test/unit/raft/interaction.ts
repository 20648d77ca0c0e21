/**
 * The interaction environment of the scripted Raft tests (etcd's rafttest.InteractionEnv): a
 * set of RawNodes over MemoryStorage, a message queue standing for the network, and an
 * "appender" state machine, driven one command at a time so that every Ready, message and
 * log line can be recorded. Nothing happens unless a command says so: there is no clock, and
 * the election jitter is fixed (see FixedJitter), so a script's output is reproducible and can be
 * explained tick by tick.
 */
import type { Random } from '../../../core/index.js';
import type { ConfChange, ConfState, Message, MessageType, NodeId, RaftConfig, Snapshot } from '../../../raft/index.js';
import {
  bootstrapStorage,
  CompactedError,
  decodeConfChange,
  MemoryStorage,
  NotLeaderError,
  ProposalDroppedError,
  RawNode,
  SnapshotOutOfDateError,
  UnavailableError,
} from '../../../raft/index.js';
import type { TestData } from './datadriven.js';
import { Args } from './datadriven.js';
import type { ProgressView } from './describe.js';
import { describeConfState, describeEntries, describeMessage, describeProgress, describeReady, describeStateType } from './describe.js';

/** Bound on the rounds of one `stabilize`: a script that never goes quiet is a livelock, not a test. */
const MAX_STABILIZE_ROUNDS = 1000;

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The errors the core reports to its caller by design; anything else aborts the script. */
const EXPECTED_ERRORS = [NotLeaderError, ProposalDroppedError, CompactedError, UnavailableError, SnapshotOutOfDateError] as const;

const MESSAGE_TYPES: ReadonlySet<string> = new Set<MessageType>([
  'MsgHup',
  'MsgBeat',
  'MsgCheckQuorum',
  'MsgProp',
  'MsgApp',
  'MsgAppResp',
  'MsgSnap',
  'MsgSnapResp',
  'MsgHeartbeat',
  'MsgHeartbeatResp',
  'MsgVote',
  'MsgVoteResp',
  'MsgPreVote',
  'MsgPreVoteResp',
  'MsgTransferLeader',
  'MsgTimeoutNow',
  'MsgReadIndex',
  'MsgReadIndexResp',
]);

/**
 * The "random" source of a node's election timeout: always the same jitter, so the randomized
 * timeout is electionTick + jitter ticks, every time. Randomization only matters when nodes tick
 * concurrently; here the script decides who ticks, and a fixed timeout keeps outputs explainable.
 * With the default jitter of electionTick-1, a follower's lease (electionTick ticks) has expired
 * before its own timeout fires, as in a real cluster.
 */
class FixedJitter implements Random {
  constructor(private readonly jitterTicks: number) {}

  next(): number {
    return 0;
  }

  int(n: number): number {
    return Math.min(this.jitterTicks, n - 1);
  }
}

/**
 * The appender state machine after applying the entry at `index`: the data of every non-empty
 * normal entry applied so far, and the configuration then in force (what a snapshot at
 * `index` must hold).
 */
interface AppState {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
  readonly data: readonly string[];
}

function encodeAppData(data: readonly string[]): Uint8Array {
  return data.length === 0 ? EMPTY : encoder.encode(JSON.stringify(data));
}

function decodeAppData(bytes: Uint8Array): string[] {
  return bytes.length === 0 ? [] : (JSON.parse(decoder.decode(bytes)) as string[]);
}

function appStateOf(s: Snapshot): AppState {
  return { index: s.metadata.index, term: s.metadata.term, confState: s.metadata.confState, data: decodeAppData(s.data) };
}

/** Per-node RawNode options settable by `add-nodes`. */
type NodeOptions = Pick<
  RaftConfig,
  'electionTick' | 'heartbeatTick' | 'checkQuorum' | 'preVote' | 'maxInflightMsgs' | 'snapshotChunkBytes' | 'disableProposalForwarding' | 'maxUncommittedEntriesSize' | 'maxSizePerMsg'
> & { readonly electionJitterTicks: number };

interface Node {
  readonly id: NodeId;
  /** What survives a crash: everything a processed Ready told the node to persist. */
  readonly storage: MemoryStorage;
  readonly options: NodeOptions;
  rawNode: RawNode;
  /** The state machine after each applied index; the last element is the current state. */
  history: AppState[];
}

function parseConfChange(s: string): ConfChange {
  const m = /^([vlr])(\d+)$/.exec(s);
  if (!m) throw new Error(`conf change must look like v4, l4 or r4, got ${JSON.stringify(s)}`);
  const type = m[1] === 'v' ? 'add-voter' : m[1] === 'l' ? 'add-learner' : 'remove';
  return { type, nodeId: Number(m[2]) };
}

export class InteractionEnv {
  private readonly nodes = new Map<NodeId, Node>();
  /**
   * The network: messages sent and not yet delivered or dropped, in send order. `lost` marks a
   * message sent to or from an isolated node: it stays lost even if the partition heals before
   * it would be delivered.
   */
  private messages: { readonly m: Message; readonly lost: boolean }[] = [];
  /** Nodes cut off by `isolate`: messages to or from them are lost, whether sent or in flight. */
  private readonly isolated = new Set<NodeId>();
  /**
   * As in etcd's env: `info` prints everything; `error` hides the core's INFO lines; `none` hides
   * all output but errors, for chatty setup steps.
   */
  private logLevel: 'none' | 'error' | 'info' = 'info';
  private out = '';
  private indent = '';

  /** Runs one directive and returns its output (`ok` when it printed nothing). */
  handle(d: TestData): string {
    this.out = '';
    this.indent = '';
    const a = new Args(d);
    switch (d.cmd) {
      case 'log-level':
        this.handleLogLevel(a);
        break;
      case 'add-nodes':
        this.handleAddNodes(a);
        break;
      case 'campaign':
        this.expectedErrors(() => this.node(this.oneId(a)).rawNode.campaign());
        break;
      case 'propose':
        this.handlePropose(a);
        break;
      case 'propose-conf-change':
        this.handleProposeConfChange(a);
        break;
      case 'stabilize':
        this.stabilize(a.only().positionalInts());
        break;
      case 'process-ready':
        this.handleProcessReady(a);
        break;
      case 'deliver-msgs':
        this.handleDeliverMsgs(a);
        break;
      case 'tick-heartbeat':
        this.tickHeartbeat(this.node(this.oneId(a)));
        break;
      case 'tick-election':
        this.tickElection(this.node(this.oneId(a)));
        break;
      case 'transfer-leadership':
        this.handleTransferLeadership(a);
        break;
      case 'read-index':
        this.handleReadIndex(a);
        break;
      case 'compact':
        this.handleCompact(a);
        break;
      case 'raft-state':
        this.raftState(a.only().positionalInts());
        break;
      case 'raft-log':
        this.raftLog(this.node(this.oneId(a)));
        break;
      case 'status':
        this.status(this.node(this.oneId(a)));
        break;
      case 'app-state':
        this.appState(a);
        break;
      case 'isolate':
        for (const id of a.only().positionalInts()) this.isolated.add(this.node(id).id);
        break;
      case 'heal':
        a.only();
        this.isolated.clear();
        break;
      case 'restart':
        this.restart(this.node(this.oneId(a)));
        break;
      default:
        throw new Error(`unknown command ${JSON.stringify(d.cmd)}`);
    }
    return this.out === '' ? 'ok\n' : this.out;
  }

  // ---- Output ----

  /** Writes text (one or more lines), each line prefixed with the current indentation. */
  private write(text: string, isError = false): void {
    if (this.logLevel === 'none' && !isError) return;
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    for (const l of lines) this.out += `${this.indent}${l}\n`;
  }

  private withIndent(fn: () => void): void {
    const saved = this.indent;
    this.indent += '  ';
    try {
      fn();
    } finally {
      this.indent = saved;
    }
  }

  /** Runs fn, printing the core's typed errors as `error: <Class>: <message>`; others propagate. */
  private expectedErrors(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!EXPECTED_ERRORS.some((cls) => err instanceof cls)) throw err;
      const e = err as Error;
      this.write(`error: ${e.constructor.name}: ${e.message}`, true);
    }
  }

  // ---- Nodes ----

  private node(id: NodeId): Node {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  private oneId(a: Args): NodeId {
    const ids = a.only().positionalInts();
    if (ids.length !== 1 || ids[0] === undefined) throw new Error(`${a.d.cmd} takes exactly one node id`);
    return ids[0];
  }

  private handleLogLevel(a: Args): void {
    const [level] = a.only().positional();
    if (level !== 'none' && level !== 'error' && level !== 'info') throw new Error(`log-level must be none, error or info, got ${String(level)}`);
    this.logLevel = level;
  }

  /**
   * `add-nodes N [voters=(…)] [learners=(…)] [index=I] [content=S] [options]`: N new nodes with
   * the next free ids. With a configuration, each starts from a snapshot at index I (default 1),
   * term 1, holding it (and the app state [S]); without one, storage is empty and the node waits
   * for a leader to send it a snapshot.
   */
  private handleAddNodes(a: Args): void {
    a.only(
      'voters',
      'learners',
      'index',
      'content',
      'checkquorum',
      'prevote',
      'max-inflight',
      'snapshot-chunk-bytes',
      'forwarding',
      'max-uncommitted-size',
      'max-size-per-msg',
      'election-tick',
      'heartbeat-tick',
      'election-jitter',
    );
    const [count] = a.positionalInts();
    if (count === undefined || count < 1) throw new Error('add-nodes needs a positive count');
    const voters = a.ints('voters');
    const learners = a.ints('learners');
    const index = a.int('index') ?? 1;
    const content = a.str('content');
    const forwarding = a.bool('forwarding');
    const electionTick = a.int('election-tick') ?? 3;
    const options: NodeOptions = {
      electionTick,
      electionJitterTicks: a.int('election-jitter') ?? electionTick - 1,
      heartbeatTick: a.int('heartbeat-tick') ?? 1,
      checkQuorum: a.bool('checkquorum') ?? false,
      preVote: a.bool('prevote') ?? false,
      ...(a.has('max-inflight') ? { maxInflightMsgs: a.int('max-inflight') } : {}),
      ...(a.has('snapshot-chunk-bytes') ? { snapshotChunkBytes: a.int('snapshot-chunk-bytes') } : {}),
      ...(forwarding !== undefined ? { disableProposalForwarding: !forwarding } : {}),
      ...(a.has('max-uncommitted-size') ? { maxUncommittedEntriesSize: a.int('max-uncommitted-size') } : {}),
      ...(a.has('max-size-per-msg') ? { maxSizePerMsg: a.int('max-size-per-msg') } : {}),
    };
    for (let k = 0; k < count; k++) {
      const id = Math.max(0, ...this.nodes.keys()) + 1;
      const storage = new MemoryStorage();
      if (voters !== undefined || learners !== undefined) {
        const confState: ConfState = { voters: voters ?? [], learners: learners ?? [] };
        if (index === 1 && content === undefined) {
          bootstrapStorage(storage, confState);
        } else {
          const data = content === undefined ? EMPTY : encodeAppData([content]);
          storage.applySnapshot({ metadata: { index, term: 1, confState }, data });
          storage.setHardState({ term: 1, vote: 0, commit: index });
        }
      }
      this.nodes.set(id, { id, storage, options, rawNode: this.newRawNode(id, storage, options), history: [appStateOf(storage.snapshot())] });
    }
  }

  /** A RawNode over what `storage` holds, which has applied exactly its snapshot. */
  private newRawNode(id: NodeId, storage: MemoryStorage, options: NodeOptions): RawNode {
    const { electionJitterTicks, ...config } = options;
    const logger = { info: (msg: string) => this.logLine(msg) };
    return new RawNode({ ...config, id, storage, random: new FixedJitter(electionJitterTicks), applied: storage.snapshot().metadata.index, logger });
  }

  private logLine(msg: string): void {
    if (this.logLevel === 'info') this.write(`INFO ${msg}`);
  }

  private restart(node: Node): void {
    // Unprocessed Readies are lost with the process; messages already sent stay on the wire.
    node.rawNode = this.newRawNode(node.id, node.storage, node.options);
    // The app state is rebuilt from the snapshot; the committed entries after it are applied again.
    node.history = [appStateOf(node.storage.snapshot())];
  }

  // ---- Proposals and requests ----

  private handlePropose(a: Args): void {
    const [id, data] = a.only().positional();
    if (id === undefined || data === undefined) throw new Error('propose ID DATA');
    const rn = this.node(Number(id)).rawNode;
    this.expectedErrors(() => rn.propose(encoder.encode(data)));
  }

  private handleProposeConfChange(a: Args): void {
    const [id, change, ...extra] = a.only().positional();
    if (id === undefined || change === undefined || extra.length > 0) throw new Error('propose-conf-change ID v4|l4|r4 (one change at a time)');
    const rn = this.node(Number(id)).rawNode;
    this.expectedErrors(() => rn.proposeConfChange(parseConfChange(change)));
  }

  private handleTransferLeadership(a: Args): void {
    a.only('from', 'to');
    const from = a.int('from');
    const to = a.int('to');
    if (from === undefined || to === undefined) throw new Error('transfer-leadership from=ID to=ID');
    this.expectedErrors(() => this.node(from).rawNode.transferLeader(to));
  }

  private handleReadIndex(a: Args): void {
    const [id, ctx] = a.only().positional();
    if (id === undefined || ctx === undefined) throw new Error('read-index ID CTX');
    const rn = this.node(Number(id)).rawNode;
    this.expectedErrors(() => rn.readIndex(ctx));
  }

  // ---- Ready, delivery, ticks ----

  private handleProcessReady(a: Args): void {
    const ids = a.only().positionalInts();
    if (ids.length === 0) throw new Error('process-ready ID…');
    if (ids.length === 1) {
      this.processReady(this.node(ids[0]!));
      return;
    }
    for (const id of ids) {
      this.write(`> ${id} handling Ready`);
      this.withIndent(() => this.processReady(this.node(id)));
    }
  }

  /** Persists, sends and applies one Ready, in the order its contract requires, then advances. */
  private processReady(node: Node): void {
    const rn = node.rawNode;
    const rd = rn.ready();
    this.write(describeReady(rd));
    if (rd.snapshot) node.storage.applySnapshot(rd.snapshot);
    node.storage.append(rd.entries);
    if (rd.hardState) node.storage.setHardState(rd.hardState);
    for (const m of rd.messages) this.messages.push({ m, lost: this.isolated.has(m.from) || this.isolated.has(m.to) });
    if (rd.snapshot) node.history = [appStateOf(rd.snapshot)];
    for (const e of rd.committedEntries) {
      const cur = node.history[node.history.length - 1]!;
      let { confState, data } = cur;
      if (e.type === 'conf-change') confState = rn.applyConfChange(decodeConfChange(e.data));
      else if (e.data.length > 0) data = [...data, decoder.decode(e.data)];
      node.history.push({ index: e.index, term: e.term, confState, data });
    }
    rn.advance(rd);
  }

  /** `deliver-msgs [drop=(…)] [type=T] ID…`: delivers (or drops) every queued message to the ids. */
  private handleDeliverMsgs(a: Args): void {
    a.only('drop', 'type');
    const type = a.str('type');
    if (type !== undefined && !MESSAGE_TYPES.has(type)) throw new Error(`unknown message type ${type}`);
    const recipients = a.positionalInts().map((id) => ({ id, drop: false }));
    for (const id of a.ints('drop') ?? []) {
      if (recipients.some((r) => r.id === id)) throw new Error(`can't both deliver and drop msgs to ${id}`);
      recipients.push({ id, drop: true });
    }
    if (this.deliverMsgs(recipients, type as MessageType | undefined) === 0) this.write('no messages');
  }

  private deliverMsgs(recipients: readonly { id: NodeId; drop: boolean }[], type: MessageType | undefined): number {
    let n = 0;
    for (const r of recipients) {
      const picked = this.messages.filter(({ m }) => m.to === r.id && (type === undefined || m.type === type));
      this.messages = this.messages.filter((q) => !picked.includes(q));
      for (const { m, lost } of picked) {
        n++;
        if (r.drop) {
          this.write(`dropped: ${describeMessage(m)}`);
          continue;
        }
        if (lost || this.isolated.has(m.from) || this.isolated.has(m.to)) {
          this.write(`dropped (isolated): ${describeMessage(m)}`);
          continue;
        }
        this.write(describeMessage(m));
        const to = this.nodes.get(m.to);
        if (!to) {
          this.write('  (no such node)');
          continue;
        }
        this.expectedErrors(() => to.rawNode.step(m));
      }
    }
    return n;
  }

  /**
   * etcd's Stabilize: until nothing changes, every node with a Ready handles it, then every node
   * with queued messages receives them. With ids, only those nodes take part.
   */
  private stabilize(ids: readonly NodeId[]): void {
    const nodes = (ids.length > 0 ? ids : [...this.nodes.keys()].sort((x, y) => x - y)).map((id) => this.node(id));
    for (let round = 0; round < MAX_STABILIZE_ROUNDS; round++) {
      let done = true;
      for (const node of nodes) {
        if (!node.rawNode.hasReady()) continue;
        done = false;
        this.write(`> ${node.id} handling Ready`);
        this.withIndent(() => this.processReady(node));
      }
      for (const node of nodes) {
        if (!this.messages.some(({ m }) => m.to === node.id)) continue;
        done = false;
        this.write(`> ${node.id} receiving messages`);
        this.withIndent(() => this.deliverMsgs([{ id: node.id, drop: false }], undefined));
      }
      if (done) return;
    }
    throw new Error(`stabilize did not converge within ${MAX_STABILIZE_ROUNDS} rounds`);
  }

  private tickHeartbeat(node: Node): void {
    for (let i = 0; i < node.options.heartbeatTick; i++) node.rawNode.tick();
  }

  /**
   * A leader ticks one election timeout (its CheckQuorum period). Any other node ticks until its
   * election timeout (electionTick + jitter) fires, so that it campaigns if it may, or until
   * 2*electionTick ticks have passed (a learner never campaigns).
   */
  private tickElection(node: Node): void {
    const r = node.rawNode.raft;
    if (r.state === 'leader') {
      for (let i = 0; i < node.options.electionTick; i++) node.rawNode.tick();
      return;
    }
    const { state, term } = r;
    const msgs = r.msgs.length;
    for (let i = 0; i < 2 * node.options.electionTick; i++) {
      node.rawNode.tick();
      if (r.state !== state || r.term !== term || r.msgs.length !== msgs) return;
    }
  }

  // ---- Inspection ----

  private handleCompact(a: Args): void {
    const [id, index] = a.only().positionalInts();
    if (id === undefined || index === undefined) throw new Error('compact ID INDEX');
    const node = this.node(id);
    const st = node.history.find((h) => h.index === index);
    if (!st) throw new Error(`node ${id} has no app state at index ${index} (it has ${node.history[0]!.index}..${node.history[node.history.length - 1]!.index})`);
    this.expectedErrors(() => {
      node.storage.createSnapshot(index, st.confState, encodeAppData(st.data));
      node.storage.compact(index);
      // Bound the history by the log: states before the snapshot can no longer be asked for.
      node.history = node.history.filter((h) => h.index >= index);
    });
    this.raftLog(node);
  }

  /** `raft-state [ID…]`: role, term, leader, commit and applied index of each node (default all). */
  private raftState(ids: readonly NodeId[]): void {
    for (const id of ids.length > 0 ? ids : [...this.nodes.keys()].sort((x, y) => x - y)) {
      const r = this.node(id).rawNode.raft;
      const st = r.status();
      const role = st.config.voters.includes(id) ? 'Voter' : st.config.learners.includes(id) ? 'Learner' : 'Non-member';
      const iso = this.isolated.has(id) ? ' (isolated)' : '';
      this.write(`${id}: ${describeStateType(st.softState.state)} (${role}) Term:${st.hardState.term} Lead:${st.softState.lead} Commit:${st.hardState.commit} Applied:${st.applied}${iso}`);
    }
  }

  /** The persisted log (what survives a restart), as etcd's raft-log prints it. */
  private raftLog(node: Node): void {
    const s = node.storage;
    const first = s.firstIndex();
    const last = s.lastIndex();
    if (last < first) {
      this.write(`log is empty: first index=${first}, last index=${last}`);
      return;
    }
    this.write(describeEntries(s.entries(first, last + 1, Infinity)));
  }

  private status(node: Node): void {
    const r = node.rawNode.raft;
    if (r.state !== 'leader') {
      this.write(`${node.id} is ${describeStateType(r.state)} (Lead:${r.lead}): only the leader tracks progress`);
      return;
    }
    for (const id of r.trk.memberIds()) {
      const pr: ProgressView = r.trk.progress.get(id)!;
      this.write(`${id}: ${describeProgress(pr)}`);
    }
  }

  /** `app-state ID…`: the appender state machine of each node and the configuration it applied. */
  private appState(a: Args): void {
    const ids = a.only().positionalInts();
    for (const id of ids.length > 0 ? ids : [...this.nodes.keys()].sort((x, y) => x - y)) {
      const h = this.node(id).history;
      const st = h[h.length - 1]!;
      this.write(`${id}: Applied:${st.index} ${describeConfState(st.confState)} Data:${JSON.stringify(st.data)}`);
    }
  }
}
