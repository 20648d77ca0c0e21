// A pod worker on a manual clock, against the fake runtime and an in-memory API, wired as the
// kubelet wires it (container exits are forwarded to the worker).
import type { Test } from 'tap';
import type { Container, Pod, PodStatus, ResourceObject } from '../../../core/index.js';
import { formatRfc3339, InMemoryResourceClient, SeededRandom } from '../../../core/index.js';
import type { ActorLogger, ActorRef, ContainerMount, EventRecorder, PodVolumes, PodWorkerHost, PodWorkerMsg } from '../../../actors/index.js';
import { ActorSystem, DEFAULT_CRASH_LOOP_BACKOFF, escapeActorName, ManualClock, podWorkerActor, VolumeSetupError } from '../../../actors/index.js';
import { FakeRuntime } from './fake-runtime.js';

export const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
export const START_MS = 1_700_000_000_000;

export interface RecordedEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly fieldPath: string | undefined;
}

export class RecordingEvents implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  record(_involved: ResourceObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    this.events.push({ type, reason, message, fieldPath });
  }
  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
  withReason(reason: string): RecordedEvent[] {
    return this.events.filter((e) => e.reason === reason);
  }
}

/** Volumes without a disk: each volume "lives" at /volumes/<name>; names in `failing` fail to set up. */
export class FakeVolumes implements PodVolumes {
  readonly failing = new Set<string>();
  readonly tornDown: string[] = [];
  setUp(pod: Pod): Promise<ReadonlyMap<string, string>> {
    const paths = new Map<string, string>();
    for (const volume of pod.spec?.volumes ?? []) {
      if (this.failing.has(volume.name)) return Promise.reject(new VolumeSetupError(volume.name, `configmap "${volume.name}" not found`));
      paths.set(volume.name, `/volumes/${volume.name}`);
    }
    return Promise.resolve(paths);
  }
  tearDown(podUid: string): Promise<void> {
    this.tornDown.push(podUid);
    return Promise.resolve();
  }
  mountsFor(container: Container, volumePaths: ReadonlyMap<string, string>): ContainerMount[] {
    return (container.volumeMounts ?? []).map((m) => ({ containerPath: m.mountPath, hostPath: volumePaths.get(m.name) ?? '', readOnly: m.readOnly === true }));
  }
}

const quietLogger: ActorLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface PodHarness {
  readonly clock: ManualClock;
  readonly system: ActorSystem;
  readonly client: InMemoryResourceClient;
  readonly runtime: FakeRuntime;
  readonly events: RecordingEvents;
  readonly volumes: FakeVolumes;
  readonly host: PodWorkerHost;
  readonly fatal: unknown[];
  pod: Pod;
  worker: ActorRef<PodWorkerMsg>;
  /** Sends the pod as the API has it now (plus `patch` on top, e.g. a deletionTimestamp). */
  sync(patch?: (pod: Pod) => Pod): Promise<void>;
  /** The pod's status in the API. */
  status(): Promise<PodStatus>;
  /** Moves the clock and lets the worker handle what fell due. */
  advance(ms: number): Promise<void>;
  /** Starts a second worker for the same pod (the first must be stopped). */
  restartWorker(): Promise<void>;
}

/** Lets queued actor turns and resolved promises run (nact delivers with setImmediate). */
export async function settle(rounds = 60): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Runs event-loop turns until `cond()` holds; throws after `maxRounds` (no wall-clock limit). */
export async function until(what: string, cond: () => boolean | Promise<boolean>, maxRounds = 2_000): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    if (await cond()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`not reached after ${maxRounds} event-loop turns: ${what}`);
}

export function container(name: string, extra: Partial<Container> = {}): Container {
  return { name, image: 'busybox', imagePullPolicy: 'IfNotPresent', ...extra };
}

/** Creates `spec` as pod `web` in the API and starts its worker (nothing synced yet). */
export async function podHarness(t: Test, spec: NonNullable<Pod['spec']>, metadata: Pod['metadata'] = {}): Promise<PodHarness> {
  const clock = new ManualClock(START_MS);
  const fatal: unknown[] = [];
  const system = new ActorSystem({ name: 'node', clock, random: new SeededRandom(3), logger: quietLogger, onFatal: (e) => fatal.push(e) });
  const client = new InMemoryResourceClient({ now: () => formatRfc3339(clock.now()) });
  const runtime = new FakeRuntime(clock);
  runtime.present.add('busybox');
  const events = new RecordingEvents();
  const volumes = new FakeVolumes();
  const host: PodWorkerHost = {
    nodeName: 'node-1',
    nodeIP: '10.0.0.5',
    runtime,
    client,
    events,
    clock,
    rootDir: '/nonexistent',
    crashLoopBackoff: DEFAULT_CRASH_LOOP_BACKOFF,
    nodeAllocatable: { cpuMillis: 2000, memoryBytes: 4 * 2 ** 30 },
  };
  const pod = await client.create<Pod>(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', ...metadata },
    spec: { nodeName: 'node-1', ...spec },
  });
  const uid = pod.metadata?.uid ?? '';
  const definition = podWorkerActor(host, { volumes: () => volumes });
  let generation = 0;
  const spawn = (): ActorRef<PodWorkerMsg> => system.spawn(definition, `${escapeActorName(uid)}-${generation++}`);
  const h: PodHarness = {
    clock,
    system,
    client,
    runtime,
    events,
    volumes,
    host,
    fatal,
    pod,
    worker: spawn(),
    async sync(patch) {
      const current = await client.get<Pod>({ ...PODS, namespace: 'default', name: 'web' });
      h.pod = patch === undefined ? current : patch(current);
      h.worker.tell({ type: 'sync', pod: h.pod });
      await settle();
    },
    async status() {
      return (await client.get<Pod>({ ...PODS, namespace: 'default', name: 'web' })).status ?? {};
    },
    async advance(ms) {
      clock.advance(ms);
      await settle();
    },
    async restartWorker() {
      await system.stop(h.worker);
      h.worker = spawn();
      await settle();
    },
  };
  const unsubscribe = runtime.onContainerExit((status) => h.worker.tell({ type: 'containerExited', containerId: status.id }));
  t.teardown(async () => {
    unsubscribe();
    await system.shutdown();
  });
  return h;
}
