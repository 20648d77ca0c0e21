// A ContainerRuntime that runs nothing: sandboxes and containers are records the test sets up,
// logs are lines the test gives, exec understands a few commands (echo, cat, sh -c 'exit N',
// sleep), and stats are counters the test sets. Enough to drive the kubelet server.

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
} from '../../../actors/index.js';
import { CONTAINER_NAME_LABEL, ContainerNotFoundError, ContainerNotRunningError } from '../../../actors/index.js';

export interface FakeContainer {
  status: ContainerStatus;
  lines: ContainerLogLine[];
  cpuNs: number;
  memoryBytes: number;
  /** Follows waiting for more lines. */
  readonly waiters: (() => void)[];
}

export class FakeRuntime implements ContainerRuntime {
  readonly name = 'fake';
  readonly version = '0';
  readonly isolation = { namespaces: false, cgroups: 'none' as const };
  readonly sandboxes = new Map<string, PodSandboxStatus>();
  readonly containers = new Map<string, FakeContainer>();
  /** Commands exec was asked to run, in order. */
  readonly execs: string[][] = [];
  private ids = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  addPod(namespace: string, name: string, uid = `uid-${name}`): string {
    const id = `sb${++this.ids}`;
    this.sandboxes.set(id, { id, podUid: uid, podName: name, podNamespace: namespace, state: 'ready', ip: '127.0.0.1', createdAtMs: this.now() });
    return id;
  }

  addContainer(sandboxId: string, name: string, attempt: number, state: ContainerStatus['state'], lines: string[] = []): FakeContainer {
    const id = `c${++this.ids}`;
    const c: FakeContainer = {
      status: { id, sandboxId, name, attempt, image: 'img', imageId: 'sha256:0', state, createdAtMs: this.now() + attempt, labels: { [CONTAINER_NAME_LABEL]: name }, logPath: '/dev/null' },
      lines: lines.map((text) => ({ stream: 'stdout', timeMs: this.now(), text })),
      cpuNs: 0,
      memoryBytes: 0,
      waiters: [],
    };
    this.containers.set(id, c);
    return c;
  }

  appendLog(c: FakeContainer, text: string): void {
    c.lines.push({ stream: 'stdout', timeMs: this.now(), text });
    for (const w of c.waiters.splice(0)) w();
  }

  exit(c: FakeContainer): void {
    c.status = { ...c.status, state: 'exited', exitCode: 0 };
    for (const w of c.waiters.splice(0)) w();
  }

  runPodSandbox(_config: PodSandboxConfig): Promise<string> {
    return Promise.reject(new Error('not used'));
  }
  stopPodSandbox(): Promise<void> {
    return Promise.resolve();
  }
  removePodSandbox(): Promise<void> {
    return Promise.resolve();
  }
  podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandboxes.get(id);
    return s ? Promise.resolve(s) : Promise.reject(new Error('no sandbox'));
  }
  listPodSandboxes(): Promise<PodSandboxStatus[]> {
    return Promise.resolve([...this.sandboxes.values()]);
  }
  pullImage(ref: string): Promise<ImageInfo> {
    return Promise.resolve({ ref, id: 'sha256:0', sizeBytes: 0 });
  }
  imageStatus(): Promise<ImageInfo | undefined> {
    return Promise.resolve(undefined);
  }
  createContainer(_sandboxId: string, _config: ContainerConfig): Promise<string> {
    return Promise.reject(new Error('not used'));
  }
  startContainer(): Promise<void> {
    return Promise.resolve();
  }
  stopContainer(): Promise<void> {
    return Promise.resolve();
  }
  removeContainer(): Promise<void> {
    return Promise.resolve();
  }
  containerStatus(id: string): Promise<ContainerStatus> {
    const c = this.containers.get(id);
    return c ? Promise.resolve(c.status) : Promise.reject(new ContainerNotFoundError(id));
  }
  listContainers(sandboxId?: string): Promise<ContainerStatus[]> {
    return Promise.resolve([...this.containers.values()].map((c) => c.status).filter((s) => sandboxId === undefined || s.sandboxId === sandboxId));
  }
  onContainerExit(): () => void {
    return () => undefined;
  }

  async *readContainerLogs(id: string, options: ContainerLogOptions, signal?: AbortSignal): AsyncIterable<ContainerLogLine> {
    const c = this.containers.get(id);
    if (c === undefined) throw new ContainerNotFoundError(id);
    let start = options.tailLines !== undefined ? Math.max(0, c.lines.length - options.tailLines) : 0;
    for (;;) {
      for (; start < c.lines.length; start++) {
        const line = c.lines[start]!;
        if (options.sinceMs !== undefined && line.timeMs < options.sinceMs) continue;
        yield options.timestamps === true ? { ...line, text: `${new Date(line.timeMs).toISOString()} ${line.text}` } : line;
      }
      if (options.follow !== true || c.status.state !== 'running' || signal?.aborted === true) return;
      await new Promise<void>((resolve) => {
        c.waiters.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  execSync(): Promise<ExecResult> {
    return Promise.reject(new Error('not used'));
  }

  exec(id: string, command: readonly string[], options: ExecOptions): Promise<ExecSession> {
    const c = this.containers.get(id);
    if (c === undefined) return Promise.reject(new ContainerNotFoundError(id));
    if (c.status.state !== 'running') return Promise.reject(new ContainerNotRunningError(id));
    this.execs.push([...command]);
    return Promise.resolve(fakeSession(command, options));
  }

  containerStats(id: string): Promise<ContainerStats> {
    const c = this.containers.get(id);
    if (c === undefined) return Promise.reject(new ContainerNotFoundError(id));
    return Promise.resolve({ containerId: id, timestampMs: this.now(), cpuUsageCoreNanoSeconds: c.cpuNs, memoryWorkingSetBytes: c.memoryBytes });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** echo ARGS; cat (stdin to stdout until closed); sh -c 'exit N'; err TEXT (to stderr); sleep (until killed). */
function fakeSession(command: readonly string[], options: ExecOptions): ExecSession {
  let out: (d: Uint8Array) => void = () => undefined;
  let err: (d: Uint8Array) => void = () => undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  const later = (fn: () => void): void => void setImmediate(fn);
  const [program, ...args] = command;
  const session: ExecSession = {
    writeStdin: (data) => {
      if (program === 'cat' && options.stdin === true) out(data);
    },
    closeStdin: () => {
      if (program === 'cat') resolveExit(0);
    },
    resize: (columns, rows) => {
      if (program === 'sleep') out(Buffer.from(`resized ${columns}x${rows}\n`));
    },
    onStdout: (h) => (out = h),
    onStderr: (h) => (err = h),
    exited,
    kill: () => resolveExit(137),
  };
  later(() => {
    if (program === 'echo') {
      out(Buffer.from(`${args.join(' ')}\n`));
      resolveExit(0);
    } else if (program === 'err') {
      err(Buffer.from(`${args.join(' ')}\n`));
      resolveExit(1);
    } else if (program === 'sh' && args[0] === '-c') {
      const m = /exit (\d+)/.exec(args[1] ?? '');
      resolveExit(m ? Number(m[1]) : 0);
    } else if (program !== 'cat' && program !== 'sleep') {
      err(Buffer.from(`${program ?? ''}: not found\n`));
      resolveExit(127);
    }
  });
  return session;
}
