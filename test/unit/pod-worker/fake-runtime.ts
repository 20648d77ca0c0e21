// An in-memory ContainerRuntime for pod worker tests: nothing runs; the test decides when
// containers exit and what exec commands answer, and every lifecycle call is recorded.
import type {
  ContainerConfig,
  ContainerLogLine,
  ContainerRuntime,
  ContainerStats,
  ContainerStatus,
  ExecResult,
  ExecSession,
  ImageInfo,
  PodSandboxConfig,
  PodSandboxStatus,
  ManualClock,
} from '../../../actors/index.js';
import { ContainerNotFoundError, ImageNotFoundError, SandboxNotFoundError } from '../../../actors/index.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class FakeRuntime implements ContainerRuntime {
  readonly name = 'fake';
  readonly version = '0.0.1';
  readonly isolation = { namespaces: false, cgroups: 'none' as const, reason: 'fake' };
  /** Every lifecycle call, e.g. `create web#0`, `start web#0`, `stop web#0 grace=30000`. */
  readonly calls: string[] = [];
  /** Images that pullImage can fetch. */
  readonly registry = new Set<string>(['busybox', 'nginx', 'app']);
  readonly present = new Set<string>();
  /** Containers (by name) that exit with this code as soon as they start. */
  readonly exitOnStart = new Map<string, number>();
  /** Answers execSync; default exit 0. */
  execHandler: (container: ContainerStatus, command: readonly string[]) => ExecResult = () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false });
  private readonly sandboxes = new Map<string, Mutable<PodSandboxStatus>>();
  private readonly containers = new Map<string, Mutable<ContainerStatus>>();
  private readonly listeners = new Set<(status: ContainerStatus) => void>();
  private nextId = 1;

  constructor(private readonly clock: ManualClock, private readonly ip = '10.0.0.5') {}

  // ---- test controls ----

  /** Every container, in creation order. */
  all(): ContainerStatus[] {
    return [...this.containers.values()].map((c) => ({ ...c }));
  }

  named(name: string): ContainerStatus[] {
    return this.all().filter((c) => c.name === name);
  }

  running(name: string): ContainerStatus | undefined {
    return this.all().find((c) => c.name === name && c.state === 'running');
  }

  sandboxList(): PodSandboxStatus[] {
    return [...this.sandboxes.values()].map((s) => ({ ...s }));
  }

  /** Makes a running container exit with `exitCode`. */
  exit(containerId: string, exitCode: number): void {
    const c = this.containers.get(containerId);
    if (c === undefined || c.state !== 'running') throw new Error(`container ${containerId} is not running`);
    this.finish(c, exitCode);
  }

  private finish(c: Mutable<ContainerStatus>, exitCode: number): void {
    c.state = 'exited';
    c.exitCode = exitCode;
    c.reason = exitCode === 0 ? 'Completed' : 'Error';
    c.finishedAtMs = this.clock.now();
    const snapshot = { ...c };
    for (const listener of this.listeners) listener(snapshot);
  }

  // ---- ContainerRuntime ----

  runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = `sb${this.nextId++}`;
    this.calls.push(`runSandbox ${config.podName}`);
    this.sandboxes.set(id, { id, podUid: config.podUid, podName: config.podName, podNamespace: config.podNamespace, state: 'ready', ip: this.ip, createdAtMs: this.clock.now() });
    return Promise.resolve(id);
  }

  stopPodSandbox(sandboxId: string): Promise<void> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (sandbox === undefined) return Promise.resolve();
    if (sandbox.state === 'ready') this.calls.push(`stopSandbox ${sandbox.podName}`);
    sandbox.state = 'notready';
    for (const c of this.containers.values()) if (c.sandboxId === sandboxId && c.state === 'running') this.finish(c, 137);
    return Promise.resolve();
  }

  removePodSandbox(sandboxId: string): Promise<void> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (sandbox === undefined) return Promise.resolve();
    this.calls.push(`removeSandbox ${sandbox.podName}`);
    this.sandboxes.delete(sandboxId);
    for (const [id, c] of this.containers) if (c.sandboxId === sandboxId) this.containers.delete(id);
    return Promise.resolve();
  }

  podSandboxStatus(sandboxId: string): Promise<PodSandboxStatus> {
    const sandbox = this.sandboxes.get(sandboxId);
    return sandbox === undefined ? Promise.reject(new SandboxNotFoundError(sandboxId)) : Promise.resolve({ ...sandbox });
  }

  listPodSandboxes(): Promise<PodSandboxStatus[]> {
    return Promise.resolve(this.sandboxList());
  }

  pullImage(ref: string): Promise<ImageInfo> {
    this.calls.push(`pull ${ref}`);
    if (!this.registry.has(ref)) return Promise.reject(new ImageNotFoundError(ref));
    this.present.add(ref);
    return Promise.resolve({ ref, id: `sha256:${ref}`, sizeBytes: 100 });
  }

  imageStatus(ref: string): Promise<ImageInfo | undefined> {
    return Promise.resolve(this.present.has(ref) ? { ref, id: `sha256:${ref}`, sizeBytes: 100 } : undefined);
  }

  createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    if (!this.sandboxes.has(sandboxId)) return Promise.reject(new SandboxNotFoundError(sandboxId));
    const id = `c${this.nextId++}`;
    this.calls.push(`create ${config.name}#${config.attempt}`);
    this.containers.set(id, {
      id,
      sandboxId,
      name: config.name,
      attempt: config.attempt,
      image: config.image,
      imageId: `sha256:${config.image}`,
      state: 'created',
      createdAtMs: this.clock.now(),
      labels: { ...config.labels },
      logPath: `/logs/${id}`,
    });
    return Promise.resolve(id);
  }

  startContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (c === undefined) return Promise.reject(new ContainerNotFoundError(containerId));
    this.calls.push(`start ${c.name}#${c.attempt}`);
    c.state = 'running';
    c.startedAtMs = this.clock.now();
    const exitCode = this.exitOnStart.get(c.name);
    if (exitCode !== undefined) this.finish(c, exitCode);
    return Promise.resolve();
  }

  stopContainer(containerId: string, gracePeriodMs: number): Promise<void> {
    const c = this.containers.get(containerId);
    if (c === undefined) return Promise.reject(new ContainerNotFoundError(containerId));
    if (c.state !== 'running') return Promise.resolve();
    this.calls.push(`stop ${c.name}#${c.attempt} grace=${gracePeriodMs}`);
    this.finish(c, 143);
    return Promise.resolve();
  }

  removeContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (c === undefined) return Promise.reject(new ContainerNotFoundError(containerId));
    this.calls.push(`remove ${c.name}#${c.attempt}`);
    this.containers.delete(containerId);
    return Promise.resolve();
  }

  containerStatus(containerId: string): Promise<ContainerStatus> {
    const c = this.containers.get(containerId);
    return c === undefined ? Promise.reject(new ContainerNotFoundError(containerId)) : Promise.resolve({ ...c });
  }

  listContainers(sandboxId?: string): Promise<ContainerStatus[]> {
    return Promise.resolve(this.all().filter((c) => sandboxId === undefined || c.sandboxId === sandboxId));
  }

  onContainerExit(onExit: (status: ContainerStatus) => void): () => void {
    this.listeners.add(onExit);
    return () => void this.listeners.delete(onExit);
  }

  readContainerLogs(): AsyncIterable<ContainerLogLine> {
    return (async function* () {})();
  }

  execSync(containerId: string, command: readonly string[]): Promise<ExecResult> {
    const c = this.containers.get(containerId);
    if (c === undefined) return Promise.reject(new ContainerNotFoundError(containerId));
    this.calls.push(`exec ${c.name}#${c.attempt} ${command.join(' ')}`);
    return Promise.resolve(this.execHandler({ ...c }, command));
  }

  exec(): Promise<ExecSession> {
    return Promise.reject(new Error('exec is not supported by the fake runtime'));
  }

  containerStats(containerId: string): Promise<ContainerStats> {
    return Promise.resolve({ containerId, timestampMs: this.clock.now(), cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
