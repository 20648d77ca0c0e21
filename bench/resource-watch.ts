/**
 * `node dist/bench/resource-watch.js`: watch events per second through the internal resource API
 * over gRPC on loopback. An InMemoryResourceClient is served by addResourceApiService; a
 * GrpcResourceClient watches pods while the bench creates them in bursts, keeping at most WINDOW
 * events written but not yet received (the server's queue bound is never approached). Server and
 * client share this process's event loop, so the figure is a floor for two processes.
 * Prints figures only; the last line on stdout is JSON.
 *
 * Env: BENCH_EVENTS (20000), BENCH_BURST (500 creates per event-loop turn), BENCH_WINDOW (5000).
 */
import * as grpc from '@grpc/grpc-js';
import type { ResourceObject } from '../core/index.js';
import { InMemoryResourceClient } from '../core/index.js';
import { addResourceApiService, GrpcResourceClient, RESOURCE_SERVER_OPTIONS } from '../transport/index.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 20_000);
const BURST = Number(process.env.BENCH_BURST ?? 500);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 5_000);
const PODS = { group: '', version: 'v1', resource: 'pods' } as const;

function pod(i: number): ResourceObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'bench', labels: { app: 'bench', shard: String(i % 16) } },
    spec: { nodeName: `node-${i % 100}`, containers: [{ name: 'main', image: 'registry.example/app:1.0', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    status: { phase: 'Pending' },
  };
}

async function main(): Promise<void> {
  const store = new InMemoryResourceClient({ historyLimit: 1_000, watchMaxPendingEvents: WINDOW * 2 });
  const server = new grpc.Server(RESOURCE_SERVER_OPTIONS);
  const service = addResourceApiService(server, store);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const client = new GrpcResourceClient({ masters: [`127.0.0.1:${port}`] });

  let received = 0;
  let frames = 0;
  let closedEarly: Error | undefined;
  let wake: (() => void) | undefined;
  const watch = client.watch(PODS, { resourceVersion: store.resourceVersion }, (events) => {
    received += events.length;
    frames++;
    wake?.();
  }, (err) => {
    closedEarly = err ?? new Error('watch closed');
    wake?.();
  });
  const progress = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  while (service.openWatches === 0) await new Promise((r) => setTimeout(r, 5));

  const started = performance.now();
  const busy0 = performance.eventLoopUtilization();
  let written = 0;
  while (received < TOTAL && closedEarly === undefined) {
    if (written < TOTAL && written - received < WINDOW) {
      const burst = Math.min(BURST, TOTAL - written);
      for (let i = 0; i < burst; i++) void store.create(PODS, pod(written + i));
      written += burst;
      await new Promise((r) => setImmediate(r));
    } else {
      await progress();
    }
  }
  const seconds = (performance.now() - started) / 1_000;
  const busy = performance.eventLoopUtilization(busy0).utilization;
  watch.stop();
  client.close();
  service.closeWatches();
  server.forceShutdown();
  if (closedEarly !== undefined) throw closedEarly;

  const result = { events: received, seconds: Number(seconds.toFixed(3)), eventsPerSecond: Math.round(received / seconds), frames, eventsPerFrame: Number((received / frames).toFixed(1)), eventLoopBusy: Number(busy.toFixed(2)) };
  process.stderr.write(`resource watch over gRPC: ${result.events} events in ${result.seconds} s = ${result.eventsPerSecond} events/s, ${result.frames} frames (${result.eventsPerFrame} events/frame), event loop ${Math.round(busy * 100)}% busy\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
