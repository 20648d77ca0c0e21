import { runDeploymentScaleBench, runSchedulerBench, runStoreBench } from '../../bench/index.js';
import { intFlag, parseArgs, rejectUnknown, UsageError } from '../args.js';
import { BENCH_API_USAGE, benchApiCommand } from './bench-api.js';
import { BENCH_STARTUP_USAGE, benchStartupCommand } from '../worker/startup-bench-command.js';

export const BENCH_USAGE =
  'usage: flotilla bench scheduler [--nodes N] [--pods P]\n' +
  'usage: flotilla bench deployment-scale [--replicas 1000] [--nodes 100] [--rounds 1] [--timeout-s 120] [--data-dir DIR]\n' +
  'usage: flotilla bench store --endpoints HOST:PORT[,…] [--clients C] [--conns N] [--total N] [--val-size B] [--op put|range|txn] [--linearizable|--serializable]\n' + BENCH_API_USAGE + '\n' + BENCH_STARTUP_USAGE;

/** `flotilla bench store`: drives any etcd v3 endpoints; the last line is JSON. */
export async function benchCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === 'api') return benchApiCommand(rest);
  if (what === 'scheduler') return benchSchedulerCommand(rest);
  if (what === 'startup') return benchStartupCommand(rest);
  if (what === 'deployment-scale') return benchDeploymentScaleCommand(rest);
  if (what !== 'store') throw new UsageError(`unknown benchmark "${what ?? ''}"`);
  const args = parseArgs(rest, ['linearizable', 'serializable']);
  rejectUnknown(args, ['endpoints', 'clients', 'conns', 'total', 'val-size', 'op', 'linearizable', 'serializable']);
  const endpoints = String(args.flags.get('endpoints') ?? '').split(',').filter(Boolean);
  if (endpoints.length === 0) throw new UsageError('--endpoints is required');
  const op = String(args.flags.get('op') ?? 'put');
  if (op !== 'put' && op !== 'range' && op !== 'txn') throw new UsageError('--op must be put, range or txn');
  if (args.flags.has('linearizable') && args.flags.has('serializable')) throw new UsageError('choose one of --linearizable and --serializable');
  const r = await runStoreBench({
    endpoints,
    clients: intFlag(args, 'clients', 1, 1, 10_000),
    conns: intFlag(args, 'conns', 1, 1, 1000),
    total: intFlag(args, 'total', 10_000, 1, 100_000_000),
    valSize: intFlag(args, 'val-size', 256, 0, 16 * 1024 * 1024),
    op,
    serializable: args.flags.has('serializable'),
  });
  console.error(`${r.ops} ${op}s (${r.errors} errors) in ${r.seconds} s: ${r.qps}/s, p50 ${r.p50Ms} ms, p90 ${r.p90Ms} ms, p99 ${r.p99Ms} ms`);
  for (const [message, count] of Object.entries(r.errorKinds ?? {})) console.error(`  ${count} × ${message}`);
  console.log(JSON.stringify({ ops: r.ops, qps: r.qps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, ...(r.errorKinds ? { errorKinds: r.errorKinds } : {}) }));
  return r.errors === 0 ? 0 : 1;
}

/** `flotilla bench scheduler`: the scheduler in-process over an in-memory API; the last line is JSON. */
async function benchSchedulerCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, []);
  rejectUnknown(args, ['nodes', 'pods']);
  const r = await runSchedulerBench({ nodes: intFlag(args, 'nodes', 1000, 1, 100_000), pods: intFlag(args, 'pods', 10_000, 1, 1_000_000) });
  console.error(`${r.bound}/${r.pods} pods bound on ${r.nodes} nodes in ${r.seconds} s: ${r.podsPerSecond} pods/s, p50 ${r.p50Ms} ms, p90 ${r.p90Ms} ms, p99 ${r.p99Ms} ms`);
  console.log(JSON.stringify({ nodes: r.nodes, pods: r.pods, podsPerSecond: r.podsPerSecond, p50Ms: r.p50Ms, p99Ms: r.p99Ms }));
  return r.bound === r.pods ? 0 : 1;
}

/** `flotilla bench deployment-scale`: 0 → N replicas on hollow nodes of a local cluster; the last line is JSON. */
async function benchDeploymentScaleCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, []);
  rejectUnknown(args, ['replicas', 'nodes', 'rounds', 'timeout-s', 'data-dir']);
  const dataDir = args.flags.get('data-dir');
  if (dataDir === true) throw new UsageError('--data-dir needs a directory');
  const r = await runDeploymentScaleBench({
    replicas: intFlag(args, 'replicas', 1000, 1, 100_000),
    nodes: intFlag(args, 'nodes', 100, 1, 5_000),
    rounds: intFlag(args, 'rounds', 1, 1, 100),
    timeoutMs: intFlag(args, 'timeout-s', 120, 1, 3600) * 1000,
    ...(dataDir === undefined ? {} : { dataDir }),
    progress: (line) => console.error(line),
  });
  console.error(`per pod: bind p50 ${r.bindP50Ms} ms p99 ${r.bindP99Ms} ms; bound→Running p50 ${r.startP50Ms} ms p99 ${r.startP99Ms} ms; created 10/50/90 % at ${r.created10Ms ?? '-'}/${r.created50Ms ?? '-'}/${r.created90Ms ?? '-'} ms`);
  const rounds = r.rounds.length > 1 ? { roundsAvailableMs: r.rounds.map((round) => round.availableMs ?? null) } : {};
  console.log(JSON.stringify({ replicas: r.replicas, nodes: r.nodes, createdMs: r.createdMs ?? null, scheduledMs: r.scheduledMs ?? null, runningMs: r.runningMs ?? null, availableMs: r.availableMs ?? null, ...rounds }));
  return r.rounds.every((round) => round.availableMs !== undefined) ? 0 : 1;
}
