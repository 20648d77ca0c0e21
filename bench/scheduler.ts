// `flotilla bench scheduler --nodes N --pods P`: the scheduler in-process against an
// InMemoryResourceClient holding N nodes (4 CPU, 16 Gi, 110 pods, spread over 10 zones). P pods
// (100m CPU, 128 Mi, owned by 10 ReplicaSets so default spreading has work to do) are created in
// chunks; throughput is pods bound per second from the first create to the last bind seen, and
// latency is per pod from its create to the watch event showing it bound.
//
// Binds cost one write each, as on a master, where the binder posts pods/binding and the API server
// sets spec.nodeName and PodScheduled=True in one update. Besides throughput the bench splits the
// process's CPU time into the scheduling algorithm (the scheduler's own measure), the client's
// writes (creates and binds, timed around the synchronous in-memory calls), and the rest (watch
// delivery, informers, the scheduler's bookkeeping, the actor runtime, garbage collection).

import { Registry } from 'prom-client';
import { InMemoryResourceClient, isConflict, SeededRandom, SharedInformerFactory } from '../core/index.js';
import type { GroupVersionResource, Node, Pod, PodCondition } from '../core/index.js';
import { ActorSystem, jsonStderrActorLogger, NULL_EVENT_RECORDER, PodBindingRejectedError, startScheduler } from '../actors/index.js';
import type { PodBinder } from '../actors/index.js';

export interface SchedulerBenchOptions {
  readonly nodes: number;
  readonly pods: number;
  /** Pods created per chunk before yielding to the event loop. */
  readonly chunk?: number;
  readonly seed?: number;
}

export interface SchedulerBenchResult {
  readonly nodes: number;
  readonly pods: number;
  readonly bound: number;
  readonly seconds: number;
  readonly podsPerSecond: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  /** Scheduling attempts (more than `bound` if some had to be retried). */
  readonly attempts: number;
  /** Process CPU time (user + system) from the first create to the last bind. */
  readonly cpuSeconds: number;
  /** Of which in the scheduling algorithm (filter, score, select). */
  readonly algorithmSeconds: number;
  /** Of which in the client's writes: pod creates and binds. */
  readonly clientWriteSeconds: number;
}

const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
const NODES: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes' };
const NAMESPACES: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces' };
/** How long the bench waits for every pod to be bound before reporting what it has. */
const SCHEDULER_BENCH_TIMEOUT_MS = 300_000;
/**
 * Changes the in-memory client keeps. The informers watch from the start and never need to
 * resume far back; a history of every change of the run would only make the heap (and each
 * garbage collection) grow with the pod count.
 */
const SCHEDULER_BENCH_HISTORY_LIMIT = 10_000;
/** Re-reads of one bind whose cached copy was stale (nothing else writes pods here, so this never loops). */
const BENCH_BIND_CONFLICT_RETRIES = 3;
const ZONES = 10;
const OWNERS = 10;

function benchNode(i: number): Node {
  const name = `node-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % ZONES}` } },
    spec: {},
    status: {
      capacity: { cpu: '4', memory: '16Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

function benchPod(i: number): Pod {
  const owner = i % OWNERS;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pod-${i}`,
      namespace: 'default',
      labels: { app: `rs-${owner}` },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${owner}`, uid: `rs-uid-${owner}`, controller: true }],
    },
    spec: { containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  };
}

/** Milliseconds spent inside the client's synchronous write calls. */
interface WriteTimer {
  ms: number;
}

/**
 * A binder with the cost of the API server's pods/binding: one update carrying spec.nodeName and
 * PodScheduled=True. (The in-memory client's main-resource update keeps the stored status, as
 * kube's does, so the condition travels but is not stored; the write and its watch event are what
 * cost.) It starts from the scheduler's cached copy, as resourceClientPodBinder does.
 */
function singleWriteBinder(client: InMemoryResourceClient, now: () => string, timer: WriteTimer): PodBinder {
  return {
    async bind(target, nodeName) {
      const key = `${target.namespace}/${target.name}`;
      for (let attempt = 0; ; attempt++) {
        const pod = attempt === 0 && target.pod !== undefined ? target.pod : await client.get<Pod>({ ...PODS, namespace: target.namespace, name: target.name });
        if (target.uid !== '' && pod.metadata?.uid !== target.uid) throw new PodBindingRejectedError(key, 'UidChanged');
        if (pod.metadata?.deletionTimestamp != null) throw new PodBindingRejectedError(key, 'Terminating');
        if ((pod.spec?.nodeName ?? '') !== '') throw new PodBindingRejectedError(key, 'AlreadyBound');
        const scheduled: PodCondition = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() };
        const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), scheduled];
        const bound: Pod = { ...pod, spec: { ...pod.spec!, nodeName }, status: { ...pod.status, conditions } };
        const startMs = performance.now();
        const written = client.update<Pod>(PODS, bound);
        timer.ms += performance.now() - startMs;
        try {
          await written;
          return;
        } catch (err) {
          if (!isConflict(err) || attempt >= BENCH_BIND_CONFLICT_RETRIES) throw err;
        }
      }
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return Math.round(sorted[rank - 1]! * 100) / 100;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const cpuSecondsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};
/** RFC 3339 to the second, formatted once per second (a bind stamps one; formatting each would show in the profile). */
const rfc3339Now = ((): (() => string) => {
  let second = -1;
  let text = '';
  return () => {
    const nowSecond = Math.floor(Date.now() / 1000);
    if (nowSecond !== second) {
      second = nowSecond;
      text = new Date(nowSecond * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    return text;
  };
})();

export async function runSchedulerBench(options: SchedulerBenchOptions): Promise<SchedulerBenchResult> {
  const client = new InMemoryResourceClient({ historyLimit: SCHEDULER_BENCH_HISTORY_LIMIT, watchMaxPendingEvents: 10_000_000, now: rfc3339Now });
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  for (let i = 0; i < options.nodes; i++) await client.create(NODES, benchNode(i));
  const system = new ActorSystem({ name: 'bench-scheduler', registry: new Registry(), random: new SeededRandom(options.seed ?? 1), logger: jsonStderrActorLogger({ bench: 'scheduler' }) });
  // The bench observes binds through the scheduler's own pod informer, so it adds no watch of its own to the client's work.
  const informers = new SharedInformerFactory({ client, clock: system.clock, random: new SeededRandom(options.seed ?? 1) });
  const createdAt = new Map<string, number>();
  const latencies: number[] = [];
  let lastBoundMs = 0;
  let cpuAtLastBound = 0;
  let cpuStart = process.cpuUsage();
  const observe = (pod: Pod): void => {
    const name = pod.metadata?.name ?? '';
    const t0 = createdAt.get(name);
    if (t0 === undefined || (pod.spec?.nodeName ?? '') === '') return;
    const now = performance.now();
    createdAt.delete(name);
    latencies.push(now - t0);
    lastBoundMs = now;
    if (latencies.length === options.pods) cpuAtLastBound = cpuSecondsSince(cpuStart);
  };
  const registration = informers.informerFor<Pod>(PODS).addEventHandler({ onUpdate: (_old, pod) => observe(pod) });
  const writes: WriteTimer = { ms: 0 };
  const binder = singleWriteBinder(client, rfc3339Now, writes);
  const scheduler = startScheduler(system, { client, binder, events: NULL_EVENT_RECORDER, registry: new Registry(), informers });
  try {
    while ((await scheduler.ref.ask({ type: 'stats' }, 60_000)).nodes < options.nodes) await yieldToLoop();
    const before = await scheduler.ref.ask({ type: 'stats' }, 60_000);
    const chunk = options.chunk ?? 200;
    cpuStart = process.cpuUsage();
    const startMs = performance.now();
    for (let i = 0; i < options.pods; i += chunk) {
      const creates: Promise<unknown>[] = [];
      const writeStartMs = performance.now();
      for (let j = i; j < Math.min(options.pods, i + chunk); j++) {
        createdAt.set(`pod-${j}`, performance.now());
        creates.push(client.create(PODS, benchPod(j)));
      }
      writes.ms += performance.now() - writeStartMs;
      await Promise.all(creates);
      await yieldToLoop();
    }
    const deadline = performance.now() + SCHEDULER_BENCH_TIMEOUT_MS;
    while (latencies.length < options.pods && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const seconds = ((lastBoundMs || performance.now()) - startMs) / 1000;
    const cpuSeconds = cpuAtLastBound || cpuSecondsSince(cpuStart);
    const after = await scheduler.ref.ask({ type: 'stats' }, 60_000);
    latencies.sort((a, b) => a - b);
    const round3 = (x: number): number => Math.round(x * 1000) / 1000;
    return {
      nodes: options.nodes,
      pods: options.pods,
      bound: latencies.length,
      seconds: round3(seconds),
      podsPerSecond: seconds > 0 ? Math.round(latencies.length / seconds) : 0,
      p50Ms: percentile(latencies, 50),
      p90Ms: percentile(latencies, 90),
      p99Ms: percentile(latencies, 99),
      attempts: after.attempts - before.attempts,
      cpuSeconds: round3(cpuSeconds),
      algorithmSeconds: round3(after.algorithmSeconds - before.algorithmSeconds),
      clientWriteSeconds: round3(writes.ms / 1000),
    };
  } finally {
    while ((await scheduler.ref.ask({ type: 'stats' }, 60_000)).inFlightBinds > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    registration.remove();
    await scheduler.stop();
    informers.stop();
    await system.shutdown();
  }
}
