// RawNode end to end, on the tiny in-memory cluster of cluster.ts.
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import type { ConfChange, NodeId } from '../../../raft/index.js';
import { MemoryStorage, NotLeaderError, ProposalDroppedError, RawNode, bootstrapStorage, message } from '../../../raft/index.js';
import { TestCluster, bytes } from './cluster.js';
import { caught } from './helpers.js';

void t.test('a single-node cluster elects itself and commits its proposals', (t) => {
  const storage = new MemoryStorage();
  bootstrapStorage(storage, { voters: [1], learners: [] });
  const node = new RawNode({ id: 1, electionTick: 10, heartbeatTick: 1, storage, random: new SeededRandom(1) });
  node.campaign();
  t.equal(node.raft.state, 'leader', 'a lone voter wins at once');

  const applied: string[] = [];
  const drain = (): void => {
    while (node.hasReady()) {
      const rd = node.ready();
      t.same(rd.messages, [], 'nobody to talk to');
      storage.append(rd.entries);
      if (rd.hardState) storage.setHardState(rd.hardState);
      for (const e of rd.committedEntries) if (e.data.length > 0) applied.push(new TextDecoder().decode(e.data));
      node.advance(rd);
    }
  };
  drain();
  t.equal(node.raft.raftLog.committed, 2, 'the leader\'s empty entry at index 2 is committed');
  node.propose(bytes('a'));
  node.propose([bytes('b'), bytes('c')]);
  drain();
  t.same(applied, ['a', 'b', 'c']);
  t.same(storage.initialState().hardState, { term: 2, vote: 1, commit: 5 });
  t.equal(node.status().applied, 5);
  t.end();
});

void t.test('a single node elects itself by ticking, too', (t) => {
  const c = new TestCluster([1]);
  for (let k = 0; k < 30 && c.leaders().length === 0; k++) {
    c.tick();
    c.stabilize();
  }
  t.same(c.leaders(), [1]);
  t.end();
});

void t.test('ready/advance: one Ready at a time, and mustSync when entries or term/vote change', (t) => {
  const c = new TestCluster([1, 2, 3]);
  const n1 = c.get(1).node;
  n1.campaign();
  t.ok(n1.hasReady());
  const rd = n1.ready();
  t.ok(rd.mustSync, 'the new term and vote must be on disk before the vote requests leave');
  t.same(rd.hardState, { term: 2, vote: 1, commit: 1 });
  t.same(rd.messages.map((m) => `${m.type}->${m.to}`), ['MsgVote->2', 'MsgVote->3']);
  t.notOk(n1.hasReady(), 'nothing more until advance');
  t.throws(() => n1.ready(), 'ready() twice without advance is a bug');
  n1.advance(rd);
  t.end();
});

void t.test('a 3-node cluster elects exactly one leader and all apply the same entries', async (t) => {
  for (let seed = 1; seed <= 10; seed++) {
    await t.test(`seed ${seed}`, (t) => {
      const c = new TestCluster([1, 2, 3], { seed });
      const leaderOfTerm = new Map<number, NodeId>();
      let ticks = 0;
      for (; ticks < 200 && c.leaders().length === 0; ticks++) {
        c.tick();
        c.stabilize();
        for (const id of c.leaders()) {
          const term = c.get(id).node.raft.term;
          t.equal(leaderOfTerm.get(term) ?? id, id, `one leader in term ${term}`);
          leaderOfTerm.set(term, id);
        }
      }
      const leaders = c.leaders();
      t.equal(leaders.length, 1, `one leader after ${ticks} ticks`);
      const leader = leaders[0]!;
      for (const n of c.nodes.values()) {
        t.equal(n.node.raft.lead, leader, `node ${n.id} follows ${leader}`);
        t.equal(n.node.raft.term, c.get(leader).node.raft.term);
      }
      const want: string[] = [];
      for (let k = 0; k < 20; k++) {
        want.push(`cmd-${k}`);
        c.get(leader).node.propose(bytes(`cmd-${k}`));
        if (k % 3 === 0) c.stabilize();
      }
      for (let k = 0; k < 5; k++) {
        c.tick();
        c.stabilize();
      }
      for (const n of c.nodes.values()) t.same(n.applied, want, `node ${n.id} applied everything, in order`);
      t.same(c.leaders(), [leader], 'still the same leader');
      t.end();
    });
  }
});

void t.test('a follower forwards proposals to the leader by default', (t) => {
  const c = new TestCluster([1, 2, 3]);
  c.get(1).node.campaign();
  c.stabilize();
  c.get(3).node.propose(bytes('via-3'));
  c.stabilize();
  for (const n of c.nodes.values()) t.same(n.applied, ['via-3'], `node ${n.id}`);
  t.end();
});

void t.test('with proposal forwarding disabled, a follower throws NotLeaderError naming the leader', (t) => {
  const c = new TestCluster([1, 2, 3], { config: { disableProposalForwarding: true } });
  const before = caught(() => c.get(2).node.propose(bytes('x')));
  t.type(before, NotLeaderError, 'no leader yet');
  t.match(before, { leaderHint: 0, nodeId: 2 });

  c.get(1).node.campaign();
  c.stabilize();
  t.same(c.leaders(), [1]);
  const err = caught(() => c.get(2).node.propose(bytes('x')));
  t.type(err, NotLeaderError);
  t.match(err, { leaderHint: 1, nodeId: 2, name: 'NotLeaderError' });
  c.stabilize();
  for (const n of c.nodes.values()) t.same(n.applied, [], 'nothing was proposed');
  t.end();
});

void t.test('a forwarded proposal a transferring leader refuses: step() drops it, stepReportingRefusals() throws why', (t) => {
  const c = new TestCluster([1, 2, 3]);
  c.get(1).node.campaign();
  c.stabilize();
  const leader = c.get(1).node;
  leader.transferLeader(3);
  t.equal(leader.raft.leadTransferee, 3, 'the transfer is in progress (its messages not delivered yet)');
  const forwarded = message({ type: 'MsgProp', to: 1, from: 2, entries: [{ term: 0, index: 0, type: 'normal', data: bytes('fwd') }] });
  const lastIndex = leader.raft.raftLog.lastIndex();
  t.doesNotThrow(() => leader.step(forwarded), 'dropped in silence, as etcd drops it');
  const err = caught(() => leader.stepReportingRefusals(forwarded));
  t.type(err, ProposalDroppedError, 'so the member can hold it and replay it to the new leader');
  t.match(err, { reason: 'transferring' });
  t.equal(leader.raft.raftLog.lastIndex(), lastIndex, 'nothing appended');
  t.end();
});

void t.test('a candidate refuses proposals with NotLeaderError and no hint', (t) => {
  const c = new TestCluster([1, 2, 3]);
  c.get(1).node.campaign();
  const err = caught(() => c.get(1).node.propose(bytes('x')));
  t.type(err, NotLeaderError);
  t.match(err, { leaderHint: 0, nodeId: 1 });
  t.end();
});

void t.test('a conf change proposed while another is pending is dropped', (t) => {
  const c = new TestCluster([1, 2, 3]);
  const n1 = c.get(1).node;
  n1.campaign();
  c.stabilize();
  n1.proposeConfChange({ type: 'add-learner', nodeId: 4 });
  const err = caught(() => n1.proposeConfChange({ type: 'add-learner', nodeId: 5 }));
  t.type(err, ProposalDroppedError);
  t.match(err, { reason: 'conf-change-pending' });
  n1.propose(bytes('normal entries still go through'));
  c.stabilize();
  for (const n of c.nodes.values()) t.same(n.confState, { voters: [1, 2, 3], learners: [4] }, `node ${n.id} applied the first change only`);
  t.same(c.get(2).applied, ['normal entries still go through']);
  t.doesNotThrow(() => n1.proposeConfChange({ type: 'add-learner', nodeId: 5 }), 'accepted once the first is applied');
  c.stabilize();
  t.same(c.get(3).confState, { voters: [1, 2, 3], learners: [4, 5] });
  t.end();
});

void t.test('a new leader accepts no conf change until its first entry is applied', (t) => {
  const storage = new MemoryStorage();
  bootstrapStorage(storage, { voters: [1], learners: [] });
  const node = new RawNode({ id: 1, electionTick: 10, heartbeatTick: 1, storage, random: new SeededRandom(1) });
  node.campaign();
  const err = caught(() => node.proposeConfChange({ type: 'add-voter', nodeId: 2 }));
  t.type(err, ProposalDroppedError);
  t.match(err, { reason: 'conf-change-pending' });
  const rd = node.ready();
  storage.append(rd.entries);
  node.advance(rd);
  t.doesNotThrow(() => node.proposeConfChange({ type: 'add-voter', nodeId: 2 }));
  t.end();
});

void t.test('a conf change that would leave no voters is refused at proposal time', (t) => {
  const c = new TestCluster([1]);
  c.get(1).node.campaign();
  c.stabilize();
  const err = caught(() => c.get(1).node.proposeConfChange({ type: 'remove', nodeId: 1 }));
  t.type(err, ProposalDroppedError);
  t.match(err, { reason: 'invalid-conf-change' });
  t.end();
});

interface ChaosOptions {
  readonly seed: number;
  readonly size: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** Leaders also add, promote and remove members. */
  readonly membership: boolean;
}

/**
 * A VOPR-style run: a safety phase under message loss, reordering, partitions, restarts and
 * log compaction (snapshots sent in chunks), checking election safety, state machine safety
 * and the progress invariants after every step; then a liveness phase on a healthy network
 * that must converge. Returns what went wrong (nothing, when all is well).
 */
function chaos(o: ChaosOptions): { failures: string[]; proposed: number; confChanges: number } {
  const ids = Array.from({ length: o.size }, (_, k) => k + 1);
  const maxInflightMsgs = 4;
  const c = new TestCluster(ids, {
    seed: o.seed,
    dropRate: 0.1,
    reorder: true,
    compactEvery: 8,
    config: { preVote: o.preVote, checkQuorum: o.checkQuorum, snapshotChunkBytes: 64, maxSizePerMsg: 64, maxInflightMsgs },
  });
  const failures: string[] = [];
  const fail = (msg: string): void => {
    if (failures.length < 3) failures.push(msg);
  };
  const leaderOfTerm = new Map<number, NodeId>();
  /** index → the data applied there, by whichever node applied it first. */
  const appliedAt = new Map<number, string>();
  const check = (): void => {
    for (const id of c.leaders()) {
      const raft = c.get(id).node.raft;
      const other = leaderOfTerm.get(raft.term);
      if (other !== undefined && other !== id) fail(`two leaders in term ${raft.term}: ${other} and ${id}`);
      leaderOfTerm.set(raft.term, id);
      for (const [peer, pr] of raft.trk.progress) {
        if (pr.inflights.size() > maxInflightMsgs) fail(`leader ${id}: ${pr.inflights.size()} messages in flight to ${peer}, window is ${maxInflightMsgs}`);
        if (!(pr.match < pr.next)) fail(`leader ${id}: progress of ${peer} breaks match < next: ${pr.describe()}`);
      }
    }
    for (const n of c.nodes.values()) {
      const log = n.node.raft.raftLog;
      if (!(log.applied <= log.committed && log.committed <= log.lastIndex())) fail(`node ${n.id}: applied ${log.applied} <= committed ${log.committed} <= last ${log.lastIndex()} broken`);
      for (const [index, data] of n.appliedAt) {
        const prev = appliedAt.get(index);
        if (prev === undefined) appliedAt.set(index, data);
        else if (prev !== data) fail(`node ${n.id} applied ${JSON.stringify(data)} at ${index}, another node ${JSON.stringify(prev)}`);
      }
      n.appliedAt.clear();
    }
  };
  const propose = (id: NodeId, data: string): void => {
    try {
      c.get(id).node.propose(bytes(data));
    } catch (err) {
      if (!(err instanceof ProposalDroppedError)) throw err;
    }
  };
  let nextId = o.size + 1;
  let proposed = 0;
  let confChanges = 0;
  const changeMembership = (leader: NodeId): void => {
    const cs = leader === 0 ? undefined : c.get(leader).node.raft.trk.confState();
    if (!cs) return;
    const members = cs.voters.length + cs.learners.length;
    const r = c.rnd.next();
    let cc: ConfChange | undefined;
    if (r < 0.3 && members < 7) cc = { type: 'add-voter', nodeId: nextId };
    else if (r < 0.5 && members < 7) cc = { type: 'add-learner', nodeId: nextId };
    else if (r < 0.7 && cs.learners.length > 0) cc = { type: 'add-voter', nodeId: cs.learners[c.rnd.int(cs.learners.length)]! };
    else if (cs.voters.length > 2) cc = { type: 'remove', nodeId: cs.voters[c.rnd.int(cs.voters.length)]! };
    if (!cc) return;
    try {
      c.get(leader).node.proposeConfChange(cc);
    } catch (err) {
      if (err instanceof ProposalDroppedError) return;
      throw err;
    }
    confChanges++;
    // Ids are never reused: a new member starts empty.
    if (cc.nodeId === nextId) c.addNode(nextId++);
  };

  // Safety phase: faults.
  for (let step = 0; step < 300 && failures.length === 0; step++) {
    c.tick();
    if (c.rnd.chance(0.02)) {
      // Partition one node away, or heal.
      c.cut.clear();
      if (c.rnd.chance(0.6)) {
        const all = [...c.nodes.keys()];
        const victim = all[c.rnd.int(all.length)]!;
        for (const other of all) {
          c.cut.add(`${victim}->${other}`);
          c.cut.add(`${other}->${victim}`);
        }
      }
    }
    if (c.rnd.chance(0.01)) {
      const all = [...c.nodes.keys()];
      c.restart(all[c.rnd.int(all.length)]!);
    }
    for (const id of c.leaders()) {
      if (c.rnd.chance(0.5)) propose(id, `s${o.seed}-p${proposed++}`);
      if (o.membership && c.rnd.chance(0.05)) changeMembership(id);
    }
    c.stabilize();
    check();
  }
  // Liveness phase: a healthy network must converge; every member of the leader's configuration applies the marker.
  c.cut.clear();
  c.dropRate = 0;
  const marker = `s${o.seed}-final`;
  let done = false;
  for (let step = 0; step < 1000 && !done && failures.length === 0; step++) {
    c.tick();
    const leaders = c.leaders().filter((id) => c.get(id).node.raft.trk.voters.has(id));
    if (step % 20 === 0) for (const id of leaders) propose(id, marker);
    c.stabilize();
    check();
    const current = c.leaders().filter((id) => c.get(id).node.raft.trk.voters.has(id));
    if (current.length === 1) {
      const cs = c.get(current[0]!).node.raft.trk.confState();
      done = [...cs.voters, ...cs.learners].every((id) => c.get(id).applied.includes(marker));
    }
  }
  if (!done && failures.length === 0) {
    fail(`no convergence: ${[...c.nodes.values()].map((n) => `${n.id}:${n.node.raft.state}/t${n.node.raft.term}/c${n.node.raft.raftLog.committed}`).join(' ')}`);
  }
  return { failures, proposed, confChanges };
}

void t.test('randomized: loss, reordering, partitions, restarts and compaction keep Raft safe, then it converges', async (t) => {
  for (let seed = 1; seed <= 16; seed++) {
    const o: ChaosOptions = { seed, size: seed % 2 === 0 ? 5 : 3, preVote: seed % 3 !== 0, checkQuorum: seed % 4 !== 0, membership: false };
    await t.test(`seed ${seed}`, (t) => {
      const r = chaos(o);
      t.same(r.failures, [], `${JSON.stringify(o)}: ${r.proposed} proposals`);
      t.end();
    });
  }
});

void t.test('randomized, with membership changes: members added, promoted and removed one at a time', async (t) => {
  // PreVote and CheckQuorum are on: this cluster never shuts removed members down, and without
  // both, a removed member that keeps campaigning can block elections for good (thesis §4.2.3).
  for (let seed = 1; seed <= 16; seed++) {
    const o: ChaosOptions = { seed, size: 3, preVote: true, checkQuorum: true, membership: true };
    await t.test(`seed ${seed}`, (t) => {
      const r = chaos(o);
      t.same(r.failures, [], `${JSON.stringify(o)}: ${r.proposed} proposals, ${r.confChanges} conf changes`);
      t.end();
    });
  }
});
