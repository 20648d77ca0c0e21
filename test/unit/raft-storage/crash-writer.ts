// Child process of crash.test.ts: appends to a LevelRaftStorage in a loop, now and then taking
// a snapshot (half of them staged first) and compacting, and reports each write once it has resolved (so is durable) on
// stdout, one line each, with a synchronous write so that no acknowledged line is lost when the
// parent kills it with SIGKILL:
//   ready <lastIndex>
//   ack <first> <last> <term> <commit>     entries first..last of term were saved with commit
//   snap <index>                           createSnapshot(index) resolved
//   compact <index>                        compact(index) resolved
// Usage: node crash-writer.js <dataDir> <seed> (without arguments it reports a skipped TAP test).
import { writeSync } from 'node:fs';
import { SeededRandom } from '../../../core/index.js';
import { LevelRaftStorage } from '../../../raft/index.js';
import { crashSnapshotData, ent } from './helpers.js';

/** Entries kept behind the snapshot when compacting, as a member keeps them for slow followers. */
const KEEP_ENTRIES = 50;

const [dir, seedArg] = process.argv.slice(2);
if (dir === undefined || seedArg === undefined) {
  // Run by tap (`tap dist/test/unit/raft-storage/`), not by crash.test.js: nothing to test here.
  console.log('1..0 # SKIP the child process of crash.test.js, not a test');
  process.exit(0);
}
const rnd = new SeededRandom(Number(seedArg));
const { storage } = await LevelRaftStorage.open(dir);
const say = (line: string): void => {
  writeSync(1, `${line}\n`);
};
let { term, commit } = storage.initialState().hardState;
term = Math.max(term, 1);
say(`ready ${storage.lastIndex()}`);
for (;;) {
  if (rnd.chance(0.05)) term++;
  const first = storage.lastIndex() + 1;
  const last = first + rnd.int(20);
  const entries = [];
  for (let i = first; i <= last; i++) entries.push(ent(i, term));
  commit = Math.max(commit, last - rnd.int(5));
  await storage.save({ hardState: { term, vote: 1, commit }, entries });
  say(`ack ${first} ${last} ${term} ${commit}`);
  if (rnd.chance(0.05) && commit > storage.snapshot().metadata.index) {
    const data = crashSnapshotData(commit);
    // Half the snapshots are staged first, as the store member does, so that kills land in stagings too.
    if (rnd.chance(0.5)) await storage.stageSnapshot(commit, data);
    await storage.createSnapshot(commit, { voters: [1], learners: [] }, data);
    say(`snap ${commit}`);
    const upTo = commit - KEEP_ENTRIES;
    if (upTo >= storage.firstIndex()) {
      await storage.compact(upTo);
      say(`compact ${upTo}`);
    }
  }
}
