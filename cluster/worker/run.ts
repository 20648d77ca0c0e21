// `flotilla worker`: one node (or, with --hollow, many) in one process. A kubelet actor per node
// over the process runtime (or a hollow runtime per node), one pod informer for all of them, one
// gRPC resource API client that fails over between the masters, /metrics and /healthz.

import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { dirname, join, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { SeededRandom } from '../../core/index.js';
import type { ContainerIsolation, ContainerRuntime, ContainerStatus } from '../../actors/index.js';
import {
  ActorSystem,
  ApiEventRecorder,
  BOUND_PODS_FIELD_SELECTOR,
  createLinuxIsolation,
  directoryStaticPodSource,
  DEFAULT_CRASH_LOOP_BACKOFF,
  fixedNodeHostProbe,
  HOLLOW_NODE_LABEL,
  HollowRuntime,
  ImageStore,
  jsonStderrActorLogger,
  KubeletMetrics,
  kubeletActor,
  NodePodInformer,
  NoIsolation,
  nodeLeaseRenewIntervalMs,
  osNodeHostProbe,
  podsOfNodeFieldSelector,
  podWorkerActor,
  probeLinuxIsolation,
  ProcessRuntime,
  kubeletTokenAuthenticator,
  startKubeletServer,
} from '../../actors/index.js';
import type { KubeletServer } from '../../actors/index.js';
import type { NodeHostProbe } from '../../actors/index.js';
import { GrpcResourceClient } from '../../transport/index.js';
import { parseArgs } from '../args.js';
import { systemClock } from '../clock.js';
import { monitorEventLoopDelay } from '../eventloop-delay.js';
import { jsonLogger } from '../log.js';
import type { WorkerOptions } from './options.js';
import { WORKER_BOOLEAN_FLAGS, workerOptionsFrom } from './options.js';

export { WORKER_USAGE } from './options.js';

/** What a hollow node claims to have (kubemark's hollow nodes claim fixed capacity too). */
const HOLLOW_CPU_CORES = 4;
const HOLLOW_MEMORY_BYTES = 16 * 1024 ** 3;

export async function workerCommand(argv: string[]): Promise<number> {
  const options = workerOptionsFrom(parseArgs(argv, WORKER_BOOLEAN_FLAGS));
  const stop = await startWorker(options);
  return await new Promise<number>((resolve) => {
    const shutdown = (): void => void stop().then(() => resolve(0), () => resolve(1));
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
}

/** Starts the worker; resolves with its stop function once its metrics server listens. */
export async function startWorker(options: WorkerOptions): Promise<() => Promise<void>> {
  const log = jsonLogger({ component: 'worker', name: options.name });
  mkdirSync(options.dataDir, { recursive: true });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const stopEventLoopProbe = monitorEventLoopDelay(registry, { onStall: (delayMs) => log.warn('event loop stalled', { delayMs: Math.round(delayMs) }) });
  const client = new GrpcResourceClient({ masters: mastersStartingAt(options.masters, options.name), ...(options.token === undefined ? {} : { token: options.token }) });
  const system = new ActorSystem({
    name: 'worker',
    clock: systemClock,
    registry,
    onFatal: (err) => {
      log.error('a kubelet failed beyond its restart budget', { error: String(err) });
      process.exitCode = 1;
    },
  });
  const pods = new NodePodInformer({
    client,
    clock: systemClock,
    random: new SeededRandom((Date.now() ^ (process.pid << 8)) >>> 0),
    fieldSelector: options.hollowCount > 0 ? BOUND_PODS_FIELD_SELECTOR : podsOfNodeFieldSelector(options.name),
    onError: (err, source) => log.warn('pod informer', { source, error: err.message }),
  });
  const metrics = new KubeletMetrics(registry);
  const crashLoopBackoff = { ...DEFAULT_CRASH_LOOP_BACKOFF, initialMs: options.crashLoopBackoffInitialMs, maxMs: options.crashLoopBackoffMaxMs };
  const common = {
    nodeIP: options.nodeIP,
    client,
    pods,
    crashLoopBackoff,
    maxPods: options.maxPods,
    nodeLeaseDurationSeconds: options.nodeLeaseDurationSeconds,
    nodeStatusUpdateFrequencyMs: options.nodeStatusUpdateFrequencyMs,
    podResyncIntervalMs: options.syncFrequencyMs,
    podWorker: podWorkerActor,
  };
  const runtimes: ContainerRuntime[] = [];
  let kubeletServer: KubeletServer | undefined;
  const eventRecorders: ApiEventRecorder[] = [];
  let healthy = false;

  if (options.hollowCount === 0) {
    const runtime = new ProcessRuntime({
      stateDir: join(options.dataDir, 'runtime'),
      imageStore: new ImageStore(join(options.dataDir, 'images'), systemClock),
      isolation: await containerIsolationFor(options),
      clock: systemClock,
      log: jsonStderrActorLogger({ component: 'runtime', node: options.name }),
      podIP: options.nodeIP,
      podCidr: options.podCidr,
    });
    // start() reports the exits of containers that ended while the worker was down; they are held
    // for the kubelet, which subscribes itself in its first turn (bounded by the containers on disk).
    const exitsWhileDown: ContainerStatus[] = [];
    const holdExits = runtime.onContainerExit((status) => exitsWhileDown.push(status));
    await runtime.start();
    runtimes.push(runtime);
    const events = new ApiEventRecorder({ client, clock: systemClock, random: new SeededRandom((Date.now() ^ process.pid) >>> 0), component: 'kubelet', host: options.name, registry, logger: log });
    eventRecorders.push(events);
    // The kubelet's own server (pods/log, pods/exec, metrics), for masters holding the cluster token.
    const server = await startKubeletServer({ runtime, nodeName: options.name, clock: systemClock, port: options.kubeletPort, host: options.nodeIP, authenticate: kubeletTokenAuthenticator(options.token) });
    kubeletServer = server;
    log.info('serving the kubelet API', { address: `${options.nodeIP}:${server.port}` });
    const probe = osNodeHostProbe(options.dataDir, { ...(options.cpuCores === undefined ? {} : { cpuCores: options.cpuCores }), ...(options.memoryBytes === undefined ? {} : { memoryBytes: options.memoryBytes }) });
    const kubelet = system.spawn(
      kubeletActor({
        ...common,
        nodeName: options.name,
        runtime,
        probe,
        events,
        rootDir: options.dataDir,
        metrics: metrics.forNode(options.name),
        kubeletPort: () => server.port,
        podCidr: options.podCidr,
        ...(options.podManifestPath === undefined ? {} : { staticPods: directoryStaticPodSource(options.podManifestPath) }),
      }),
      'kubelet',
    );
    holdExits();
    for (const status of exitsWhileDown) kubelet.tell({ type: 'containerExited', status });
  } else {
    const probe = hollowProbe(options);
    const renewMs = nodeLeaseRenewIntervalMs(options.nodeLeaseDurationSeconds);
    for (let i = 0; i < options.hollowCount; i++) {
      const nodeName = `${options.name}-${i}`;
      const runtime = new HollowRuntime({ clock: systemClock, podIP: options.nodeIP, idPrefix: `${nodeName}-` });
      runtimes.push(runtime);
      system.spawn(
        kubeletActor({
          ...common,
          nodeName,
          runtime,
          probe,
          rootDir: join(options.dataDir, 'hollow', nodeName),
          labels: { [HOLLOW_NODE_LABEL]: 'true' },
          // Spread the heartbeats of the nodes evenly over the renew interval.
          heartbeatPhaseMs: Math.floor((i * renewMs) / options.hollowCount),
          metrics: metrics.forNode(nodeName),
        }),
        `kubelet-${nodeName}`,
      );
    }
  }
  pods.start();
  void pods.waitForSync().then(() => {
    healthy = true;
    log.info('pods of this worker listed', { nodes: Math.max(1, options.hollowCount) });
  }, () => undefined);

  const server = options.metricsPort === undefined ? undefined : await serveMetrics(registry, options.metricsPort, () => healthy);
  if (server !== undefined) {
    const addr = server.address();
    log.info('serving metrics', { url: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}/metrics` });
  }
  log.info('worker started', { masters: options.masters, hollow: options.hollowCount, dataDir: options.dataDir });

  return async () => {
    log.info('worker stopping');
    pods.stop();
    stopEventLoopProbe();
    await system.shutdown();
    for (const events of eventRecorders) await events.stop();
    await kubeletServer?.close();
    // Containers keep running: a restarted worker re-adopts them.
    for (const runtime of runtimes) await runtime.close();
    client.close();
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()));
  };
}

function hollowProbe(options: WorkerOptions): NodeHostProbe {
  return fixedNodeHostProbe(
    {
      hostname: options.name,
      cpuCores: options.cpuCores ?? HOLLOW_CPU_CORES,
      memoryBytes: options.memoryBytes ?? HOLLOW_MEMORY_BYTES,
      architecture: 'amd64',
      kernelVersion: 'hollow',
      osImage: 'Flotilla hollow node',
    },
    { memoryAvailableBytes: options.memoryBytes ?? HOLLOW_MEMORY_BYTES, diskAvailableBytes: 1, diskCapacityBytes: 0, processCount: 0, processLimit: 0 },
  );
}

/** `/metrics` (Prometheus text) and `/healthz` (200 once the first pod list is in). */
async function serveMetrics(registry: Registry, port: number, healthy: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      void registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
      return;
    }
    if (path === '/healthz') {
      const ok = healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ok ? 'ok' : 'pods not listed yet');
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

/** The install directory (dist/cluster/worker/run.js → the package root): containers run its shipped images. */
const INSTALL_DIR = fileURLToPath(new URL('../../../', import.meta.url));

/** Whether `dir` is `path` or one of its ancestors. */
function containsPath(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Linux namespaces and cgroups when this host allows them (root on Linux) and --no-isolation is
 * not given, else plain processes with the reason, which the Node's Ready condition shows.
 * Containers must not see the worker's state (other pods' volumes, runtime records) nor its
 * credentials; a directory holding the Flotilla install or the Node binary stays visible, since
 * the shipped images run from there.
 */
async function containerIsolationFor(options: WorkerOptions): Promise<ContainerIsolation> {
  if (options.noIsolation) {
    // Pods an isolated run of this worker started are still torn down the way they were made.
    const before = await createLinuxIsolation();
    return new NoIsolation('isolation turned off with --no-isolation: containers run as plain host processes', before);
  }
  const probe = await probeLinuxIsolation();
  const needed = [INSTALL_DIR, dirname(process.execPath)];
  const hiddenHostPaths = [options.dataDir, ...options.credentialDirs].filter((dir) => !needed.some((path) => containsPath(dir, path)));
  const linux = await createLinuxIsolation({ probe, hiddenHostPaths });
  return linux ?? new NoIsolation(probe.isolation.reason);
}

/**
 * The masters list rotated by a hash of the node name, so that workers spread over the masters
 * rather than all calling the first one (they still fail over to the others in order).
 */
export function mastersStartingAt(masters: readonly string[], nodeName: string): string[] {
  if (masters.length === 0) return [];
  let h = 0;
  for (let i = 0; i < nodeName.length; i++) h = (Math.imul(h, 31) + nodeName.charCodeAt(i)) >>> 0;
  const start = h % masters.length;
  return [...masters.slice(start), ...masters.slice(0, start)];
}
