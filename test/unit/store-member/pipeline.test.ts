// StoreMember's Ready handling: committed entries already on this member's disk are applied (and
// their clients answered) while the next batch is being written, never entries that batch holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test as Tap } from 'tap';
import { SeededRandom } from '../../../core/index.js';
import { realClock } from '../../../actors/index.js';
import type { Member, NodeId } from '../../../raft/index.js';
import { LevelRaftStorage, MemberTable, MemoryBackend, MvccStateMachine, MvccStore, StoreMember } from '../../../raft/index.js';
import { InMemoryNetwork } from '../../../transport/index.js';
import { waitFor } from '../peer-transport/helpers.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Holds a member's Raft log writes: while closed, a save starts only when the gate opens. */
class SaveGate {
  private release: (() => void) | undefined;
  private opened: Promise<void> = Promise.resolve();
  /** Highest entry index handed to a save, whether it finished or not. */
  lastHanded = 0;
  /** Highest entry index whose save finished. */
  lastSaved = 0;

  close(): void {
    this.opened = new Promise((r) => (this.release = r));
  }

  open(): void {
    this.release?.();
    this.release = undefined;
  }

  wrap(storage: LevelRaftStorage): void {
    const save = storage.save.bind(storage);
    storage.save = async (u) => {
      const last = u.entries.at(-1)?.index ?? 0;
      this.lastHanded = Math.max(this.lastHanded, last);
      await this.opened;
      await save(u);
      this.lastSaved = Math.max(this.lastSaved, last);
    };
  }
}

interface Node {
  readonly member: StoreMember;
  readonly gate: SaveGate;
  readonly storage: LevelRaftStorage;
}

async function startCluster(size: number, dir: string): Promise<Node[]> {
  const network = new InMemoryNetwork();
  const ids: NodeId[] = Array.from({ length: size }, (_, i) => 0x100 + i);
  const members: Member[] = ids.map((id, i) => ({ ID: id, name: `s${i + 1}`, peerURLs: [InMemoryNetwork.urlOf(id)], clientURLs: [], isLearner: false }));
  const nodes: Node[] = [];
  for (const [i, id] of ids.entries()) {
    const { storage } = await LevelRaftStorage.open(join(dir, `s${i + 1}`));
    const sm = new MvccStateMachine(await MvccStore.open(new MemoryBackend()));
    await storage.save({
      hardState: { term: 1, vote: 0, commit: 1 },
      entries: [],
      snapshot: { metadata: { index: 1, term: 1, confState: { voters: ids, learners: [] } }, data: await MvccStateMachine.bootstrapPayload(sm, members) },
    });
    const gate = new SaveGate();
    gate.wrap(storage);
    const member = new StoreMember({
      id,
      name: `s${i + 1}`,
      clusterId: 7,
      storage,
      sm,
      transport: network.transport(id),
      clock: realClock,
      random: new SeededRandom(id),
      members: new MemberTable(members),
      clientURLs: [],
      tickMs: 10,
      electionTicks: 10,
      heartbeatTicks: 1,
      snapshotCount: 100_000,
      snapshotCatchUpEntries: 1_000,
      maxPendingRequests: 1_000,
      logger: quiet,
    });
    nodes.push({ member, gate, storage });
  }
  for (const n of nodes) await n.member.start();
  return nodes;
}

/** A cluster of `size` members in a temporary directory, stopped and removed when the test ends. */
async function clusterFor(t: Tap, size: number): Promise<Node[]> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-member-'));
  const nodes = await startCluster(size, dir);
  t.teardown(async () => {
    for (const n of nodes) n.gate.open();
    for (const n of nodes) await n.member.stop();
    for (const n of nodes) await n.storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return nodes;
}

const put = (key: string) => ({ op: 'put' as const, req: { key: Buffer.from(key), value: Buffer.from('v') } });

/** Settles to 'pending' if `p` has not settled within `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

t.test('a leader answers a committed write while the next batch is still being written', async (t) => {
  const nodes = await clusterFor(t, 3);
  await waitFor('a leader', () => nodes.some((n) => n.member.raftState === 'leader'));
  const leader = nodes.find((n) => n.member.raftState === 'leader')!;
  const followers = nodes.filter((n) => n !== leader);
  await leader.member.propose(put('warm'), 5_000);

  // B's entry goes to the followers, but its write on the leader is held: the leader cannot take
  // its next Ready, so the followers' acknowledgements wait in Raft for it.
  leader.gate.close();
  const b = leader.member.propose(put('b'), 5_000);
  await waitFor("the leader's write of b", () => leader.gate.lastHanded > leader.gate.lastSaved);
  const bIndex = leader.gate.lastHanded;
  await waitFor('the followers acknowledging b', () => followers.every((f) => (leader.member.progressOf(f.member.id)?.match ?? 0) >= bIndex));
  // C arrives meanwhile; its batch is the next write, which is held too.
  const c = leader.member.propose(put('c'), 5_000);
  await new Promise((r) => setImmediate(r));
  const held = leader.gate;
  held.open();
  held.close();
  await waitFor("the leader's write of c", () => leader.gate.lastHanded > bIndex);

  t.not(await within(b, 2_000), 'pending', 'b is answered while c is being written');
  t.equal(leader.gate.lastSaved, bIndex, "c's write has not finished");
  t.equal(await within(c, 200), 'pending', 'c waits for its own write');
  leader.gate.open();
  t.not(await within(c, 2_000), 'pending', 'c is answered once written');
});

t.test("a lone member never applies an entry before its own write of it", async (t) => {
  const nodes = await clusterFor(t, 1);
  const [only] = nodes as [Node];
  await waitFor('a leader', () => only.member.raftState === 'leader');
  await only.member.propose(put('warm'), 5_000);
  const applied = only.member.raftAppliedIndex;
  only.gate.close();
  const x = only.member.propose(put('x'), 5_000);
  await waitFor('the write of x', () => only.gate.lastHanded > only.gate.lastSaved);
  t.equal(await within(x, 300), 'pending', 'x is not answered before it is on disk');
  t.equal(only.member.raftAppliedIndex, applied, 'nor applied');
  only.gate.open();
  t.not(await within(x, 2_000), 'pending', 'x is answered once written');
});
