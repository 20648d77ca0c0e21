import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SimResult } from '../../test/index.js';
import { replayCommand, runSimulation } from '../../test/index.js';
import { intFlag, parseArgs, rejectUnknown, UsageError } from '../args.js';

export const SIM_USAGE = 'usage: flotilla sim --seeds N [--members 3|5] [--seed S] [--workers W] [--verbose]';

/** What a batch of seeds adds up to; workers send these back to the main thread. */
export interface SimTotals {
  seeds: number;
  violations: number;
  elections: number;
  committed: number;
  linearizable: boolean;
  failures: { seed: number; violation: string }[];
}

export function runSeeds(first: number, count: number, stride: number, offset: number, members: number, trace?: (l: string) => void): SimTotals {
  const t: SimTotals = { seeds: 0, violations: 0, elections: 0, committed: 0, linearizable: true, failures: [] };
  for (let i = offset; i < count; i += stride) {
    const seed = first + i;
    let r: SimResult;
    try {
      r = runSimulation({ seed, members, ...(trace ? { trace } : {}) });
    } catch (err) {
      // An assertion inside the core is a violation too: report it with its seed.
      t.seeds++;
      t.violations++;
      t.failures.push({ seed, violation: `exception: ${(err as Error).stack ?? String(err)}` });
      continue;
    }
    t.seeds++;
    t.elections += r.elections;
    t.committed += r.committed;
    if (!r.lin.linearizable) t.linearizable = false;
    if (!r.ok) {
      t.violations++;
      t.failures.push({ seed, violation: r.violation ?? 'unknown' });
    }
  }
  return t;
}

function runInWorker(first: number, count: number, stride: number, offset: number, members: number): Promise<SimTotals> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./sim-worker.js', import.meta.url), { workerData: { first, count, stride, offset, members } });
    w.once('message', (t: SimTotals) => resolve(t));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`simulation worker exited with code ${code}`));
    });
  });
}

/**
 * `flotilla sim`: runs seeded simulations of the Raft core under faults. Exit 0 when every seed
 * passes, 1 on a violation (each printed with its replay command). The last line is JSON.
 */
export async function simCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['verbose']);
  rejectUnknown(args, ['seeds', 'members', 'seed', 'workers', 'verbose']);
  const seeds = intFlag(args, 'seeds', 100, 1, 100_000_000);
  const members = intFlag(args, 'members', 5, 3, 5);
  if (members !== 3 && members !== 5) throw new UsageError('--members must be 3 or 5');
  const first = intFlag(args, 'seed', 1, 0, 2 ** 31 - 1);
  const verbose = args.flags.get('verbose') === true;
  const workers = verbose ? 1 : intFlag(args, 'workers', seeds >= 200 ? Math.min(4, availableParallelism()) : 1, 1, 64);
  const started = Date.now();
  let parts: SimTotals[];
  if (workers === 1) {
    parts = [runSeeds(first, seeds, 1, 0, members, verbose ? (l) => console.log(l) : undefined)];
  } else {
    parts = await Promise.all(Array.from({ length: workers }, (_, w) => runInWorker(first, seeds, workers, w, members)));
  }
  const total: SimTotals = { seeds: 0, violations: 0, elections: 0, committed: 0, linearizable: true, failures: [] };
  for (const p of parts) {
    total.seeds += p.seeds;
    total.violations += p.violations;
    total.elections += p.elections;
    total.committed += p.committed;
    total.linearizable &&= p.linearizable;
    total.failures.push(...p.failures);
  }
  total.failures.sort((a, b) => a.seed - b.seed);
  for (const f of total.failures) {
    console.log(`VIOLATION seed=${f.seed}: ${f.violation}`);
    console.log(`  replay: ${replayCommand(f.seed, members)}`);
  }
  console.error(`simulated ${total.seeds} seeds with ${members} members in ${((Date.now() - started) / 1000).toFixed(1)} s on ${workers} worker(s)`);
  console.log(JSON.stringify({ seeds: total.seeds, violations: total.violations, elections: total.elections, committed: total.committed, linearizable: total.linearizable }));
  return total.violations === 0 ? 0 : 1;
}
