import { setTimeout as sleep } from 'node:timers/promises';
import { runSimulation } from '../../test/index.js';
import { intFlag, parseArgs, rejectUnknown } from '../args.js';

/**
 * `npm start` until the store exists: one visible simulation of a 5-member cluster: elections,
 * commits, crashes, partitions and membership changes as they happen, then the final checks.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  rejectUnknown(args, ['seed', 'members', 'pace-ms']);
  const seed = intFlag(args, 'seed', Date.now() % 1_000_000, 0, 2 ** 31 - 1);
  const members = intFlag(args, 'members', 5, 3, 5);
  const paceMs = intFlag(args, 'pace-ms', 15, 0, 1000);
  const lines: string[] = [];
  console.log(`Flotilla: simulating a ${members}-member Raft cluster (seed ${seed}) with message loss, duplication,`);
  console.log('reordering, partitions, crashes, membership changes and leadership transfers; then healing it.\n');
  const r = runSimulation({ seed, members, trace: (l) => lines.push(l), statusEveryTicks: 100 });
  // The simulation is deterministic and instant; replay its trace at a human pace.
  for (const l of lines) {
    console.log(l);
    if (paceMs > 0) await sleep(paceMs);
  }
  console.log('\nFinal checks:');
  const v = r.violation ?? '';
  const safetyBroken = v !== '' && !v.startsWith('liveness') && !v.startsWith('linearizability');
  console.log(`  election safety, log matching, leader completeness, state machine safety, commit monotonic: ${safetyBroken ? v : 'held at every step'}`);
  console.log(`  liveness after healing: ${v.startsWith('liveness') ? v : `leader elected and entry committed on every member in ${r.livenessTicks} ticks`}`);
  console.log(`  linearizability of ${r.lin.ops} client operations on ${r.lin.keys} keys: ${r.lin.linearizable ? 'linearizable' : `NOT linearizable (key ${r.lin.key ?? '?'})`}`);
  console.log(`  ${r.elections} elections, ${r.committed} entries committed, ${r.ticks} ticks`);
  console.log(`\nReplay this run: npx flotilla demo --seed ${seed}; many runs: npx flotilla sim --seeds 1000`);
  return r.ok ? 0 : 1;
}
