// Crash safety: a child process (crash-writer.ts) saves, snapshots and compacts in a loop,
// printing each write once it resolved; the parent SIGKILLs it at a random moment, reopens
// the storage (which verifies every record) and checks that every acknowledged write is there.
// The same data dir goes through every iteration, so each child also resumes from a crash.
// SIGKILL loses no page cache, so this covers process crashes, not power loss.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import { LevelRaftStorage } from '../../../raft/index.js';
import { crashSnapshotData, payload, tempDir } from './helpers.js';

const ITERATIONS = 5;
/** Kill this long after the child's first acknowledged save: [KILL_MS_MIN, KILL_MS_MIN + KILL_MS_SPREAD). */
const KILL_MS_MIN = 10;
const KILL_MS_SPREAD = 250;
/** A child that neither acknowledges nor dies within this is a failure, not a hang. */
const CHILD_TIMEOUT_MS = 10_000;

const WRITER = fileURLToPath(new URL('./crash-writer.js', import.meta.url));
const seed = Number(process.env.FLOTILLA_SEED ?? 7);

interface Run {
  readonly lines: string[];
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs the writer until it has acknowledged a save and then `killAfterMs` more. */
function runWriter(dir: string, childSeed: number, killAfterMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, String(childSeed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let armed = false;
    const guard = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!armed && out.includes('\nack ')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      // A line cut by the kill was not acknowledged.
      const lines = out.split('\n');
      lines.pop();
      resolve({ lines, signal, code, stderr });
    });
  });
}

void t.test(`acknowledged writes survive SIGKILL (seed ${seed})`, async (t) => {
  const dir = join(tempDir(t), 'db');
  const rnd = new SeededRandom(seed);
  /** Term of every acknowledged entry, across iterations (the writer only appends). */
  const ackedTerm = new Map<number, number>();
  let ackedLast = 0;
  let ackedCommit = 0;
  let ackedTermMax = 0;
  let ackedSnapshot = 0;
  let ackedCompaction = 0;

  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const run = await runWriter(dir, seed * 1000 + iteration, KILL_MS_MIN + rnd.int(KILL_MS_SPREAD));
    if (run.signal !== 'SIGKILL') {
      t.fail(`iteration ${iteration}: the writer exited by itself (code ${run.code}): ${run.stderr}`);
      return;
    }
    let acks = 0;
    for (const line of run.lines) {
      const [kind, ...nums] = line.split(' ');
      const [a = 0, b = 0, c = 0, d = 0] = nums.map(Number);
      if (kind === 'ack') {
        for (let i = a; i <= b; i++) ackedTerm.set(i, c);
        ackedLast = Math.max(ackedLast, b);
        ackedTermMax = Math.max(ackedTermMax, c);
        ackedCommit = Math.max(ackedCommit, d);
        acks++;
      } else if (kind === 'snap') ackedSnapshot = Math.max(ackedSnapshot, a);
      else if (kind === 'compact') ackedCompaction = Math.max(ackedCompaction, a);
    }
    t.ok(acks > 0, `iteration ${iteration}: ${acks} saves acknowledged before the kill`);

    const { storage } = await LevelRaftStorage.open(dir);
    try {
      const { hardState } = storage.initialState();
      const first = storage.firstIndex();
      const last = storage.lastIndex();
      const snap = storage.snapshot();
      const problems: string[] = [];
      if (last < ackedLast) problems.push(`last index ${last} < acknowledged ${ackedLast}`);
      if (hardState.commit < ackedCommit) problems.push(`commit ${hardState.commit} < acknowledged ${ackedCommit}`);
      if (hardState.term < ackedTermMax) problems.push(`term ${hardState.term} < acknowledged ${ackedTermMax}`);
      if (snap.metadata.index < ackedSnapshot) problems.push(`snapshot ${snap.metadata.index} < acknowledged ${ackedSnapshot}`);
      if (first - 1 < ackedCompaction) problems.push(`compaction point ${first - 1} < acknowledged ${ackedCompaction}`);
      if (first - 1 > snap.metadata.index) problems.push(`compacted to ${first - 1}, past the snapshot ${snap.metadata.index}`);
      if (Buffer.compare(snap.data, crashSnapshotData(snap.metadata.index)) !== 0) problems.push(`snapshot ${snap.metadata.index} data differs`);
      for (const [i, term] of ackedTerm) {
        if (i >= first && storage.term(i) !== term) problems.push(`entry ${i} has term ${storage.term(i)}, acknowledged ${term}`);
      }
      // Every entry held, acknowledged or not, is one the writer wrote.
      for (const e of storage.entries(first, last + 1, Infinity)) {
        if (Buffer.compare(e.data, payload(e.index, e.term)) !== 0) problems.push(`entry ${e.index} data differs`);
      }
      t.same(problems, [], `iteration ${iteration}: log ${first}..${last}, commit ${hardState.commit}, snapshot ${snap.metadata.index}`);
      if (problems.length > 0) return;
    } finally {
      await storage.close();
    }
  }
});
