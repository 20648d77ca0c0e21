/**
 * `node dist/bench/watch-cache.js`: watch delivery delay with and without the API server's watch
 * cache. N watchers watch every pod through InMemoryStorage (one store watch each, each decoding
 * every event) or through CachedStorage over it (one store watch, shared objects), while pods are
 * modified at a fixed open-loop rate. The delay of a delivery is the time from the write's start
 * to the watcher's callback, on one event loop, so it includes all queueing in this process.
 * Prints figures only; the last line on stdout is JSON.
 *
 * Env: BENCH_WATCHERS (100), BENCH_RATE (1000 changes/s), BENCH_SECONDS (5), BENCH_PODS (100).
 */
import { performance } from 'node:perf_hooks';
import { CachedStorage } from '../actors/index.js';
import type { Storage, StorageObject, StorageScheduler, StorageWatch } from '../core/index.js';
import { InMemoryStorage } from '../core/index.js';

const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 100);
const RATE_PER_S = Number(process.env.BENCH_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PODS = Number(process.env.BENCH_PODS ?? 100);
/** Writes are issued in batches on this tick. */
const TICK_MS = 10;
/** After the last write, how long delivery may stall before the rest counts as lost. */
const DRAIN_IDLE_MS = 10_000;
const SEQ_ANNOTATION = 'bench.flotilla.io/seq';

const wallScheduler: StorageScheduler = {
  every(intervalMs, fn) {
    const timer = setInterval(fn, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};

function pod(i: number, seq: number): StorageObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'bench', uid: `uid-${i}`, labels: { app: 'bench', shard: String(i % 16) }, annotations: { [SEQ_ANNOTATION]: String(seq) } },
    spec: { nodeName: `node-${i % 100}`, containers: [{ name: 'main', image: 'registry.example/app:1.0', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], podIP: '10.0.0.1' },
  };
}

interface RunResult {
  readonly mode: string;
  readonly changes: number;
  readonly deliveries: number;
  readonly expected: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly writeSeconds: number;
}

async function run(mode: 'store' | 'cache'): Promise<RunResult> {
  const inner = new InMemoryStorage({ watchMaxPendingEvents: 1_000_000 });
  const storage: Storage = mode === 'cache' ? new CachedStorage(inner, { scheduler: wallScheduler, watchMaxPendingEvents: 1_000_000 }) : inner;
  for (let i = 0; i < PODS; i++) await storage.create(`/registry/pods/bench/pod-${i}`, pod(i, -1));
  const { resourceVersion } = await storage.getList('/registry/pods');

  const total = RATE_PER_S * SECONDS;
  const writtenAt = new Float64Array(total);
  const delays = new Float64Array(total * WATCHERS);
  let deliveries = 0;
  let errors = 0;
  let lastProgress = performance.now();
  const watches: StorageWatch[] = [];
  for (let w = 0; w < WATCHERS; w++) {
    watches.push(
      await storage.watch(
        '/registry/pods',
        { recursive: true, resourceVersion },
        (e) => {
          if (e.type !== 'MODIFIED') return;
          const seq = Number((e.object.metadata as { annotations: Record<string, string> }).annotations[SEQ_ANNOTATION]);
          delays[deliveries++] = performance.now() - writtenAt[seq]!;
          lastProgress = performance.now();
        },
        () => errors++,
      ),
    );
  }

  const started = performance.now();
  let seq = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      // Open loop: the writes due by now, whatever the watchers' backlog.
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE_PER_S));
      const writes: Promise<unknown>[] = [];
      for (; seq < due; seq++) {
        writtenAt[seq] = performance.now();
        writes.push(storage.update(`/registry/pods/bench/pod-${seq % PODS}`, pod(seq % PODS, seq)));
      }
      void Promise.all(writes).catch(() => errors++);
      if (seq >= total) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const writeSeconds = (performance.now() - started) / 1000;
  const expected = total * WATCHERS;
  lastProgress = performance.now();
  while (deliveries < expected && errors === 0 && performance.now() - lastProgress < DRAIN_IDLE_MS) await new Promise((r) => setTimeout(r, 20));
  for (const w of watches) w.stop();
  await storage.close();

  const sorted = delays.slice(0, deliveries).sort();
  const pct = (p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
  return { mode, changes: total, deliveries, expected, errors, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: sorted.at(-1) ?? NaN, writeSeconds };
}

async function main(): Promise<void> {
  console.log(`watch-cache bench: ${WATCHERS} watchers, ${RATE_PER_S} changes/s for ${SECONDS} s over ${PODS} pods`);
  const results: RunResult[] = [];
  for (const mode of ['cache', 'store'] as const) {
    const r = await run(mode);
    results.push(r);
    console.log(
      `${mode.padEnd(5)}: delivered ${r.deliveries}/${r.expected}, errors ${r.errors}, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms (writes took ${r.writeSeconds.toFixed(1)} s)`,
    );
  }
  console.log(JSON.stringify({ bench: 'watch-cache', watchers: WATCHERS, ratePerS: RATE_PER_S, seconds: SECONDS, results }));
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
