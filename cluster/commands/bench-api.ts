import { API_BENCH_PHASES, API_LATENCY_MAX_SAMPLES, apiBenchSucceeded, apiBenchSummaryJson, formatApiBenchTable, KubeconfigTargetError, loadKubeconfigTarget, runApiBench } from '../../bench/index.js';
import type { ApiBenchPhase, ApiBenchTarget } from '../../bench/index.js';
import { intFlag, parseArgs, rejectUnknown, UsageError } from '../args.js';
import { clusterDir, isAlive, readState } from '../launcher/state.js';
import { kubeconfigPath } from '../pki/index.js';

export const BENCH_API_USAGE =
  'usage: flotilla bench api [--kubeconfig PATH | --data-dir DIR] [--rate 200] [--duration-s 20] [--list-pods 10000] [--watchers 100] [--watch-rate 1000] [--phases create,get,update,patch,delete,list,watch]';

/**
 * The API servers of the local cluster in `dir` (every live master's, from cluster.json) with
 * the CA and admin token of the kubeconfig `flotilla up` wrote there.
 */
export function localClusterTarget(dir: string): ApiBenchTarget {
  const state = readState(dir);
  if (!state) throw new UsageError(`no local cluster in ${dir}: start one with flotilla up, or pass --kubeconfig`);
  const servers = state.processes.filter((p) => p.kind === 'master' && p.urls.api !== undefined && isAlive(p.pid)).map((p) => p.urls.api!);
  if (servers.length === 0) throw new UsageError(`no master of the cluster in ${dir} is running`);
  const access = loadKubeconfigTarget(state.kubeconfig ?? kubeconfigPath(dir));
  return { ...access, servers };
}

function phasesFlag(value: string | true | undefined): ApiBenchPhase[] {
  if (value === undefined) return [...API_BENCH_PHASES];
  const names = String(value).split(',').filter(Boolean);
  for (const n of names) {
    if (!(API_BENCH_PHASES as readonly string[]).includes(n)) throw new UsageError(`unknown phase "${n}"; phases: ${API_BENCH_PHASES.join(',')}`);
  }
  if (names.length === 0) throw new UsageError('--phases names no phase');
  return names as ApiBenchPhase[];
}

/** `flotilla bench api`: create/get/update/patch/delete, list and watch figures; the last line is JSON. */
export async function benchApiCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  rejectUnknown(args, ['kubeconfig', 'data-dir', 'rate', 'duration-s', 'list-pods', 'watchers', 'watch-rate', 'phases']);
  const kubeconfig = args.flags.get('kubeconfig');
  const dataDir = args.flags.get('data-dir');
  if (kubeconfig !== undefined && dataDir !== undefined) throw new UsageError('choose one of --kubeconfig and --data-dir');
  const ratePerS = intFlag(args, 'rate', 200, 1, 100_000);
  const durationS = intFlag(args, 'duration-s', 20, 1, 3_600);
  const listPods = intFlag(args, 'list-pods', 10_000, 1, 1_000_000);
  const watchers = intFlag(args, 'watchers', 100, 1, 10_000);
  const watchRatePerS = intFlag(args, 'watch-rate', 1_000, 1, 100_000);
  const phases = phasesFlag(args.flags.get('phases'));
  if (phases.includes('watch') && watchers * watchRatePerS * durationS > API_LATENCY_MAX_SAMPLES) {
    throw new UsageError(`--watchers × --watch-rate × --duration-s must be at most ${API_LATENCY_MAX_SAMPLES} deliveries`);
  }

  let target: ApiBenchTarget;
  try {
    target = kubeconfig !== undefined ? loadKubeconfigTarget(String(kubeconfig)) : localClusterTarget(clusterDir(dataDir as string | undefined));
  } catch (err) {
    if (err instanceof KubeconfigTargetError) throw new UsageError(err.message);
    throw err;
  }

  // Ctrl-C ends the running phase early; the run's namespaces are still deleted.
  const abort = new AbortController();
  const onSigint = (): void => {
    console.error('bench api: interrupted; cleaning up (Ctrl-C again to quit at once)');
    abort.abort();
    process.removeListener('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  try {
    const report = await runApiBench({ target, ratePerS, durationS, listPods, watchers, watchRatePerS, phases, signal: abort.signal, log: (line) => console.error(line) });
    console.log(formatApiBenchTable(report));
    console.log(JSON.stringify(apiBenchSummaryJson(report)));
    return apiBenchSucceeded(report) && !abort.signal.aborted ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
