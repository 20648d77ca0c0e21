// Pod startup latency, as Kubernetes' SLO defines it: from a pod's creation to all its containers
// running, as observed through a watch. Pods are created at a steady rate with spec.nodeName set
// round-robin over the given nodes, so the figure is the node's part alone (scheduling has its own
// benchmark); the creation time is the client's own clock at the create call (creationTimestamp
// has only second precision). The SLO leaves image pulls out, so the pods' image is one every
// node has (pull policy IfNotPresent: no pull, as for the pause image Kubernetes' density test
// uses). Everything created is deleted.

import type { Pod, ResourceClient } from '../core/index.js';
import { nearestRankPercentile } from './api-stats.js';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
/** The label every benchmark pod carries, so the watch and the cleanup select only them. */
export const STARTUP_BENCH_LABEL = 'flotilla.io/bench';
/** Deletes in flight at once during cleanup. */
export const STARTUP_BENCH_DELETE_CONCURRENCY = 32;

export interface StartupBenchOptions {
  readonly client: ResourceClient;
  readonly nodes: readonly string[];
  readonly pods: number;
  /** Pod creations per second. */
  readonly createRatePerSecond: number;
  readonly namespace?: string;
  readonly image?: string;
  /** Give up on pods not running after this long from the last creation. */
  readonly timeoutMs: number;
  readonly progress?: (line: string) => void;
}

export interface StartupBenchResult {
  readonly pods: number;
  readonly started: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /**
   * Where the time went, each from the pod's creation call, as p50/p99 over the pods that got
   * there: `acked` the create call's answer, `seen` the watch's first event of the pod, `reported`
   * its first status from the kubelet (a pod IP or a container status), `running` the figure above.
   */
  readonly stages: Readonly<Record<StartupStage, { readonly p50Ms: number; readonly p99Ms: number }>>;
}

export type StartupStage = 'acked' | 'seen' | 'reported' | 'running';

function allRunning(pod: Pod): boolean {
  const want = pod.spec?.containers.length ?? 0;
  const statuses = pod.status?.containerStatuses ?? [];
  return want > 0 && statuses.length >= want && statuses.every((s) => s.state?.running !== undefined);
}

export async function runStartupBench(options: StartupBenchOptions): Promise<StartupBenchResult> {
  const { client, nodes } = options;
  if (nodes.length === 0) throw new RangeError('startup bench: no nodes to bind pods to');
  const namespace = options.namespace ?? 'default';
  const runId = Date.now().toString(36);
  const createdAtMs = new Map<string, number>();
  const latenciesMs = new Map<string, number>();
  const stageMs: Record<StartupStage, Map<string, number>> = { acked: new Map(), seen: new Map(), reported: new Map(), running: latenciesMs };
  const mark = (stage: StartupStage, name: string, nowMs: number): void => {
    const created = createdAtMs.get(name);
    if (created !== undefined && !stageMs[stage].has(name)) stageMs[stage].set(name, nowMs - created);
  };
  const list = await client.list(PODS, { namespace, limit: 1 });
  let watchError: Error | undefined;
  const watch = client.watch(
    PODS,
    { namespace, labelSelector: `${STARTUP_BENCH_LABEL}=${runId}`, resourceVersion: list.resourceVersion },
    (events) => {
      const nowMs = performance.timeOrigin + performance.now();
      for (const event of events) {
        if (event.type !== 'ADDED' && event.type !== 'MODIFIED') continue;
        const pod = event.object as Pod;
        const name = pod.metadata?.name ?? '';
        mark('seen', name, nowMs);
        if (pod.status?.podIP !== undefined || (pod.status?.containerStatuses?.length ?? 0) > 0) mark('reported', name, nowMs);
        if (allRunning(pod)) mark('running', name, nowMs);
      }
    },
    (err) => {
      watchError = err ?? new Error('watch ended');
    },
  );
  const intervalMs = 1000 / options.createRatePerSecond;
  const startMs = Date.now();
  const creates: Promise<unknown>[] = [];
  try {
    for (let i = 0; i < options.pods; i++) {
      const dueMs = startMs + i * intervalMs;
      const waitMs = dueMs - Date.now();
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      const name = `startup-${runId}-${i}`;
      createdAtMs.set(name, performance.timeOrigin + performance.now());
      creates.push(
        client
          .create<Pod>(PODS, {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name, namespace, labels: { [STARTUP_BENCH_LABEL]: runId } },
            spec: { nodeName: nodes[i % nodes.length]!, terminationGracePeriodSeconds: 1, containers: [{ name: 'sleep', image: options.image ?? 'flotilla/sleep', imagePullPolicy: 'IfNotPresent' }] },
          })
          .then(() => mark('acked', name, performance.timeOrigin + performance.now())),
      );
      if ((i + 1) % 50 === 0) options.progress?.(`created ${i + 1}/${options.pods}, running ${latenciesMs.size}`);
    }
    await Promise.all(creates);
    const deadline = Date.now() + options.timeoutMs;
    let lastReport = 0;
    while (latenciesMs.size < options.pods && Date.now() < deadline && watchError === undefined) {
      await new Promise((r) => setTimeout(r, 200));
      if (Date.now() - lastReport > 2_000) {
        lastReport = Date.now();
        options.progress?.(`running ${latenciesMs.size}/${options.pods}`);
      }
    }
    if (watchError !== undefined) options.progress?.(`watch ended early: ${watchError.message}`);
  } finally {
    watch.stop();
    options.progress?.('deleting the benchmark pods');
    const names = [...createdAtMs.keys()];
    for (let i = 0; i < names.length; i += STARTUP_BENCH_DELETE_CONCURRENCY) {
      await Promise.all(names.slice(i, i + STARTUP_BENCH_DELETE_CONCURRENCY).map((name) => client.delete({ ...PODS, namespace, name }).catch(() => undefined)));
    }
  }
  const percentiles = (values: Iterable<number>): ((p: number) => number) => {
    const samples = Float64Array.from(values).sort();
    return (p) => (samples.length === 0 ? 0 : Math.round(nearestRankPercentile(samples, p / 100)));
  };
  const pct = percentiles(latenciesMs.values());
  const stages = Object.fromEntries(
    (Object.keys(stageMs) as StartupStage[]).map((stage) => {
      const stagePct = percentiles(stageMs[stage].values());
      return [stage, { p50Ms: stagePct(50), p99Ms: stagePct(99) }];
    }),
  ) as StartupBenchResult['stages'];
  return { pods: options.pods, started: latenciesMs.size, p50Ms: pct(50), p90Ms: pct(90), p99Ms: pct(99), maxMs: pct(100), stages };
}
