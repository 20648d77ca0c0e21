// `flotilla bench startup`: pod startup latency on a local cluster of 3 masters and N process
// workers (started when the data dir holds no running cluster, left running otherwise).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStartupBench } from '../../bench/index.js';
import { GrpcResourceClient } from '../../transport/index.js';
import { intFlag, parseArgs, rejectUnknown } from '../args.js';
import { upCommand } from '../launcher/commands.js';
import { clusterDir, isAlive, readState } from '../launcher/state.js';
import { resourceApiAddresses } from '../launcher/workers.js';
import { clusterPkiDir, tokenFilePath } from '../pki/index.js';
import { tokenFromFile } from './options.js';

export const BENCH_STARTUP_USAGE = 'usage: flotilla bench startup [--pods 300] [--workers 3] [--rate 20 (pods/s)] [--timeout-s 120] [--data-dir DIR]';

const RSS_SAMPLE_INTERVAL_MS = 250;

/** Resident set of a process in MB, from /proc (undefined when it is gone). */
function rssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Math.round(Number(m[1]) / 1024);
  } catch {
    return undefined;
  }
}

export async function benchStartupCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  rejectUnknown(args, ['pods', 'workers', 'rate', 'timeout-s', 'data-dir']);
  const pods = intFlag(args, 'pods', 300, 1, 100_000);
  const workers = intFlag(args, 'workers', 3, 1, 64);
  const rate = intFlag(args, 'rate', 20, 1, 10_000);
  const timeoutMs = intFlag(args, 'timeout-s', 120, 1, 3600) * 1000;
  const dir = clusterDir((args.flags.get('data-dir') as string | undefined) ?? join(process.cwd(), '.flotilla-bench-startup'));
  let state = readState(dir);
  if (state === undefined || !state.processes.some((p) => isAlive(p.pid))) {
    console.error(`starting a cluster of 3 masters and ${workers} workers in ${dir}`);
    const code = await upCommand(['--masters', '3', '--workers', String(workers), '--data-dir', dir]);
    if (code !== 0) return code;
    state = readState(dir)!;
  }
  const workerProcesses = state.processes.filter((p) => p.kind === 'worker');
  if (workerProcesses.length === 0) {
    console.error(`the cluster in ${dir} has no workers`);
    return 1;
  }
  const client = new GrpcResourceClient({ masters: resourceApiAddresses(state), token: tokenFromFile(tokenFilePath(clusterPkiDir(dir))) });
  // Each worker's RSS at its highest during the run (its pods all running), and at the end.
  const peakRssMb: Record<string, number | null> = {};
  const sampleRss = (): void => {
    for (const w of workerProcesses) peakRssMb[w.name] = Math.max(peakRssMb[w.name] ?? 0, rssMb(w.pid) ?? 0) || null;
  };
  const sampler = setInterval(sampleRss, RSS_SAMPLE_INTERVAL_MS);
  try {
    const result = await runStartupBench({ client, nodes: workerProcesses.map((w) => w.name), pods, createRatePerSecond: rate, timeoutMs, progress: (line) => console.error(line) });
    clearInterval(sampler);
    const workerRssMb: Record<string, number | null> = {};
    for (const w of workerProcesses) workerRssMb[w.name] = rssMb(w.pid) ?? null;
    console.error(`worker RSS (MB), peak with ${Math.ceil(pods / workerProcesses.length)} pods each: ${JSON.stringify(peakRssMb)}; after the pods went: ${JSON.stringify(workerRssMb)}`);
    console.error(`${result.started}/${result.pods} pods started: p50 ${result.p50Ms} ms, p90 ${result.p90Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms`);
    const stages = Object.entries(result.stages).map(([stage, s]) => `${stage} p50 ${s.p50Ms} / p99 ${s.p99Ms} ms`);
    console.error(`from creation: ${stages.join(', ')}`);
    console.log(JSON.stringify({ pods: result.pods, started: result.started, p50Ms: result.p50Ms, p90Ms: result.p90Ms, p99Ms: result.p99Ms, workerPeakRssMb: peakRssMb, workerRssMb, stages: result.stages }));
    return result.started === result.pods ? 0 : 1;
  } finally {
    clearInterval(sampler);
    client.close();
  }
}
