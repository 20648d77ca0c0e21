// Deployment scale-up on hollow nodes (issue 6: "0 → 1,000 replicas reaches 1,000 available in ≤ 5 s").
// A Deployment is created with 0 replicas, then scaled; the clock starts at the scale call and
// stops at each stage as observed through watches: all pods created, all bound, all Running, and
// the Deployment's status.availableReplicas reaching the target. The local cluster (3 masters and
// one hollow worker process) is driven through the `flotilla` CLI as child processes, the way a
// user would start it, so this file needs nothing of cluster/ but its PKI paths.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Deployment, Node, Pod, ResourceClient, ResourceWatch } from '../core/index.js';
import { isNotFound } from '../core/index.js';
import { GrpcResourceClient } from '../transport/index.js';
import { clusterPkiDir, tokenFilePath } from '../cluster/index.js';
import { nearestRankPercentile } from './api-stats.js';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;
const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments' } as const;
const MAIN = fileURLToPath(new URL('../cluster/main.js', import.meta.url));
/** The label on the benchmark's pods (value: the run id), so watches select only them. */
export const DEPLOYMENT_SCALE_LABEL = 'flotilla.io/deployment-scale';
/** How long the hollow nodes may take to become Ready. */
export const DEPLOYMENT_SCALE_NODES_READY_TIMEOUT_MS = 120_000;
/** How long a child `flotilla up`/`down` may run before it is killed. */
const CLI_TIMEOUT_MS = 120_000;
const WORKER_STOP_TIMEOUT_MS = 10_000;
const PROGRESS_INTERVAL_MS = 1_000;

export interface DeploymentScaleMeasureOptions {
  readonly client: ResourceClient;
  readonly replicas: number;
  readonly namespace?: string;
  readonly image?: string;
  /** Give up when the Deployment is not fully available this long after the scale call. */
  readonly timeoutMs: number;
  readonly progress?: (line: string) => void;
}

/** Milliseconds from the scale call; undefined when the stage was not reached before the timeout. */
export interface DeploymentScaleResult {
  readonly replicas: number;
  readonly createdMs: number | undefined;
  readonly scheduledMs: number | undefined;
  readonly runningMs: number | undefined;
  readonly availableMs: number | undefined;
  /** Per-pod stage latencies (p50/p99, ms): creation → bound, bound → Running. */
  readonly bindP50Ms: number;
  readonly bindP99Ms: number;
  readonly startP50Ms: number;
  readonly startP99Ms: number;
  /** Milliseconds from the scale call until 10/50/90 % of the pods were created. */
  readonly created10Ms: number | undefined;
  readonly created50Ms: number | undefined;
  readonly created90Ms: number | undefined;
}

interface PodTimes {
  createdMs: number;
  boundMs?: number;
  runningMs?: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  return Math.round(nearestRankPercentile(Float64Array.from(values.sort((a, b) => a - b)), p));
}

/** The k-th smallest of `times` (1-based, k rounded up), rounded to a millisecond. */
function kth(times: number[], k: number): number | undefined {
  const t = [...times].sort((a, b) => a - b)[Math.max(0, Math.ceil(k) - 1)];
  return t === undefined ? undefined : Math.round(t);
}

/**
 * Creates a Deployment with 0 replicas, scales it to `replicas` and measures each stage. The
 * Deployment is deleted (its pods with it, in the background) before returning.
 */
export async function measureDeploymentScale(options: DeploymentScaleMeasureOptions): Promise<DeploymentScaleResult> {
  const { client, replicas } = options;
  const namespace = options.namespace ?? 'default';
  const runId = Date.now().toString(36);
  const name = `scale-${runId}`;
  const labels = { [DEPLOYMENT_SCALE_LABEL]: runId };
  const created = await client.create<Deployment>(DEPLOYMENTS, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 0,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'sleep', image: options.image ?? 'flotilla/sleep', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
        },
      },
    },
  });
  let startMs = Number.NaN;
  const since = (): number => performance.now() - startMs;
  const pods = new Map<string, PodTimes>();
  let availableMs: number | undefined;
  let available = 0;
  let observedGeneration = 0;
  let targetGeneration = Number.POSITIVE_INFINITY;
  let watchError: Error | undefined;
  const onClose = (err?: Error): void => {
    watchError = err ?? new Error('watch ended');
  };
  const watches: ResourceWatch[] = [];
  try {
    const podList = await client.list(PODS, { namespace, limit: 1 });
    watches.push(
      client.watch(PODS, { namespace, labelSelector: `${DEPLOYMENT_SCALE_LABEL}=${runId}`, resourceVersion: podList.resourceVersion }, (events) => {
        const atMs = since();
        for (const event of events) {
          if (event.type !== 'ADDED' && event.type !== 'MODIFIED') continue;
          const pod = event.object as Pod;
          const podName = pod.metadata?.name ?? '';
          let times = pods.get(podName);
          if (times === undefined) pods.set(podName, (times = { createdMs: atMs }));
          if (times.boundMs === undefined && (pod.spec?.nodeName ?? '') !== '') times.boundMs = atMs;
          if (times.runningMs === undefined && pod.status?.phase === 'Running') times.runningMs = atMs;
        }
      }, onClose),
    );
    watches.push(
      client.watch(DEPLOYMENTS, { namespace, resourceVersion: created.metadata?.resourceVersion ?? '0' }, (events) => {
        const atMs = since();
        for (const event of events) {
          if (event.type !== 'ADDED' && event.type !== 'MODIFIED') continue;
          const d = event.object as Deployment;
          if (d.metadata?.name !== name) continue;
          available = d.status?.availableReplicas ?? 0;
          observedGeneration = d.status?.observedGeneration ?? 0;
          if (availableMs === undefined && observedGeneration >= targetGeneration && available >= replicas) availableMs = atMs;
        }
      }, onClose),
    );
    startMs = performance.now();
    const scaled = await client.patch<Deployment>({ ...DEPLOYMENTS, namespace, name }, 'merge', { spec: { replicas } });
    targetGeneration = scaled.metadata?.generation ?? 0;
    if (observedGeneration >= targetGeneration && available >= replicas) availableMs = since();
    options.progress?.(`scaled ${name} to ${replicas} replicas`);
    const deadlineMs = startMs + options.timeoutMs;
    let lastProgressMs = 0;
    while (availableMs === undefined && watchError === undefined && performance.now() < deadlineMs) {
      await sleep(50);
      if (performance.now() - lastProgressMs >= PROGRESS_INTERVAL_MS) {
        lastProgressMs = performance.now();
        const all = [...pods.values()];
        options.progress?.(
          `${(since() / 1000).toFixed(1)} s: created ${all.length}, bound ${all.filter((p) => p.boundMs !== undefined).length}, ` +
            `running ${all.filter((p) => p.runningMs !== undefined).length}, available ${available}/${replicas}`,
        );
      }
    }
    if (watchError !== undefined) options.progress?.(`watch ended early: ${watchError.message}`);
    if (availableMs === undefined) options.progress?.(`gave up after ${options.timeoutMs} ms: ${available}/${replicas} available`);
  } finally {
    for (const w of watches) w.stop();
    await client.delete({ ...DEPLOYMENTS, namespace, name }, { propagationPolicy: 'Background' }).catch((err: unknown) => {
      if (!isNotFound(err)) options.progress?.(`could not delete deployment ${name}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }
  const all = [...pods.values()];
  const createdTimes = all.map((p) => p.createdMs);
  const boundTimes = all.flatMap((p) => (p.boundMs === undefined ? [] : [p.boundMs]));
  const runningTimes = all.flatMap((p) => (p.runningMs === undefined ? [] : [p.runningMs]));
  const stageOrUndefined = (times: number[]): number | undefined => (times.length >= replicas ? kth(times, replicas) : undefined);
  return {
    replicas,
    createdMs: stageOrUndefined(createdTimes),
    scheduledMs: stageOrUndefined(boundTimes),
    runningMs: stageOrUndefined(runningTimes),
    availableMs: availableMs === undefined ? undefined : Math.round(availableMs),
    bindP50Ms: percentile(all.flatMap((p) => (p.boundMs === undefined ? [] : [p.boundMs - p.createdMs])), 0.5),
    bindP99Ms: percentile(all.flatMap((p) => (p.boundMs === undefined ? [] : [p.boundMs - p.createdMs])), 0.99),
    startP50Ms: percentile(all.flatMap((p) => (p.boundMs === undefined || p.runningMs === undefined ? [] : [p.runningMs - p.boundMs])), 0.5),
    startP99Ms: percentile(all.flatMap((p) => (p.boundMs === undefined || p.runningMs === undefined ? [] : [p.runningMs - p.boundMs])), 0.99),
    created10Ms: createdTimes.length >= replicas * 0.1 ? kth(createdTimes, replicas * 0.1) : undefined,
    created50Ms: createdTimes.length >= replicas * 0.5 ? kth(createdTimes, replicas * 0.5) : undefined,
    created90Ms: createdTimes.length >= replicas * 0.9 ? kth(createdTimes, replicas * 0.9) : undefined,
  };
}

export interface DeploymentScaleBenchOptions {
  readonly replicas: number;
  readonly nodes: number;
  /**
   * Scale-ups measured one after another, each from zero once the last one's pods are gone
   * (default 1). On a new cluster the first meets code the masters have not run yet (V8 compiles
   * it as it goes); the later ones show a cluster that has been working.
   */
  readonly rounds?: number;
  /** A running local cluster to use (left running); absent: a new one in a temp dir, purged after. */
  readonly dataDir?: string;
  readonly timeoutMs: number;
  readonly progress?: (line: string) => void;
}

export interface DeploymentScaleBenchResult extends DeploymentScaleResult {
  readonly nodes: number;
  /** Every round's result, in order; the fields above are the last round's. */
  readonly rounds: readonly DeploymentScaleResult[];
}

/** How long a round's pods may take to be deleted before the next round starts. */
export const DEPLOYMENT_SCALE_CLEANUP_TIMEOUT_MS = 120_000;

/** Waits until no pod of any round is left in `namespace` (the Deployment's deletion takes them away in the background). */
async function waitForRoundPodsGone(client: ResourceClient, namespace: string, progress?: (line: string) => void): Promise<void> {
  const deadline = performance.now() + DEPLOYMENT_SCALE_CLEANUP_TIMEOUT_MS;
  for (;;) {
    const left = (await client.list(PODS, { namespace, labelSelector: DEPLOYMENT_SCALE_LABEL })).items.length;
    if (left === 0) return;
    if (performance.now() > deadline) throw new Error(`${left} pods of the last round still exist after ${DEPLOYMENT_SCALE_CLEANUP_TIMEOUT_MS} ms`);
    progress?.(`waiting for ${left} pods of the last round to go`);
    await sleep(1_000);
  }
}

/** Runs the flotilla CLI with `args`, its output on our stderr; resolves to its exit code. */
async function runCli(args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 2, 2] });
  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => resolve(code ?? 1));
    });
  } finally {
    clearTimeout(timer);
  }
}

/** `flotilla status --json` of the cluster in `dir`: its masters' resource API addresses and whether any process is up. */
async function clusterStatus(dir: string): Promise<{ masters: string[]; running: boolean } | undefined> {
  const child = spawn(process.execPath, [MAIN, 'status', '--json', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) return undefined;
  const status = JSON.parse(out) as { processes: { kind: string; up: boolean; urls: { resource?: string } }[] };
  return {
    masters: status.processes.filter((p) => p.kind === 'master' && p.urls.resource !== undefined).map((p) => p.urls.resource!),
    running: status.processes.some((p) => p.up),
  };
}

/** The bearer token of the cluster's token file (first record of a tokens.csv). */
function clusterToken(tokenFile: string): string {
  const first = readFileSync(tokenFile, 'utf8').split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  if (first === undefined) throw new Error(`${tokenFile} holds no token`);
  return first.split(',')[0]!.replace(/^"|"$/g, '');
}

function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

async function waitForNodesReady(client: ResourceClient, prefix: string, count: number, worker: ChildProcess, progress?: (line: string) => void): Promise<void> {
  const deadlineMs = Date.now() + DEPLOYMENT_SCALE_NODES_READY_TIMEOUT_MS;
  let lastProgressMs = 0;
  for (;;) {
    if (worker.exitCode !== null || worker.signalCode !== null) throw new Error(`the hollow worker exited (${worker.exitCode ?? worker.signalCode})`);
    const nodes = await client.list<Node>(NODES).catch(() => ({ items: [] as Node[] }));
    const ready = nodes.items.filter((n) => (n.metadata?.name ?? '').startsWith(prefix) && isReady(n)).length;
    if (ready >= count) return;
    if (Date.now() > deadlineMs) throw new Error(`only ${ready}/${count} hollow nodes Ready after ${DEPLOYMENT_SCALE_NODES_READY_TIMEOUT_MS} ms`);
    if (Date.now() - lastProgressMs >= 2_000) {
      lastProgressMs = Date.now();
      progress?.(`${ready}/${count} hollow nodes Ready`);
    }
    await sleep(250);
  }
}

async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.kill('SIGTERM');
  const timer = setTimeout(() => worker.kill('SIGKILL'), WORKER_STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The whole benchmark: a cluster (started unless `dataDir` holds a running one), one hollow worker
 * process with `nodes` nodes, the measurement, then cleanup of everything it started (a cluster it
 * created is purged, a stopped one it started is stopped again; on a running cluster the worker is
 * stopped and its Nodes deleted).
 */
export async function runDeploymentScaleBench(options: DeploymentScaleBenchOptions): Promise<DeploymentScaleBenchResult> {
  const progress = options.progress;
  let dir = options.dataDir;
  let status = dir === undefined ? undefined : await clusterStatus(dir);
  const ownCluster = status?.running !== true;
  // Only a directory this run created is purged; a stopped cluster the user named is stopped again.
  const purge = dir === undefined || !existsSync(dir);
  if (ownCluster) {
    dir ??= mkdtempSync(join(tmpdir(), 'flotilla-deployment-scale-'));
    progress?.(`starting a cluster of 3 masters in ${dir}`);
  }
  const clusterDir = dir!;
  let worker: ChildProcess | undefined;
  let client: GrpcResourceClient | undefined;
  const workerName = `hollow-${Date.now().toString(36)}`;
  try {
    if (ownCluster) {
      const code = await runCli(['up', '--masters', '3', '--data-dir', clusterDir]);
      if (code !== 0) throw new Error(`flotilla up exited with ${code}`);
      status = await clusterStatus(clusterDir);
    }
    if (status === undefined || status.masters.length === 0) throw new Error(`no masters found in ${clusterDir}`);
    const tokenFile = tokenFilePath(clusterPkiDir(clusterDir));
    client = new GrpcResourceClient({ masters: status.masters, token: clusterToken(tokenFile) });
    const workerDir = join(clusterDir, workerName);
    mkdirSync(workerDir, { recursive: true });
    const log = openSync(join(clusterDir, `${workerName}.log`), 'a');
    try {
      worker = spawn(
        process.execPath,
        [MAIN, 'worker', '--hollow', '--count', String(options.nodes), '--name', workerName, '--masters', status.masters.join(','), '--token-file', tokenFile, '--data-dir', workerDir],
        { stdio: ['ignore', log, log] },
      );
    } finally {
      closeSync(log);
    }
    // Should this process die before the finally below (an uncaught error, such as EPIPE when
    // its output is piped into `head`), its hollow worker must not live on: `flotilla down` does
    // not know it. (A terminal's Ctrl-C reaches the worker itself, in the same process group.)
    const orphaned = worker;
    process.once('exit', () => orphaned.kill('SIGKILL'));
    progress?.(`started hollow worker ${workerName} (pid ${worker.pid ?? '?'}) with ${options.nodes} nodes; log ${join(clusterDir, `${workerName}.log`)}`);
    await waitForNodesReady(client, `${workerName}-`, options.nodes, worker, progress);
    progress?.(`${options.nodes} hollow nodes Ready`);
    const rounds: DeploymentScaleResult[] = [];
    const roundCount = options.rounds ?? 1;
    for (let round = 1; round <= roundCount; round++) {
      if (round > 1) await waitForRoundPodsGone(client, 'default', progress);
      if (roundCount > 1) progress?.(`round ${round} of ${roundCount}`);
      const result = await measureDeploymentScale({ client, replicas: options.replicas, timeoutMs: options.timeoutMs, ...(progress === undefined ? {} : { progress }) });
      rounds.push(result);
      if (roundCount > 1) progress?.(`round ${round}: ${result.availableMs === undefined ? 'not all available' : `${result.replicas} available in ${result.availableMs} ms`}`);
      if (result.availableMs === undefined) break;
    }
    return { ...rounds[rounds.length - 1]!, nodes: options.nodes, rounds };
  } finally {
    if (worker !== undefined) await stopWorker(worker);
    if (client !== undefined && !ownCluster) {
      for (let i = 0; i < options.nodes; i++) await client.delete({ ...NODES, name: `${workerName}-${i}` }).catch(() => undefined);
    }
    client?.close();
    if (ownCluster) {
      progress?.(purge ? `stopping the cluster and removing ${clusterDir}` : `stopping the cluster in ${clusterDir}`);
      await runCli(['down', ...(purge ? ['--purge'] : []), '--data-dir', clusterDir]);
    }
  }
}
