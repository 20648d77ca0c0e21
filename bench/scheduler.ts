// `flotilla bench scheduler --nodes N --pods P`: the scheduler in-process against an
// InMemoryResourceClient holding N nodes (4 CPU, 16 Gi, 110 pods, spread over 10 zones). P pods
// (100m CPU, 128 Mi, owned by 10 ReplicaSets so default spreading has work to do) are created in
// chunks; throughput is pods bound per second from the first create to the last bind seen, and
// latency is per pod from its create to the watch event showing it bound. Prints figures only.

import { Registry } from 'prom-client';
import { InMemoryResourceClient, SeededRandom, SharedInformerFactory } from '../core/index.js';
import type { GroupVersionResource, Node, Pod } from '../core/index.js';
import { ActorSystem, jsonStderrActorLogger, NULL_EVENT_RECORDER } from '../actors/index.js';
// Until actors/index.ts re-exports actors/scheduler (the integrator's line), the scheduler is reached directly.
import { startScheduler } from '../actors/scheduler/index.js';

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
}

const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
const NODES: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes' };
const NAMESPACES: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces' };
/** How long the bench waits for every pod to be bound before reporting what it has. */
const SCHEDULER_BENCH_TIMEOUT_MS = 300_000;
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

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return Math.round(sorted[rank - 1]! * 100) / 100;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runSchedulerBench(options: SchedulerBenchOptions): Promise<SchedulerBenchResult> {
  const client = new InMemoryResourceClient({ historyLimit: 100_000, watchMaxPendingEvents: 10_000_000, now: () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  for (let i = 0; i < options.nodes; i++) await client.create(NODES, benchNode(i));
  const system = new ActorSystem({ name: 'bench-scheduler', registry: new Registry(), random: new SeededRandom(options.seed ?? 1), logger: jsonStderrActorLogger({ bench: 'scheduler' }) });
  // The bench observes binds through the scheduler's own pod informer, so it adds no watch of its own to the client's work.
  const informers = new SharedInformerFactory({ client, clock: system.clock, random: new SeededRandom(options.seed ?? 1) });
  const createdAt = new Map<string, number>();
  const latencies: number[] = [];
  let lastBoundMs = 0;
  const observe = (pod: Pod): void => {
    const name = pod.metadata?.name ?? '';
    const t0 = createdAt.get(name);
    if (t0 === undefined || (pod.spec?.nodeName ?? '') === '') return;
    const now = performance.now();
    createdAt.delete(name);
    latencies.push(now - t0);
    lastBoundMs = now;
  };
  const registration = informers.informerFor<Pod>(PODS).addEventHandler({ onUpdate: (_old, pod) => observe(pod) });
  const scheduler = startScheduler(system, { client, events: NULL_EVENT_RECORDER, registry: new Registry(), informers });
  try {
    while ((await scheduler.ref.ask({ type: 'stats' }, 60_000)).nodes < options.nodes) await yieldToLoop();
    const chunk = options.chunk ?? 200;
    const startMs = performance.now();
    for (let i = 0; i < options.pods; i += chunk) {
      const creates: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(options.pods, i + chunk); j++) {
        createdAt.set(`pod-${j}`, performance.now());
        creates.push(client.create(PODS, benchPod(j)));
      }
      await Promise.all(creates);
      await yieldToLoop();
    }
    const deadline = performance.now() + SCHEDULER_BENCH_TIMEOUT_MS;
    while (latencies.length < options.pods && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const seconds = ((lastBoundMs || performance.now()) - startMs) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      nodes: options.nodes,
      pods: options.pods,
      bound: latencies.length,
      seconds: Math.round(seconds * 1000) / 1000,
      podsPerSecond: seconds > 0 ? Math.round(latencies.length / seconds) : 0,
      p50Ms: percentile(latencies, 50),
      p90Ms: percentile(latencies, 90),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    while ((await scheduler.ref.ask({ type: 'stats' }, 60_000)).inFlightBinds > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    registration.remove();
    await scheduler.stop();
    informers.stop();
    await system.shutdown();
  }
}
