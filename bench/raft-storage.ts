/**
 * `node dist/bench/raft-storage.js`: latency of LevelRaftStorage.save, the write on the hot path
 * of every Raft Ready, for batches of 1 and of 100 entries of 256 bytes, each one synced batch.
 * Reports, per batch size:
 *   wall     p50/p99 of the whole save, fsync included (what a proposal waits for);
 *   submit   p50/p99 of the synchronous part on the event loop (encoding, checksums, building
 *            the LevelDB batch): the CPU a save costs the member beyond the fsync;
 *   cpu      process CPU time (all threads) per save, over the run.
 * BENCH_DIR picks the disk (default: the OS temp dir); BENCH_SAVES the number of saves per size.
 * Last line is JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../raft/index.js';
import { LevelRaftStorage } from '../raft/index.js';

const ENTRY_BYTES = 256;
const SAVES = Number(process.env.BENCH_SAVES ?? 1000);
const WARMUP_SAVES = 50;
/** Snapshot and compact every this many entries, as a member would, to keep the log bounded. */
const COMPACT_EVERY = 20_000;

interface Result {
  readonly entries: number;
  readonly saves: number;
  readonly wallP50Ms: number;
  readonly wallP99Ms: number;
  readonly submitP50Ms: number;
  readonly submitP99Ms: number;
  readonly cpuMsPerSave: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

async function measure(storage: LevelRaftStorage, batch: number): Promise<Result> {
  const data = new Uint8Array(ENTRY_BYTES).fill(7);
  const wall: number[] = [];
  const submit: number[] = [];
  let cpu = { user: 0, system: 0 };
  for (let n = 0; n < WARMUP_SAVES + SAVES; n++) {
    if (n === WARMUP_SAVES) cpu = process.cpuUsage();
    const first = storage.lastIndex() + 1;
    const entries: Entry[] = [];
    for (let k = 0; k < batch; k++) entries.push({ index: first + k, term: 1, type: 'normal', data });
    const hardState = { term: 1, vote: 1, commit: first + batch - 1 };
    const t0 = process.hrtime.bigint();
    const saved = storage.save({ hardState, entries });
    const t1 = process.hrtime.bigint();
    await saved;
    const t2 = process.hrtime.bigint();
    if (n >= WARMUP_SAVES) {
      submit.push(Number(t1 - t0) / 1e6);
      wall.push(Number(t2 - t0) / 1e6);
    }
    const last = storage.lastIndex();
    if (last - (storage.firstIndex() - 1) >= COMPACT_EVERY) {
      await storage.createSnapshot(last, { voters: [1], learners: [] }, new Uint8Array(1024));
      await storage.compact(last);
    }
  }
  const used = process.cpuUsage(cpu);
  wall.sort((a, b) => a - b);
  submit.sort((a, b) => a - b);
  return {
    entries: batch,
    saves: SAVES,
    wallP50Ms: round(percentile(wall, 50)),
    wallP99Ms: round(percentile(wall, 99)),
    submitP50Ms: round(percentile(submit, 50)),
    submitP99Ms: round(percentile(submit, 99)),
    cpuMsPerSave: round((used.user + used.system) / 1000 / SAVES),
  };
}

const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'flotilla-bench-raft-storage-'));
try {
  const { storage } = await LevelRaftStorage.open(join(dir, 'db'));
  const results: Result[] = [];
  for (const batch of [1, 100]) {
    const r = await measure(storage, batch);
    results.push(r);
    console.log(
      `save of ${String(batch).padStart(3)} x ${ENTRY_BYTES} B: wall p50 ${r.wallP50Ms} ms p99 ${r.wallP99Ms} ms; ` +
        `submit p50 ${r.submitP50Ms} ms p99 ${r.submitP99Ms} ms; cpu ${r.cpuMsPerSave} ms/save`,
    );
  }
  await storage.close();
  console.log(JSON.stringify({ bench: 'raft-storage', entryBytes: ENTRY_BYTES, dir, results }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
