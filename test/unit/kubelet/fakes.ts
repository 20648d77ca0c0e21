// Test doubles for the kubelet: a container runtime that only keeps lists, and a pod worker that
// records what the kubelet told it.
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import { InMemoryResourceClient, SeededRandom } from '../../../core/index.js';
import type { ActorDefinition, ContainerRuntime, ContainerStatus, NodeHostFacts, NodePressureSample, PodSandboxStatus, PodWorkerHost, PodWorkerMsg } from '../../../actors/index.js';
import { ActorSystem, defineActor, fixedNodeHostProbe, ManualClock, NodePodInformer, podsOfNodeFieldSelector } from '../../../actors/index.js';


export class FakeRuntime implements ContainerRuntime {
  readonly name = 'process';
  readonly version = '0.1';
  readonly isolation = { namespaces: false, cgroups: 'none' as const, reason: 'not root' };
  readonly sandboxes = new Map<string, PodSandboxStatus>();
  readonly stopped: string[] = [];
  readonly removed: string[] = [];
  private readonly exitHandlers = new Set<(status: ContainerStatus) => void>();

  addSandbox(id: string, podUid: string, name = `pod-${podUid}`): void {
    this.sandboxes.set(id, { id, podUid, podName: name, podNamespace: 'default', state: 'ready', ip: '10.0.0.1', createdAtMs: 0 });
  }
  exit(status: ContainerStatus): void {
    for (const h of this.exitHandlers) h(status);
  }
  runPodSandbox(): Promise<string> {
    return Promise.reject(new Error('not used'));
  }
  stopPodSandbox(id: string): Promise<void> {
    this.stopped.push(id);
    return Promise.resolve();
  }
  removePodSandbox(id: string): Promise<void> {
    this.removed.push(id);
    this.sandboxes.delete(id);
    return Promise.resolve();
  }
  podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandboxes.get(id);
    return s ? Promise.resolve(s) : Promise.reject(new Error(`no sandbox ${id}`));
  }
  listPodSandboxes(): Promise<PodSandboxStatus[]> {
    return Promise.resolve([...this.sandboxes.values()]);
  }
  pullImage(): never {
    throw new Error('not used');
  }
  imageStatus(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  createContainer(): never {
    throw new Error('not used');
  }
  startContainer(): never {
    throw new Error('not used');
  }
  stopContainer(): Promise<void> {
    return Promise.resolve();
  }
  removeContainer(): Promise<void> {
    return Promise.resolve();
  }
  containerStatus(): never {
    throw new Error('not used');
  }
  listContainers(): Promise<ContainerStatus[]> {
    return Promise.resolve([]);
  }
  onContainerExit(onExit: (status: ContainerStatus) => void): () => void {
    this.exitHandlers.add(onExit);
    return () => void this.exitHandlers.delete(onExit);
  }
  readContainerLogs(): never {
    throw new Error('not used');
  }
  execSync(): never {
    throw new Error('not used');
  }
  exec(): never {
    throw new Error('not used');
  }
  containerStats(): never {
    throw new Error('not used');
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function containerStatus(id: string, sandboxId: string, labels: Record<string, string>): ContainerStatus {
  return { id, sandboxId, name: 'c', attempt: 0, image: 'flotilla/sleep', imageId: 'sha256:0', state: 'exited', createdAtMs: 0, exitCode: 1, reason: 'Error', labels, logPath: '/dev/null' };
}

/** What every fake pod worker was told, as `<uid> <type>[ static]`. */
export interface WorkerLog {
  readonly entries: string[];
  readonly hosts: PodWorkerHost[];
}

export function recordingPodWorker(log: WorkerLog): (host: PodWorkerHost) => ActorDefinition<undefined, PodWorkerMsg> {
  return (host) => {
    log.hosts.push(host);
    return defineActor<undefined, PodWorkerMsg>({
      type: 'fake-pod-worker',
      initialState: () => undefined,
      handle: (_state, msg, ctx) => {
        const key = decodeURIComponent(ctx.name);
        if (msg.type === 'sync') log.entries.push(`${msg.pod.metadata?.uid ?? '?'} sync${msg.static === true ? ' static' : ''}`);
        else if (msg.type === 'containerExited') log.entries.push(`${key} containerExited ${msg.containerId}`);
        else log.entries.push(`${key} ${msg.type}`);
        return undefined;
      },
    });
  };
}

export const HOST_FACTS: NodeHostFacts = { hostname: 'host-1', cpuCores: 4, memoryBytes: 8 * 1024 ** 3, architecture: 'amd64', kernelVersion: '6.1.0', osImage: 'Test Linux', ephemeralStorageBytes: 100 * 1024 ** 3 };
export const HEALTHY: NodePressureSample = { memoryAvailableBytes: 4 * 1024 ** 3, diskAvailableBytes: 50 * 1024 ** 3, diskCapacityBytes: 100 * 1024 ** 3, processCount: 100, processLimit: 32_768 };

/** A changeable host probe. */
export function mutableProbe(): { probe: ReturnType<typeof fixedNodeHostProbe>; sample: { current: NodePressureSample } } {
  const sample = { current: HEALTHY };
  return { sample, probe: { facts: () => Promise.resolve(HOST_FACTS), sample: () => Promise.resolve(sample.current) } };
}

export interface KubeletHarness {
  readonly system: ActorSystem;
  readonly clock: ManualClock;
  readonly client: InMemoryResourceClient;
  readonly runtime: FakeRuntime;
  readonly pods: NodePodInformer;
  readonly log: WorkerLog;
  readonly registry: Registry;
}

export function kubeletHarness(t: Test, nodeName = 'n1', client = new InMemoryResourceClient({ now: () => '2024-01-01T00:00:00Z' })): KubeletHarness {
  const clock = new ManualClock(Date.parse('2024-01-01T00:00:00Z'));
  const registry = new Registry();
  const system = new ActorSystem({ name: 'worker', clock, random: new SeededRandom(1), registry, logger: { info: () => undefined, warn: (m, f) => void (process.env.WK_DEBUG && console.error(m, f)), error: () => undefined } });
  const pods = new NodePodInformer({ client, clock, random: new SeededRandom(2), fieldSelector: podsOfNodeFieldSelector(nodeName) });
  pods.start();
  t.teardown(async () => {
    pods.stop();
    await system.shutdown();
  });
  return { system, clock, client, runtime: new FakeRuntime(), pods, log: { entries: [], hosts: [] }, registry };
}

/** Runs event-loop turns until `cond()` holds; throws after `maxRounds` turns (no wall-clock limit). */
export async function until(what: string, cond: () => boolean | Promise<boolean>, maxRounds = 3_000): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    if (await cond()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`not reached after ${maxRounds} event-loop turns: ${what}`);
}

/** Lets queued actor turns and API calls run: a number of event-loop turns, no wall clock. */
export async function settle(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
