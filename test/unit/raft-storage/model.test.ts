// LevelRaftStorage against MemoryStorage, the reference: the same random sequence of saves
// (appends, conflicting suffixes, hard states, installed snapshots), snapshots, compactions
// and reopens goes to both, and every read must answer the same, before and after reopening.
// A failure names its seed; FLOTILLA_SEED=<n> reruns that seed alone.
import { join } from 'node:path';
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import type { ConfState, Entry, HardState, Snapshot } from '../../../raft/index.js';
import { LevelRaftStorage, MemoryStorage, SNAPSHOT_CHUNK_BYTES } from '../../../raft/index.js';
import { bytes, dump, ent, tempDir } from './helpers.js';

const OPS_PER_SEED = 150;
const seeds = process.env.FLOTILLA_SEED ? [Number(process.env.FLOTILLA_SEED)] : [1, 2, 3];

type Op =
  | { kind: 'save'; hardState?: HardState; entries: Entry[]; snapshot?: Snapshot }
  | { kind: 'createSnapshot'; index: number; confState: ConfState; data: Uint8Array }
  | { kind: 'compact'; index: number }
  | { kind: 'reopen' };

/** A valid next write for a Raft node whose durable state is `m`, chosen by `rnd`. */
function nextOp(m: MemoryStorage, rnd: SeededRandom): Op {
  const { term, vote, commit } = m.hardState;
  const last = m.lastIndex();
  const dummy = m.firstIndex() - 1;
  const snapIndex = m.snapshot().metadata.index;
  const snapData = (): Uint8Array => bytes(rnd.chance(0.25) ? rnd.int(Math.floor(2.5 * SNAPSHOT_CHUNK_BYTES)) : rnd.int(100), rnd.int(256));
  const confState = (): ConfState => ({ voters: [1, 2, 3].slice(0, 1 + rnd.int(3)), learners: rnd.chance(0.3) ? [7] : [] });
  const roll = rnd.next();
  if (roll < 0.4 || term === 0) {
    // Append at the end (a leader's proposals, or a follower's MsgApp), maybe advancing commit.
    const t1 = term === 0 ? 1 : term;
    const k = 1 + rnd.int(8);
    const entries = Array.from({ length: k }, (_, j) => ent(last + 1 + j, t1, rnd.chance(0.1) ? 'conf-change' : 'normal'));
    const newCommit = commit + rnd.int(last + k - commit + 1);
    const hardState = t1 !== term || newCommit !== commit || rnd.chance(0.5) ? { term: t1, vote: vote || 1, commit: newCommit } : undefined;
    return { kind: 'save', entries, ...(hardState ? { hardState } : {}) };
  }
  if (roll < 0.5 && last > commit) {
    // A new leader's entries replace our uncommitted suffix.
    const from = commit + 1 + rnd.int(last - commit);
    const entries = Array.from({ length: 1 + rnd.int(5) }, (_, j) => ent(from + j, term + 1));
    return { kind: 'save', hardState: { term: term + 1, vote: 2, commit }, entries };
  }
  if (roll < 0.6) {
    return { kind: 'save', hardState: { term: term + rnd.int(2), vote: 1 + rnd.int(3), commit: commit + rnd.int(last - commit + 1) }, entries: [] };
  }
  if (roll < 0.7 && commit > snapIndex) {
    return { kind: 'createSnapshot', index: snapIndex + 1 + rnd.int(commit - snapIndex), confState: confState(), data: snapData() };
  }
  if (roll < 0.8 && snapIndex > dummy) return { kind: 'compact', index: dummy + 1 + rnd.int(snapIndex - dummy) };
  if (roll < 0.86) {
    // A follower installs a leader's snapshot past its commit; entries may follow it, the
    // first ones overlapping the snapshot (and skipped).
    const index = commit + 1 + rnd.int(last - commit + 10);
    const sTerm = term + rnd.int(2);
    const snapshot: Snapshot = { metadata: { index, term: sTerm, confState: confState() }, data: snapData() };
    const from = index - rnd.int(3);
    const entries = Array.from({ length: rnd.int(4) }, (_, j) => ent(from + j, sTerm));
    return { kind: 'save', hardState: { term: sTerm, vote, commit: index }, entries, snapshot };
  }
  if (roll < 0.92) return { kind: 'reopen' };
  return { kind: 'save', entries: [] };
}

function describe(op: Op): string {
  switch (op.kind) {
    case 'save':
      return `save(hs=${op.hardState ? `${op.hardState.term}/${op.hardState.vote}/${op.hardState.commit}` : '-'}, entries=${op.entries.map((e) => `${e.index}/${e.term}`).join(',')}${op.snapshot ? `, snapshot=${op.snapshot.metadata.index}/${op.snapshot.metadata.term}` : ''})`;
    case 'createSnapshot':
      return `createSnapshot(${op.index}, ${op.data.length} bytes)`;
    case 'compact':
      return `compact(${op.index})`;
    case 'reopen':
      return 'reopen';
  }
}

for (const seed of seeds) {
  void t.test(`seed ${seed}: every read equals MemoryStorage's, across reopens`, async (t) => {
    const dir = join(tempDir(t), 'db');
    const rnd = new SeededRandom(seed);
    const model = new MemoryStorage();
    let storage = (await LevelRaftStorage.open(dir)).storage;
    t.teardown(() => storage.close());
    const history: string[] = [];
    const replay = (): void => {
      t.comment(`seed ${seed}, ops so far:\n  ${history.map((h, n) => `${n}: ${h}`).join('\n  ')}`);
    };
    for (let n = 0; n < OPS_PER_SEED; n++) {
      const op = nextOp(model, rnd);
      history.push(describe(op));
      try {
        await apply(op);
      } catch (err) {
        replay();
        throw err;
      }
      const same = t.same(dump(storage), dump(model), `after op ${n}: ${history[n]}`);
      if (!same) {
        replay();
        return;
      }
    }
    await storage.close();
    storage = (await LevelRaftStorage.open(dir)).storage;
    t.same(dump(storage), dump(model), 'after a final reopen');

    async function apply(op: Op): Promise<void> {
      switch (op.kind) {
        case 'save':
          await storage.save(op);
          if (op.snapshot) model.applySnapshot(op.snapshot);
          model.append(op.entries);
          if (op.hardState) model.setHardState(op.hardState);
          break;
        case 'createSnapshot':
          t.same((await storage.createSnapshot(op.index, op.confState, op.data)).metadata, model.createSnapshot(op.index, op.confState, op.data).metadata);
          break;
        case 'compact':
          await storage.compact(op.index);
          model.compact(op.index);
          break;
        case 'reopen':
          await storage.close();
          storage = (await LevelRaftStorage.open(dir)).storage;
          break;
      }
    }
  });
}
