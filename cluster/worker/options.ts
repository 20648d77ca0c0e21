// `flotilla worker` flags → the worker's options. Kubelet's flag names where it has one.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ParsedArgs } from '../args.js';
import { intFlag, rejectUnknown, UsageError } from '../args.js';
import { defaultPodCidrForNode, POD_RESYNC_INTERVAL_MS } from '../../actors/index.js';

export const WORKER_USAGE = `usage: flotilla worker --name NAME --masters HOST:PORT[,HOST:PORT…] [--token-file F | --kubeconfig F]
  [--data-dir DIR] [--node-ip 127.0.0.1] [--pod-cidr 127.X.Y.0/24] [--pod-manifest-path DIR] [--metrics-port P] [--kubelet-port P (0: any)]
  [--node-lease-duration-seconds 40] [--node-status-update-frequency 10] [--sync-frequency 30] (seconds)
  [--no-isolation]   (plain host processes even as root: no namespaces, cgroups or volume mounts)
  [--max-pods 110] [--cpu N] [--memory BYTES|QUANTITY (e.g. 8Gi)]
  [--crash-loop-backoff-initial-ms 10000] [--crash-loop-backoff-max-ms 300000]
  [--hollow --count N]   (N hollow nodes NAME-0 … NAME-(N-1) in this process: nothing runs)
--masters are the masters' resource API addresses (flotilla status --json: urls.resource).`;

const WORKER_FLAGS = [
  'name', 'masters', 'token-file', 'kubeconfig', 'data-dir', 'node-ip', 'pod-cidr', 'pod-manifest-path', 'metrics-port',
  'node-lease-duration-seconds', 'node-status-update-frequency', 'max-pods', 'cpu', 'memory',
  'crash-loop-backoff-initial-ms', 'crash-loop-backoff-max-ms', 'hollow', 'count', 'kubelet-port',
  'sync-frequency', 'no-isolation',
];
export const WORKER_BOOLEAN_FLAGS = ['hollow', 'no-isolation'];
/** Most hollow nodes one process may run. */
export const MAX_HOLLOW_NODES = 5_000;

export interface WorkerOptions {
  readonly name: string;
  readonly masters: string[];
  readonly token: string | undefined;
  readonly dataDir: string;
  readonly nodeIP: string;
  /** Pod IPs come from here (distinct loopback addresses until pod networking exists). */
  readonly podCidr: string;
  readonly podManifestPath: string | undefined;
  /** undefined: no metrics server; 0: any free port. */
  readonly metricsPort: number | undefined;
  readonly nodeLeaseDurationSeconds: number;
  readonly nodeStatusUpdateFrequencyMs: number;
  readonly maxPods: number;
  readonly cpuCores: number | undefined;
  readonly memoryBytes: number | undefined;
  readonly crashLoopBackoffInitialMs: number;
  readonly crashLoopBackoffMaxMs: number;
  /** Hollow nodes to run; 0 for one real node. */
  readonly hollowCount: number;
  /** Port of the kubelet's own server (logs, exec, stats) on --node-ip; 0: any free port. */
  readonly kubeletPort: number;
  /** How often every pod is synced again (which also refreshes its ConfigMap, Secret and downward API volumes). */
  readonly syncFrequencyMs: number;
  /** Run containers as plain processes even where Linux isolation is possible. */
  readonly noIsolation: boolean;
  /** Directories of the credential files (--token-file, --kubeconfig), hidden from containers. */
  readonly credentialDirs: readonly string[];
}

const BINARY_SUFFIXES: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** `8589934592`, `8Gi`, `512Mi`, `8G` → bytes. */
export function parseMemoryFlag(text: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(text);
  if (m === null) throw new UsageError(`--memory: ${text} is not a byte count (e.g. 8589934592 or 8Gi)`);
  return Number(m[1]) * BINARY_SUFFIXES[m[2] ?? '']!;
}

/** The bearer token in a file: a bare token, or the first record of a tokens.csv (token,user,uid,…). */
export function tokenFromFile(path: string): string {
  const first = readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  if (first === undefined) throw new UsageError(`--token-file: ${path} holds no token`);
  return first.split(',')[0]!.replace(/^"|"$/g, '');
}

/** The token of the kubeconfig's current context's user. */
export function tokenFromKubeconfig(path: string): string {
  const config = parseYaml(readFileSync(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: { name: string; context?: { user?: string } }[];
    users?: { name: string; user?: { token?: string } }[];
  };
  const userName = config.contexts?.find((c) => c.name === config['current-context'])?.context?.user;
  const user = config.users?.find((u) => u.name === userName) ?? config.users?.[0];
  const token = user?.user?.token;
  if (token === undefined) throw new UsageError(`--kubeconfig: ${path} has no token for its current user`);
  return token;
}

function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

export function workerOptionsFrom(args: ParsedArgs): WorkerOptions {
  rejectUnknown(args, WORKER_FLAGS);
  const hollow = args.flags.get('hollow') === true;
  const name = stringFlag(args, 'name') ?? (hollow ? 'hollow' : hostname());
  const masters = (stringFlag(args, 'masters') ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (masters.length === 0) throw new UsageError('--masters is required (the masters\' resource API addresses)');
  const tokenFile = stringFlag(args, 'token-file');
  const kubeconfig = stringFlag(args, 'kubeconfig');
  if (tokenFile !== undefined && kubeconfig !== undefined) throw new UsageError('choose one of --token-file and --kubeconfig');
  const token = tokenFile !== undefined ? tokenFromFile(tokenFile) : kubeconfig !== undefined ? tokenFromKubeconfig(kubeconfig) : undefined;
  const memory = stringFlag(args, 'memory');
  const manifests = stringFlag(args, 'pod-manifest-path');
  const initialMs = intFlag(args, 'crash-loop-backoff-initial-ms', 10_000, 1, 3_600_000);
  return {
    name,
    masters,
    token,
    dataDir: resolve(stringFlag(args, 'data-dir') ?? `flotilla-worker-${name}`),
    nodeIP: stringFlag(args, 'node-ip') ?? '127.0.0.1',
    podCidr: stringFlag(args, 'pod-cidr') ?? defaultPodCidrForNode(name),
    podManifestPath: manifests === undefined ? undefined : resolve(manifests),
    metricsPort: args.flags.has('metrics-port') ? intFlag(args, 'metrics-port', 0, 0, 65535) : undefined,
    nodeLeaseDurationSeconds: intFlag(args, 'node-lease-duration-seconds', 40, 1, 3600),
    nodeStatusUpdateFrequencyMs: intFlag(args, 'node-status-update-frequency', 10, 1, 3600) * 1000,
    maxPods: intFlag(args, 'max-pods', 110, 1, 100_000),
    cpuCores: args.flags.has('cpu') ? intFlag(args, 'cpu', 1, 1, 100_000) : undefined,
    memoryBytes: memory === undefined ? undefined : parseMemoryFlag(memory),
    crashLoopBackoffInitialMs: initialMs,
    crashLoopBackoffMaxMs: intFlag(args, 'crash-loop-backoff-max-ms', Math.max(300_000, initialMs), initialMs, 86_400_000),
    hollowCount: hollow ? intFlag(args, 'count', 1, 1, MAX_HOLLOW_NODES) : 0,
    kubeletPort: intFlag(args, 'kubelet-port', 0, 0, 65535),
    syncFrequencyMs: intFlag(args, 'sync-frequency', POD_RESYNC_INTERVAL_MS / 1000, 1, 3600) * 1000,
    noIsolation: args.flags.get('no-isolation') === true,
    credentialDirs: [tokenFile, kubeconfig].filter((f) => f !== undefined).map((f) => dirname(resolve(f))),
  };
}
