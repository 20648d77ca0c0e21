// The hollow runtime: a ContainerRuntime where nothing runs. Containers are running as soon as
// they start and never exit unless stopped; logs are one synthetic line; exec succeeds with no
// output; stats are zero. It lets one process host a thousand hollow nodes of thirty pods each
// for control-plane benchmarks, so every record is a few small fields and no timers exist.

import { createHash } from 'node:crypto';
import type { Clock } from '../../../../raft/index.js';
import type {
  ContainerConfig,
  ContainerLogLine,
  ContainerLogOptions,
  ContainerRuntime,
  ContainerStats,
  ContainerStatus,
  ExecOptions,
  ExecResult,
  ExecSession,
  ImageInfo,
  PodSandboxConfig,
  PodSandboxStatus,
  RuntimeIsolation,
} from '../cri.js';
import { formatImageReference, parseImageReference } from '../images/index.js';
import { ContainerNotFoundError, ContainerNotRunningError, CreateContainerError, ImageNotFoundError, SandboxNotFoundError, StartContainerError } from '../runtime-errors.js';

export interface HollowRuntimeOptions {
  readonly clock: Pick<Clock, 'now'>;
  /** The pods' IP (the hollow node's). */
  readonly podIP?: string;
  /** Prefix of ids, so the hollow nodes of one process do not share ids. */
  readonly idPrefix?: string;
  /** Which images "exist"; every well-formed reference by default. */
  readonly imageExists?: (ref: string) => boolean;
}

interface HollowSandbox {
  status: PodSandboxStatus;
}

interface HollowContainer {
  status: ContainerStatus;
}

const noop = (): void => undefined;

export class HollowRuntime implements ContainerRuntime {
  readonly name = 'hollow';
  readonly version = '0.1';
  readonly isolation: RuntimeIsolation = { namespaces: false, cgroups: 'none', reason: 'hollow runtime: nothing runs' };
  private readonly sandboxes = new Map<string, HollowSandbox>();
  private readonly containers = new Map<string, HollowContainer>();
  private readonly exitListeners = new Set<(status: ContainerStatus) => void>();
  private nextId = 1;

  constructor(private readonly options: HollowRuntimeOptions) {}

  runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = this.newId('s');
    const status: PodSandboxStatus = { id, podUid: config.podUid, podName: config.podName, podNamespace: config.podNamespace, state: 'ready', ip: this.options.podIP ?? '127.0.0.1', createdAtMs: this.options.clock.now() };
    this.sandboxes.set(id, { status });
    return Promise.resolve(id);
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const s = this.sandboxes.get(sandboxId);
    if (s === undefined) return;
    for (const [id, c] of this.containers) if (c.status.sandboxId === sandboxId) await this.stopContainer(id, 0);
    s.status = { ...s.status, state: 'notready' };
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    if (!this.sandboxes.has(sandboxId)) return;
    await this.stopPodSandbox(sandboxId);
    for (const [id, c] of this.containers) if (c.status.sandboxId === sandboxId) this.containers.delete(id);
    this.sandboxes.delete(sandboxId);
  }

  podSandboxStatus(sandboxId: string): Promise<PodSandboxStatus> {
    const s = this.sandboxes.get(sandboxId);
    return s === undefined ? Promise.reject(new SandboxNotFoundError(sandboxId)) : Promise.resolve(s.status);
  }

  listPodSandboxes(): Promise<PodSandboxStatus[]> {
    return Promise.resolve([...this.sandboxes.values()].map((s) => s.status));
  }

  async pullImage(ref: string): Promise<ImageInfo> {
    const info = await this.imageStatus(ref);
    if (info === undefined) throw new ImageNotFoundError(ref);
    return info;
  }

  imageStatus(ref: string): Promise<ImageInfo | undefined> {
    try {
      const key = formatImageReference(parseImageReference(ref));
      if (this.options.imageExists !== undefined && !this.options.imageExists(ref)) return Promise.resolve(undefined);
      return Promise.resolve({ ref, id: `sha256:${createHash('sha256').update(key).digest('hex')}`, sizeBytes: 0 });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const s = this.sandboxes.get(sandboxId);
    if (s === undefined) throw new SandboxNotFoundError(sandboxId);
    if (s.status.state !== 'ready') throw new CreateContainerError(config.name, `pod sandbox ${sandboxId} is not ready`);
    const image = await this.pullImage(config.image);
    const id = this.newId('c');
    this.containers.set(id, {
      status: { id, sandboxId, name: config.name, attempt: config.attempt, image: config.image, imageId: image.id, state: 'created', createdAtMs: this.options.clock.now(), labels: config.labels, logPath: '' },
    });
    return id;
  }

  startContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (c === undefined) return Promise.reject(new ContainerNotFoundError(containerId));
    if (c.status.state !== 'created') return Promise.reject(new StartContainerError(containerId, `container is ${c.status.state}, not created`));
    c.status = { ...c.status, state: 'running', startedAtMs: this.options.clock.now() };
    return Promise.resolve();
  }

  stopContainer(containerId: string, _gracePeriodMs = 0): Promise<void> {
    const c = this.containers.get(containerId);
    if (c === undefined) return Promise.reject(new ContainerNotFoundError(containerId));
    if (c.status.state !== 'running') return Promise.resolve();
    // A stopped hollow container ends as a well-behaved process does on SIGTERM.
    c.status = { ...c.status, state: 'exited', finishedAtMs: this.options.clock.now(), exitCode: 0, reason: 'Completed' };
    const status = c.status;
    for (const l of [...this.exitListeners]) l(status);
    return Promise.resolve();
  }

  async removeContainer(containerId: string): Promise<void> {
    if (!this.containers.has(containerId)) return;
    await this.stopContainer(containerId, 0);
    this.containers.delete(containerId);
  }

  containerStatus(containerId: string): Promise<ContainerStatus> {
    const c = this.containers.get(containerId);
    return c === undefined ? Promise.reject(new ContainerNotFoundError(containerId)) : Promise.resolve(c.status);
  }

  listContainers(sandboxId?: string): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const c of this.containers.values()) if (sandboxId === undefined || c.status.sandboxId === sandboxId) out.push(c.status);
    return Promise.resolve(out);
  }

  onContainerExit(onExit: (status: ContainerStatus) => void): () => void {
    this.exitListeners.add(onExit);
    return () => this.exitListeners.delete(onExit);
  }

  async *readContainerLogs(containerId: string, options: ContainerLogOptions): AsyncIterable<ContainerLogLine> {
    const c = this.containers.get(containerId);
    if (c === undefined) throw new ContainerNotFoundError(containerId);
    const timeMs = c.status.startedAtMs ?? c.status.createdAtMs;
    if (options.tailLines === 0 || (options.sinceMs !== undefined && timeMs < options.sinceMs)) return;
    yield { stream: 'stdout', timeMs, text: `hollow container ${c.status.name} (nothing runs)` };
  }

  execSync(containerId: string, _command: readonly string[] = [], _timeoutMs = 0): Promise<ExecResult> {
    return this.running(containerId).then(() => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false }));
  }

  async exec(containerId: string, _command: readonly string[] = [], _options: ExecOptions = {}): Promise<ExecSession> {
    await this.running(containerId);
    return { writeStdin: noop, closeStdin: noop, resize: noop, onStdout: noop, onStderr: noop, exited: Promise.resolve(0), kill: noop };
  }

  async containerStats(containerId: string): Promise<ContainerStats> {
    if (!this.containers.has(containerId)) throw new ContainerNotFoundError(containerId);
    return { containerId, timestampMs: this.options.clock.now(), cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 };
  }

  close(): Promise<void> {
    this.exitListeners.clear();
    return Promise.resolve();
  }

  private running(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (c === undefined) return Promise.reject(new ContainerNotFoundError(containerId));
    if (c.status.state !== 'running') return Promise.reject(new ContainerNotRunningError(containerId));
    return Promise.resolve();
  }

  private newId(kind: string): string {
    return `${this.options.idPrefix ?? 'hollow'}-${kind}${this.nextId++}`;
  }
}
